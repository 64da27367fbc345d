import CGSL
import Glibc

/// One seeded Philox4x32-10 stream (see ``Philox4x32``) and the distributions fedsim draws from it.
///
/// Every random purpose in fedsim (data generation, partitioning, device speed, each task's SGD
/// shuffling, compression, noise) owns its own stream, derived with ``StreamSeed`` from the
/// scenario seed, the purpose and the ids involved. Results therefore do not depend on the order
/// in which streams are used or on how many threads use them.
///
/// The generator is wrapped as a GSL generator type (`gsl_rng_type`), so GSL's distributions
/// (ziggurat Gaussian, Marsaglia-Tsang gamma, ...) draw from it unchanged. Set-up is O(1): one
/// small block holds the `gsl_rng` and its state (where `gsl_rng_alloc` would make two), no
/// warm-up, against MT19937's 5 KB state and 624-word regeneration. The 64-bit seed is the
/// Philox key, all of it used.
///
/// A stream is not thread-safe and not `Sendable`: the compiler keeps it in the task that made it.
public final class RandomStream {
    @usableFromInline let raw: UnsafeMutablePointer<gsl_rng>

    /// Where the state starts in the block: after the `gsl_rng`, 16-byte aligned.
    private static let stateOffset = (MemoryLayout<gsl_rng>.stride + 15) / 16 * 16

    /// A new Philox4x32-10 stream keyed by `seed`, starting at block 0.
    public init(seed: UInt64) {
        GSL.configureOnce()
        let block = UnsafeMutableRawPointer.allocate(byteCount: Self.stateOffset + MemoryLayout<PhiloxState>.size, alignment: 16)
        raw = block.bindMemory(to: gsl_rng.self, capacity: 1)
        raw.initialize(to: gsl_rng(type: PhiloxGSLType.pointer, state: block + Self.stateOffset))
        gsl_rng_set(raw, UInt(truncatingIfNeeded: seed))
    }

    /// A stream for `purpose` and the given ids under the master `seed`.
    public convenience init(seed: UInt64, purpose: StreamPurpose, _ ids: UInt64...) {
        self.init(seed: StreamSeed.derive(seed, purpose: purpose, ids: ids))
    }

    deinit { UnsafeMutableRawPointer(raw).deallocate() }

    /// Restarts this stream as the stream for `purpose` and ids (`id0`, `id1`) under the master
    /// `seed`, at its first draw: the draws of a new `RandomStream(seed:purpose:id0, id1)`, without
    /// allocating one (for a stream per event on a hot path, such as a churn period's length).
    public func restart(seed: UInt64, purpose: StreamPurpose, _ id0: UInt64, _ id1: UInt64) {
        gsl_rng_set(raw, UInt(truncatingIfNeeded: StreamSeed.derive(seed, purpose: purpose, id0, id1)))
    }

    /// Uniform on [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(raw) }

    /// Uniform on (0, 1): never exactly zero, safe for logarithms.
    @inlinable public func uniformPositive() -> Double { gsl_rng_uniform_pos(raw) }

    /// Uniform integer in 0 ..< n. Requires 0 < n <= 2^32.
    @inlinable public func uniformInt(_ n: Int) -> Int {
        precondition(n > 0, "uniformInt needs a positive bound")
        return Int(gsl_rng_uniform_int(raw, UInt(n)))
    }

    /// Normal with mean `mean` and standard deviation `sigma`.
    @inlinable public func gaussian(mean: Double = 0, sigma: Double) -> Double {
        mean + gsl_ran_gaussian_ziggurat(raw, sigma)
    }

    /// Lognormal: exp(N(mu, sigma^2)).
    @inlinable public func lognormal(mu: Double, sigma: Double) -> Double {
        gsl_ran_lognormal(raw, mu, sigma)
    }

    /// Exponential with the given mean.
    @inlinable public func exponential(mean: Double) -> Double { gsl_ran_exponential(raw, mean) }

    /// Gamma with shape `a` and scale `b`.
    @inlinable public func gamma(shape a: Double, scale b: Double) -> Double { gsl_ran_gamma(raw, a, b) }

    /// True with probability `p`.
    @inlinable public func bernoulli(_ p: Double) -> Bool { gsl_ran_bernoulli(raw, p) == 1 }

    /// A draw from the Dirichlet distribution with parameters `alpha` (all > 0).
    public func dirichlet(_ alpha: [Double]) -> [Double] {
        var theta = [Double](repeating: 0, count: alpha.count)
        gsl_ran_dirichlet(raw, alpha.count, alpha, &theta)
        return theta
    }

    /// Shuffles `buffer` in place (Fisher-Yates, one `uniformInt` per element).
    @inlinable public func shuffle<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        var i = buffer.count - 1
        while i > 0 {
            let j = uniformInt(i + 1)
            buffer.swapAt(i, j)
            i -= 1
        }
    }

    /// Shuffles an array in place.
    @inlinable public func shuffle<T>(_ array: inout [T]) {
        array.withUnsafeMutableBufferPointer { shuffle($0) }
    }

    /// A raw 32-bit draw (the stream's next word), used to derive child seeds.
    @inlinable public func next32() -> UInt32 { UInt32(truncatingIfNeeded: gsl_rng_get(raw)) }
}

/// What a random stream is used for; part of its seed so that purposes never share draws.
public enum StreamPurpose: UInt64, Sendable {
    case dataSplit = 1
    case dataGeneration = 2
    case partition = 3
    case deviceSpeed = 4
    case taskJitter = 5
    case localSGD = 6
    case selection = 7
    case compression = 8
    case privacyNoise = 9
    case availability = 10
    case baselineSGD = 11
    case failure = 12
    case secureAggregation = 13
    case modelInit = 14
    case trainLossSample = 15
    case evaluationSample = 16
}

/// Derives independent 64-bit stream seeds from (master seed, purpose, ids) with SplitMix64.
///
/// SplitMix64 (Steele, Lea, Flood 2014) is a bijective 64-bit mixer; chaining it over the inputs
/// gives well-spread seeds for neighbouring ids.
public enum StreamSeed {
    @inlinable static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The stream seed for `purpose` and `ids` under `master`.
    public static func derive(_ master: UInt64, purpose: StreamPurpose, ids: [UInt64]) -> UInt64 {
        var h = mix(master ^ 0x5EED_F00D)
        h = mix(h ^ purpose.rawValue)
        for id in ids { h = mix(h ^ id) }
        return h
    }

    /// ``derive(_:purpose:ids:)`` for the two ids `[id0, id1]`, without an array.
    public static func derive(_ master: UInt64, purpose: StreamPurpose, _ id0: UInt64, _ id1: UInt64) -> UInt64 {
        mix(mix(derive(master, purpose: purpose, ids: []) ^ id0) ^ id1)
    }
}

/// ``PhiloxState`` as a GSL generator type: GSL allocates `size` bytes of state per generator and
/// calls `set` with the seed (an `unsigned long`, 64 bits here), `get` for a word in [min, max]
/// and `get_double` for a uniform on [0, 1) (word / 2^32, as GSL's own 32-bit generators).
enum PhiloxGSLType {
    nonisolated(unsafe) static let pointer: UnsafePointer<gsl_rng_type> = {
        let type = UnsafeMutablePointer<gsl_rng_type>.allocate(capacity: 1)
        type.initialize(to: gsl_rng_type(
            name: UnsafePointer(strdup("philox4x32-10")), max: 0xFFFF_FFFF, min: 0, size: MemoryLayout<PhiloxState>.size,
            set: { state, seed in
                state!.bindMemory(to: PhiloxState.self, capacity: 1).initialize(to: PhiloxState(seed: UInt64(seed)))
            },
            get: { state in UInt(state!.assumingMemoryBound(to: PhiloxState.self).pointee.next()) },
            get_double: { state in Double(state!.assumingMemoryBound(to: PhiloxState.self).pointee.next()) / 4_294_967_296.0 }))
        return UnsafePointer(type)
    }()
}
