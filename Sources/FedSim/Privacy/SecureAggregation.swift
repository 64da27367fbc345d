// Secure aggregation for one cohort: real X25519 keys, real Shamir shares, real AES-GCM
// ciphertexts, real ChaCha20 masks, and the exact byte size of every message.
//
// Reference: K. Bonawitz, V. Ivanov, B. Kreuter, A. Marcedone, H. B. McMahan, S. Patel,
// D. Ramage, A. Segal, K. Seth, "Practical Secure Aggregation for Privacy-Preserving Machine
// Learning", ACM CCS 2017 (below: Bonawitz et al. 2017). Shamir secret sharing: A. Shamir,
// "How to share a secret", CACM 1979.
//
// Variant: the semi-honest ("honest-but-curious") server protocol of Bonawitz et al. 2017
// (Figure 4 without the signatures and without the ConsistencyCheck round of the active
// variant). The server follows the protocol; it learns only the sum of the surviving inputs as
// long as at most t - 1 devices collude with it. Dropouts are handled as in the paper: pairwise
// masks of devices that vanish after ShareKeys are removed from Shamir shares of their mask
// private key, and self masks of survivors from shares of their self-mask seeds.
//
// Rounds (U1 ⊇ U2 ⊇ U3 = the devices that sent each round's message):
//   0 AdvertiseKeys     every device u generates X25519 key pairs (c_u: share encryption,
//                       s_u: masks) and sends (c_u^PK, s_u^PK). U1 = all devices.
//   1 ShareKeys         the server broadcasts U1's keys; each u ∈ U2 = U1 \ dropBeforeShareKeys
//                       picks a self-mask seed b_u, Shamir-shares b_u and s_u^SK among U1 with
//                       threshold t, and sends to each v ≠ u the AES-GCM encryption (key: HKDF of
//                       X25519(c_u^SK, c_v^PK)) of u ‖ v ‖ share(s_u^SK) ‖ share(b_u).
//   2 MaskedInput       the server routes to each v the ciphertexts addressed to it; each
//                       u ∈ U3 = U2 \ dropAfterShareKeys sends
//                       y_u = x_u + PRG(b_u) + Σ_{v∈U2, v>u} PRG(s_uv) − Σ_{v∈U2, v<u} PRG(s_uv)
//                       in Z_{2^b}, where s_uv = HKDF(X25519(s_u^SK, s_v^PK)).
//   3 Unmasking         the server sends U3; each u ∈ U3 decrypts its ciphertexts and returns
//                       the share of s_v^SK for every v ∈ U2 \ U3 and of b_v for every v ∈ U3
//                       (never both for one v). With ≥ t responses the server reconstructs,
//                       recomputes and removes the masks: Σ_{u∈U3} y_u − Σ_{u∈U3} PRG(b_u)
//                       − Σ_{v∈U2\U3} Σ_{u∈U3} ±PRG(s_uv) = Σ_{u∈U3} x_u exactly (mod 2^b).
// The server aborts (a failure value, never a trap) as soon as fewer than t devices remain.
//
// Primitives (swift-crypto): X25519 (Curve25519.KeyAgreement), HKDF-SHA256, AES-256-GCM for the
// share pairs, and PRG(seed) = the ChaCha20 keystream under key = seed (ChaChaPoly.seal of zero
// bytes, tag discarded), read as little-endian b/8-byte words. Shamir shares live in
// GF(2^61 − 1) (SecureAggregationShamir.swift). Message layouts and sizes: `SecureAggregation.Wire`.
//
// Reproducibility, NOT production: every private key, seed, polynomial coefficient and nonce is
// derived deterministically from (seed, device, purpose) by HKDF-SHA256, so the same seed gives
// the same bytes. Real deployments must draw keys from system randomness and never reuse them.

import Crypto
import FedMath
import Foundation

// MARK: - Configuration

/// Parameters of secure aggregation: Shamir threshold, the integer encoding of the inputs, and
/// the ring.
///
/// Encoding (see `SecureAggregation.encode`): a coordinate is clipped to [-clip, clip], multiplied
/// by the scale and rounded to an integer, stored in the ring Z_{2^ringBits} in two's complement.
/// - Fixed point (`levels == nil`): scale 2^fractionalBits, rounding to nearest (ties away from
///   zero), so |decoded − clipped| <= 2^-(f+1).
/// - Stochastic levels (`levels == L`): scale L / clip, so the integers are −L...L on a grid of
///   step clip / L, and rounding is stochastic (Gupta, Agrawal, Gopalakrishnan, Narayanan 2015,
///   "Deep Learning with Limited Numerical Precision"): E[decoded] = clipped and
///   |decoded − clipped| < clip / L. L = 127 is the 8-bit quantization of the uplink codec
///   `uint8`, on a grid the whole cohort shares (the plain codec's per-vector min-max grid cannot
///   be summed under masks).
/// The sum of n encodings lies in [-n·M, n·M] with M = the largest encoded magnitude; it decodes
/// exactly iff 2·n·M < 2^ringBits, which `validate(cohortSize:)` checks (an overflow is reported,
/// never wrapped silently).
public struct SecureAggregationConfig: Sendable, Equatable {
    /// Shamir threshold t: the minimum number of devices that must survive to unmask the sum,
    /// and one more than the number of devices that may collude with the server.
    public var threshold: Int
    /// Clipping bound c > 0: coordinates outside [-c, c] are clipped to the bound.
    public var clip: Double
    /// Fractional bits f of the fixed-point encoding (resolution 2^-f), 0...62; unused when
    /// `levels` is set.
    public var fractionalBits: Int
    /// Ring size b: arithmetic in Z_{2^b}, 8...64. A masked input is packed in b bits per
    /// coordinate on the wire.
    public var ringBits: Int
    /// When set (L >= 1), stochastic rounding to the integer levels −L...L over [-clip, clip]
    /// instead of fixed point; 127 is 8-bit.
    public var levels: Int?

    public init(threshold: Int, clip: Double = 1.0, fractionalBits: Int = 16, ringBits: Int = 32, levels: Int? = nil) {
        self.threshold = threshold
        self.clip = clip
        self.fractionalBits = fractionalBits
        self.ringBits = ringBits
        self.levels = levels
    }

    /// The levels of 8-bit quantization: the integers −127...127.
    public static let eightBitLevels = 127

    /// The valid ring sizes.
    public static let ringBitsRange = 8...64

    /// A threshold of ⌈2n/3⌉: tolerates n/3 dropouts (Bonawitz et al. 2017 evaluate 1/3) and
    /// exceeds n/2, so the server plus fewer than t colluding devices learn nothing more.
    public static func defaultThreshold(cohortSize n: Int) -> Int {
        max(1, (2 * n + 2) / 3)
    }

    /// The smallest ring that holds the sum of n inputs of magnitude at most `magnitude`:
    /// the least b >= 8 with 2·n·M < 2^b (nil if even 64 bits do not suffice).
    public static func smallestRingBits(cohortSize n: Int, magnitude m: Int) -> Int? {
        let (total, overflow) = UInt64(max(n, 1)).multipliedReportingOverflow(by: UInt64(max(m, 1)))
        guard !overflow, total < (1 << 63) else { return nil }
        return max(8, UInt64.bitWidth - total.leadingZeroBitCount + 1)
    }

    /// The integers per unit: 2^fractionalBits (fractionalBits clamped to 0...62), or L / clip
    /// with levels.
    public var scale: Double {
        if let levels { return Double(levels) / clip }
        return exp2(Double(min(max(fractionalBits, 0), 62)))
    }

    /// The ring's width clamped to 2...64, so that encoding never traps on an invalid ring.
    var clampedRingBits: Int { min(max(ringBits, 2), 64) }

    /// 2^b - 1: reduces a UInt64 mod 2^b.
    var ringMask: UInt64 { clampedRingBits == 64 ? .max : (1 << UInt64(clampedRingBits)) - 1 }

    /// M, the largest magnitude of one encoded coordinate: L with levels, else round(clip · 2^f);
    /// nil when clip, fractionalBits or levels are invalid or M >= 2^63.
    public var maxEncodedMagnitude: UInt64? {
        guard clip.isFinite, clip > 0 else { return nil }
        if let levels { return levels >= 1 ? UInt64(levels) : nil }
        guard (0...62).contains(fractionalBits) else { return nil }
        let m = (clip * scale).rounded(.toNearestOrAwayFromZero)
        guard m < 9_223_372_036_854_775_808.0 else { return nil }  // 2^63
        return UInt64(m)
    }

    /// The largest cohort whose sum fits the ring: ⌊(2^(b-1) - 1) / M⌋ (0 if the encoding itself
    /// is invalid).
    public var maxCohortSize: Int {
        guard Self.ringBitsRange.contains(ringBits), let m = maxEncodedMagnitude, m > 0 else { return 0 }
        let half: UInt64 = 1 << UInt64(ringBits - 1)
        return Int(clamping: (half - 1) / m)
    }

    /// nil when the configuration can aggregate `cohortSize` inputs; otherwise the reason:
    /// cohort < 1, ringBits outside 8...64, threshold < 1 or > n, clip not finite and positive,
    /// fractionalBits outside 0...62 or levels < 1, an encoding whose largest value rounds to 0, or
    /// overflow risk (2·n·M >= 2^b).
    public func validate(cohortSize n: Int) -> String? {
        if n < 1 { return "cohort size \(n) < 1" }
        if !Self.ringBitsRange.contains(ringBits) { return "ringBits \(ringBits) unsupported: use 8...64" }
        if threshold < 1 { return "threshold \(threshold) < 1" }
        if threshold > n {
            return "threshold \(threshold) > cohort size \(n): the sum could never be unmasked"
        }
        if !(clip.isFinite && clip > 0) { return "clip must be finite and > 0, got \(clip)" }
        if let levels, levels < 1 { return "levels \(levels) < 1" }
        if levels == nil, !(0...62).contains(fractionalBits) { return "fractionalBits \(fractionalBits) outside 0...62" }
        guard let m = maxEncodedMagnitude else {
            return "overflow: clip·2^f = \(clip * scale) ≥ 2^63 does not fit a 64-bit fixed-point encoding"
        }
        if m == 0 {
            return "clip·2^f = \(clip * scale) rounds to 0: every coordinate would encode as 0; raise fractionalBits"
        }
        let (total, overflow) = UInt64(n).multipliedReportingOverflow(by: m)
        let half: UInt64 = 1 << UInt64(ringBits - 1)
        if overflow || total >= half {
            let remedy = levels != nil
                ? "use a ring of at least \(Self.smallestRingBits(cohortSize: n, magnitude: Int(m)).map(String.init) ?? "65") bits"
                : "lower clip or fractionalBits, or use a wider ring"
            return "overflow risk: 2·n·M = 2·\(n)·\(m) ≥ 2^\(ringBits), so Z_2^\(ringBits) "
                + "cannot hold the sum of \(n) inputs (at most \(maxCohortSize) fit); " + remedy
        }
        return nil
    }
}

// MARK: - Costs

/// Counts of the expensive operations of one party in one or more rounds. Units: each field
/// counts one operation of its kind; `total` adds them with weight 1 (a simulator that needs
/// time should weight them, e.g. a PRG expansion costs O(d), the others O(1) or O(t)).
public struct SecureAggregationOperations: Sendable, Equatable {
    /// X25519 key-pair generations (device: 2 in AdvertiseKeys; server: one public-key check per
    /// reconstructed mask private key).
    public var keyGenerations: Int
    /// X25519 agreements, each followed by one HKDF-SHA256 derivation.
    public var keyAgreements: Int
    /// Shamir shares computed: one 32-byte secret (5 field elements) evaluated at one point.
    public var shareComputations: Int
    /// AES-GCM seals/opens of one share pair (88 plaintext bytes).
    public var aeadOperations: Int
    /// PRG expansions of one 32-byte seed into d ring elements (ChaCha20 keystream).
    public var prgExpansions: Int
    /// Shamir reconstructions of one 32-byte secret (server only).
    public var reconstructions: Int

    public init(
        keyGenerations: Int = 0, keyAgreements: Int = 0, shareComputations: Int = 0,
        aeadOperations: Int = 0, prgExpansions: Int = 0, reconstructions: Int = 0
    ) {
        self.keyGenerations = keyGenerations
        self.keyAgreements = keyAgreements
        self.shareComputations = shareComputations
        self.aeadOperations = aeadOperations
        self.prgExpansions = prgExpansions
        self.reconstructions = reconstructions
    }

    /// The unweighted number of operations.
    public var total: Int {
        keyGenerations + keyAgreements + shareComputations + aeadOperations + prgExpansions + reconstructions
    }

    public static func + (a: Self, b: Self) -> Self {
        Self(
            keyGenerations: a.keyGenerations + b.keyGenerations, keyAgreements: a.keyAgreements + b.keyAgreements,
            shareComputations: a.shareComputations + b.shareComputations,
            aeadOperations: a.aeadOperations + b.aeadOperations, prgExpansions: a.prgExpansions + b.prgExpansions,
            reconstructions: a.reconstructions + b.reconstructions)
    }
}

/// The four rounds of Bonawitz et al. 2017 (semi-honest variant).
public enum SecureAggregationRound: Int, Sendable, Equatable, CaseIterable {
    case advertiseKeys = 0, shareKeys = 1, maskedInputCollection = 2, unmasking = 3
}

/// One round's traffic and work. A round's download is the server message that opens it
/// (key list for ShareKeys, routed ciphertexts for MaskedInputCollection, survivor list for
/// Unmasking); its upload is the devices' reply.
public struct SecureAggregationRoundCost: Sendable, Equatable {
    public var round: SecureAggregationRound
    public var bytesUpPerDevice: [Int]
    public var bytesDownPerDevice: [Int]
    public var deviceOperations: [SecureAggregationOperations]
    public var serverOperations: SecureAggregationOperations

    public init(round: SecureAggregationRound, devices n: Int) {
        self.round = round
        bytesUpPerDevice = Array(repeating: 0, count: n)
        bytesDownPerDevice = Array(repeating: 0, count: n)
        deviceOperations = Array(repeating: SecureAggregationOperations(), count: n)
        serverOperations = SecureAggregationOperations()
    }
}

/// Traffic and work of one secure aggregation, per device (index = position in `inputs`) and
/// for the server. Byte counts are the sizes of the messages actually built (see
/// `SecureAggregation.Wire` for the formulas); a device that vanished sends and receives nothing
/// afterwards.
public struct SecureAggregationCost: Sendable, Equatable {
    /// Everything each device sent: keys, encrypted shares, masked input, unmasking shares.
    public var bytesUpPerDevice: [Int]
    /// Everything each device received: key list, routed ciphertexts, survivor list.
    public var bytesDownPerDevice: [Int]
    /// `SecureAggregationOperations.total` per device (unweighted count of X25519 generations and
    /// agreements, Shamir shares, AEAD seals/opens and d-element PRG expansions).
    public var deviceOperations: [Int]
    /// The server's unweighted operation count (reconstructions, agreements, PRG expansions,
    /// public-key checks).
    public var serverOperations: Int
    /// What a plain (unmasked) upload of the same fixed-point vector would have been:
    /// header + d·b/8 bytes (`Wire.plainUpdate`). Expansion factor = bytesUp / plainUpdateBytes.
    public var plainUpdateBytes: Int
    /// The rounds that ran, in order (fewer than four when the protocol aborted), with the
    /// per-round split of the totals above and the operation breakdown.
    public var rounds: [SecureAggregationRoundCost]

    public init(devices n: Int, plainUpdateBytes: Int, rounds: [SecureAggregationRoundCost] = []) {
        self.plainUpdateBytes = plainUpdateBytes
        self.rounds = rounds
        bytesUpPerDevice = Array(repeating: 0, count: n)
        bytesDownPerDevice = Array(repeating: 0, count: n)
        deviceOperations = Array(repeating: 0, count: n)
        serverOperations = 0
        for r in rounds {
            for i in 0..<min(n, r.bytesUpPerDevice.count) {
                bytesUpPerDevice[i] += r.bytesUpPerDevice[i]
                bytesDownPerDevice[i] += r.bytesDownPerDevice[i]
                deviceOperations[i] += r.deviceOperations[i].total
            }
            serverOperations += r.serverOperations.total
        }
    }

    /// Operation breakdown of device i over all rounds.
    public func deviceOperationBreakdown(_ i: Int) -> SecureAggregationOperations {
        rounds.reduce(SecureAggregationOperations()) { $0 + $1.deviceOperations[i] }
    }

    /// The server's operation breakdown over all rounds.
    public var serverOperationBreakdown: SecureAggregationOperations {
        rounds.reduce(SecureAggregationOperations()) { $0 + $1.serverOperations }
    }

    /// bytesUpPerDevice[i] / plainUpdateBytes.
    public func expansionFactor(device i: Int) -> Double {
        Double(bytesUpPerDevice[i]) / Double(plainUpdateBytes)
    }
}

/// Outcome of one secure aggregation.
public struct SecureAggregationResult: Sendable {
    /// The decoded sum of the surviving inputs (fixed-point sum / 2^f); nil when the round failed.
    public var sum: [Double]?
    /// The unmasked sum in Z_{2^b} (values < 2^b); empty when the round failed.
    public var fixedPointSum: [UInt64]
    public var cost: SecureAggregationCost
    /// Why the protocol aborted (invalid configuration, fewer than t devices left, …); nil on success.
    public var failure: String?
    /// U3: the devices whose inputs are in the sum (empty when the round failed).
    public var survivors: [Int]
}

// MARK: - Entry points

/// Secure aggregation (Bonawitz et al. 2017) of one cohort, semi-honest server variant.
/// See the file header for the rounds and `Wire` for the message sizes.
public enum SecureAggregation {
    /// Runs the whole protocol for one cohort. `inputs[i]` is device i's update (all of one
    /// dimension d). `dropBeforeShareKeys`: devices that advertise keys and then vanish before
    /// sending ShareKeys (they are excluded from the masks and the sum; a device in both sets
    /// counts here). `dropAfterShareKeys`: devices that vanish after sending their encrypted
    /// shares, before the masked input (their pairwise masks are removed via Shamir shares).
    /// Randomness is derived from `seed` (same seed → same bytes). Never traps: invalid input or
    /// fewer than `threshold` remaining devices give `sum == nil` and a `failure` message.
    public static func run(
        inputs: [[Float]], config: SecureAggregationConfig, dropBeforeShareKeys: Set<Int> = [],
        dropAfterShareKeys: Set<Int> = [], seed: UInt64
    ) -> SecureAggregationResult {
        var trace = SecureAggregationTrace(recordMaskedInputs: false)
        return SecureAggregationProtocol.execute(
            inputs: inputs, config: config, dropBeforeShareKeys: dropBeforeShareKeys,
            dropAfterShareKeys: dropAfterShareKeys, seed: seed, trace: &trace)
    }

    /// The encoding alone (see `SecureAggregationConfig`): each coordinate is clipped to
    /// [-clip, clip] (NaN → 0, ±∞ → ±clip), scaled, rounded (to nearest, ties away from zero; or
    /// stochastically with `levels`, from a stream seeded with `seed`) and reduced into Z_{2^b} in
    /// two's complement. For a configuration that fails `validate(cohortSize: 1)` magnitudes
    /// saturate at 2^(b-1) - 1 instead of trapping.
    public static func encode(_ x: [Float], config: SecureAggregationConfig, seed: UInt64 = 0) -> [UInt64] {
        let bits = config.clampedRingBits
        let mask = config.ringMask
        let limit = exp2(Double(bits - 1))
        let maxQ = Int64(bitPattern: (UInt64(1) << UInt64(bits - 1)) - 1)
        let c = config.clip > 0 ? config.clip : 0
        let scale = config.scale
        let stream = config.levels != nil ? RandomStream(seed: seed) : nil
        return x.map { value in
            var v = Double(value)
            if v.isNaN { v = 0 }
            v = min(max(v, -c), c)
            var q = v * scale
            if let stream {
                let low = q.rounded(.down)
                q = stream.uniform() < q - low ? low + 1 : low
            } else {
                q = q.rounded(.toNearestOrAwayFromZero)
            }
            let qi: Int64 = q.isNaN ? 0 : (q >= limit ? maxQ : (q <= -limit ? -maxQ : Int64(q)))
            return UInt64(bitPattern: qi) & mask
        }
    }

    /// The seed of device `device`'s stochastic rounding in a protocol run seeded with `seed`.
    public static func encodingSeed(protocolSeed seed: UInt64, device: Int) -> UInt64 {
        StreamSeed.derive(seed, purpose: .secureAggregation, ids: [UInt64(device)])
    }

    /// Decodes ring elements (e.g. `fixedPointSum`): the two's-complement value in
    /// [-2^(b-1), 2^(b-1)) divided by the scale.
    public static func decode(_ ring: [UInt64], config: SecureAggregationConfig) -> [Double] {
        let scale = config.scale
        let shift = UInt64(64 - config.clampedRingBits)
        return ring.map { r in
            // Sign-extend the low `bits` bits.
            Double(Int64(bitPattern: r << shift) >> Int64(shift)) / scale
        }
    }

    /// Ring sum of encodings (mod 2^b), each device's rounding seeded as in a protocol run with
    /// `seed`: the exact value the protocol must reproduce.
    public static func plainFixedPointSum(_ inputs: [[Float]], config: SecureAggregationConfig, seed: UInt64 = 0) -> [UInt64] {
        let mask = config.ringMask
        guard let d = inputs.first?.count else { return [] }
        var sum = [UInt64](repeating: 0, count: d)
        for (u, x) in inputs.enumerated() {
            let encoded = encode(x, config: config, seed: encodingSeed(protocolSeed: seed, device: u))
            for (i, e) in encoded.enumerated() where i < d { sum[i] = sum[i] &+ e }
        }
        return sum.map { $0 & mask }
    }
}
