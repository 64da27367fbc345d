import FedMath
import FedSimEngine
import Foundation
import Testing
@testable import FedSim

@Suite("Asynchronous modes, availability and conservation")
struct AsynchronousTests {
    /// Every started task ends exactly once, in the totals and per device.
    func checkConservation(_ report: RunReport, _ label: String) {
        let c = report.federated.counters
        #expect(c.tasksStarted == c.tasksApplied + c.tasksDiscardedStale + c.tasksDroppedLate + c.tasksDroppedOffline + c.tasksInFlightAtEnd, "\(label): \(c)")
        let l = report.federated.ledger
        #expect(l.tasksStarted.reduce(0, +) == c.tasksStarted, "\(label)")
        #expect(l.tasksApplied.reduce(0, +) == c.tasksApplied, "\(label)")
        #expect(l.tasksDiscarded.reduce(0, +) == c.tasksDiscardedStale, "\(label)")
        #expect(l.tasksDropped.reduce(0, +) == c.tasksDroppedLate + c.tasksDroppedOffline, "\(label)")
        #expect(l.samples.reduce(0, +) == c.samples, "\(label)")
        #expect(l.bytesUp.reduce(0, +) == c.bytesUp && l.bytesDown.reduce(0, +) == c.bytesDown, "\(label)")
        for d in l.tasksStarted.indices {
            #expect(l.tasksApplied[d] + l.tasksDiscarded[d] + l.tasksDropped[d] <= l.tasksStarted[d], "\(label) device \(d)")
        }
        #expect(report.summary.staleness.count >= c.tasksApplied + c.tasksDiscardedStale + c.tasksDroppedLate, "\(label)")
    }

    @Test("every started task ends exactly once, over 120 random scenarios and seeds")
    func conservation() throws {
        let rng = RandomStream(seed: 2024)
        for trial in 0 ..< 120 {
            let devices = 6 + rng.uniformInt(20)
            var json = smallScenarioJSON(devices: devices, perRound: 1 + rng.uniformInt(devices), rounds: 2 + rng.uniformInt(8))
            json["seed"] = rng.uniformInt(100_000)
            json = setting(json, "baseline", ["epochs": 1, "evaluationsPerEpoch": 1])
            let mode = ["fedavg", "fedasync", "fedbuff"][rng.uniformInt(3)]
            json = setting(json, "training.mode", mode)
            if mode != "fedavg" {
                let k = (json["training"] as! [String: Any])["devicesPerRound"] as! Int
                json = setting(json, "training.devicesPerRound", nil)
                json = setting(json, "training.concurrency", k)
                json = setting(json, "training.rounds", 5 + rng.uniformInt(30))
                if mode == "fedbuff" {
                    var fb: [String: Any] = ["bufferSize": 1 + rng.uniformInt(k)]
                    if rng.bernoulli(0.5) { fb["maxStaleness"] = rng.uniformInt(3) }
                    json = setting(json, "training.fedbuff", fb)
                }
            } else {
                if rng.bernoulli(0.3) { json = setting(json, "training.deadlineSeconds", 0.05 + rng.uniform() * 0.5) }
                let k = (json["training"] as! [String: Any])["devicesPerRound"] as! Int
                if rng.bernoulli(0.3), k * 2 <= devices { json = setting(json, "training.overSelection", 0.5) }
            }
            let availability = ["always", "churn", "diurnal"][rng.uniformInt(3)]
            var av: [String: Any] = ["kind": availability, "dayLengthSeconds": 2.0]
            if rng.bernoulli(0.4) { av["failureProbability"] = rng.uniform() * 0.3 }
            json["availability"] = av
            if availability == "churn" {
                json = setting(json, "fleet.groups.0.overrides", ["meanOnlineSeconds": 0.2 + rng.uniform(), "meanOfflineSeconds": 0.2 + rng.uniform()])
            }
            if rng.bernoulli(0.3) {
                json = setting(json, "training.localEpochs", nil)
                json = setting(json, "training.localSteps", 1 + rng.uniformInt(5))
            }
            if rng.bernoulli(0.3) { json = setting(json, "training.adaptiveBatch", true) }
            json = setting(json, "training.weighting", ["samples", "flops", "uniform"][rng.uniformInt(3)])
            json = setting(json, "training.maxTimeSeconds", 3.0)
            let report = try PreparedRun(try scenario(json)).run(threads: 2)
            checkConservation(report, "trial \(trial) \(mode) \(availability)")
        }
    }

    func equalFleet(_ k: Int, rounds: Int) -> [String: Any] {
        var json = smallScenarioJSON(devices: k, perRound: k, rounds: rounds)
        json = setting(json, "data.partition", ["kind": "iid"])
        json = setting(json, "fleet.groups", [["profile": "workstation", "count": k, "overrides": ["speedSigma": 0, "jitterSigma": 0]]])
        return json
    }

    @Test("FedBuff with bufferSize = concurrency = K and server rate 1 equals synchronous FedAvg, round by round")
    func fedBuffEqualsFedAvg() throws {
        let k = 2, rounds = 6  // 1438 training samples split 719 each: equal work, simultaneous arrivals
        let sync = try PreparedRun(try scenario(equalFleet(k, rounds: rounds))).run()
        var buffJSON = equalFleet(k, rounds: rounds)
        buffJSON = setting(buffJSON, "training.mode", "fedbuff")
        buffJSON = setting(buffJSON, "training.devicesPerRound", nil)
        buffJSON = setting(buffJSON, "training.concurrency", k)
        buffJSON = setting(buffJSON, "training.fedbuff", ["bufferSize": k, "serverLearningRate": 1.0])
        let buff = try PreparedRun(try scenario(buffJSON)).run()
        #expect(sync.federated.modelVersions == rounds && buff.federated.modelVersions == rounds)
        #expect(sync.federated.finalParameters == buff.federated.finalParameters)
        let syncRows = sync.federated.curve.map { [$0.round, $0.accuracy, $0.loss, $0.time] }
        let buffRows = buff.federated.curve.map { [$0.round, $0.accuracy, $0.loss, $0.time] }
        #expect(syncRows == buffRows)
        #expect(buff.summary.staleness.max == 0)
    }

    @Test("FedAsync with one device mixes (1 - alpha) x + alpha x_local, and its time, by hand")
    func fedAsyncMixing() throws {
        var json = setting(tinyScenarioJSON(rounds: 1), "fleet.groups", [["profile": "phone", "count": 1, "overrides": tinyProfile(flops: 1e6)]])
        json = setting(json, "training.mode", "fedasync")
        json = setting(json, "training.devicesPerRound", nil)
        json = setting(json, "training.concurrency", 1)
        json = setting(json, "training.fedasync", ["alpha": 0.25, "staleness": ["kind": "constant"]])
        let prepared = try PreparedRun(try scenario(json))
        let labels = try #require(prepared.data.train.table).labels.map(Int.init)
        #expect(prepared.data.shards == [0 ..< 3])
        let report = prepared.run()
        // One full-batch step on the three training rows from x = 0 (see `oneStepFromZero`), then
        // x <- 0.75 · 0 + 0.25 · (0 + delta): W[l, l] = 0.25 · (-0.3/3) (0.1 - 1) = 0.0225 for a training label l.
        let got = report.federated.finalParameters
        #expect(maxDifference(got, oneStepFromZero([(labels, 0.25)])) < 1e-6)
        #expect(abs(got[labels[0] * 10 + labels[0]] - 0.0225) < 1e-6)
        // Download 0.102601 s + compute (3 · 2620 + 1300 = 9160 FLOPs at 1e6 FLOP/s = 0.00916 s)
        // + upload 0.120808 s = 0.232569 s.
        #expect(abs(report.federated.curve.last!.time - 0.232569) < 3e-9)
    }

    @Test("staleness functions follow Xie et al. 2019")
    func stalenessFunctions() {
        #expect(StalenessFunction(kind: .constant, a: 0, b: 0).weight(7) == 1)
        #expect(abs(StalenessFunction(kind: .polynomial, a: 0.5, b: 0).weight(3) - 0.5) < 1e-12)
        let hinge = StalenessFunction(kind: .hinge, a: 10, b: 4)
        #expect(hinge.weight(4) == 1)
        #expect(abs(hinge.weight(6) - 1.0 / 21) < 1e-12)
    }

    @Test("maximum staleness discards old updates and counts them")
    func maxStaleness() throws {
        var json = smallScenarioJSON(devices: 20, perRound: 10, rounds: 30)
        json = setting(json, "training.mode", "fedbuff")
        json = setting(json, "training.devicesPerRound", nil)
        json = setting(json, "training.concurrency", 10)
        json = setting(json, "training.fedbuff", ["bufferSize": 2, "maxStaleness": 1])
        let report = try PreparedRun(try scenario(json)).run()
        #expect(report.federated.counters.tasksDiscardedStale > 0)
        checkConservation(report, "maxStaleness")
    }

    @Test("churn: a device is never dispatched while offline, and tasks of devices going offline are dropped")
    func churn() throws {
        var json = smallScenarioJSON(devices: 20, perRound: 5, rounds: 40)
        json["availability"] = ["kind": "churn"]
        json = setting(json, "fleet.groups.0.overrides", ["meanOnlineSeconds": 0.3, "meanOfflineSeconds": 0.6])
        json = setting(json, "fleet.groups.1.overrides", ["meanOnlineSeconds": 0.3, "meanOfflineSeconds": 0.6])
        let report = try PreparedRun(try scenario(json)).run()
        #expect(report.federated.counters.tasksDroppedOffline > 0)
        checkConservation(report, "churn")
    }

    @Test("churn timelines spend about on / (on + off) of the time online")
    func churnFraction() throws {
        let s = try scenario(setting(smallScenarioJSON(devices: 20), "fleet.groups.0.overrides", ["meanOnlineSeconds": 1.0, "meanOfflineSeconds": 3.0]))
        let data = try DataBuilder.build(s.data, deviceCount: 20, seed: 1)
        let fleet = Fleet(spec: s.fleet, shards: data.shards, seed: 1)
        var availability = Availability(spec: AvailabilitySpec(kind: .churn, dayLengthSeconds: 1, failureProbability: 0), fleet: fleet, seed: 1)
        var online = 0, total = 0
        for step in 0 ..< 20_000 {
            let t = SimTime(seconds: Double(step) * 0.05)
            for d in 0 ..< 10 {
                total += 1
                if availability.isOnline(d, at: t) {
                    online += 1
                    let off = availability.nextOffline(d, after: t)
                    #expect(off.map { $0 > t } ?? false)
                } else {
                    #expect(availability.nextOnline(d, after: t) > t)
                }
            }
        }
        #expect(abs(Double(online) / Double(total) - 0.25) < 0.03)
    }

    @Test("diurnal: phones are online only in their night window")
    func diurnal() throws {
        let s = try scenario(smallScenarioJSON(devices: 10))
        let data = try DataBuilder.build(s.data, deviceCount: 10, seed: 1)
        let fleet = Fleet(spec: s.fleet, shards: data.shards, seed: 1)
        var availability = Availability(spec: AvailabilitySpec(kind: .diurnal, dayLengthSeconds: 100, failureProbability: 0), fleet: fleet, seed: 1)
        var onlineShare = [0.0, 0.0]
        for step in 0 ..< 1000 {
            let t = SimTime(seconds: Double(step) * 0.1)
            for d in 0 ..< 10 where availability.isOnline(d, at: t) { onlineShare[d < 5 ? 0 : 1] += 1 }
        }
        // Phones: 22:00-07:00 = 9/24 of the day; workstations 08:00-19:00 = 11/24.
        #expect(abs(onlineShare[0] / 5000 - 9.0 / 24) < 0.02)
        #expect(abs(onlineShare[1] / 5000 - 11.0 / 24) < 0.02)
    }

    @Test("adaptive batches grow with device speed and stay within bounds")
    func adaptiveBatches() throws {
        var json = smallScenarioJSON(devices: 20)
        json = setting(json, "training.adaptiveBatch", true)
        json = setting(json, "training.minBatch", 2)
        json = setting(json, "training.maxBatch", 40)
        let prepared = try PreparedRun(try scenario(json))
        let ctx = FederationContext(scenario: prepared.scenario, data: prepared.data, fleet: prepared.fleet,
                                    trainer: LocalTrainer(model: prepared.model, data: prepared.data, optimizer: Optimizer(learningRate: 0.1), seed: 1),
                                    threads: 1, target: TargetRule(metric: .accuracy, value: 1))
        let sizes = AdaptiveBatch.sizes(ctx)
        #expect(sizes.allSatisfy { (2 ... 40).contains($0) })
        let speeds = (0 ..< 20).map { prepared.fleet.profile($0).flops * prepared.fleet.speedFactor[$0] }
        for i in 0 ..< 20 { for j in 0 ..< 20 where speeds[i] < speeds[j] { #expect(sizes[i] <= sizes[j]) } }
        #expect(sizes[0] < sizes[19])  // phones below workstations
    }

    @Test("planned and performed local work match counts by hand")
    func plannedWork() throws {
        let all = try Digits.load(path: digitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10)
        let ws = TrainingWorkspace(model)
        // (rows, epochs, batch, maxSteps) -> (samples, steps); an epoch is ceil(n / b) steps, all full but the last.
        let cases: [(Int, Int, Int, Int?, samples: Int, steps: Int)] = [
            (37, 2, 10, nil, 74, 8),  // 4 steps (10+10+10+7) per epoch, 2 epochs
            (37, 3, 10, 7, 67, 7),  // one epoch (37, 4 steps), then 3 full batches of 10
            (5, 4, 10, nil, 20, 4),  // batch capped at the 5 rows: 1 step per epoch
            (100, 1, 7, 200, 100, 15),  // ceil(100/7) = 15 steps; the cap of 200 is not reached
            (20, 9, 3, 11, 32, 11),  // 7 steps per epoch (20 samples), then 4 batches of 3
        ]
        for (n, epochs, batch, steps, samples, stepCount) in cases {
            let expected = TrainingWork(samples: samples, steps: stepCount)
            var p = model.initialParameters()
            let done = model.train(&p, on: .table(all), samples: 0 ..< n, epochs: epochs, batchSize: batch,
                                   optimizer: OptimizerState(Optimizer(learningRate: 0.1), parameterCount: p.count),
                                   rng: RandomStream(seed: 1), workspace: ws, maxSteps: steps)
            #expect(done == expected, "n=\(n) epochs=\(epochs) b=\(batch) maxSteps=\(String(describing: steps))")
            #expect(TrainingWork.planned(samples: n, epochs: epochs, batchSize: batch, maxSteps: steps) == expected)
        }
    }

    @Test("every mode is byte-identical for a seed, whatever the thread count", arguments: ["fedavg", "fedasync", "fedbuff"])
    func determinism(_ mode: String) throws {
        var json = smallScenarioJSON(devices: 25, perRound: 6, rounds: 12)
        json["availability"] = ["kind": "churn", "failureProbability": 0.1]
        json = setting(json, "fleet.groups.0.overrides", ["meanOnlineSeconds": 1, "meanOfflineSeconds": 1])
        json = setting(json, "training.mode", mode)
        if mode != "fedavg" {
            json = setting(json, "training.devicesPerRound", nil)
            json = setting(json, "training.concurrency", 6)
        }
        let s = try scenario(json)
        let a = try PreparedRun(s).run(threads: 1)
        let b = try PreparedRun(s).run(threads: 4)
        #expect(ReportWriter.curveCSV(a.curve) == ReportWriter.curveCSV(b.curve))
        #expect(try ReportWriter.json(a.summary) == ReportWriter.json(b.summary))
        #expect(ReportWriter.devicesCSV(a.federated.ledger, fleet: a.fleet) == ReportWriter.devicesCSV(b.federated.ledger, fleet: b.fleet))
    }
}

@Suite("Scenario errors for asynchronous keys")
struct AsynchronousScenarioErrorTests {
    func asyncJSON() -> [String: Any] {
        var json = setting(smallScenarioJSON(devices: 20), "training.mode", "fedbuff")
        json = setting(json, "training.devicesPerRound", nil)
        return setting(json, "training.concurrency", 5)
    }

    @Test("valid asynchronous scenario")
    func valid() { #expect(scenarioError(asyncJSON()) == nil) }

    @Test("concurrency larger than the fleet")
    func concurrency() throws {
        let e = try #require(scenarioError(setting(asyncJSON(), "training.concurrency", 21)))
        #expect(e == ScenarioError(path: "$.training.concurrency", expected: "a concurrency <= the fleet size 20", found: "21"))
    }

    @Test("a fedbuff section in fedavg mode")
    func strayFedbuff() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.fedbuff", ["bufferSize": 3])))
        #expect(e.path == "$.training.fedbuff")
    }

    @Test("devicesPerRound in an asynchronous mode")
    func strayK() throws {
        let e = try #require(scenarioError(setting(asyncJSON(), "training.devicesPerRound", 3)))
        #expect(e.path == "$.training.devicesPerRound")
    }

    @Test("both localEpochs and localSteps")
    func epochsAndSteps() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.localSteps", 3)))
        #expect(e.path == "$.training.localEpochs")
    }

    @Test("maxBatch below minBatch")
    func batchBounds() throws {
        let e = try #require(scenarioError(setting(setting(smallScenarioJSON(), "training.minBatch", 8), "training.maxBatch", 4)))
        #expect(e == ScenarioError(path: "$.training.maxBatch", expected: "a maxBatch >= minBatch (8)", found: "4"))
    }

    @Test("unknown staleness kind, bad failure probability, bad weighting, zero buffer")
    func misc() throws {
        var json = setting(asyncJSON(), "training.mode", "fedasync")
        json = setting(json, "training.fedasync", ["staleness": ["kind": "linear"]])
        #expect(scenarioError(json)?.path == "$.training.fedasync.staleness.kind")
        #expect(scenarioError(setting(smallScenarioJSON(), "availability", ["failureProbability": 1.5]))?.path == "$.availability.failureProbability")
        #expect(scenarioError(setting(smallScenarioJSON(), "training.weighting", "votes"))?.path == "$.training.weighting")
        #expect(scenarioError(setting(asyncJSON(), "training.fedbuff", ["bufferSize": 0]))?.path == "$.training.fedbuff.bufferSize")
        #expect(scenarioError(setting(smallScenarioJSON(), "fleet.groups.0.overrides", ["windowStart": 0.5, "windowEnd": 0.5]))?.path == "$.fleet.groups[0].overrides.windowEnd")
    }
}
