import FedMath

// Notation used in the size formulas throughout this folder:
//   d          the dimension (number of floats in the update)
//   k          the number of kept coordinates of a sparsifier, `UpdateCodec.keptCount(fraction:dimension:)`
//   s          the number of QSGD levels, b(s) = ceil(log2(s + 1)) = the bit width of s
//   varint(n)  the length in bytes of n as an unsigned LEB128 varint (1 byte per 7 bits, at least 1)
//   V(c, n)    the size of n values under the value coding c (see `ValueCoding`)

/// A compression scheme for a Float vector (a model update). Values are pure configuration.
///
/// Every encoded message starts with a one-byte tag naming the scheme (and, for sparsifiers, the
/// value coding), so a decoder configured with a different scheme fails with `CodecError` instead
/// of misreading the payload. All multi-byte fields are little-endian. Exact message sizes:
///
/// | spec                    | bytes                                                              |
/// |-------------------------|--------------------------------------------------------------------|
/// | `dense`                 | 1 + 4d                                                             |
/// | `topK(f, c)`            | 1 + varint(k) + 1 + min(Σ varint(gap), ceil(d/8)) + V(c, k)  (data-dependent) |
/// | `randomK(f, c)`         | 1 + V(c, k)                                                        |
/// | `qsgd(s)`               | 1 + 4 + ceil(d · (1 + b(s)) / 8)                                   |
/// | `uniform8`              | 1 + 8 + d                                                          |
/// | `scaledSign`            | 1 + 4 + ceil(d / 8)                                                |
public enum CodecSpec: Sendable, Equatable, Hashable {
    /// No compression: the update as little-endian float32. Lossless.
    ///
    /// Size: 1 + 4d bytes.
    case dense

    /// Top-k sparsification (Stich, Cordonnier, Jaggi 2018, "Sparsified SGD with memory";
    /// Lin, Han, Mao, Wang, Dally 2018, "Deep Gradient Compression"): keeps the k coordinates of
    /// largest magnitude, k = `UpdateCodec.keptCount(fraction:dimension:)`, and zeroes the rest.
    ///
    /// Selection is deterministic: ties in magnitude are broken in favour of the lower index, and a
    /// NaN coordinate ranks as if its magnitude were +∞ (so it is transmitted and the server sees it).
    ///
    /// Layout: tag, varint(k), a 1-byte index-format flag, the index block, then the k kept values in
    /// ascending index order under `values`. The index block is whichever is smaller of
    /// - flag 0, gaps: for each kept index in ascending order, varint(index - previous - 1), where
    ///   `previous` is -1 for the first index (so the first entry is the index itself and adjacent
    ///   indices cost one zero byte); Σ varint(gap) bytes;
    /// - flag 1, bitmap: ceil(d/8) bytes, bit i (least significant bit first within each byte) set
    ///   when coordinate i is kept; padding bits are zero.
    /// The gap form is used only when strictly smaller than the bitmap.
    ///
    /// Size: 1 + varint(k) + 1 + min(Σ varint(gap), ceil(d/8)) + V(values, k): depends on the data,
    /// so `UpdateCodec.predictedSize(dimension:)` is nil; `maximumSize(dimension:)` bounds it.
    case topK(fraction: Double, values: ValueCoding)

    /// Random-k sparsification (Stich, Cordonnier, Jaggi 2018): keeps k coordinates chosen
    /// uniformly at random from the context seed. The encoder and the decoder both regenerate the
    /// indices from `CodecContext.seed`, so only the values travel.
    ///
    /// The indices are the first k entries of a partial Fisher-Yates shuffle of 0..<d: for
    /// j = 0..<k, swap entry j with entry j + uniformInt(d - j). When k == d no draws are made and
    /// the indices are 0..<d. The values travel in that (unsorted) order. Any randomness of the value
    /// coding continues on the same stream after the index draws.
    ///
    /// Decoded values are *not* rescaled: the result is the biased but contractive operator
    /// (E||C(v) - v||² = (1 - k/d)||v||²) that error feedback is designed for. The unbiased variant
    /// would multiply each kept value by d/k.
    ///
    /// Size: 1 + V(values, k).
    case randomK(fraction: Double, values: ValueCoding)

    /// QSGD (Alistarh, Grubic, Li, Tomioka, Vojnovic 2017, "QSGD: Communication-Efficient SGD via
    /// Gradient Quantization and Encoding"), stochastic and unbiased: E[decoded] = v, and
    /// E||Q(v) - v||² <= min(d/s², √d/s) ||v||² (Lemma 3.1). See `ValueCoding.qsgd(levels:)` for
    /// the layout; this codec applies it to the whole vector.
    ///
    /// Size: 1 + 4 + ceil(d · (1 + b(s)) / 8), b(s) = ceil(log2(s + 1)).
    case qsgd(levels: Int)

    /// Uniform 8-bit quantization between the minimum and the maximum of the vector, with
    /// stochastic rounding, so it is unbiased (the stochastic-rounding quantizer of Gupta, Agrawal,
    /// Gopalakrishnan, Narayanan 2015, "Deep Learning with Limited Numerical Precision", on a
    /// min-max grid). See `ValueCoding.uniform8` for the layout and the error bound; this codec
    /// applies it to the whole vector.
    ///
    /// Size: 1 + 8 + d.
    case uniform8

    /// Scaled sign (Karimireddy, Rebjock, Stich, Jaggi 2019, "Error Feedback Fixes SignSGD and other
    /// Gradient Compression Schemes"): C(v) = (||v||₁ / d) · sign(v), the compressor of EF-signSGD.
    /// Biased; meant to be used with `ErrorFeedback`.
    ///
    /// Layout: tag, the scale ||v||₁/d as float32 (the L1 norm is summed in Double), then d sign
    /// bits, least significant bit first, bit = 1 for a negative coordinate. Zero (and NaN)
    /// coordinates get bit 0 and decode to +scale; padding bits are zero. A vector of zeros decodes
    /// to zeros (scale 0). NaN or ±∞ input makes the scale non-finite.
    ///
    /// Size: 1 + 4 + ceil(d / 8).
    case scaledSign
}

/// How the kept values of a sparsifier (`topK`, `randomK`) are coded. The same codings, applied to
/// the whole vector, are the `CodecSpec.uniform8` and `CodecSpec.qsgd(levels:)` codecs.
///
/// Sizes for n values, V(c, n):
/// - `float32`: 4n
/// - `uniform8`: 8 + n
/// - `qsgd(s)`: 4 + ceil(n · (1 + b(s)) / 8), b(s) = ceil(log2(s + 1))
public enum ValueCoding: Sendable, Equatable, Hashable {
    /// Little-endian IEEE float32, exact. 4n bytes.
    case float32

    /// Stochastic uniform 8-bit quantization (Gupta et al. 2015 stochastic rounding on a min-max
    /// grid). 8 + n bytes.
    ///
    /// Layout: lo = min and hi = max of the finite values as float32, then one byte q per value.
    /// With step = (hi - lo)/255 (computed in Double), a value x is written as
    /// q = floor(r) + Bernoulli(r - floor(r)), r = (x - lo)/step, so the decoded lo + q·step
    /// satisfies E[decoded] = x (unbiased) and |decoded - x| < step: the error is at most one
    /// quantization step, plus the float32 rounding of the output. A constant vector (step 0,
    /// including all zeros) decodes exactly with no random draws. If any value is NaN or ±∞ the
    /// header is (NaN, NaN), every q is 0 and every value decodes to NaN.
    case uniform8

    /// QSGD with s levels (Alistarh et al. 2017), stochastic and unbiased.
    /// 4 + ceil(n · (1 + b(s)) / 8) bytes, b(s) = ceil(log2(s + 1)).
    ///
    /// Layout: the L2 norm N (summed in Double) as float32, then for each value a (1 + b)-bit field,
    /// fields packed least significant bit first: bit 0 is the sign (1 = negative; 0 when the
    /// level is 0), bits 1...b the level ξ in 0...s. With r = |x|/N · s, ξ = floor(r) + Bernoulli(r - floor(r)),
    /// and x decodes to sign · N · ξ / s, so E[decoded] = x. The paper's Elias coding of the levels is
    /// not used: the fixed width makes the size independent of the data. A zero vector decodes to
    /// zeros; if the norm is not finite (NaN or ±∞ input, or a norm that overflows float32) it is
    /// written as NaN with all levels 0, and every value decodes to NaN. 1 <= s <= 65535.
    case qsgd(levels: Int)
}

/// Randomness shared by the encoder and the decoder. The server knows it too, which is what lets
/// random-k send values without indices.
///
/// The codecs seed one `RandomStream` per message with `seed ^ (seed >> 32)`: GSL's MT19937 keeps
/// only the low 32 bits of a seed, and the fold keeps the high half of the seed significant.
/// Seeds from `StreamSeed.derive` (already folded) are the intended input; see
/// `init(scenarioSeed:device:task:)`.
public struct CodecContext: Sendable, Equatable, Hashable {
    /// The seed of the message's random stream (random-k indices, stochastic rounding).
    public var seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The context of the message sent by `device` for `task` under the scenario seed, derived with
    /// `StreamSeed.derive(scenarioSeed, purpose: .compression, ids: [device, task])`.
    public init(scenarioSeed: UInt64, device: UInt64, task: UInt64) {
        self.seed = StreamSeed.derive(scenarioSeed, purpose: .compression, ids: [device, task])
    }

    /// A fresh stream for one message.
    func makeStream() -> RandomStream {
        RandomStream(seed: seed ^ (seed >> 32))
    }
}

/// Why a decoder rejected a message. Decoders never trap on message content.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message is truncated, too long, has the wrong tag or holds an impossible field.
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed compressed update: \(reason)"
        }
    }
}

extension CodecSpec: CustomStringConvertible {
    public var description: String {
        switch self {
        case .dense: "dense"
        case .topK(let fraction, let values): "topK(\(fraction), \(values))"
        case .randomK(let fraction, let values): "randomK(\(fraction), \(values))"
        case .qsgd(let levels): "qsgd(\(levels))"
        case .uniform8: "uniform8"
        case .scaledSign: "scaledSign"
        }
    }

    /// Why this spec cannot be used, or nil when it is valid. `UpdateCodec.init` traps on an invalid
    /// spec; call this first to report configuration errors instead.
    ///
    /// Rules: sparsifier fractions must be in (0, 1]; QSGD levels in 1...65535.
    public var configurationError: String? {
        switch self {
        case .dense, .uniform8, .scaledSign:
            return nil
        case .qsgd(let levels):
            return ValueCoding.qsgd(levels: levels).configurationError
        case .topK(let fraction, let values), .randomK(let fraction, let values):
            guard fraction > 0, fraction <= 1 else {
                return "\(self): the kept fraction must be in (0, 1], got \(fraction)"
            }
            return values.configurationError
        }
    }

    /// Whether decoding reproduces the input exactly.
    public var isLossless: Bool {
        switch self {
        case .dense: true
        case .topK(let fraction, let values), .randomK(let fraction, let values):
            fraction >= 1 && values == .float32
        case .qsgd, .uniform8, .scaledSign: false
        }
    }
}

extension ValueCoding: CustomStringConvertible {
    public var description: String {
        switch self {
        case .float32: "float32"
        case .uniform8: "uniform8"
        case .qsgd(let levels): "qsgd(\(levels))"
        }
    }

    /// Why this coding cannot be used, or nil when it is valid.
    public var configurationError: String? {
        switch self {
        case .float32, .uniform8:
            return nil
        case .qsgd(let levels):
            guard (1...CodecWire.maximumQSGDLevels).contains(levels) else {
                return "qsgd levels must be in 1...\(CodecWire.maximumQSGDLevels), got \(levels)"
            }
            return nil
        }
    }
}
