import Foundation

/// A complete, validated scenario with every default filled in.
///
/// Built only by ``ScenarioLoader``; encoding it (sorted keys) gives the effective scenario,
/// which loads back to the same value.
public struct Scenario: Codable, Equatable, Sendable {
    /// A name for the run; the default output folder is `Results/<name>`.
    public var name: String
    /// The master seed every random stream derives from.
    public var seed: UInt64
    public var data: DataSpec
    public var model: ModelSpec
    public var fleet: FleetSpec
    public var training: TrainingSpec
    public var evaluation: EvaluationSpec
    public var baseline: BaselineSpec
    public var availability: AvailabilitySpec
    public var compression: CompressionSpec
    /// User-level differential privacy (DP-FedAvg); nil: none.
    public var privacy: PrivacySpec?
    /// Secure aggregation of each synchronous round (Bonawitz et al. 2017); nil: none.
    public var secureAggregation: SecureAggregationSpec?
    /// SHA-256 (hex) of the file the scenario was loaded from; not part of the scenario itself.
    public var sourceSHA256: String?
}

/// Secure aggregation settings: Shamir threshold and fixed-point encoding of the ring.
public struct SecureAggregationSpec: Codable, Equatable, Sendable {
    /// Survivors needed to unmask; nil: ceil(2n/3) of the round's cohort.
    public var threshold: Int?
    /// Each coordinate of a weighted update is clipped to [-clip, clip] (the 8-bit grid's range).
    public var clip: Double
    /// Fixed-point resolution 2^-fractionalBits (dense and float32 values; unused with 8-bit).
    public var fractionalBits: Int
    /// The ring Z_{2^ringBits}, 8...64 (default 32; with 8-bit values the narrowest that holds
    /// the cohort's sum).
    public var ringBits: Int
}

/// DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018): updates clipped to L2 norm `clip`, Gaussian
/// noise of standard deviation `noiseMultiplier * clip` added to the sum (central) or by each device
/// to its own update (local).
public struct PrivacySpec: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable { case central, local }
    public var mode: Mode
    public var clip: Double
    public var noiseMultiplier: Double
    /// The delta of the reported (epsilon, delta) guarantee.
    public var delta: Double
}

/// How updates (uplink) and models (downlink) are encoded on the wire.
public struct CompressionSpec: Codable, Equatable, Sendable {
    public var uplink: LinkCodec
    public var downlink: LinkCodec
    /// Uplink: keep what compression dropped on the device and add it to the next update
    /// (Stich et al. 2018).
    public var errorFeedback: Bool
    /// Downlink: send the difference between the server model and the device's last copy.
    public var downlinkDelta: Bool
}

/// One link's codec, as written in the scenario.
public struct LinkCodec: Codable, Equatable, Sendable {
    /// "dense", "topk", "randomk", "qsgd", "uint8" or "sign".
    public var kind: String
    /// Sparsifiers: fraction of coordinates kept.
    public var fraction: Double?
    /// Sparsifiers: how kept values are coded: "float32", "uint8" or "qsgd".
    public var values: String?
    /// QSGD (and QSGD-coded values): number of levels s.
    public var levels: Int?

    public static let dense = LinkCodec(kind: "dense", fraction: nil, values: nil, levels: nil)

    /// The codec this describes.
    public var spec: CodecSpec {
        let valueCoding: ValueCoding
        switch values ?? "float32" {
        case "uint8": valueCoding = .uniform8
        case "qsgd": valueCoding = .qsgd(levels: levels ?? 16)
        default: valueCoding = .float32
        }
        switch kind {
        case "topk": return .topK(fraction: fraction ?? 0.01, values: valueCoding)
        case "randomk": return .randomK(fraction: fraction ?? 0.01, values: valueCoding)
        case "qsgd": return .qsgd(levels: levels ?? 16)
        case "uint8": return .uniform8
        case "sign": return .scaledSign
        default: return .dense
        }
    }
}

/// When devices can work: always, alternating online/offline periods, or a daily pattern.
public struct AvailabilitySpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case always, churn, diurnal }
    public var kind: Kind
    /// Length of a virtual day for `diurnal`, in seconds (shorten it to see several days quickly).
    public var dayLengthSeconds: Double
    /// Probability that a task fails for reasons other than going offline (crash, user), lost at
    /// the moment its upload would start.
    public var failureProbability: Double
}

/// Where the data comes from and how it is split among devices.
public struct DataSpec: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable { case digits, synthetic, csv, text, shakespeare }
    public var source: Source
    /// For `digits`: the CSV file, relative to the scenario file's folder.
    public var path: String?
    /// Fraction of samples held out for testing.
    public var testFraction: Double
    /// For `synthetic`: Synthetic(alpha, beta) of Li et al. 2020.
    public var alpha: Double?
    public var beta: Double?
    public var partition: PartitionSpec
    /// A file naming, for each data row, `test` or the device that holds it (README: assignments
    /// file); resolved against the scenario file's folder. When set, it replaces the test split
    /// and the partition.
    public var assignments: String? = nil
    /// The folder `path` and `assignments` are resolved against when they are relative: the
    /// scenario file's folder (set by ``ScenarioLoader/load(contentsOf:)``; nil: the current
    /// folder). Not part of the scenario's JSON, so outputs hold the paths as written.
    public var folder: String? = nil

    /// `file` resolved against ``folder``; the default digits path falls back to the installed
    /// copy (``BuiltInData``) when the scenario's folder has none.
    public func resolved(_ file: String) -> String {
        let local = ScenarioLoader.resolve(file, relativeTo: URL(fileURLWithPath: folder ?? ".")).path
        if file == BuiltInData.digitsDefault, !FileManager.default.isReadableFile(atPath: local),
           let installed = BuiltInData.installed("digits.csv") {
            return installed.path
        }
        return local
    }

    /// How to read a csv, text or shakespeare file (nil for digits and synthetic).
    public var file: DataFileSpec? = nil

    /// Whether the source gives token windows (text, shakespeare) rather than table rows.
    public var isText: Bool { source == .text || source == .shakespeare }
}

/// How training samples are assigned to devices.
public struct PartitionSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case iid, dirichlet, natural, windows }
    public var kind: Kind
    /// Concentration of the Dirichlet label-skew partition (smaller: more skew).
    public var alpha: Double?
    /// Which Dirichlet partition (only with `dirichlet`; nil otherwise).
    public var variant: DirichletVariant? = nil
    /// NIID-Bench only: redraw until every device holds at least this many samples.
    public var minSize: Int? = nil
    /// `windows` only: rows per device (README: partitions).
    public var size: Int? = nil
}

/// The two Dirichlet label-skew partitions in use (README: partitions).
public enum DirichletVariant: String, Codable, Sendable, CaseIterable {
    /// Hsu, Qi, Brown 2019: equal-size devices, each device's class mix ~ Dir(alpha * prior).
    case hsu
    /// Li, Diao, Chen, He 2022 (NIID-Bench): per class, shares over devices ~ Dir_N(alpha),
    /// redrawn until every device holds at least `minSize` samples.
    case niidBench = "niid-bench"
}

/// The model trained by devices and by the baseline.
public struct ModelSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case softmax, mlp, charlm }
    public var kind: Kind
    /// L2 regularisation strength (added to the loss as l2/2 * ||W||^2).
    public var l2: Double
    /// mlp and charlm: the sizes, `architecture` and layer widths (see ``LayerSizes``).
    public var sizes = LayerSizes()
}

/// The fleet: named profiles and groups of devices drawn from them.
public struct FleetSpec: Codable, Equatable, Sendable {
    /// Every profile the groups may name: the built-ins plus the scenario's own, by name.
    public var profiles: [String: DeviceProfile]
    public var groups: [DeviceGroup]

    /// Total number of devices.
    public var deviceCount: Int { groups.reduce(0) { $0 + $1.count } }
}

/// `count` devices of one profile, with per-group overrides already applied to `profile`.
public struct DeviceGroup: Codable, Equatable, Sendable {
    public var profileName: String
    public var count: Int
    public var profile: DeviceProfile
}

/// How federated training runs.
public struct TrainingSpec: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable { case fedavg, fedasync, fedbuff }
    /// How updates are weighted when they are averaged.
    public enum Weighting: String, Codable, Sendable { case samples, flops, uniform }
    public var mode: Mode
    /// Devices that must report per round (K), synchronous mode.
    public var devicesPerRound: Int
    /// Asynchronous modes: at most this many devices train at once.
    public var concurrency: Int
    public var fedasync: FedAsyncSpec?
    public var fedbuff: FedBuffSpec?
    public var weighting: Weighting
    /// Extra devices selected per round, as a fraction of K (Bonawitz et al. 2019); the first K
    /// updates to arrive are aggregated, later ones are dropped.
    public var overSelection: Double
    /// A round ends at this many seconds after it starts even if updates are missing (optional).
    public var deadlineSeconds: Double?
    /// Local epochs per task (E); nil when local work is given in steps.
    public var localEpochs: Int?
    /// Local SGD steps per task; nil when local work is given in epochs.
    public var localSteps: Int?
    /// Minibatch size (B); with `adaptiveBatch`, the size of a device as fast as the fleet median.
    public var batchSize: Int
    /// Scale each device's batch with its speed and cap it by its memory (README: adaptive batches).
    public var adaptiveBatch: Bool
    public var minBatch: Int
    public var maxBatch: Int
    /// SGD learning rate on devices and for the baseline.
    public var learningRate: Double
    /// Stop after this many rounds.
    public var rounds: Int
    /// Stop at this virtual time, in seconds (optional).
    public var maxTimeSeconds: Double?
    /// Synchronous mode: how a round's devices are chosen.
    public enum Selection: String, Codable, Sendable { case uniform, poisson }
    public var selection: Selection = .uniform
    /// `selection: poisson`: the probability q that an online idle device joins a round.
    public var samplingRate: Double? = nil
    /// The server optimizer that applies each aggregated update (synchronous mode and FedBuff).
    public var server: ServerOptimizerSpec = .fedavg()
    /// The device optimizer (default SGD).
    public var optimizer: OptimizerSpec = .sgd
    /// FedProx's mu: weight of the proximal term mu/2 ||w - w_global||^2 in every device's local
    /// objective (``ProximalTerm``); 0 (the default) is FedAvg's objective.
    public var proximalMu: Double = 0
    /// Whether each device keeps its optimizer state (AdamW's moments, the step count and so the
    /// schedule's position) from one task to its next, as DiLoCo's workers do; false starts every
    /// task from a fresh state.
    public var persistentOptimizerState = false

    /// The device optimizer at the training learning rate.
    public var deviceOptimizer: Optimizer { optimizer.optimizer(learningRate: learningRate) }
}

/// FedAsync (Xie, Koyejo, Gupta 2019): mix each arriving model in with weight alpha * s(staleness).
public struct FedAsyncSpec: Codable, Equatable, Sendable {
    public var alpha: Double
    public var staleness: StalenessFunction
}

/// Staleness functions s(t) of Xie et al. 2019: constant 1; polynomial (t + 1)^-a;
/// hinge 1 for t <= b, else 1 / (a (t - b) + 1).
public struct StalenessFunction: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case constant, polynomial, hinge }
    public var kind: Kind
    public var a: Double
    public var b: Double

    /// s(t).
    public func weight(_ staleness: Int) -> Double {
        let t = Double(staleness)
        switch kind {
        case .constant: return 1
        case .polynomial: return pow(t + 1, -a)
        case .hinge: return t <= b ? 1 : 1 / (a * (t - b) + 1)
        }
    }
}

/// FedBuff (Nguyen et al. 2022): apply the average of every `bufferSize` updates (its server
/// learning rate is `TrainingSpec.server`'s).
public struct FedBuffSpec: Codable, Equatable, Sendable {
    public var bufferSize: Int
    /// Updates staler than this are discarded (and counted); nil keeps all.
    public var maxStaleness: Int?
}

/// When and how the global model is evaluated.
public struct EvaluationSpec: Codable, Equatable, Sendable {
    /// Evaluate every this many rounds (the last round is always evaluated).
    public var every: Int
    /// The target accuracy for time- and samples-to-target; nil: 95% of the baseline's best.
    public var targetAccuracy: Double?
    /// Stop federated training once the target is reached.
    public var stopAtTarget: Bool
    /// The target is reached at the first evaluation from which accuracy stays at or above it for
    /// this many consecutive evaluations (that one included), on both sides.
    public var targetConsecutive: Int = 3
    /// The target on any metric (`evaluation.target`); `targetAccuracy` is the accuracy form.
    public var target: MetricTarget? = nil
    /// Evaluate on at most this many held-out samples (a fixed seeded subsample); nil for all.
    public var maxSamples: Int? = nil
}

/// The centralized baseline: the same model trained on the pooled training data.
public struct BaselineSpec: Codable, Equatable, Sendable {
    /// The device that trains it (a profile name); jitter and speed factors are not applied.
    public var profileName: String
    public var profile: DeviceProfile
    /// Passes over the pooled training data.
    public var epochs: Int
    /// Evaluations per epoch.
    public var evaluationsPerEpoch: Int
    /// SGD learning rate of the baseline (default: the federated `training.learningRate`).
    public var learningRate: Double
    /// Minibatch size of the baseline (default: the federated `training.batchSize`).
    public var batchSize: Int
    /// Add to the equal-compute reference's time the time for every device to upload its raw
    /// training rows over its own uplink.
    public var includeDataCollection = false
    /// The baseline's optimizer (default: the device optimizer `training.optimizer`), at `learningRate`.
    public var optimizer: OptimizerSpec = .sgd
    /// Stop at the first evaluation at or after this many steps (nil: run every epoch); evaluations are spread over
    /// min(maxSteps, steps per epoch) steps and the round column counts epochs as samples / n.
    public var maxSteps: Int? = nil
}
