/// `training.server`: the server optimizer that applies each aggregated update (README:
/// Server optimizers). Keys that an optimizer does not use are rejected by the loader.
public struct ServerOptimizerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case fedavg, fedavgm, fedadam, fedyogi, fedadagrad, nesterov }
    public var optimizer: Kind
    /// Server learning rate eta.
    public var learningRate: Double
    /// fedavgm and nesterov: momentum.
    public var momentum: Double = 0
    /// fedadam, fedyogi, fedadagrad: first-moment decay (beta1), second-moment decay (beta2; not
    /// fedadagrad) and the adaptivity tau.
    public var beta1: Double = 0
    public var beta2: Double = 0
    public var tau: Double = 0
    /// The server learning rate's schedule over server steps (constant by default).
    public var schedule: LearningRateSchedule = .constant

    /// FedAvg with server learning rate `learningRate` (1 in synchronous FedAvg).
    public static func fedavg(learningRate: Double = 1) -> ServerOptimizerSpec {
        ServerOptimizerSpec(optimizer: .fedavg, learningRate: learningRate)
    }

    /// The keys this optimizer takes besides `optimizer` and `learningRate`.
    public var extraKeys: [String] {
        switch optimizer {
        case .fedavg: []
        case .fedavgm, .nesterov: ["momentum"]
        case .fedadam, .fedyogi: ["beta1", "beta2", "tau"]
        case .fedadagrad: ["beta1", "tau"]
        }
    }

    /// The value of one of `extraKeys`.
    public func value(_ key: String) -> Double {
        switch key {
        case "momentum": momentum
        case "beta1": beta1
        case "beta2": beta2
        default: tau
        }
    }
}
