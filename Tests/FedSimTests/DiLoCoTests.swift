import Foundation
import Testing
@testable import FedSim
import FedMath

@Suite("DiLoCo: persistent device optimizer state and learning-rate schedules")
struct DiLoCoTests {
    static var cosine: [String: Any] { ["kind": "cosine", "warmupSteps": 2, "totalSteps": 6] }

    /// Hand values, W = 2, T = 6: warmup t / 2 for t = 1, 2; then (1 + cos(pi (t - 2) / 4)) / 2:
    /// t = 3 -> (1 + 0.7071068) / 2 = 0.8535534, t = 4 -> 0.5, t = 5 -> 0.1464466, t = 6 -> 0;
    /// after T the floor. With minFactor 0.1, t = 4 -> 0.1 + 0.9 * 0.5 = 0.55 and t >= 6 -> 0.1.
    @Test("warmup and cosine factors at hand-computed steps")
    func scheduleValues() {
        let cosine = LearningRateSchedule(kind: .cosine, warmupSteps: 2, totalSteps: 6)
        let expected: [Float] = [0.5, 1, 0.8535534, 0.5, 0.1464466, 0, 0]
        for (t, e) in zip(1..., expected) { #expect(abs(cosine.factor(step: t) - e) < 1e-6, "t = \(t)") }
        let floored = LearningRateSchedule(kind: .cosine, warmupSteps: 2, totalSteps: 6, minFactor: 0.1)
        #expect(abs(floored.factor(step: 4) - 0.55) < 1e-6 && abs(floored.factor(step: 9) - 0.1) < 1e-6)
        let warm = LearningRateSchedule(kind: .constant, warmupSteps: 4)
        #expect(warm.factor(step: 1) == 0.25 && warm.factor(step: 4) == 1 && warm.factor(step: 1000) == 1)
        #expect(LearningRateSchedule.constant.factor(step: 1) == 1 && LearningRateSchedule.constant.isConstant)
    }

    @Test("the schedule scales SGD's step on the device and the server's eta, by update number")
    func scheduledSteps() {
        // SGD, lr 1, warmup over 2 updates, g = 1: p = 0 - 0.5 = -0.5, then -0.5 - 1 = -1.5.
        let state = OptimizerState(Optimizer(.sgd, learningRate: 1, schedule: .init(kind: .constant, warmupSteps: 2)), parameterCount: 1)
        var p: [Float] = [0], g: [Float] = [1]
        for expected: Float in [-0.5, -1.5] {
            g = [1]
            p.withUnsafeMutableBufferPointer { p in g.withUnsafeMutableBufferPointer { g in
                state.apply(gradient: g.baseAddress!, to: p.baseAddress!, count: 1)
            } }
            #expect(p == [expected])
        }
        // FedAvg's x += eta Delta with eta 1 under the same warmup, Delta = 1: x = 0.5, then 1.5.
        var server = ServerOptimizers.make(ServerOptimizerSpec(optimizer: .fedavg, learningRate: 1,
                                                               schedule: .init(kind: .constant, warmupSteps: 2)), dimension: 1)
        var x: [Float] = [0]
        server.step(&x, delta: [1]); #expect(x == [0.5])
        server.step(&x, delta: [1]); #expect(x == [1.5])
    }

    /// One device, AdamW with a cosine schedule, H = 3 local steps a round, two rounds, outer step
    /// FedAvg (eta 1): the run against local AdamW by hand, with one optimizer state carried over
    /// both rounds (persistent) or a fresh one each round.
    func oneDevice(persistent: Bool) throws -> (run: [Float], carried: [Float], fresh: [Float], report: RunSummary) {
        var json = setting(tinyScenarioJSON(rounds: 2), "fleet.groups", [["profile": "phone", "count": 1, "overrides": tinyProfile(flops: 1e6)]])
        json = setting(setting(setting(json, "training.devicesPerRound", 1), "training.localEpochs", nil), "training.localSteps", 3)
        json = setting(setting(json, "training.batchSize", 2), "training.learningRate", 0.05)
        json = setting(json, "training.optimizer", ["kind": "adamw", "schedule": Self.cosine])
        json = setting(json, "training.persistentOptimizerState", persistent)
        let prepared = try PreparedRun(try scenario(json))
        let report = prepared.run(threads: 1)
        let model = prepared.model, optimizer = prepared.scenario.training.deviceOptimizer
        func local(carry: Bool) -> [Float] {
            var x = model.initialParameters(seed: 5)
            var state = OptimizerState(optimizer, parameterCount: model.parameterCount)
            let ws = model.makeWorkspace()
            for task in 0 ..< 2 {
                if !carry { state = OptimizerState(optimizer, parameterCount: model.parameterCount) }
                var trained = x
                _ = model.train(&trained, on: prepared.data.train, samples: prepared.data.shards[0], epochs: 3, batchSize: 2,
                                optimizer: state, rng: RandomStream(seed: 5, purpose: .localSGD, 0, UInt64(task)), workspace: ws, maxSteps: 3)
                for i in x.indices { x[i] += trained[i] - x[i] }  // FedAvg, eta 1, one update of weight 1
            }
            return x
        }
        return (report.federated.finalParameters, local(carry: true), local(carry: false), report.summary)
    }

    @Test("persistent state: two rounds of H steps with an identity outer step equal 2H steps of local AdamW bit for bit; without it, two fresh runs of H")
    func persistentStateIsContinuedTraining() throws {
        let kept = try oneDevice(persistent: true)
        #expect(kept.run == kept.carried)
        #expect(kept.run != kept.fresh)
        let reset = try oneDevice(persistent: false)
        #expect(reset.run == reset.fresh)
        #expect(reset.run != reset.carried)
        // AdamW's two float32 moments of P = 650 parameters and its step count, on the one device.
        #expect(kept.report.deviceOptimizerState == DeviceOptimizerStateReport(bytesPerDevice: 8 * 650 + 8, devices: 1))
        #expect(reset.report.deviceOptimizerState == nil)
    }

    @Test("persistent state gives the same run at 1 and 2 threads, in sync mode and FedBuff (determinism rule)")
    func persistentStateIsDeterministic() throws {
        var json = setting(tinyScenarioJSON(rounds: 3), "training.optimizer", ["kind": "adamw", "schedule": Self.cosine])
        json = setting(setting(json, "training.persistentOptimizerState", true), "training.learningRate", 0.05)
        let buff = setting(setting(setting(json, "training.mode", "fedbuff"), "training.concurrency", 2), "training.devicesPerRound", nil)
        for j in [json, buff] {
            let prepared = try PreparedRun(try scenario(j))
            let one = prepared.run(threads: 1).federated, two = prepared.run(threads: 2).federated
            #expect(one.finalParameters == two.finalParameters && one.curve == two.curve)
            #expect(one.devicesWithOptimizerState == 2)
        }
    }

    @Test("schedule and persistentOptimizerState keys: defaults, errors with JSON paths, the effective scenario reloads them")
    func scenarioKeys() throws {
        let plain = try scenario(tinyScenarioJSON())
        #expect(plain.training.optimizer.schedule == .constant && !plain.training.persistentOptimizerState)
        let json = setting(setting(setting(tinyScenarioJSON(), "training.optimizer", ["kind": "adamw", "schedule": Self.cosine]),
                                   "training.server", ["optimizer": "nesterov", "schedule": ["kind": "constant", "warmupSteps": 5]]),
                           "training.persistentOptimizerState", true)
        let s = try scenario(json)
        #expect(s.training.optimizer.schedule == LearningRateSchedule(kind: .cosine, warmupSteps: 2, totalSteps: 6, minFactor: 0))
        #expect(s.training.server.schedule == LearningRateSchedule(kind: .constant, warmupSteps: 5))
        #expect(s.baseline.optimizer.schedule == s.training.optimizer.schedule)  // the baseline inherits training.optimizer
        let replayed = try ScenarioLoader.parse(ReportWriter.json(s.effectiveJSON))
        #expect(replayed.training == s.training && replayed.baseline == s.baseline)
        func error(_ path: String, _ value: Any) -> ScenarioError? { scenarioError(setting(tinyScenarioJSON(), path, value)) }
        let noTotal = error("training.optimizer", ["kind": "sgd", "schedule": ["kind": "cosine"]])
        #expect(noTotal?.path == "$.training.optimizer.schedule.totalSteps")
        let short = error("baseline.optimizer", ["kind": "sgd", "schedule": ["kind": "cosine", "warmupSteps": 6, "totalSteps": 6]])
        #expect(short?.path == "$.baseline.optimizer.schedule.totalSteps" && short?.expected == "a totalSteps > warmupSteps (6)")
        #expect(error("training.server", ["optimizer": "fedavg", "schedule": ["kind": "constant", "minFactor": 0.1]])?.path
            == "$.training.server.schedule.minFactor")
        #expect(error("training.optimizer", ["kind": "sgd", "schedule": ["kind": "linear"]])?.path == "$.training.optimizer.schedule.kind")
        #expect(error("training.persistentOptimizerState", 1)?.path == "$.training.persistentOptimizerState")
    }
}
