import FedSimEngine

/// The figures of one run, as written to `summary.json` and printed at the end of a run.
public struct RunSummary: Codable, Equatable, Sendable {
    /// The share of centralized efficiency the claim under test promises.
    public static let claimThreshold = 0.85

    /// Figures of one side of the comparison (federated or baseline).
    public struct Side: Codable, Equatable, Sendable {
        /// The device profile that trained the baseline; nil for the federated side.
        @NullWhenAbsent public var profile: String?
        public var finalAccuracy: Double
        public var bestAccuracy: Double
        public var finalLoss: Double
        /// Language models: perplexity and bits per character of the last evaluation; nil for classifiers.
        public var finalPerplexity: Double? = nil
        public var finalBitsPerCharacter: Double? = nil
        /// Training samples processed in all.
        public var samples: Int
        /// Training FLOPs done in all.
        public var flops: Double
        /// Virtual time at the last evaluation, seconds.
        public var virtualTimeSeconds: Double
        public var bytesUp: Int
        public var bytesDown: Int
        /// The evaluation that reached the target (the first from which accuracy stays at or above
        /// it for `evaluation.targetConsecutive` evaluations): its virtual time, samples, FLOPs and round.
        @NullWhenAbsent public var timeToTargetSeconds: Double?
        @NullWhenAbsent public var samplesToTarget: Int?
        @NullWhenAbsent public var flopsToTarget: Double?
        @NullWhenAbsent public var roundToTarget: Double?
    }

    /// The efficiency figures, each tested against the claim (the README defines each).
    public struct Efficiency: Codable, Equatable, Sendable {
        /// `utilisation.fleet`: device compute seconds / seconds from dispatch to the task's end.
        public var computeUtilisation: Claim
        /// Centralized samples to target / federated samples to target.
        public var workBySamples: Claim
        /// Centralized FLOPs to target / federated FLOPs to target.
        public var workByFLOPs: Claim
        /// Centralized test loss / federated test loss at equal samples (`lossGap`).
        public var lossAtEqualSamples: Claim
        /// Equal-compute centralized time to target / federated time to target (`timeReference`).
        public var timeAtEqualCompute: Claim
        /// Baseline virtual time to target on its one `baseline.profile` device / federated virtual
        /// time to target. Mostly network latency against one server's compute; decides nothing.
        @NullWhenAbsent public var timeVersusOneServer: Double?

        /// The five claims, in the order the summary and `compare` show them.
        public var claims: [Claim] { [computeUtilisation, workBySamples, workByFLOPs, lossAtEqualSamples, timeAtEqualCompute] }
    }

    /// Federated minus centralized test loss at equal training samples.
    public struct LossGap: Codable, Equatable, Sendable {
        /// The sample count compared at: the federated run's total, or the baseline's total when
        /// the baseline processed fewer (`comparedAt` says which).
        public var atSamples: Int
        public var comparedAt: String
        /// Test losses at `atSamples`, linearly interpolated on each curve (samples on the x axis).
        @NullWhenAbsent public var federatedLoss: Double?
        @NullWhenAbsent public var centralizedLoss: Double?
        /// federatedLoss - centralizedLoss.
        @NullWhenAbsent public var gap: Double?
    }

    /// The equal-compute centralized reference: the baseline's work timed on a cluster whose FLOP/s
    /// equal the fleet's mean concurrent training FLOP/s (`utilisation.meanConcurrentFLOPS`).
    public struct TimeReference: Codable, Equatable, Sendable {
        @NullWhenAbsent public var flopsPerSecond: Double?
        /// Baseline FLOPs to target / flopsPerSecond.
        @NullWhenAbsent public var trainingSecondsToTarget: Double?
        /// The slowest device's upload of its raw training rows (4 bytes per feature and label).
        public var dataCollectionSeconds: Double
        /// `baseline.includeDataCollection`: whether dataCollectionSeconds is added.
        public var includesDataCollection: Bool
        /// trainingSecondsToTarget (+ dataCollectionSeconds when included).
        @NullWhenAbsent public var secondsToTarget: Double?
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
        /// The codecs in the scenario's input form (`{"kind": "topk", "fraction": 0.01, "values": "float32"}`).
        public var uplink: LinkCodec
        public var downlink: LinkCodec
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
    /// The accuracy target; nil when `evaluation.target` names another metric (see `targetOn`).
    public var targetAccuracy: Double?
    /// A target on loss, perplexity or bits per character (``TargetRule/description``); nil for accuracy.
    public var targetOn: String?
    /// "scenario" when set there, else "95% of the baseline's best accuracy".
    public var targetRule: String
    /// How many consecutive evaluations at or above the target reach it.
    public var targetConsecutive: Int
    public var federated: Side
    public var baseline: Side
    public var efficiency: Efficiency
    public var utilisation: Utilisation
    public var lossGap: LossGap
    public var timeReference: TimeReference
    public var counters: FederatedCounters
    public var staleness: Staleness
    public var compression: Compression
    /// DP spent by the end of the run (epsilon at `privacyDelta`); nil without DP.
    @NullWhenAbsent public var epsilon: Double?
    @NullWhenAbsent public var privacyDelta: Double?
    /// Which privacy accounting `epsilon` follows and why; nil without DP.
    @NullWhenAbsent public var privacyAccounting: PrivacyAccounting?
    /// `training.server`'s optimizer and the bytes of state it holds on the server (nil when read
    /// from a summary written before it existed).
    @NullWhenAbsent public var serverOptimizer: ServerOptimizerReport?
    /// With `training.persistentOptimizerState`: the optimizer state each device keeps between its
    /// tasks and how many devices hold one at the end; nil otherwise.
    @NullWhenAbsent public var deviceOptimizerState: DeviceOptimizerStateReport?
    public var rounds: Int
    public var modelVersions: Int
    public var stopReason: String
    /// False when the run was interrupted (SIGINT, SIGTERM): the files hold what was done until
    /// then. Always written; nil only when reading a summary from before the key existed.
    public var complete: Bool?
    /// Set when a run stopped on a NaN or infinite value.
    @NullWhenAbsent public var divergence: String?

    init(scenario: Scenario, model: AnyModel, data: ModelData, fleet: Fleet, baseline: [CurvePoint], baselineDivergence: String?,
         federated: FederatedOutcome, target: TargetRule) {
        manifest = Manifest(fedsimVersion: RunSummary.fedsimVersion, scenarioSHA256: scenario.sourceSHA256 ?? "",
                            seeds: [scenario.seed], effectiveScenario: scenario.effectiveJSON)
        self.scenario = scenario.name
        seed = scenario.seed
        mode = scenario.training.mode.rawValue
        devices = scenario.fleet.deviceCount
        parameters = model.parameterCount
        targetAccuracy = target.metric == .accuracy ? target.value : nil
        targetOn = target.metric == .accuracy ? nil : target.description
        targetRule = scenario.evaluation.targetAccuracy == nil && scenario.evaluation.target == nil ? "95% of the baseline's best accuracy" : "scenario"
        targetConsecutive = scenario.evaluation.targetConsecutive
        self.federated = RunSummary.side(federated.curve, target: target, consecutive: targetConsecutive)
        self.baseline = RunSummary.side(baseline, target: target, consecutive: targetConsecutive)
        self.baseline.profile = scenario.baseline.profileName
        counters = federated.counters
        staleness = Staleness(federated.staleness)
        epsilon = federated.curve.last?.epsilon
        privacyDelta = scenario.privacy?.delta
        privacyAccounting = federated.privacyAccounting
        let dense = Double(1 + 4 * model.parameterCount)
        let c = federated.counters
        compression = Compression(
            uplink: scenario.compression.uplink, downlink: scenario.compression.downlink,
            errorFeedback: scenario.compression.errorFeedback, downlinkDelta: scenario.compression.downlinkDelta,
            uplinkFactor: c.bytesUp > 0 ? Double(c.uploads) * dense / Double(c.bytesUp) : 1,
            downlinkFactor: c.bytesDown > 0 ? Double(c.downloads) * dense / Double(c.bytesDown) : 1)
        serverOptimizer = ServerOptimizerReport(optimizer: scenario.training.server.optimizer.rawValue,
                                                stateBytes: federated.serverOptimizerStateBytes)
        if scenario.training.persistentOptimizerState {
            deviceOptimizerState = DeviceOptimizerStateReport(
                bytesPerDevice: scenario.training.deviceOptimizer.stateBytes(parameterCount: model.parameterCount),
                devices: federated.devicesWithOptimizerState)
        }
        rounds = federated.rounds
        modelVersions = federated.modelVersions
        stopReason = federated.stopReason.description
        complete = federated.stopReason != .interrupted
        divergence = federated.divergence ?? baselineDivergence
        utilisation = Utilisation(federated.ledger.timeline, end: SimTime(seconds: federated.endTime),
                                  profileOf: fleet.profileName)
        lossGap = RunSummary.lossGap(federated: federated.curve, baseline: baseline)
        let collection = RunSummary.dataCollectionSeconds(fleet, bytesPerRow: data.bytesPerSample)
        timeReference = RunSummary.timeReference(baselineFLOPsToTarget: self.baseline.flopsToTarget,
                                                 flopsPerSecond: utilisation.meanConcurrentFLOPS, dataCollectionSeconds: collection,
                                                 include: scenario.baseline.includeDataCollection)
        efficiency = RunSummary.efficiency(federated: self.federated, baseline: self.baseline, utilisation: utilisation,
                                           lossGap: lossGap, timeReference: timeReference)
    }

    /// A side's figures; the target is reached by `EfficiencyRules.firstSustained`.
    static func side(_ curve: [CurvePoint], target: TargetRule, consecutive: Int) -> Side {
        let last = curve.last
        let hit = target.firstSustained(curve, consecutive: consecutive).map { curve[$0] }
        let language = last?.isLanguageModel == true
        return Side(profile: nil, finalAccuracy: last?.accuracy ?? 0, bestAccuracy: curve.map(\.accuracy).max() ?? 0,
                    finalLoss: last?.loss ?? .nan, finalPerplexity: language ? last?.perplexity : nil,
                    finalBitsPerCharacter: language ? last?.bitsPerCharacter : nil, samples: last?.samples ?? 0, flops: last?.flops ?? 0,
                    virtualTimeSeconds: last?.time ?? 0, bytesUp: last?.bytesUp ?? 0, bytesDown: last?.bytesDown ?? 0,
                    timeToTargetSeconds: hit?.time, samplesToTarget: hit?.samples, flopsToTarget: hit?.flops,
                    roundToTarget: hit?.round)
    }

    /// Test losses of both curves at the federated run's total samples, or at the baseline's total
    /// when the baseline processed fewer (so neither loss is extrapolated).
    static func lossGap(federated: [CurvePoint], baseline: [CurvePoint]) -> LossGap {
        let fedTotal = federated.last?.samples ?? 0, baseTotal = baseline.last?.samples ?? 0
        let atBaseline = baseTotal < fedTotal
        let at = atBaseline ? baseTotal : fedTotal
        func loss(_ curve: [CurvePoint]) -> Double? {
            EfficiencyRules.interpolate(curve.map { (Double($0.samples), $0.loss) }, at: Double(at)).flatMap { $0.isFinite ? $0 : nil }
        }
        let f = loss(federated), b = loss(baseline)
        return LossGap(atSamples: at,
                       comparedAt: atBaseline ? "the baseline's total samples (the baseline processed fewer than the federated run)"
                                              : "the federated run's total samples",
                       federatedLoss: f, centralizedLoss: b, gap: f.flatMap { f in b.map { f - $0 } })
    }

    /// The time for every device to upload its training rows over its own uplink, all at once:
    /// the largest latency + 8 rows bytesPerRow / uplink bandwidth over devices holding rows.
    static func dataCollectionSeconds(_ fleet: Fleet, bytesPerRow: Int) -> Double {
        (0 ..< fleet.count).filter { !fleet.shards[$0].isEmpty }
            .map { fleet.uploadTime(bytes: fleet.shards[$0].count * bytesPerRow, device: $0).seconds }.max() ?? 0
    }

    static func timeReference(baselineFLOPsToTarget: Double?, flopsPerSecond: Double?, dataCollectionSeconds: Double,
                              include: Bool) -> TimeReference {
        let training = baselineFLOPsToTarget.flatMap { f in flopsPerSecond.map { f / $0 } }
        return TimeReference(flopsPerSecond: flopsPerSecond, trainingSecondsToTarget: training,
                             dataCollectionSeconds: dataCollectionSeconds, includesDataCollection: include,
                             secondsToTarget: training.map { $0 + (include ? dataCollectionSeconds : 0) })
    }

    /// The claims. A cost ratio (centralized cost to target / federated cost to target) exists
    /// when both sides reached the target; when only the baseline did, it is at most centralized
    /// cost / the federated run's whole cost, which decides `fails` if below the threshold.
    static func efficiency(federated f: Side, baseline b: Side, utilisation u: Utilisation, lossGap g: LossGap,
                           timeReference t: TimeReference) -> Efficiency {
        func cost(_ definition: String, _ central: Double?, _ fed: Double?, fedTotal: Double) -> Claim {
            guard let central else { return Claim(definition, value: nil, note: "the baseline never reached the target") }
            guard let fed else {
                let bound = fedTotal > 0 ? central / fedTotal : nil
                return Claim(definition, value: nil, upperBound: bound,
                             note: "the federated run never reached the target" + (bound.map { "; at most \(Format.significant($0, 3))" } ?? ""))
            }
            return Claim(definition, value: fed > 0 ? central / fed : nil, note: fed > 0 ? nil : "the federated run reached the target at no cost")
        }
        let lossRatio = g.federatedLoss.flatMap { f in g.centralizedLoss.map { f > 0 ? $0 / f : .nan } }.flatMap { $0.isFinite ? $0 : nil }
        return Efficiency(
            computeUtilisation: Claim("compute utilisation", value: u.fleet, note: u.fleet == nil ? "no task ran" : nil),
            workBySamples: cost("work efficiency by samples", b.samplesToTarget.map(Double.init), f.samplesToTarget.map(Double.init),
                                fedTotal: Double(f.samples)),
            workByFLOPs: cost("work efficiency by FLOPs", b.flopsToTarget, f.flopsToTarget, fedTotal: f.flops),
            lossAtEqualSamples: Claim("loss ratio at equal samples", value: lossRatio,
                                      note: lossRatio == nil ? "a test loss at \(g.atSamples) samples is missing or not finite" : nil),
            timeAtEqualCompute: cost(t.includesDataCollection ? "time efficiency vs equal compute with data collection" : "time efficiency vs equal compute",
                                     t.secondsToTarget, f.timeToTargetSeconds, fedTotal: f.virtualTimeSeconds),
            timeVersusOneServer: b.timeToTargetSeconds.flatMap { bt in f.timeToTargetSeconds.flatMap { $0 > 0 ? bt / $0 : nil } })
    }
}

/// The device optimizer state kept between tasks (README: DiLoCo) and its memory on the devices.
public struct DeviceOptimizerStateReport: Codable, Equatable, Sendable {
    /// Bytes each holding device keeps: 8P + 8 for AdamW (two float32 moments and the step
    /// count), 8 for SGD (the step count).
    public var bytesPerDevice: Int
    /// Devices that hold a state at the end (those that trained at least once).
    public var devices: Int
}

/// The server optimizer of a run (README: Server optimizers) and its memory on the server.
public struct ServerOptimizerReport: Codable, Equatable, Sendable {
    public var optimizer: String
    /// Bytes of state kept between steps: 0 for fedavg, 4P for fedavgm and nesterov, 8P for the
    /// adaptive optimizers (P parameters, float32).
    public var stateBytes: Int
}
