import Foundation
import FedMath
import FedSimEngine
import Testing
@testable import FedSim

@Suite("Synchronous FedAvg")
struct FederationTests {
    @Test("one round equals the sample-weighted average of the devices' one-step updates, by hand")
    func weightedAverage() throws {
        let prepared = try PreparedRun(try scenario(tinyScenarioJSON()))
        let train = try #require(prepared.data.train.table)
        let shards = prepared.data.shards.map { train.labels[$0].map(Int.init) }
        #expect(shards.map(\.count) == [2, 1])
        let heldOut = Int(try #require(prepared.data.test.table?.labels.first))
        let report = prepared.run(threads: 1)
        // Sample weights n_k / n = 2/3 and 1/3 on steps of -0.3 · mean over the shard: together
        // -0.3/3 Σ over the three training rows, i.e. for a training label l
        //   W[l, l] = -0.1 (0.1 - 1) = 0.09, W[l, c != l] = -0.1 · 0.1 = -0.01,
        //   b[c] = -0.1 (3 · 0.1 - [c is a training label]) = 0.07 for training labels, else -0.03,
        // and 0 in the weight rows of the held-out label and of the features 4...63.
        let got = report.federated.finalParameters
        let expected = oneStepFromZero([(shards[0], 2.0 / 3), (shards[1], 1.0 / 3)])
        #expect(maxDifference(got, expected) < 1e-6)
        let l = shards[1][0]
        #expect(abs(got[l * 10 + l] - 0.09) < 1e-6 && abs(got[l * 10 + heldOut] + 0.01) < 1e-6)
        #expect(abs(got[640 + l] - 0.07) < 1e-6 && abs(got[640 + heldOut] + 0.03) < 1e-6)
        #expect(got[heldOut * 10 ..< heldOut * 10 + 10].allSatisfy { $0 == 0 })
        #expect(report.federated.counters.tasksApplied == 2)
        #expect(report.federated.modelVersions == 1)
    }

    @Test("uniform weighting averages the two devices' updates with weight 1/2 each, by hand")
    func uniformAverage() throws {
        let prepared = try PreparedRun(try scenario(setting(tinyScenarioJSON(), "training.weighting", "uniform")))
        let train = try #require(prepared.data.train.table)
        let shards = prepared.data.shards.map { train.labels[$0].map(Int.init) }
        let got = prepared.run(threads: 1).federated.finalParameters
        // Device 1 steps -0.3 (0.1 - [c = l]) on its one row l; weight 1/2 gives
        // W[l, l] = 0.5 · 0.3 · 0.9 = 0.135 (0.09 under sample weighting).
        let l = shards[1][0]
        #expect(abs(got[l * 10 + l] - 0.135) < 1e-6)
        #expect(maxDifference(got, oneStepFromZero([(shards[0], 0.5), (shards[1], 0.5)])) < 1e-6)
    }

    @Test("round time is download + compute + upload of the slowest device, by hand")
    func roundTiming() throws {
        let report = try PreparedRun(try scenario(tinyScenarioJSON())).run()
        // Dense Float32 message: 1 + 4P = 1 + 4 · 650 = 2601 bytes each way.
        // Download 0.1 + 2601 · 8 / 8e6 = 0.102601 s; upload 0.1 + 2601 · 8 / 1e6 = 0.120808 s.
        // FLOPs per sample 4dC + 6C = 2560 + 60 = 2620, per step 2P = 1300:
        //   device 0: 2 · 2620 + 1300 = 6540 FLOPs at 1e6 FLOP/s = 0.00654 s -> arrives 0.229949 s;
        //   device 1: 1 · 2620 + 1300 = 3920 FLOPs at 1e5 FLOP/s = 0.0392 s  -> arrives 0.262609 s.
        #expect(abs(report.federated.curve.last!.time - 0.262609) < 3e-9)
        #expect(report.federated.counters.bytesUp == 2 * 2601)
        #expect(report.federated.counters.bytesDown == 2 * 2601)
        #expect(report.federated.ledger.flops == [6540, 3920])
        #expect(zip(report.federated.ledger.computeSeconds, [0.00654, 0.0392]).allSatisfy { abs($0 - $1) < 1e-12 })
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
