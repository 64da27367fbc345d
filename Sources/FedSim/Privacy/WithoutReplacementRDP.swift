import Foundation

/// RDP of the Gaussian mechanism applied to a uniform sample of exactly m of n records drawn
/// *without replacement* (a fixed-size cohort of K of N devices), under *replace-one* adjacency.
///
/// Reference: Y.-X. Wang, B. Balle, S. Kasiviswanathan, "Subsampled Rényi Differential Privacy and
/// Analytical Moments Accountant", AISTATS 2019 (arXiv:1808.00087), Theorem 9 (the general upper
/// bound for integer orders alpha >= 2 and sampling ratio gamma = m / n):
///
///     eps'(alpha) <= 1/(alpha-1) log(1 + gamma^2 C(alpha,2) min{4 (e^{eps(2)} - 1), e^{eps(2)} min{2, (e^{eps(inf)} - 1)^2}}
///                                      + sum_{j=3}^{alpha} gamma^j C(alpha,j) e^{(j-1) eps(j)} min{2, (e^{eps(inf)} - 1)^j})
///
/// with eps(.) the RDP of the base mechanism. Replacing one device's clipped update (norm <= C)
/// moves the sum by up to 2C, so with noise N(0, (z C)^2) the base mechanism is the Gaussian with
/// eps(j) = j (2C)^2 / (2 z^2 C^2) = 2 j / z^2 and eps(inf) = inf (hence min{2, .} = 2).
///
/// Fractional orders use the next integer order: RDP is non-decreasing in the order (Mironov 2017,
/// Proposition 9), so eps'(ceil(alpha)) bounds eps'(alpha). Every value is capped by the base
/// mechanism's own eps(alpha) (the subsampled mechanism is a mixture of base mechanisms on
/// neighbouring samples, and Rényi divergence is jointly quasi-convex), which is also the limit
/// gamma = 1. Everything is summed in log space; nothing traps: invalid arguments give NaN.
public enum WithoutReplacementRDP {
    /// Integer orders above this get the base mechanism's bound `eps(alpha)` (cost is linear in the order).
    public static let maxExactOrder = 100_000

    /// RDP at `order` of one release of the sum of a uniform fixed-size sample (ratio `q` = m / n)
    /// of clipped updates plus Gaussian noise of `sigma` times the clipping norm, replace-one adjacency.
    public static func rdp(q: Double, sigma: Double, order alpha: Double) -> Double {
        guard !q.isNaN, !sigma.isNaN, !alpha.isNaN, (0...1).contains(q), sigma >= 0, alpha > 1 else { return .nan }
        if q == 0 { return 0 }
        if sigma == 0 || alpha.isInfinite { return .infinity }
        let baseSigma = sigma / 2                      // sensitivity 2C: noise multiplier z / 2
        let invTwoSigma2 = 1 / (2 * baseSigma * baseSigma)
        if !invTwoSigma2.isFinite { return .infinity }
        if invTwoSigma2 == 0 { return 0 }
        let base = alpha * invTwoSigma2                // eps(alpha) of the base Gaussian
        let order = alpha.rounded(.up)
        guard q < 1, order <= Double(maxExactOrder) else { return base }
        let value = logSum(q: q, invTwoSigma2: invTwoSigma2, alpha: Int(order)) / (order - 1)
        if value.isNaN { return base }
        return max(0, min(value, base))
    }

    /// `log` of the bracket of Theorem 9 for integer `alpha >= 2`, `0 < q < 1`.
    static func logSum(q: Double, invTwoSigma2: Double, alpha: Int) -> Double {
        let logQ = log(q)
        let a = Double(alpha)
        let logGammaAlpha1 = RDPAccountant.logGamma(a + 1)
        let eps2 = 2 * invTwoSigma2
        // j = 2: gamma^2 C(alpha,2) min{4 (e^{eps(2)} - 1), 2 e^{eps(2)}}.
        let second = min(log(4.0) + RDPAccountant.logExpm1(eps2), log(2.0) + eps2)
        var sum = RDPAccountant.LogSumExp()
        sum.add(2 * logQ + log(a * (a - 1) / 2) + second)
        if alpha >= 3 {
            for k in 3...alpha {
                let j = Double(k)
                let logBinom = logGammaAlpha1 - RDPAccountant.logGamma(j + 1) - RDPAccountant.logGamma(a - j + 1)
                // (j - 1) eps(j) = j (j - 1) / (2 sigma'^2); min{2, inf} = 2.
                sum.add(j * logQ + logBinom + (j * j - j) * invTwoSigma2 + log(2.0))
            }
        }
        return RDPAccountant.log1pExp(sum.value)
    }
}
