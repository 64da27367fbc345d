import Foundation
import Testing
@testable import FedSim

@Suite("Server optimizers")
struct ServerOptimizerTests {
    /// The tiny scenario (TinyFleet.swift) over `rounds` rounds with `training.server` = `server`.
    func run(_ server: [String: Any]?, rounds: Int = 5, json: [String: Any] = tinyScenarioJSON()) throws -> FederatedOutcome {
        var j = setting(json, "training.rounds", rounds)
        if let server { j = setting(j, "training.server", server) }
        return try PreparedRun(try scenario(j)).run(threads: 1).federated
    }

    @Test("FedAvgM and Nesterov with momentum 0 and learning rate 1 equal FedAvg bit for bit, in sync mode and FedBuff")
    func momentumZeroIsFedAvg() throws {
        let buff = setting(setting(setting(tinyScenarioJSON(), "training.mode", "fedbuff"), "training.concurrency", 2),
                           "training.devicesPerRound", nil)
        for json in [tinyScenarioJSON(), buff] {
            let plain = try run(nil, json: json)
            for name in ["fedavgm", "nesterov"] {
                let other = try run(["optimizer": name, "learningRate": 1, "momentum": 0], json: json)
                #expect(other.finalParameters == plain.finalParameters, "\(name)")
                #expect(other.curve == plain.curve, "\(name)")
            }
        }
    }

    @Test("one device, H = 1 local step, outer Nesterov learning rate 1 momentum 0 equals plain local training; momentum mu scales the first step by 1 + mu")
    func oneDeviceOneStep() throws {
        var json = setting(tinyScenarioJSON(), "fleet.groups", [["profile": "phone", "count": 1, "overrides": tinyProfile(flops: 1e6)]])
        json = setting(setting(setting(json, "training.devicesPerRound", 1), "training.localEpochs", nil), "training.localSteps", 1)
        let prepared = try PreparedRun(try scenario(json))
        let labels = try #require(prepared.data.train.table).labels[prepared.data.shards[0]].map(Int.init)
        // One full-batch SGD step from zero on the device's three rows (closed form, TinyFleet.swift).
        let local = oneStepFromZero([(labels, 1)])
        let outer = try run(["optimizer": "nesterov", "learningRate": 1, "momentum": 0], rounds: 1, json: json)
        #expect(maxDifference(outer.finalParameters, local) < 1e-7)
        // Nesterov's first step from v = 0: v = Delta, x += eta (Delta + mu Delta).
        let nesterov = try run(["optimizer": "nesterov", "learningRate": 0.5, "momentum": 0.9], rounds: 1, json: json)
        #expect(maxDifference(nesterov.finalParameters, local.map { 0.5 * 1.9 * $0 }) < 1e-7)
    }

    @Test("FedAvgM and Nesterov over two steps of Delta = 1, by hand and by PyTorch's Nesterov SGD on g = -Delta")
    func momentumByHand() {
        // FedAvgM, beta 0.5, eta 1: v = 1, x = 1; v = 0.5 + 1 = 1.5, x = 2.5.
        var m = MomentumServer(learningRate: 1, momentum: 0.5, nesterov: false, dimension: 1)
        var x: [Float] = [0]
        m.step(&x, delta: [1]); #expect(x == [1])
        m.step(&x, delta: [1]); #expect(x == [2.5])
        // PyTorch SGD(nesterov) with g = -1, mu 0.5, lr 1: buf = -1, p -= -1 + 0.5 (-1) -> 1.5;
        // buf = 0.5 (-1) - 1 = -1.5, p -= -1 + 0.5 (-1.5) -> 1.5 + 1.75 = 3.25.
        var n = MomentumServer(learningRate: 1, momentum: 0.5, nesterov: true, dimension: 1)
        x = [0]
        n.step(&x, delta: [1]); #expect(x == [1.5])
        n.step(&x, delta: [1]); #expect(x == [3.25])
        #expect(n.stateBytes == 4 && m.stateBytes == 4)
    }

    /// One step from x = 0 with Delta = (0.05, -0.2, 0.3), eta 0.1, beta1 0.9, beta2 0.99, tau 0.1,
    /// so v starts at tau^2 = 0.01 and m = 0.1 Delta = (0.005, -0.02, 0.03). Hand computation:
    /// Delta^2 = (0.0025, 0.04, 0.09).
    /// FedAdam:    v = 0.0099 + 0.01 Delta^2 = (0.009925, 0.0103, 0.0108),
    ///             x = 0.1 m / (sqrt v + 0.1) = (0.0025047, -0.0099261, 0.0147114).
    /// FedYogi:    sign(v - Delta^2) = (+, -, -), v = (0.009975, 0.0104, 0.0109),
    ///             x = (0.0025016, -0.0099020, 0.0146769).
    /// FedAdagrad: v = 0.01 + Delta^2 = (0.0125, 0.05, 0.1), x = (0.0023607, -0.0061803, 0.0072076).
    @Test("FedAdam, FedYogi and FedAdagrad: one step on a 3-parameter example, by hand", arguments: [
        (AdaptiveServer.Rule.adam, [0.0025047, -0.0099261, 0.0147114]),
        (.yogi, [0.0025016, -0.0099020, 0.0146769]),
        (.adagrad, [0.0023607, -0.0061803, 0.0072076]),
    ])
    func adaptiveOneStep(rule: AdaptiveServer.Rule, expected: [Double]) {
        var optimizer = AdaptiveServer(rule: rule, learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1, dimension: 3)
        var x: [Float] = [0, 0, 0]
        optimizer.step(&x, delta: [0.05, -0.2, 0.3])
        #expect(maxDifference(x, expected) < 1e-6)
        #expect(optimizer.stateBytes == 24)
    }

    @Test("training.server: defaults, errors with JSON paths, FedAsync rejected, summary reports the state")
    func scenarioKeys() throws {
        let s = try scenario(setting(tinyScenarioJSON(), "training.server", ["optimizer": "fedadam"]))
        #expect(s.training.server == ServerOptimizerSpec(optimizer: .fedadam, learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3))
        func error(_ server: Any, _ json: [String: Any] = tinyScenarioJSON()) -> ScenarioError? {
            scenarioError(setting(json, "training.server", server))
        }
        #expect(error(["optimizer": "fedadam", "momentum": 0.9])?.path == "$.training.server.momentum")
        #expect(error(["optimizer": "adam"])?.path == "$.training.server.optimizer")
        #expect(error(["optimizer": "fedavgm", "momentum": 1])?.path == "$.training.server.momentum")
        #expect(error(["optimizer": "fedadagrad", "beta2": 0.9])?.path == "$.training.server.beta2")
        #expect(error(["optimizer": "fedavg", "lr": 1])?.path == "$.training.server.lr")
        let async = setting(setting(setting(tinyScenarioJSON(), "training.mode", "fedasync"), "training.concurrency", 2),
                            "training.devicesPerRound", nil)
        #expect(error(["optimizer": "fedavg"], async)?.path == "$.training.server")
        let report = try PreparedRun(s).run(threads: 1)
        #expect(report.summary.serverOptimizer == ServerOptimizerReport(optimizer: "fedadam", stateBytes: 8 * 650))
    }
}
