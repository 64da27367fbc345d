import Foundation
import FedMath
import FedSimEngine
import Testing
@testable import FedSim

@Suite("Synchronous FedAvg")
struct FederationTests {
    @Test("one round equals the sample-weighted average of the devices' local models")
    func weightedAverage() throws {
        var json = smallScenarioJSON(devices: 4, perRound: 4, rounds: 1)
        json = setting(json, "data.partition", ["kind": "dirichlet", "alpha": 0.3])
        let prepared = try PreparedRun(try scenario(json))
        let report = prepared.run(threads: 1)
        let trainer = LocalTrainer(model: prepared.model, data: prepared.data, learningRate: 0.3, seed: 3)
        let start = prepared.model.initialParameters()
        let total = prepared.data.shards.map(\.count).reduce(0, +)
        var expected = [Double](repeating: 0, count: start.count)
        for d in 0 ..< 4 {
            let r = trainer.run(LocalTask(device: d, deviceTaskIndex: 0, epochs: 1, batchSize: 10, maxSteps: nil), from: start)
            let w = Double(prepared.data.shards[d].count) / Double(total)
            for i in expected.indices { expected[i] += w * Double(r.update[i]) }
        }
        let got = report.federated.finalParameters
        let maxErr = zip(got, expected).map { abs(Double($0) - $1) }.max()!
        #expect(maxErr < 1e-5)
        #expect(report.federated.counters.tasksApplied == 4)
        #expect(report.federated.modelVersions == 1)
    }

    @Test("round time is download + compute + upload of the slowest selected device")
    func roundTiming() throws {
        var json = smallScenarioJSON(devices: 1, perRound: 1, rounds: 1)
        json = setting(json, "fleet.groups", [["profile": "phone", "count": 1, "overrides": ["speedSigma": 0, "jitterSigma": 0]]])
        json = setting(json, "data.partition", ["kind": "iid"])
        let prepared = try PreparedRun(try scenario(json))
        let report = prepared.run()
        let p = DeviceProfile.phone
        let dim = prepared.model.parameterCount
        let bytes = 1 + 4 * dim
        let n = prepared.data.shards[0].count
        let steps = (n + 9) / 10
        let flops = prepared.model.trainingFLOPs(samples: n, steps: steps)
        let expected = SimTime(seconds: p.latencyMs / 1000 + Double(bytes) * 8 / (p.downlinkMbps * 1e6))
            + SimTime(seconds: flops / p.flops)
            + SimTime(seconds: p.latencyMs / 1000 + Double(bytes) * 8 / (p.uplinkMbps * 1e6))
        #expect(report.federated.curve.last!.time == expected.seconds)
        #expect(report.federated.counters.bytesUp == bytes)
        #expect(report.federated.counters.bytesDown == bytes)
    }

    @Test("over-selection keeps the first K updates and counts the rest as dropped")
    func overSelection() throws {
        var json = smallScenarioJSON(devices: 20, perRound: 4, rounds: 10)
        json = setting(json, "training.overSelection", 0.5)
        let report = try PreparedRun(try scenario(json)).run()
        let c = report.federated.counters
        #expect(c.tasksStarted == 10 * 6)
        #expect(c.tasksApplied == 10 * 4)
        #expect(c.tasksApplied + c.tasksDroppedLate + c.tasksInFlightAtEnd == c.tasksStarted)
        #expect(c.tasksDroppedLate > 0)
    }

    @Test("a deadline closes rounds with what arrived; an impossible one fails every round")
    func deadline() throws {
        var json = smallScenarioJSON(devices: 10, perRound: 5, rounds: 4)
        json = setting(json, "training.deadlineSeconds", 0.001)
        let report = try PreparedRun(try scenario(json)).run()
        let c = report.federated.counters
        #expect(c.failedRounds == 4)
        #expect(c.tasksApplied == 0)
        #expect(report.federated.modelVersions == 0)
        #expect(c.tasksApplied + c.tasksDroppedLate + c.tasksInFlightAtEnd == c.tasksStarted)
    }

    @Test("a diverging run stops and says so")
    func divergence() throws {
        var json = smallScenarioJSON(devices: 10, perRound: 5, rounds: 50)
        json = setting(json, "training.learningRate", 1e38)
        let report = try PreparedRun(try scenario(json)).run()
        let message = try #require(report.summary.divergence)
        #expect(message.contains("diverged"))
        #expect(report.federated.rounds < 50)
    }

    @Test("the round limit, time limit and target stop a run")
    func stops() throws {
        let byRounds = try PreparedRun(try scenario(smallScenarioJSON(rounds: 3))).run()
        #expect(byRounds.federated.rounds == 3)
        #expect(byRounds.federated.stopReason == .roundLimit)
        let timed = try PreparedRun(try scenario(setting(smallScenarioJSON(rounds: 1000), "training.maxTimeSeconds", 1.0))).run()
        #expect(timed.federated.stopReason == .timeLimit)
        #expect(timed.federated.curve.last!.time <= 1.0)
        var json = setting(smallScenarioJSON(rounds: 1000), "evaluation", ["targetAccuracy": 0.5, "stopAtTarget": true])
        json = setting(json, "training.localEpochs", 2)
        let targeted = try PreparedRun(try scenario(json)).run()
        #expect(targeted.federated.stopReason == .targetReached)
        #expect(targeted.federated.curve.last!.accuracy >= 0.5)
    }
}

@Suite("Determinism")
struct DeterminismTests {
    @Test("one scenario and seed give byte-identical curve.csv and summary.json, whatever the thread count")
    func byteIdentical() throws {
        var json = smallScenarioJSON(devices: 30, perRound: 8, rounds: 15)
        json = setting(json, "training.overSelection", 0.25)
        let s = try scenario(json)
        var outputs: [(String, Data)] = []
        for threads in [1, 4, 1] {
            let report = try PreparedRun(s).run(threads: threads)
            outputs.append((ReportWriter.curveCSV(report.curve), try ReportWriter.json(report.summary)))
        }
        #expect(outputs[0].0 == outputs[1].0 && outputs[0].0 == outputs[2].0)
        #expect(outputs[0].1 == outputs[1].1 && outputs[0].1 == outputs[2].1)
        var other = s
        other.seed = 4
        let different = try PreparedRun(other).run()
        #expect(ReportWriter.curveCSV(different.curve) != outputs[0].0)
    }
}
