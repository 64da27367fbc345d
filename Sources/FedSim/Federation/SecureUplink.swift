import FedMath

/// How a round's updates travel under secure aggregation (Bonawitz et al. 2017, see
/// `SecureAggregation`). Pairwise masks cancel only in a coordinate-wise sum of vectors that have
/// the same coordinates and the same integer grid, so the uplink codec decides two things the whole
/// cohort shares:
/// - which coordinates are masked: all of them (`dense`, `uint8`), or for random-k the k chosen by
///   one seed per round, the same for every device of the cohort: the random-mask structured update
///   of Konečný, McMahan, Yu, Richtárik, Suresh, Bacon 2016 ("Federated Learning: Strategies for
///   Improving Communication Efficiency"), with the seed shared by the round instead of drawn per
///   device. As with plain random-k only the values travel.
/// - how values become ring elements: fixed point with `fractionalBits` (`dense`, random-k with
///   float32 values), or 8-bit stochastic levels −127...127 on the grid [-clip, clip]
///   (`uint8`, random-k with uint8 values), unbiased (Gupta et al. 2015; `SecureAggregationConfig`).
///   The ring is as wide as the cohort's sum needs, so an 8-bit input costs ⌈log2(n·127)⌉ + 1 bits.
/// Top-k (each device picks its own coordinates), QSGD, scaled sign and QSGD-coded values carry
/// per-device indices or scales that a masked sum cannot combine; the scenario loader rejects them.
///
/// Error feedback stays on the device: its memory keeps what random-k did not send. The rounding
/// to the ring is not fed back (fixed point is within 2^-(f+1), 8-bit rounding is unbiased).
struct SecureUplink {
    let spec: SecureAggregationSpec
    /// What a device applies before masking: dense, or random-k with float32 values.
    let deviceCodec: CodecSpec
    /// 127 for 8-bit values, nil for fixed point.
    let levels: Int?

    /// Whether `codec` can be combined with secure aggregation (see the type's documentation).
    static func combines(with codec: CodecSpec) -> Bool {
        switch codec {
        case .dense, .uniform8, .randomK(_, .float32), .randomK(_, .uniform8): true
        case .topK, .randomK(_, .qsgd), .qsgd, .scaledSign: false
        }
    }

    /// Whether `codec` puts its values on the 8-bit grid under secure aggregation.
    static func usesEightBitLevels(_ codec: CodecSpec) -> Bool {
        switch codec {
        case .uniform8, .randomK(_, .uniform8): true
        default: false
        }
    }

    /// Requires `SecureUplink.combines(with: uplink)` (the scenario loader checks it).
    init(spec: SecureAggregationSpec, uplink: CodecSpec) {
        precondition(Self.combines(with: uplink), "\(uplink) cannot be combined with secure aggregation")
        self.spec = spec
        levels = Self.usesEightBitLevels(uplink) ? SecureAggregationConfig.eightBitLevels : nil
        if case .randomK(let fraction, _) = uplink {
            deviceCodec = .randomK(fraction: fraction, values: .float32)
        } else {
            deviceCodec = .dense
        }
    }

    /// The protocol's configuration for a cohort of n devices.
    func config(cohortSize n: Int) -> SecureAggregationConfig {
        SecureAggregationConfig(threshold: spec.threshold ?? SecureAggregationConfig.defaultThreshold(cohortSize: n),
                                clip: spec.clip, fractionalBits: spec.fractionalBits, ringBits: spec.ringBits, levels: levels)
    }

    /// The codec context of every upload of `round`: one seed for the whole cohort.
    func context(scenarioSeed: UInt64, round: Int) -> CodecContext {
        CodecContext(seed: StreamSeed.derive(scenarioSeed, purpose: .secureAggregation, ids: [UInt64(round), 1]))
    }

    /// The coordinates masked by every device of a round with `context`: 0..<d, or random-k's k
    /// indices in the order the codec draws them.
    func coordinates(dimension d: Int, context: CodecContext) -> [Int] {
        let k = UpdateCodec(deviceCodec).keptCount(dimension: d)
        guard k < d else { return Array(0 ..< d) }
        return [Int](unsafeUninitializedCapacity: k) { buffer, count in
            CoordinateSelection.randomK(dimension: d, stream: context.makeStream(), into: buffer)
            count = k
        }
    }

    /// The size of a masked input, the upload that carries a device's update.
    func maskedInputBytes(dimension d: Int) -> Int {
        SecureAggregation.Wire.maskedInput(dimension: UpdateCodec(deviceCodec).keptCount(dimension: d), ringBits: spec.ringBits)
    }
}
