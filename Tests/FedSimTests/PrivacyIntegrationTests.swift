import FedMath
import Foundation
import Testing
@testable import FedSim

@Suite("DP-FedAvg in a run")
struct PrivacyIntegrationTests {
    func privateJSON(_ privacy: [String: Any]?, rounds: Int = 6) -> [String: Any] {
        var json = setting(smallScenarioJSON(devices: 20, perRound: 5, rounds: rounds), "training.weighting", "uniform")
        if let privacy { json["privacy"] = privacy }
        return json
    }

    @Test("clipping bounds every update's norm and leaves short ones alone")
    func clipping() {
        let rng = RandomStream(seed: 5)
        for _ in 0 ..< 200 {
            var u = (0 ..< 50).map { _ in Float(rng.gaussian(sigma: 3)) }
            let before = u
            DPFedAvg.clip(&u, to: 2)
            #expect(Double(BLAS.nrm2(u)) <= 2 * (1 + 1e-6))
            var short = before.map { $0 * 1e-3 }
            let copy = short
            DPFedAvg.clip(&short, to: 2)
            #expect(short == copy)
        }
    }

    @Test("with noise 0 and a huge clip, DP-FedAvg equals FedAvg exactly")
    func noNoiseEqualsFedAvg() throws {
        let plain = try PreparedRun(try scenario(privateJSON(nil))).run()
        let dp = try PreparedRun(try scenario(privateJSON(["clip": 1e9, "noiseMultiplier": 0]))).run()
        #expect(plain.federated.finalParameters == dp.federated.finalParameters)
    }

    @Test("a fixed uniform cohort of K of N is accounted as sampling without replacement (Wang et al. 2019)")
    func fixedCohortWithoutReplacement() throws {
        let r = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 1.1, "delta": 1e-5]))).run()
        let accounting = try #require(r.summary.privacyAccounting)
        #expect(accounting.method == .withoutReplacement && accounting.samplingRate == 5.0 / 20 && accounting.sensitivity == 2)
        #expect(accounting.steps == 6)
        // Theorem 9 for q = 5/20, sigma = 1.1 (replace-one, sensitivity 2C), 6 steps, summed in
        // 60-digit arithmetic (mpmath) over the fine orders, improved conversion: 19.0281687029769.
        let last = try #require(r.federated.curve.last?.epsilon)
        #expect(abs(last - 19.0281687029769) < 1e-9)
        let eps = r.federated.curve.compactMap(\.epsilon)
        #expect(zip(eps, eps.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(r.summary.epsilon == last)
    }

    @Test("selection poisson: the run's epsilon is the Poisson-subsampled Gaussian for q, sigma and the rounds")
    func poissonSelection() throws {
        var json = privateJSON(["clip": 1, "noiseMultiplier": 1.1, "delta": 1e-5], rounds: 8)
        json = setting(json, "training.selection", "poisson")
        json = setting(json, "training.samplingRate", 0.3)
        let r = try PreparedRun(try scenario(json)).run()
        let accounting = try #require(r.summary.privacyAccounting)
        #expect(accounting.method == .poissonSubsampled && accounting.steps == 8)
        let expected = RDPAccountant.epsilon(q: 0.3, sigma: 1.1, steps: 8, delta: 1e-5, orders: RDPAccountant.fineOrders).epsilon
        #expect(abs(r.summary.epsilon! - expected) < 1e-12)
        // ... which is what `fedsim privacy` prints for the same arguments.
        let printed = try runFedsim(["privacy", "--q", "0.3", "--sigma", "1.1", "--steps", "8"])
        #expect(printed.stdout.hasPrefix("epsilon \(Format.significant(r.summary.epsilon!, 6)) "))
        // Cohorts vary: Binomial(20, 0.3) devices a round (dispatched together), not a fixed K.
        let cohorts = Dictionary(grouping: r.federated.ledger.timeline.dispatch, by: { $0 }).values.map(\.count)
        #expect(!cohorts.isEmpty && Set(cohorts).count > 1)
    }

    @Test("a Poisson round that samples nobody still releases noise and counts as a step")
    func emptyPoissonRound() throws {
        var json = privateJSON(["clip": 1, "noiseMultiplier": 1.0], rounds: 3)
        json = setting(json, "training.selection", "poisson")
        json = setting(json, "training.samplingRate", 1e-9)
        let prepared = try PreparedRun(try scenario(json))
        let r = prepared.run()
        #expect(r.federated.counters.tasksStarted == 0)
        #expect(r.summary.privacyAccounting?.steps == 3 && r.federated.modelVersions == 3)
        #expect(r.federated.finalParameters != prepared.model.initialParameters(seed: prepared.scenario.seed))  // pure noise moved it
    }

    /// The epsilon of the unsampled Gaussian (noise multiplier `sigma`) over the most updates any
    /// one device had applied, counted by the device ledger.
    func perDeviceBound(_ r: RunReport, sigma: Double) -> Double {
        let steps = r.federated.ledger.tasksApplied.max()!
        return RDPAccountant.epsilon(q: 1, sigma: sigma, steps: steps, delta: 1e-5, orders: RDPAccountant.fineOrders).epsilon
    }

    @Test("over-selection, churn and FedBuff report at least the per-device unsampled bound")
    func neverBelowPerDeviceBound() throws {
        let dp: [String: Any] = ["clip": 1, "noiseMultiplier": 1.5]
        var over = setting(privateJSON(dp, rounds: 10), "training.overSelection", 1.0)
        over = setting(over, "training.devicesPerRound", 5)
        var churn = privateJSON(dp, rounds: 10)
        churn["availability"] = ["kind": "churn"]
        churn = setting(churn, "fleet.groups.0.overrides", ["meanOnlineSeconds": 0.3, "meanOfflineSeconds": 0.3])
        var fedbuff = setting(privateJSON(dp, rounds: 10), "training.mode", "fedbuff")
        fedbuff = setting(fedbuff, "training.devicesPerRound", nil)
        fedbuff = setting(fedbuff, "training.concurrency", 8)
        fedbuff = setting(fedbuff, "training.fedbuff", ["bufferSize": 3])
        for (name, json) in [("over-selection", over), ("churn", churn), ("fedbuff", fedbuff)] {
            let r = try PreparedRun(try scenario(json)).run()
            #expect(r.summary.privacyAccounting?.method == .perDevice, "\(name)")
            let bound = perDeviceBound(r, sigma: 1.5)
            #expect(bound > 0 && r.summary.epsilon! >= bound * (1 - 1e-12), "\(name): \(r.summary.epsilon!) < \(bound)")
            // And above what today's q = K / N Poisson accounting would have claimed for these rounds.
            let poisson = RDPAccountant.epsilon(q: 5.0 / 20, sigma: 1.5, steps: r.federated.modelVersions, delta: 1e-5,
                                                orders: RDPAccountant.fineOrders).epsilon
            #expect(r.summary.epsilon! > poisson, "\(name)")
        }
    }

    @Test("more noise costs accuracy and buys a smaller epsilon")
    func tradeoff() throws {
        let none = try PreparedRun(try scenario(privateJSON(nil, rounds: 20))).run()
        let low = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 0.3], rounds: 20))).run()
        let high = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 3], rounds: 20))).run()
        let accuracy = { (r: RunReport) in r.federated.curve.last!.accuracy }
        // Ten classes: chance is 10%.
        #expect(accuracy(low) > 0.5)
        #expect(accuracy(high) < accuracy(low))
        #expect(accuracy(low) <= accuracy(none) + 0.02)
        #expect(high.summary.epsilon! < low.summary.epsilon!)
    }

    @Test("local DP: a single device's epsilon is the Gaussian composed once per upload")
    func localDP() throws {
        // One device, one per round, 4 rounds: 4 uploads of noise multiplier 2. Four Gaussian
        // steps of noise 2 are one Gaussian of noise 2 / sqrt(4) = 1 (RDP 4 alpha / (2 * 4) = alpha / 2).
        var json = setting(smallScenarioJSON(devices: 1, perRound: 1, rounds: 4), "training.weighting", "uniform")
        json = setting(json, "fleet.groups", [["profile": "workstation", "count": 1]])
        json["privacy"] = ["mode": "local", "clip": 1, "noiseMultiplier": 2]
        let r = try PreparedRun(try scenario(json)).run()
        #expect(r.federated.counters.uploads == 4)
        #expect(r.summary.privacyAccounting?.method == .perDevice && r.summary.privacyAccounting?.steps == 4)
        let single = RDPAccountant.epsilon(q: 1, sigma: 1, steps: 1, delta: 1e-5, orders: RDPAccountant.fineOrders).epsilon
        #expect(abs(r.summary.epsilon! - single) <= 1e-12 * single)
    }

    @Test("selection poisson: only in fedavg, without over-selection, deadline or secure aggregation; samplingRate only with it")
    func selectionErrors() {
        let base = setting(privateJSON(["clip": 1, "noiseMultiplier": 1]), "training.selection", "poisson")
        #expect(scenarioError(setting(base, "training.selection", "random"))?.path == "$.training.selection")
        #expect(scenarioError(setting(base, "training.samplingRate", 0))?.path == "$.training.samplingRate")
        #expect(scenarioError(setting(base, "training.samplingRate", 1.5))?.path == "$.training.samplingRate")
        #expect(scenarioError(setting(base, "training.overSelection", 0.5))?.path == "$.training.overSelection")
        #expect(scenarioError(setting(base, "training.deadlineSeconds", 1))?.path == "$.training.deadlineSeconds")
        #expect(scenarioError(setting(privateJSON(nil), "training.samplingRate", 0.2))?.path == "$.training.samplingRate")
        var secure = base
        secure["secureAggregation"] = ["clip": 1.0]
        #expect(scenarioError(secure)?.path == "$.training.selection")
        var async = setting(base, "training.mode", "fedbuff")
        async = setting(async, "training.devicesPerRound", nil)
        async = setting(async, "training.concurrency", 4)
        #expect(scenarioError(async)?.path == "$.training.selection")
        #expect(scenarioError(base) == nil)
    }

    @Test("poisson selection survives the effective-scenario round trip; uniform adds no key")
    func effectiveScenario() throws {
        var json = setting(privateJSON(["clip": 1, "noiseMultiplier": 1]), "training.selection", "poisson")
        json = setting(json, "training.samplingRate", 0.2)
        let s = try scenario(json)
        #expect(s.training.selection == .poisson && s.training.samplingRate == 0.2)
        let reloaded = try ScenarioLoader.parse(try ReportWriter.json(s.effectiveJSON))
        #expect(reloaded.training == s.training)
        #expect(try scenario(privateJSON(nil)).training.samplingRate == nil)
        #expect(try scenario(setting(privateJSON(nil), "training.selection", "poisson")).training.samplingRate == 5.0 / 20)
    }

    @Test("privacy requires uniform weighting and a positive clip")
    func errors() {
        var json = smallScenarioJSON()
        json["privacy"] = ["clip": 1, "noiseMultiplier": 1]
        #expect(scenarioError(json)?.path == "$.training.weighting")
        #expect(scenarioError(privateJSON(["clip": 0, "noiseMultiplier": 1]))?.path == "$.privacy.clip")
        #expect(scenarioError(privateJSON(["clip": 1]))?.path == "$.privacy.noiseMultiplier")
    }
}

@Suite("Enclave cost model")
struct EnclaveTests {
    @Test("attestation delays only the first task, and the slowdown multiplies compute time")
    func enclaveTiming() throws {
        func run(_ overrides: [String: Any], rounds: Int) throws -> (RunReport, PreparedRun) {
            var json = smallScenarioJSON(devices: 1, perRound: 1, rounds: rounds)
            var o: [String: Any] = ["speedSigma": 0, "jitterSigma": 0]
            o.merge(overrides) { $1 }
            json = setting(json, "fleet.groups", [["profile": "phone", "count": 1, "overrides": o]])
            json = setting(json, "data.partition", ["kind": "iid"])
            let prepared = try PreparedRun(try scenario(json))
            return (prepared.run(), prepared)
        }
        let (plain, prepared) = try run([:], rounds: 2)
        let (attested, _) = try run(["enclaveAttestationSeconds": 3], rounds: 2)
        let (slow, _) = try run(["enclaveSlowdown": 2], rounds: 1)
        let t = plain.federated.curve.map(\.time)
        let a = attested.federated.curve.map(\.time)
        #expect(abs(a[1] - t[1] - 3) < 1e-9)
        #expect(abs((a[2] - a[1]) - (t[2] - t[1])) < 1e-9)
        let n = prepared.data.shards[0].count
        let compute = prepared.model.trainingFLOPs(samples: n, steps: (n + 9) / 10, optimizer: prepared.scenario.training.deviceOptimizer) / DeviceProfile.phone.flops
        #expect(abs(slow.federated.curve[1].time - t[1] - compute) < 1e-8)
    }

    @Test("the enclave memory cap bounds adaptive batches")
    func enclaveMemory() throws {
        var json = smallScenarioJSON(devices: 10)
        json = setting(json, "training.adaptiveBatch", true)
        json = setting(json, "training.maxBatch", 1000)
        json = setting(json, "fleet.groups.1.overrides", ["enclaveMemoryGB": 0.00001])
        let prepared = try PreparedRun(try scenario(json))
        let ctx = FederationContext(scenario: prepared.scenario, data: prepared.data, fleet: prepared.fleet,
                                    trainer: LocalTrainer(model: prepared.model, data: prepared.data, optimizer: Optimizer(learningRate: 0.1), seed: 1),
                                    threads: 1, target: TargetRule(metric: .accuracy, value: 1))
        let sizes = AdaptiveBatch.sizes(ctx)
        let cap = max(1, Int(0.00001 * 1e9 * 0.05 / (4.0 * 2 * 74)))
        #expect(sizes[5...].allSatisfy { $0 <= cap })
    }
}

@Suite("Secure aggregation in a run")
struct SecureAggregationRunTests {
    func json(_ secure: [String: Any]?, rounds: Int = 4) -> [String: Any] {
        var j = smallScenarioJSON(devices: 12, perRound: 4, rounds: rounds)
        if let secure { j["secureAggregation"] = secure }
        return j
    }

    @Test("the unmasked sum reproduces plain FedAvg up to fixed-point rounding, and costs bytes and time")
    func matchesPlain() throws {
        let plain = try PreparedRun(try scenario(json(nil))).run()
        let secure = try PreparedRun(try scenario(json(["clip": 1.0, "fractionalBits": 20]))).run()
        let err = zip(plain.federated.finalParameters, secure.federated.finalParameters).map { abs($0 - $1) }.max()!
        #expect(err < 1e-3)
        #expect(secure.federated.counters.secureAggregationBytes > 0)
        #expect(secure.federated.counters.bytesUp > plain.federated.counters.bytesUp)
        #expect(secure.federated.curve.last!.time > plain.federated.curve.last!.time)
        #expect(secure.federated.modelVersions == 4)
    }

    @Test("too few survivors fail the round, counted, and every task still ends once")
    func failures() throws {
        var j = json(["threshold": 6], rounds: 5)
        j = setting(j, "training.overSelection", 0.5)  // cohort 6, only the first 4 updates are kept
        let r = try PreparedRun(try scenario(j)).run()
        let c = r.federated.counters
        #expect(c.secureAggregationFailures == 5)
        #expect(r.federated.modelVersions == 0)
        #expect(c.tasksStarted == c.tasksApplied + c.tasksDiscardedStale + c.tasksDroppedLate + c.tasksDroppedOffline + c.tasksInFlightAtEnd)
    }

    /// The server's change to the model after one secure round with `uplink`.
    func firstRoundStep(_ secure: [String: Any], uplink: [String: Any]? = nil) throws -> (step: [Float], run: RunReport, scenario: Scenario) {
        var j = json(secure, rounds: 1)
        if let uplink { j["compression"] = ["uplink": uplink] }
        let prepared = try PreparedRun(try scenario(j))
        let run = prepared.run()
        let initial = prepared.model.initialParameters(seed: prepared.scenario.seed)
        return (zip(run.federated.finalParameters, initial).map { $0 - $1 }, run, prepared.scenario)
    }

    @Test("random-k with a round-shared seed masks the same k coordinates for the whole cohort and sums them exactly")
    func randomKSharedCoordinates() throws {
        let secure: [String: Any] = ["clip": 1.0, "fractionalBits": 20]
        let dense = try firstRoundStep(secure)
        let sparse = try firstRoundStep(secure, uplink: ["kind": "randomk", "fraction": 0.2])
        let s = sparse.scenario
        let plan = SecureUplink(spec: s.secureAggregation!, uplink: s.compression.uplink.spec)
        let d = dense.step.count
        let kept = plan.coordinates(dimension: d, context: plan.context(scenarioSeed: s.seed, round: 1))
        #expect(kept.count == UpdateCodec.keptCount(fraction: 0.2, dimension: d) && Set(kept).count == kept.count)
        // Devices train the same way under both codecs: on the kept coordinates the server moves by
        // the same average (up to 2^-21 per device), elsewhere not at all.
        let keptSet = Set(kept)
        for i in 0..<d {
            if keptSet.contains(i) {
                #expect(abs(sparse.step[i] - dense.step[i]) < 1e-5)
            } else {
                #expect(sparse.step[i] == 0)
            }
        }
        #expect(kept.contains { dense.step[$0] != 0 })
        // Only the masked inputs shrink: 4 survivors, k instead of d 32-bit ring elements each.
        let saved = 4 * (SecureAggregation.Wire.maskedInput(dimension: d, ringBits: 32) - SecureAggregation.Wire.maskedInput(dimension: kept.count, ringBits: 32))
        #expect(dense.run.federated.counters.bytesUp - sparse.run.federated.counters.bytesUp == saved)
        #expect(dense.run.federated.counters.secureAggregationBytes == sparse.run.federated.counters.secureAggregationBytes)
    }

    @Test("8-bit values: a cohort-wide grid of clip/127 in the narrowest ring, within one step per device of fixed point")
    func eightBitValues() throws {
        let dense = try firstRoundStep(["clip": 0.5, "fractionalBits": 20])
        let eight = try firstRoundStep(["clip": 0.5], uplink: ["kind": "uint8"])
        #expect(eight.scenario.secureAggregation?.ringBits == 10)  // 2·4·127 < 2^10
        let step = Float(0.5 / 127)
        let diffs = zip(dense.step, eight.step).map { abs($0 - $1) }
        #expect(diffs.allSatisfy { $0 < 4 * step + 1e-5 })
        #expect(diffs.contains { $0 > 1e-4 })  // it is quantized
        let d = dense.step.count
        let saved = 4 * (SecureAggregation.Wire.maskedInput(dimension: d, ringBits: 32) - SecureAggregation.Wire.maskedInput(dimension: d, ringBits: 10))
        #expect(dense.run.federated.counters.bytesUp - eight.run.federated.counters.bytesUp == saved)
        // Random-k with 8-bit values combines both.
        let both = try firstRoundStep(["clip": 0.5], uplink: ["kind": "randomk", "fraction": 0.2, "values": "uint8"])
        #expect(both.run.federated.counters.bytesUp < eight.run.federated.counters.bytesUp)
        #expect(both.step.filter { $0 != 0 }.count <= UpdateCodec.keptCount(fraction: 0.2, dimension: d))
    }

    @Test("secure aggregation with random-k, 8-bit values and error feedback is byte-identical at 1 and 4 threads")
    func deterministic() throws {
        var j = json(["clip": 0.05], rounds: 6)
        j["compression"] = ["uplink": ["kind": "randomk", "fraction": 0.25, "values": "uint8"], "errorFeedback": true]
        let s = try scenario(j)
        let a = try PreparedRun(s).run(threads: 1), b = try PreparedRun(s).run(threads: 4)
        #expect(ReportWriter.curveCSV(a.curve) == ReportWriter.curveCSV(b.curve))
        #expect(try ReportWriter.json(a.summary) == ReportWriter.json(b.summary))
        #expect(a.federated.modelVersions == 6)
    }

    @Test("secure aggregation needs synchronous rounds and an uplink whose updates sum under masks")
    func errors() {
        var j = setting(json(["clip": 1.0]), "training.mode", "fedbuff")
        j = setting(j, "training.devicesPerRound", nil)
        j = setting(j, "training.concurrency", 4)
        #expect(scenarioError(j)?.path == "$.training.mode")
        for uplink: [String: Any] in [["kind": "topk", "fraction": 0.1], ["kind": "qsgd"], ["kind": "sign"]] {
            let kind = uplink["kind"] as! String
            let error = scenarioError(setting(json(["clip": 1.0]), "compression", ["uplink": uplink]))
            #expect(error?.path == "$.compression.uplink.kind" && error?.found == "\"\(kind)\"", "\(kind)")
        }
        #expect(scenarioError(setting(json(["clip": 1.0]), "compression", ["uplink": ["kind": "randomk", "fraction": 0.1, "values": "qsgd"]]))?.path
            == "$.compression.uplink.values")
        #expect(scenarioError(setting(json(["clip": 1.0, "fractionalBits": 8]), "compression", ["uplink": ["kind": "uint8"]]))?.path
            == "$.secureAggregation.fractionalBits")
        let narrow = scenarioError(setting(json(["clip": 1.0, "ringBits": 9]), "compression", ["uplink": ["kind": "uint8"]]))
        #expect(narrow?.path == "$.secureAggregation.ringBits" && narrow?.found.contains("at least 10 bits") == true)
        #expect(scenarioError(json(["ringBits": 7]))?.path == "$.secureAggregation.ringBits")
        #expect(scenarioError(json(["threshold": 9]))?.path == "$.secureAggregation.threshold")
    }
}

@Suite("Secure aggregation cost model")
struct SecureAggregationWorkTests {
    @Test("work units follow the documented per-operation costs")
    func units() {
        let ops = SecureAggregationOperations(keyGenerations: 2, keyAgreements: 9, shareComputations: 20, aeadOperations: 18,
                                              prgExpansions: 10, reconstructions: 0)
        let u = SecureAggregationWork.units(ops, dimension: 650, threshold: 7, ringBits: 32)
        let keys: Double = 11 * 1.25e5
        let aead: Double = 18 * 1.5e3
        let shares: Double = 20 * 50 * 7
        let prg: Double = 10 * 4 * 650 * 4
        #expect(u == keys + aead + shares + prg)
        // Rings wider than 32 bits draw 8-byte keystream words.
        #expect(SecureAggregationWork.units(ops, dimension: 650, threshold: 7, ringBits: 40) == keys + aead + shares + 2 * prg)
        #expect(SecureAggregationWork.units(ops, dimension: 650, threshold: 7, ringBits: 12) == u)
    }
}
