extension ScenarioLoader {
    /// `training.server` (README: Server optimizers). Defaults: learning rate 1 for fedavg (in
    /// FedBuff, `fedbuff.serverLearningRate`) and fedavgm, 0.7 for nesterov (OpenDiLoCo's outer
    /// rate), 0.01 for the adaptive ones; momentum 0.9; beta1 0.9, beta2 0.99 (Reddi et al. 2021
    /// fix both); tau 1e-3. FedAsync mixes models instead of applying updates and takes none.
    static func readServerOptimizer(_ node: JSONNode?, mode: TrainingSpec.Mode, fedbuffLearningRate: JSONNode?) throws(ScenarioError)
        -> ServerOptimizerSpec {
        if mode == .fedasync, let node {
            throw ScenarioError(path: node.path, expected: "no \"server\" section in mode \"fedasync\" (it mixes models, it applies no update)",
                                found: node.value.summary)
        }
        let fedbuffRate = try fedbuffLearningRate?.positive()
        guard let node else { return .fedavg(learningRate: fedbuffRate ?? 1) }
        if let fedbuffLearningRate {
            throw ScenarioError(path: fedbuffLearningRate.path, expected: "no serverLearningRate beside training.server (use training.server.learningRate)",
                                found: fedbuffLearningRate.value.summary)
        }
        let o = try node.object()
        let names = ServerOptimizerSpec.Kind.allCases.map(\.rawValue)
        let kind = ServerOptimizerSpec.Kind(rawValue: try o.required("optimizer", names.map { "\"\($0)\"" }.joined(separator: ", ")).choice(names))!
        let defaultRate: Double = switch kind {
        case .fedavg, .fedavgm: 1
        case .nesterov: 0.7
        case .fedadam, .fedyogi, .fedadagrad: 0.01
        }
        var spec = ServerOptimizerSpec(optimizer: kind, learningRate: try o.optional("learningRate")?.positive() ?? defaultRate)
        for key in ["momentum", "beta1", "beta2", "tau"] {
            guard let value = o.optional(key) else { continue }
            guard spec.extraKeys.contains(key) else {
                throw ScenarioError(path: value.path, expected: "no \"\(key)\" for optimizer \"\(kind.rawValue)\"", found: value.value.summary)
            }
        }
        if spec.extraKeys.contains("momentum") {
            spec.momentum = try o.optional("momentum")?.number(0...0.999999, expected: "a momentum in [0, 1)") ?? 0.9
        }
        if spec.extraKeys.contains("beta1") {
            spec.beta1 = try o.optional("beta1")?.number(0...0.999999, expected: "a decay in [0, 1)") ?? 0.9
            spec.tau = try o.optional("tau")?.positive() ?? 1e-3
        }
        if spec.extraKeys.contains("beta2") {
            spec.beta2 = try o.optional("beta2")?.number(0...0.999999, expected: "a decay in [0, 1)") ?? 0.99
        }
        spec.schedule = try o.optional("schedule").map { n throws(ScenarioError) in try readSchedule(n) } ?? .constant
        try o.rejectUnknownKeys()
        return spec
    }
}
