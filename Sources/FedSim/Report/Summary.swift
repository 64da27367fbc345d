/// The figures of one run, as written to `summary.json` and printed at the end of a run.
public struct RunSummary: Codable, Equatable, Sendable {
    /// The share of centralized efficiency the claim under test promises.
    public static let claimThreshold = 0.85

    /// Figures of one side of the comparison (federated or baseline).
    public struct Side: Codable, Equatable, Sendable {
        public var finalAccuracy: Double
        public var bestAccuracy: Double
        public var finalLoss: Double
        /// Training samples processed in all.
        public var samples: Int
        /// Virtual time at the last evaluation, seconds.
        public var virtualTimeSeconds: Double
        public var bytesUp: Int
        public var bytesDown: Int
        /// First evaluation at or above the target: its virtual time, samples and round.
        public var timeToTargetSeconds: Double?
        public var samplesToTarget: Int?
        public var roundToTarget: Double?
    }

    /// A ratio of federated to centralized performance and whether it meets the claim.
    public struct Ratio: Codable, Equatable, Sendable {
        /// nil when undefined (the federated run never reached the target).
        public var value: Double?
        /// value >= 0.85.
        public var meetsClaim: Bool
        /// A sentence saying why.
        public var verdict: String
    }

    public struct Efficiency: Codable, Equatable, Sendable {
        /// Baseline samples to target / federated samples to target.
        public var bySamples: Ratio
        /// Baseline virtual time to target / federated virtual time to target.
        public var byTime: Ratio
        /// Federated final accuracy / baseline final accuracy.
        public var accuracy: Ratio
    }

    /// Distribution of the staleness of updates that reached the server (server versions that
    /// passed between a task's download and its arrival).
    public struct Staleness: Codable, Equatable, Sendable {
        public var count: Int
        public var mean: Double
        public var p50: Int
        public var p90: Int
        public var max: Int

        init(_ values: [Int]) {
            count = values.count
            let sorted = values.sorted()
            mean = values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
            func quantile(_ q: Double) -> Int {
                sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1 < 0 ? 0 : Int((q * Double(sorted.count)).rounded(.up)) - 1)]
            }
            p50 = quantile(0.5)
            p90 = quantile(0.9)
            self.max = sorted.last ?? 0
        }
    }

    /// Bytes on each link against what dense Float32 messages (1 + 4P bytes each) would have cost.
    public struct Compression: Codable, Equatable, Sendable {
        public var uplink: String
        public var downlink: String
        public var errorFeedback: Bool
        public var downlinkDelta: Bool
        /// Dense-equivalent bytes / bytes sent, device to server.
        public var uplinkFactor: Double
        /// Dense-equivalent bytes / bytes sent, server to device.
        public var downlinkFactor: Double
    }

    /// What is needed to reproduce the run.
    public struct Manifest: Codable, Equatable, Sendable {
        public var fedsimVersion: String
        /// SHA-256 of the scenario file as read (empty when the scenario did not come from a file).
        public var scenarioSHA256: String
        public var seeds: [UInt64]
        /// The scenario with every default filled in, in the input format.
        public var effectiveScenario: JSONValue
    }

    /// fedsim's version, written into every manifest.
    public static let fedsimVersion = "0.1.0"

    public var manifest: Manifest
    public var scenario: String
    public var seed: UInt64
    public var mode: String
    public var devices: Int
    public var parameters: Int
    public var targetAccuracy: Double
    /// "scenario" when set there, else "95% of the baseline's best accuracy".
    public var targetRule: String
    public var federated: Side
    public var baseline: Side
    public var efficiency: Efficiency
    public var counters: FederatedCounters
    public var staleness: Staleness
    public var compression: Compression
    /// DP spent by the end of the run (epsilon at `privacyDelta`); nil without DP.
    public var epsilon: Double?
    public var privacyDelta: Double?
    /// Which privacy accounting `epsilon` follows and why; nil without DP.
    public var privacyAccounting: PrivacyAccounting?
    public var rounds: Int
    public var modelVersions: Int
    public var stopReason: String
    /// Set when a run stopped on a NaN or infinite value.
    public var divergence: String?

    init(scenario: Scenario, model: SoftmaxRegression, baseline: [CurvePoint], baselineDivergence: String?,
         federated: FederatedOutcome, target: Double) {
        manifest = Manifest(fedsimVersion: RunSummary.fedsimVersion, scenarioSHA256: scenario.sourceSHA256 ?? "",
                            seeds: [scenario.seed], effectiveScenario: scenario.effectiveJSON)
        self.scenario = scenario.name
        seed = scenario.seed
        mode = scenario.training.mode.rawValue
        devices = scenario.fleet.deviceCount
        parameters = model.parameterCount
        targetAccuracy = target
        targetRule = scenario.evaluation.targetAccuracy == nil ? "95% of the baseline's best accuracy" : "scenario"
        self.federated = RunSummary.side(federated.curve, target: target)
        self.baseline = RunSummary.side(baseline, target: target)
        counters = federated.counters
        staleness = Staleness(federated.staleness)
        epsilon = federated.curve.last?.epsilon
        privacyDelta = scenario.privacy?.delta
        privacyAccounting = federated.privacyAccounting
        let dense = Double(1 + 4 * model.parameterCount)
        let c = federated.counters
        compression = Compression(
            uplink: "\(scenario.compression.uplink.spec)", downlink: "\(scenario.compression.downlink.spec)",
            errorFeedback: scenario.compression.errorFeedback, downlinkDelta: scenario.compression.downlinkDelta,
            uplinkFactor: c.bytesUp > 0 ? Double(c.uploads) * dense / Double(c.bytesUp) : 1,
            downlinkFactor: c.bytesDown > 0 ? Double(c.downloads) * dense / Double(c.bytesDown) : 1)
        rounds = federated.rounds
        modelVersions = federated.modelVersions
        stopReason = federated.stopReason.description
        divergence = federated.divergence ?? baselineDivergence
        let f = self.federated, b = self.baseline
        efficiency = Efficiency(
            bySamples: RunSummary.ratio(b.samplesToTarget.map(Double.init), f.samplesToTarget.map(Double.init), what: "samples to target"),
            byTime: RunSummary.ratio(b.timeToTargetSeconds, f.timeToTargetSeconds, what: "virtual time to target"),
            accuracy: RunSummary.ratio(f.finalAccuracy, b.finalAccuracy, what: "final accuracy", higherIsBetter: true))
    }

    static func side(_ curve: [CurvePoint], target: Double) -> Side {
        let last = curve.last
        let hit = curve.first { $0.accuracy >= target }
        return Side(finalAccuracy: last?.accuracy ?? 0, bestAccuracy: curve.map(\.accuracy).max() ?? 0,
                    finalLoss: last?.loss ?? .nan, samples: last?.samples ?? 0,
                    virtualTimeSeconds: last?.time ?? 0, bytesUp: last?.bytesUp ?? 0, bytesDown: last?.bytesDown ?? 0,
                    timeToTargetSeconds: hit?.time, samplesToTarget: hit?.samples, roundToTarget: hit?.round)
    }

    /// For costs (samples, time) the ratio is baseline / federated; for accuracy federated / baseline.
    static func ratio(_ a: Double?, _ b: Double?, what: String, higherIsBetter: Bool = false) -> Ratio {
        let threshold = claimThreshold
        guard let a, let b else {
            let who = a == nil ? "the baseline" : "the federated run"
            return Ratio(value: nil, meetsClaim: false, verdict: "fails: \(who) never reached the target")
        }
        let value: Double = b > 0 ? a / b : (a > 0 ? .infinity : 1)
        let meets = value >= threshold
        let pct = Format.significant(100 * value, 3)
        return Ratio(value: value.isFinite ? value : nil, meetsClaim: meets,
                     verdict: meets ? "holds: \(what) at \(pct)% of centralized (>= 85%)"
                                    : "fails: \(what) at \(pct)% of centralized (< 85%)")
    }
}
