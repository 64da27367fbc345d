import Foundation
import Testing
import FedMath

@Suite("Random streams (Philox4x32-10)")
struct RandomStreamTests {
    typealias Vector = (counter: Philox4x32.Block, key: (UInt32, UInt32), expected: Philox4x32.Block)

    /// The Random123 known-answer vectors for philox4x32 with 10 rounds (kat_vectors in
    /// DEShawResearch/random123): zeros, all ones, and the digits of pi.
    static let known: [Vector] = [
        ((0, 0, 0, 0), (0, 0), (0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
        ((0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF), (0xFFFF_FFFF, 0xFFFF_FFFF),
         (0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
        ((0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), (0xA409_3822, 0x299F_31D0),
         (0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)),
    ]

    @Test("the block function matches the Random123 known answers")
    func knownAnswers() {
        for v in Self.known {
            let got = Philox4x32.block(v.counter, key: v.key)
            #expect([got.0, got.1, got.2, got.3] == [v.expected.0, v.expected.1, v.expected.2, v.expected.3])
        }
    }

    @Test("a stream keyed by seed 0 returns block 0's words in order, then block 1's")
    func streamLayout() {
        let rng = RandomStream(seed: 0)
        let words = (0 ..< 8).map { _ in rng.next32() }
        let second = Philox4x32.block((1, 0, 0, 0), key: (0, 0))
        #expect(Array(words[0 ..< 4]) == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        #expect(Array(words[4 ..< 8]) == [second.0, second.1, second.2, second.3])
        // The key is the whole 64-bit seed: the pi vector's key as seed (high word k1).
        let pi = RandomStream(seed: 0x299F_31D0_A409_3822).next32()
        #expect(pi == Philox4x32.block((0, 0, 0, 0), key: (0xA409_3822, 0x299F_31D0)).0)
    }

    @Test("seeds differing only in their high 32 bits give different streams; same seed, same stream")
    func fullSeed() {
        #expect(RandomStream(seed: 1).next32() != RandomStream(seed: 1 | 1 << 32).next32())
        #expect(RandomStream(seed: 77).uniform() == RandomStream(seed: 77).uniform())
        let a = RandomStream(seed: 5, purpose: .localSGD, 3, 0).next32()
        #expect(a != RandomStream(seed: 5, purpose: .localSGD, 3, 1).next32())
        #expect(a != RandomStream(seed: 5, purpose: .compression, 3, 0).next32())
    }

    /// Sample moments within 5 standard errors of the distributions' closed-form mean and variance.
    func checkMoments(_ n: Int, mean: Double, variance: Double, _ draw: () -> Double) {
        var s = 0.0, s2 = 0.0
        for _ in 0 ..< n { let x = draw(); s += x; s2 += x * x }
        let m = s / Double(n), v = s2 / Double(n) - m * m
        #expect(abs(m - mean) < 5 * (variance / Double(n)).squareRoot(), "mean \(m), expected \(mean)")
        #expect(abs(v - variance) < 0.05 * variance, "variance \(v), expected \(variance)")
    }

    @Test("uniform, Gaussian, exponential, gamma and lognormal have their closed-form moments")
    func moments() {
        let rng = RandomStream(seed: 2024)
        let n = 200_000
        checkMoments(n, mean: 0.5, variance: 1.0 / 12) { rng.uniform() }
        checkMoments(n, mean: 1, variance: 4) { rng.gaussian(mean: 1, sigma: 2) }
        checkMoments(n, mean: 3, variance: 9) { rng.exponential(mean: 3) }
        checkMoments(n, mean: 6, variance: 18) { rng.gamma(shape: 2, scale: 3) }
        // lognormal(0, 0.5): mean e^(1/8), variance (e^(1/4) - 1) e^(1/4).
        checkMoments(n, mean: exp(0.125), variance: (exp(0.25) - 1) * exp(0.25)) { rng.lognormal(mu: 0, sigma: 0.5) }
        checkMoments(n, mean: 0.3, variance: 0.21) { rng.bernoulli(0.3) ? 1 : 0 }
    }

    @Test("uniformInt(10) passes a chi-square test; uniformPositive is never 0")
    func integers() {
        let rng = RandomStream(seed: 99)
        var counts = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0 ..< n { counts[rng.uniformInt(10)] += 1 }
        let e = Double(n) / 10
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - e) * (Double($1) - e) / e }
        #expect(chi2 < 27.88)  // 0.999 quantile of chi-square with 9 degrees of freedom
        #expect((0 ..< n).allSatisfy { _ in rng.uniformPositive() > 0 })
    }

    @Test("Dirichlet draws sum to 1 and have mean alpha / sum(alpha)")
    func dirichlet() {
        let rng = RandomStream(seed: 8)
        let alpha = [0.5, 1, 2.5]
        var mean = [0.0, 0, 0]
        let n = 20_000
        for _ in 0 ..< n {
            let theta = rng.dirichlet(alpha)
            #expect(abs(theta.reduce(0, +) - 1) < 1e-12)
            for k in 0 ..< 3 { mean[k] += theta[k] / Double(n) }
        }
        // Var(theta_k) = a_k (A - a_k) / (A^2 (A + 1)) with A = 4; all below 0.05, so 5 standard errors < 0.008.
        for k in 0 ..< 3 { #expect(abs(mean[k] - alpha[k] / 4) < 0.008) }
    }
}
