/// The server optimizer a scenario's `training.server` names, with its state for `dimension`
/// parameters.
enum ServerOptimizers {
    static func make(_ spec: ServerOptimizerSpec, dimension: Int) -> any ServerOptimizer {
        let inner = unscheduled(spec, dimension: dimension)
        return spec.schedule.isConstant ? inner : ScheduledServer(inner, schedule: spec.schedule)
    }

    /// The optimizer at the constant learning rate `spec.learningRate`.
    private static func unscheduled(_ spec: ServerOptimizerSpec, dimension: Int) -> any ServerOptimizer {
        let eta = Float(spec.learningRate)
        switch spec.optimizer {
        case .fedavg: return FedAvgServer(learningRate: eta)
        case .fedavgm: return MomentumServer(learningRate: eta, momentum: Float(spec.momentum), nesterov: false, dimension: dimension)
        case .nesterov: return MomentumServer(learningRate: eta, momentum: Float(spec.momentum), nesterov: true, dimension: dimension)
        case .fedadam, .fedyogi, .fedadagrad:
            let rule: AdaptiveServer.Rule = spec.optimizer == .fedadam ? .adam : spec.optimizer == .fedyogi ? .yogi : .adagrad
            return AdaptiveServer(rule: rule, learningRate: eta, beta1: Float(spec.beta1), beta2: Float(spec.beta2),
                                  tau: Float(spec.tau), dimension: dimension)
        }
    }
}
