extension ScenarioSchema {
    /// Keys of synchronous FedAvg only.
    static let synchronousKeys = ["devicesPerRound", "overSelection", "deadlineSeconds", "selection", "samplingRate"]

    static var training: JSONValue {
        let fedasync = V.object("fedasync only: FedAsync (Xie, Koyejo, Gupta 2019) [alpha 0.6; polynomial a 0.5].", properties: [
            "alpha": V.number("[0.6] mixing weight, in (0, 1].", minimum: 0.000001, maximum: 1),
            "staleness": V.object("Staleness function s(t): constant | polynomial (a) | hinge (a [10], b [4]).",
                                  required: ["kind"],
                                  properties: ["kind": V.choice("The staleness function.", ["constant", "polynomial", "hinge"]),
                                               "a": V.number("[0.5; hinge 10] a of s(t).", in: ScenarioRange.factor),
                                               "b": V.number("[0; hinge 4] b of hinge s(t).", in: ScenarioRange.factor)]),
        ])
        let fedbuff = V.object("fedbuff only: FedBuff (Nguyen et al. 2022) [concurrency, 1, none].", properties: [
            "bufferSize": V.integer("[concurrency] apply the average of every this many updates, <= fleet size.", minimum: 1),
            "serverLearningRate": V.positive("[1] fedavg's server learning rate (not beside training.server)."),
            "maxStaleness": V.integer("[none] updates staler than this are discarded.", minimum: 0),
        ])
        var synchronousAbsent: [String: JSONValue] = [:]
        for key in synchronousKeys { synchronousAbsent[key] = V.nullOnly }
        let fedavgMode = V.when(["mode": V.amongOrNull(["fedavg"]), "devicesPerRound": V.present("integer"),
                                 "concurrency": V.nullOnly, "fedasync": V.nullOnly, "fedbuff": V.nullOnly],
                                required: ["devicesPerRound"],
                                rules: [V.anyOf([
                                    V.when(["selection": V.amongOrNull(["uniform"]), "samplingRate": V.nullOnly]),
                                    V.when(["selection": V.const("poisson"), "overSelection": .object(["enum": .array([.number(0), .null])]),
                                            "deadlineSeconds": V.nullOnly], required: ["selection"]),
                                ])])
        let fedasyncMode = V.when(synchronousAbsent.merging(["mode": V.const("fedasync"), "concurrency": V.present("integer"),
                                                             "fedbuff": V.nullOnly, "server": V.nullOnly]) { $1 },
                                  required: ["mode", "concurrency"])
        let fedbuffMode = V.when(synchronousAbsent.merging(["mode": V.const("fedbuff"), "concurrency": V.present("integer"),
                                                            "fedasync": V.nullOnly]) { $1 },
                                 required: ["mode", "concurrency"],
                                 rules: [V.anyOf([V.when(["server": V.nullOnly]),
                                                  V.when(["fedbuff": V.when(["serverLearningRate": V.nullOnly])])])])
        return V.object(
            "How federated training runs (README: Synchronous FedAvg, Asynchronous modes).",
            required: ["learningRate"],
            properties: [
                "mode": V.choice("[fedavg] | \"fedasync\" | \"fedbuff\".", ["fedavg", "fedasync", "fedbuff"]),
                "devicesPerRound": V.integer("K, required in fedavg, <= fleet size.", minimum: 1),
                "concurrency": V.integer("fedasync/fedbuff: devices training at once, required, <= fleet size.", minimum: 1),
                "fedasync": fedasync,
                "fedbuff": fedbuff,
                "weighting": V.choice("[samples] | \"flops\" (work done) | \"uniform\".", ["samples", "flops", "uniform"]),
                "overSelection": V.number("[0] fedavg: select ceil(K (1 + f)) devices, keep the first K updates.", minimum: 0, maximum: 10),
                "deadlineSeconds": V.number("[none] fedavg: close a round at this time with what arrived, seconds.", in: ScenarioRange.seconds),
                "selection": V.choice("[uniform] | \"poisson\": each online idle device joins w.p. q (fedavg).", ["uniform", "poisson"]),
                "samplingRate": V.number("[devicesPerRound / fleet size] poisson only: q in (0, 1].", minimum: 1e-12, maximum: 1),
                "localEpochs": V.integer("[1] E, local epochs per task (not beside localSteps).", minimum: 1, maximum: 10_000),
                "localSteps": V.integer("Instead of localEpochs: SGD steps per task.", minimum: 1, maximum: 10_000_000),
                "batchSize": V.integer("[10] B, minibatch size.", minimum: 1, maximum: 1_000_000),
                "adaptiveBatch": V.bool("[false] batch from speed and memory, within minBatch / maxBatch."),
                "minBatch": V.integer("[1] smallest adaptive batch.", minimum: 1, maximum: 1_000_000),
                "maxBatch": V.integer("[8 B] largest adaptive batch, >= minBatch.", minimum: 1, maximum: 1_000_000),
                "learningRate": V.positive("SGD learning rate of devices (and the baseline's default)."),
                "rounds": V.integer("[100] stop after this many rounds.", minimum: 1, maximum: 100_000_000),
                "maxTimeSeconds": V.number("[none] stop at this virtual time, seconds.", in: ScenarioRange.seconds),
                "server": server,
                "optimizer": optimizer("[sgd] the device optimizer (README: Models)."),
                "proximalMu": V.number("[0] FedProx's mu (Li et al. 2020), every mode (README: FedProx).", in: ScenarioRange.factor),
                "persistentOptimizerState": V.bool("[false] each device keeps its optimizer state between its tasks (README: DiLoCo)."),
            ],
            rules: [V.anyOf([fedavgMode, fedasyncMode, fedbuffMode]),
                    V.anyOf([V.when(["localEpochs": V.nullOnly]), V.when(["localSteps": V.nullOnly])])])
    }

    /// `training.server`: each optimizer takes only its own keys (``ServerOptimizerSpec/extraKeys``).
    static var server: JSONValue {
        let kinds = ServerOptimizerSpec.Kind.allCases
        let extras = ["momentum", "beta1", "beta2", "tau"]
        let perKind = kinds.map { kind in
            let taken = ServerOptimizerSpec(optimizer: kind, learningRate: 1).extraKeys
            var properties: [String: JSONValue] = ["optimizer": V.const(kind.rawValue)]
            for key in extras where !taken.contains(key) { properties[key] = V.nullOnly }
            return V.when(properties)
        }
        return V.object(
            "[fedavg] the server optimizer applying each aggregated update (README: Server optimizers); not in fedasync.",
            required: ["optimizer"],
            properties: [
                "optimizer": V.choice("The optimizer.", kinds.map(\.rawValue)),
                "learningRate": V.positive("[1 fedavg, fedavgm; 0.7 nesterov; 0.01 adaptive] server learning rate."),
                "momentum": V.number("[0.9] fedavgm, nesterov: momentum in [0, 1).", minimum: 0, maximum: 0.999_999),
                "beta1": V.number("[0.9] fedadam, fedyogi, fedadagrad: first-moment decay in [0, 1).", minimum: 0, maximum: 0.999_999),
                "beta2": V.number("[0.99] fedadam, fedyogi: second-moment decay in [0, 1).", minimum: 0, maximum: 0.999_999),
                "tau": V.positive("[1e-3] fedadam, fedyogi, fedadagrad: adaptivity."),
                "schedule": schedule("[constant] the server learning rate's schedule over server steps (README: DiLoCo)."),
            ],
            rules: [V.anyOf(perKind)])
    }
}
