import Foundation
import FedSimEngine
import Testing

@testable import FedSim

/// A curve of evaluations at the given samples, accuracies, losses and FLOPs (times = samples / 100 s).
private func curve(_ run: RunKind, samples: [Int], accuracy: [Double], loss: [Double]? = nil, flops: [Double]? = nil) -> [CurvePoint] {
    samples.indices.map { i in
        CurvePoint(run: run, time: Double(samples[i]) / 100, round: Double(i), samples: samples[i], bytesUp: 0, bytesDown: 0,
                   accuracy: accuracy[i], loss: loss?[i] ?? 1, flops: flops?[i] ?? Double(samples[i]))
    }
}

private func s(_ seconds: Double) -> SimTime { SimTime(seconds: seconds) }

@Suite("Summary: target rule")
struct TargetRuleTests {
    @Test("the target is reached at the first of k consecutive evaluations at or above it")
    func sustained() {
        // Indices 0...4; the streak 2, 3, 4 is the first run of three at or above 0.9.
        #expect(EfficiencyRules.firstSustained([0.1, 0.5, 0.9, 0.91, 0.95], target: 0.9, consecutive: 3) == 2)
        // With k = 1 the rule is the plain first crossing.
        #expect(EfficiencyRules.firstSustained([0.1, 0.5, 0.9, 0.91, 0.95], target: 0.9, consecutive: 1) == 2)
    }

    @Test("a spike above the target followed by a drop does not count")
    func spike() {
        // 0.95 at index 0 is followed by 0.5: the streak restarts, and the first full streak starts at 2.
        #expect(EfficiencyRules.firstSustained([0.95, 0.5, 0.95, 0.95, 0.95], target: 0.9, consecutive: 3) == 2)
        // Two spikes, each broken after two evaluations: never three in a row.
        #expect(EfficiencyRules.firstSustained([0.95, 0.95, 0.5, 0.95, 0.95, 0.5], target: 0.9, consecutive: 3) == nil)
    }

    @Test("a streak cut short by the end of the curve does not count; an empty curve never reaches")
    func endOfCurve() {
        #expect(EfficiencyRules.firstSustained([0.1, 0.95, 0.95], target: 0.9, consecutive: 3) == nil)
        #expect(EfficiencyRules.firstSustained([], target: 0.9, consecutive: 1) == nil)
    }

    @Test("stopAtTarget stops once the last targetConsecutive evaluations all reach the target")
    func stopAtTarget() throws {
        var json = setting(smallScenarioJSON(rounds: 1000), "evaluation", ["targetAccuracy": 0.5, "stopAtTarget": true, "targetConsecutive": 2])
        json = setting(json, "training.localEpochs", 2)
        let run = try PreparedRun(try scenario(json)).run()
        #expect(run.federated.stopReason == .targetReached)
        let last = run.federated.curve.suffix(2).map(\.accuracy)
        #expect(last.count == 2 && last.allSatisfy { $0 >= 0.5 })
        // The summary's rule agrees: reached at the second-to-last evaluation (no earlier streak of 2).
        #expect(run.summary.federated.roundToTarget == run.federated.curve[run.federated.curve.count - 2].round)
    }

    @Test("targetConsecutive below 1 is a scenario error naming its path")
    func badConsecutive() throws {
        let error = try #require(scenarioError(setting(smallScenarioJSON(), "evaluation", ["targetConsecutive": 0])))
        #expect("\(error)".contains("$.evaluation.targetConsecutive"))
    }

    @Test("both sides use the same rule: samples, FLOPs and time at the reaching evaluation")
    func side() {
        // Spike at index 1 (0.92), drop to 0.85; 0.91, 0.93, 0.95 from index 3: reached at 300 samples.
        let fed = curve(.federated, samples: [0, 100, 200, 300, 400, 500], accuracy: [0.1, 0.92, 0.85, 0.91, 0.93, 0.95],
                        flops: [0, 1000, 2100, 3300, 4400, 5500])
        let side = RunSummary.side(fed, target: TargetRule(metric: .accuracy, value: 0.9), consecutive: 3)
        #expect(side.samplesToTarget == 300 && side.flopsToTarget == 3300 && side.timeToTargetSeconds == 3 && side.roundToTarget == 3)
        #expect(side.samples == 500 && side.flops == 5500 && side.bestAccuracy == 0.95)
        let first = RunSummary.side(fed, target: TargetRule(metric: .accuracy, value: 0.9), consecutive: 1)
        #expect(first.samplesToTarget == 100)  // the spike, with k = 1
        // Lower is better: perplexity e^2.1 is reached where the loss is at most 2.1. Losses 3, 2.5,
        // 2.0, 2.2, 1.9, 1.8: index 2 holds once, then 4 and 5 hold, so with k = 2 it is index 4 (400 samples);
        // in bits per character the same threshold is 2.1 / ln 2.
        let lm = curve(.federated, samples: [0, 100, 200, 300, 400, 500], accuracy: [0, 0, 0, 0, 0, 0],
                       loss: [3, 2.5, 2.0, 2.2, 1.9, 1.8])
        #expect(RunSummary.side(lm, target: TargetRule(metric: .perplexity, value: exp(2.1)), consecutive: 2).samplesToTarget == 400)
        #expect(RunSummary.side(lm, target: TargetRule(metric: .bitsPerCharacter, value: 2.1 / log(2)), consecutive: 2).samplesToTarget == 400)
        #expect(RunSummary.side(lm, target: TargetRule(metric: .loss, value: 2.1), consecutive: 1).samplesToTarget == 200)
    }
}

@Suite("Summary: claims")
struct ClaimTests {
    @Test("holds at and above 0.85, fails below, undecided without a value unless its bound is below 0.85")
    func verdicts() {
        #expect(Claim("x", value: 0.85).verdict == .holds)
        #expect(Claim("x", value: 0.8499).verdict == .fails)
        #expect(Claim("x", value: nil).verdict == .undecided)
        #expect(Claim("x", value: nil, upperBound: 0.84).verdict == .fails)
        #expect(Claim("x", value: nil, upperBound: 0.9).verdict == .undecided)
        #expect(Claim("compute utilisation", value: 0.71).line == "compute utilisation 0.71 \u{2014} fails 0.85")
    }

    /// Federated: spike at 100 samples, reached (k = 3) at 300 samples / 3300 FLOPs / 3 s.
    /// Baseline: 0.91, 0.92, 0.95 from index 2: reached at 60 samples / 600 FLOPs.
    private let federated = curve(.federated, samples: [0, 100, 200, 300, 400, 500], accuracy: [0.1, 0.92, 0.85, 0.91, 0.93, 0.95],
                                  flops: [0, 1000, 2100, 3300, 4400, 5500])
    private let baseline = curve(.baseline, samples: [0, 30, 60, 90, 120], accuracy: [0.1, 0.5, 0.91, 0.92, 0.95],
                                 flops: [0, 300, 600, 900, 1200])

    private func efficiency(_ fed: [CurvePoint], _ base: [CurvePoint], reference: RunSummary.TimeReference) -> RunSummary.Efficiency {
        let f = RunSummary.side(fed, target: TargetRule(metric: .accuracy, value: 0.9), consecutive: 3), b = RunSummary.side(base, target: TargetRule(metric: .accuracy, value: 0.9), consecutive: 3)
        let u = Utilisation(TaskTimeline(), end: s(1), profileOf: { _ in "p" })
        return RunSummary.efficiency(federated: f, baseline: b, utilisation: u,
                                     lossGap: RunSummary.lossGap(federated: fed, baseline: base), timeReference: reference)
    }

    @Test("work efficiency: centralized samples (FLOPs) to target / federated samples (FLOPs) to target")
    func workRatios() throws {
        let reference = RunSummary.timeReference(baselineFLOPsToTarget: 600, flopsPerSecond: 200, dataCollectionSeconds: 0, include: false)
        let e = efficiency(federated, baseline, reference: reference)
        #expect(try #require(e.workBySamples.value) == 60.0 / 300)  // 0.2
        #expect(e.workBySamples.verdict == .fails)
        #expect(try #require(e.workByFLOPs.value) == 600.0 / 3300)  // 0.1818...
        // Equal compute: 600 FLOPs at 200 FLOP/s = 3 s against the federated 3 s: 1.0, holds.
        #expect(try #require(e.timeAtEqualCompute.value) == 1)
        #expect(e.timeAtEqualCompute.verdict == .holds)
        // By time against one server: baseline 0.6 s (60 samples / 100) over federated 3 s.
        #expect(try #require(e.timeVersusOneServer) == 0.6 / 3)
        // No task ran: utilisation has no value and decides nothing.
        #expect(e.computeUtilisation.value == nil && e.computeUtilisation.verdict == .undecided)
    }

    @Test("data collection, when included, adds to the reference's time")
    func dataCollection() throws {
        // 6e9 FLOPs at 2e9 FLOP/s = 3 s, + 1 s of uploads = 4 s.
        let with = RunSummary.timeReference(baselineFLOPsToTarget: 6e9, flopsPerSecond: 2e9, dataCollectionSeconds: 1, include: true)
        #expect(with.trainingSecondsToTarget == 3 && with.secondsToTarget == 4)
        let without = RunSummary.timeReference(baselineFLOPsToTarget: 6e9, flopsPerSecond: 2e9, dataCollectionSeconds: 1, include: false)
        #expect(without.secondsToTarget == 3)
        // Against a federated time to target of 3 s: 4/3 holds with collection, 3/3 without.
        #expect(try #require(efficiency(federated, baseline, reference: with).timeAtEqualCompute.value) == 4.0 / 3)
    }

    @Test("a federated run that never reaches the target has no ratio; its bound decides fails or undecided")
    func notReached() {
        // Spikes only: 0.95, 0.5, 0.95, 0.5 — never three in a row. 400 samples in all.
        let spiky = curve(.federated, samples: [0, 100, 200, 300, 400], accuracy: [0.1, 0.95, 0.5, 0.95, 0.5])
        let reference = RunSummary.timeReference(baselineFLOPsToTarget: 600, flopsPerSecond: 200, dataCollectionSeconds: 0, include: false)
        let e = efficiency(spiky, baseline, reference: reference)
        // At most 60 / 400 = 0.15 < 0.85 whenever it reaches: fails, without a value.
        #expect(e.workBySamples.value == nil && e.workBySamples.verdict == .fails)
        #expect(e.workBySamples.note?.contains("at most 0.15") == true)
        // A baseline needing 380 samples bounds the ratio by 380 / 400 = 0.95: undecided.
        let slowBaseline = curve(.baseline, samples: [0, 380, 390, 400], accuracy: [0.1, 0.91, 0.92, 0.95])
        #expect(efficiency(spiky, slowBaseline, reference: reference).workBySamples.verdict == .undecided)
        // A baseline that never reaches the target: no reference, undecided.
        let flat = curve(.baseline, samples: [0, 10, 20, 30], accuracy: [0.1, 0.2, 0.3, 0.4])
        let none = efficiency(federated, flat, reference: reference)
        #expect(none.workBySamples.value == nil && none.workBySamples.verdict == .undecided)
    }
}

@Suite("Summary: loss gap at equal samples")
struct LossGapTests {
    @Test("linear interpolation on the baseline curve at the federated total")
    func interpolated() throws {
        let fed = curve(.federated, samples: [0, 100, 200], accuracy: [0, 0, 0], loss: [2.0, 1.0, 0.6])
        let base = curve(.baseline, samples: [0, 50, 150, 250], accuracy: [0, 0, 0, 0], loss: [2.0, 1.2, 0.8, 0.5])
        let g = RunSummary.lossGap(federated: fed, baseline: base)
        // At 200: halfway from (150, 0.8) to (250, 0.5): 0.65. Gap 0.6 - 0.65 = -0.05.
        #expect(g.atSamples == 200)
        #expect(abs(try #require(g.centralizedLoss) - 0.65) < 1e-12)
        #expect(try #require(g.federatedLoss) == 0.6)
        #expect(abs(try #require(g.gap) + 0.05) < 1e-12)
        #expect(g.comparedAt == "the federated run's total samples")
    }

    @Test("when the baseline processed fewer samples, both curves are compared at the baseline's total")
    func baselineShorter() throws {
        let fed = curve(.federated, samples: [0, 100, 200], accuracy: [0, 0, 0], loss: [2.0, 1.0, 0.6])
        let base = curve(.baseline, samples: [0, 50, 150], accuracy: [0, 0, 0], loss: [2.0, 1.2, 0.7])
        let g = RunSummary.lossGap(federated: fed, baseline: base)
        // At 150: federated halfway from (100, 1.0) to (200, 0.6) = 0.8; centralized 0.7; gap 0.1.
        #expect(g.atSamples == 150)
        #expect(abs(try #require(g.federatedLoss) - 0.8) < 1e-12)
        #expect(try #require(g.centralizedLoss) == 0.7)
        #expect(abs(try #require(g.gap) - 0.1) < 1e-12)
        #expect(g.comparedAt.hasPrefix("the baseline's total samples"))
    }

    @Test("interpolation: exact at points, last of equal x, nil outside the curve")
    func interpolate() {
        let points: [(x: Double, y: Double)] = [(0, 4), (10, 2), (10, 3), (20, 1)]
        #expect(EfficiencyRules.interpolate(points, at: 5) == 3)  // 4 + (2 - 4) / 2
        #expect(EfficiencyRules.interpolate(points, at: 10) == 3)  // the last point at x = 10
        #expect(EfficiencyRules.interpolate(points, at: 15) == 2)  // 3 + (1 - 3) / 2
        #expect(EfficiencyRules.interpolate(points, at: 20) == 1)
        #expect(EfficiencyRules.interpolate(points, at: 21) == nil)
        #expect(EfficiencyRules.interpolate(points, at: -1) == nil)
    }
}

@Suite("Summary: compute utilisation")
struct UtilisationTests {
    /// A 2-device fleet, device 0 a phone, device 1 a workstation.
    /// Device 0: download 1 s, compute 2 s (4e9 FLOPs), upload 1 s: dispatch 0, compute [1, 3], arrives 4.
    /// Device 1, task 1: download 0.5 s, compute 1 s (1e9 FLOPs), upload 0.5 s: compute [0.5, 1.5], arrives 2.
    /// Device 1, task 2: dispatched at 2, compute [2.5, 3.5] (1e9 FLOPs), lost during its upload at 3.75.
    private func timeline() -> TaskTimeline {
        var t = TaskTimeline()
        t.append(device: 0, dispatch: s(0), computeStart: s(1), computeEnd: s(3), end: s(4), flops: 4e9)
        t.append(device: 1, dispatch: s(0), computeStart: s(0.5), computeEnd: s(1.5), end: s(2), flops: 1e9)
        t.append(device: 1, dispatch: s(2), computeStart: s(2.5), computeEnd: s(3.5), end: s(3.75), flops: 1e9)
        return t
    }

    private let profiles = ["phone", "workstation"]

    @Test("fleet-wide and per profile: compute seconds / seconds from dispatch to the task's end")
    func perTask() throws {
        let u = Utilisation(timeline(), end: s(4), profileOf: { profiles[$0] })
        // Compute 2 + 1 + 1 = 4 s over spans 4 + 2 + 1.75 = 7.75 s.
        #expect(abs(try #require(u.fleet) - 4 / 7.75) < 1e-12)
        #expect(u.perProfile["phone"] == 0.5)  // 2 / 4
        #expect(abs(try #require(u.perProfile["workstation"]) - 2 / 3.75) < 1e-12)
        // Some device computes in [0.5, 3.5]: 3 s of 4.
        #expect(u.busySeconds == 3 && u.busyShare == 0.75)
        // 6e9 FLOPs in 3 busy seconds.
        #expect(u.flops == 6e9 && u.meanConcurrentFLOPS == 2e9)
    }

    @Test("a task still running when the run ends counts up to the end, its FLOPs pro rata")
    func clippedAtEnd() throws {
        let u = Utilisation(timeline(), end: s(3), profileOf: { profiles[$0] })
        // Device 1's second task computed 0.5 of its 1 s by t = 3 and ran 1 s since dispatch.
        // Compute 2 + 1 + 0.5 = 3.5 s over spans 3 + 2 + 1 = 6 s.
        #expect(abs(try #require(u.fleet) - 3.5 / 6) < 1e-12)
        // Busy [0.5, 3]: 2.5 s of 3; FLOPs 4e9 + 1e9 + 0.5e9 = 5.5e9 in 2.5 s.
        #expect(u.busySeconds == 2.5)
        #expect(abs(try #require(u.busyShare) - 2.5 / 3) < 1e-12)
        #expect(u.flops == 5.5e9 && u.meanConcurrentFLOPS == 2.2e9)
    }

    @Test("a task lost during its download counts its span and no compute")
    func lostInDownload() throws {
        var t = TaskTimeline()
        t.append(device: 0, dispatch: s(0), computeStart: s(1), computeEnd: s(2), end: s(3), flops: 1e9)
        t.append(device: 1, dispatch: s(0), computeStart: s(0.5), computeEnd: s(0.5), end: s(0.5), flops: 0)
        let u = Utilisation(t, end: s(4), profileOf: { profiles[$0] })
        // 1 s of compute over 3 + 0.5 s; the workstation computed nothing.
        #expect(abs(try #require(u.fleet) - 1 / 3.5) < 1e-12)
        #expect(u.perProfile["workstation"] == 0)
        #expect(u.busyShare == 0.25)
    }

    @Test("the union of compute intervals: overlapping, nested, touching and disjoint")
    func union() {
        #expect(Utilisation.unionLength([]) == 0)
        #expect(Utilisation.unionLength([(5, 7), (0, 2), (1, 3), (1, 2), (3, 4)]) == 4 + 2)  // [0, 4] and [5, 7]
    }

    @Test("a real run books one timeline entry per started task, ordered and within the run")
    func bookedByRuns() throws {
        let report = try PreparedRun(try scenario(setting(smallScenarioJSON(rounds: 4), "training.overSelection", 0.4))).run()
        let t = report.federated.ledger.timeline
        #expect(t.count == report.federated.counters.tasksStarted)
        for i in 0 ..< t.count { #expect(t.dispatch[i] <= t.computeStart[i] && t.computeEnd[i] <= t.end[i]) }
        // Utilisation is a share: in (0, 1) for a fleet that pays network time.
        let u = try #require(report.summary.utilisation.fleet)
        #expect(u > 0 && u < 1)
    }
}

@Suite("Summary: seeds")
struct SeedMedianTests {
    @Test("median of odd and even counts, nil when empty")
    func median() {
        #expect(SeedStatistics.median([3, 1, 2]) == 2)
        #expect(SeedStatistics.median([4, 1, 3, 2]) == 2.5)
        #expect(SeedStatistics.median([]) == nil)
    }
}
