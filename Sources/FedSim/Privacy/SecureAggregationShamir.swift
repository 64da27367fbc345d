// Shamir secret sharing over the prime field GF(2^61 - 1), used by secure aggregation
// (SecureAggregation.swift) to share each device's self-mask seed and mask private key.
//
// Reference: A. Shamir, "How to share a secret", Communications of the ACM 22(11), 1979.

/// Arithmetic in GF(p) with the Mersenne prime p = 2^61 - 1.
///
/// Elements are `UInt64` values in `0..<p`. Multiplication reduces the 122-bit product with
/// the Mersenne identity 2^61 ≡ 1 (mod p), so no division is needed.
public enum MersenneField61 {
    /// The field order p = 2^61 - 1.
    public static let prime: UInt64 = (1 << 61) - 1

    /// (a + b) mod p for a, b < p.
    @inline(__always)
    public static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a &+ b  // < 2^62, no overflow
        return s >= prime ? s &- prime : s
    }

    /// (a - b) mod p for a, b < p.
    @inline(__always)
    public static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ (prime &- b)
    }

    /// (a · b) mod p for a, b < p.
    @inline(__always)
    public static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)  // a·b < 2^122
        // a·b = high·2^64 + low = (a·b >> 61)·2^61 + (a·b mod 2^61) ≡ (a·b >> 61) + (a·b mod 2^61).
        let top = (high &<< 3) | (low &>> 61)  // < 2^61
        let bottom = low & prime  // < 2^61
        var r = top &+ bottom  // ≤ 2p
        r = (r & prime) &+ (r &>> 61)  // ≤ p
        return r >= prime ? r &- prime : r
    }

    /// a^e mod p.
    public static func power(_ a: UInt64, _ e: UInt64) -> UInt64 {
        var result: UInt64 = 1
        var base = a % prime
        var exponent = e
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// The multiplicative inverse a^(p-2) (Fermat); nil for a ≡ 0.
    public static func inverse(_ a: UInt64) -> UInt64? {
        let r = a % prime
        return r == 0 ? nil : power(r, prime - 2)
    }

    /// A uniformly random field element drawn from `generator` (rejection sampling of 61-bit words;
    /// the only rejected word is p itself).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> UInt64 {
        while true {
            let candidate = generator.next() & prime
            if candidate < prime { return candidate }
        }
    }
}

/// Shamir's (t, n) threshold secret sharing (Shamir 1979) over GF(2^61 - 1).
///
/// A secret is a vector of field elements (a 32-byte secret is packed into
/// `elements(for:)` = 5 elements of 7 bytes each, so every element is < 2^56 < p). Each element
/// gets its own random polynomial of degree t - 1 whose constant term is the element; the share
/// for evaluation point x ≠ 0 is the vector of polynomial values at x. Any t shares determine
/// the polynomials (Lagrange interpolation at 0); any t - 1 shares are consistent with every
/// possible secret, so they reveal nothing about it.
public enum ShamirSecretSharing {
    /// One share: the evaluation point and the value of each element's polynomial there.
    public struct Share: Sendable, Equatable {
        public var x: UInt64
        public var y: [UInt64]
        public init(x: UInt64, y: [UInt64]) {
            self.x = x
            self.y = y
        }
    }

    /// Bytes packed into one field element (7 bytes = 56 bits < 61 bits).
    public static let bytesPerElement = 7

    /// How many field elements a secret of `byteCount` bytes occupies: ceil(byteCount / 7)
    /// (5 for the 32-byte secrets of secure aggregation).
    public static func elements(for byteCount: Int) -> Int {
        (byteCount + bytesPerElement - 1) / bytesPerElement
    }

    /// Packs bytes into field elements, 7 bytes per element, little-endian.
    public static func pack(_ bytes: [UInt8]) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(elements(for: bytes.count))
        var start = 0
        while start < bytes.count {
            let end = min(start + bytesPerElement, bytes.count)
            var value: UInt64 = 0
            for i in stride(from: end - 1, through: start, by: -1) { value = (value << 8) | UInt64(bytes[i]) }
            out.append(value)
            start = end
        }
        return out
    }

    /// Inverse of `pack`: nil if an element does not fit its byte slot (a wrong reconstruction).
    public static func unpack(_ elements: [UInt64], byteCount: Int) -> [UInt8]? {
        guard elements.count == self.elements(for: byteCount) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        for (index, element) in elements.enumerated() {
            let width = min(bytesPerElement, byteCount - index * bytesPerElement)
            guard element >> UInt64(8 * width) == 0 else { return nil }
            var value = element
            for _ in 0..<width {
                out.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        return out
    }

    /// Splits `secret` (field elements, each < p) into one share per point of `points`
    /// (distinct, nonzero mod p) with threshold `threshold` (1 ≤ threshold ≤ points.count).
    /// Returns nil for invalid arguments. Cost: secret.count · (threshold - 1) random elements and
    /// secret.count · (threshold - 1) multiply-adds per share (Horner's rule).
    public static func split<G: RandomNumberGenerator>(
        _ secret: [UInt64], threshold: Int, points: [UInt64], using generator: inout G
    ) -> [Share]? {
        guard threshold >= 1, threshold <= points.count, secret.allSatisfy({ $0 < MersenneField61.prime }),
            distinctNonzero(points)
        else { return nil }
        // coefficients[e·(t−1) + j] is the coefficient of x^(j+1) in element e's polynomial.
        let degree = threshold - 1
        var coefficients = [UInt64](repeating: 0, count: secret.count * degree)
        for i in coefficients.indices { coefficients[i] = MersenneField61.random(using: &generator) }
        return points.map { point in
            let x = point % MersenneField61.prime
            var y = [UInt64](repeating: 0, count: secret.count)
            for e in 0..<secret.count {
                // Horner: ((c_{t-1}·x + c_{t-2})·x + … + c_1)·x + secret.
                var acc: UInt64 = 0
                var j = degree - 1
                while j >= 0 {
                    acc = MersenneField61.add(MersenneField61.multiply(acc, x), coefficients[e * degree + j])
                    j -= 1
                }
                y[e] = MersenneField61.add(MersenneField61.multiply(acc, x), secret[e])
            }
            return Share(x: x, y: y)
        }
    }

    /// Lagrange basis coefficients λ_i = Π_{j≠i} x_j / (x_j - x_i) for evaluating at 0 the
    /// polynomial through the given points; nil if the points are not distinct and nonzero.
    public static func lagrangeCoefficientsAtZero(_ points: [UInt64]) -> [UInt64]? {
        guard !points.isEmpty, distinctNonzero(points) else { return nil }
        let xs = points.map { $0 % MersenneField61.prime }
        var lambdas: [UInt64] = []
        lambdas.reserveCapacity(xs.count)
        for i in xs.indices {
            var numerator: UInt64 = 1
            var denominator: UInt64 = 1
            for j in xs.indices where j != i {
                numerator = MersenneField61.multiply(numerator, xs[j])
                denominator = MersenneField61.multiply(denominator, MersenneField61.subtract(xs[j], xs[i]))
            }
            guard let inv = MersenneField61.inverse(denominator) else { return nil }
            lambdas.append(MersenneField61.multiply(numerator, inv))
        }
        return lambdas
    }

    /// Reconstructs the secret from shares (at least `threshold` of them, all of the same length,
    /// with distinct points). With exactly t shares of a threshold-t sharing this is the secret;
    /// with fewer it is a value unrelated to the secret. Nil for malformed input.
    public static func reconstruct(_ shares: [Share]) -> [UInt64]? {
        guard let first = shares.first, shares.allSatisfy({ $0.y.count == first.y.count }),
            let lambdas = lagrangeCoefficientsAtZero(shares.map(\.x))
        else { return nil }
        return combine(shares.map(\.y), lambdas: lambdas)
    }

    /// Σ_i λ_i · y_i for precomputed Lagrange coefficients (one per share, same order).
    public static func combine(_ values: [[UInt64]], lambdas: [UInt64]) -> [UInt64]? {
        guard values.count == lambdas.count, let width = values.first?.count,
            values.allSatisfy({ $0.count == width && $0.allSatisfy { $0 < MersenneField61.prime } })
        else { return nil }
        var secret = [UInt64](repeating: 0, count: width)
        for (y, lambda) in zip(values, lambdas) {
            for e in 0..<width {
                secret[e] = MersenneField61.add(secret[e], MersenneField61.multiply(y[e], lambda))
            }
        }
        return secret
    }

    private static func distinctNonzero(_ points: [UInt64]) -> Bool {
        var seen = Set<UInt64>()
        for p in points {
            let x = p % MersenneField61.prime
            if x == 0 || !seen.insert(x).inserted { return false }
        }
        return true
    }
}
