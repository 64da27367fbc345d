import Foundation

// MARK: - RDP accountant for the sampled Gaussian mechanism

/// Rényi-differential-privacy (RDP) accounting for the *sampled Gaussian mechanism* (SGM):
/// each record is included independently with probability `q` (Poisson subsampling), the
/// L2-sensitivity-1 sum of the sample is released with N(0, sigma^2) noise added to each
/// coordinate. This is DP-SGD / DP-FedAvg with noise multiplier `sigma`.
///
/// References:
/// - I. Mironov, "Rényi Differential Privacy", CSF 2017 (arXiv:1702.07476): RDP, composition
///   (RDP adds up over steps), the standard conversion to (epsilon, delta) (Proposition 3) and
///   the RDP of the plain Gaussian mechanism, `alpha / (2 sigma^2)`.
/// - I. Mironov, K. Talwar, L. Zhang, "Rényi Differential Privacy of the Sampled Gaussian
///   Mechanism", 2019 (arXiv:1908.10530): RDP of the SGM equals `log(A_alpha) / (alpha - 1)`,
///   with `A_alpha` a finite binomial sum for integer orders (Sec. 3.2) and a pair of
///   convergent series over the split point `z0` for fractional orders (Sec. 3.3).
/// - B. Balle, G. Barthe, M. Gaboardi, J. Hsu, T. Sato, "Hypothesis Testing Interpretations
///   and Rényi Differential Privacy", AISTATS 2020 (arXiv:1905.09982), Theorem 21; also
///   Canonne, Kamath, Steinke 2020 (arXiv:2004.00010, Proposition 12): the improved
///   conversion `eps = rdp + log((alpha-1)/alpha) - (log(delta) + log(alpha)) / (alpha-1)`.
///
/// The conventions (special cases, default orders, conversion) follow Opacus
/// (`opacus.accountants.RDPAccountant`) and Google's `dp_accounting.rdp` so that results can
/// be compared with both; see `RDPAccountantTests` for the published values reproduced.
///
/// Numerics: everything is evaluated in log space. The integer-order sum is rewritten as
/// `A_alpha = 1 + sum_{i>=2} C(alpha,i) q^i (1-q)^(alpha-i) (e^{(i^2-i)/(2 sigma^2)} - 1)`
/// (all terms positive), which keeps full relative precision even for tiny `q`. The
/// fractional-order series keeps positive and negative binomial terms apart (the signed sum
/// of Mironov-Talwar-Zhang and Opacus; dp_accounting adds absolute values, a looser bound) and
/// folds the Gaussian exponent into a scaled `erfc` so that no `inf - inf` arises for small
/// `sigma`; it is truncated at e^-30 of the total, i.e. `log A_alpha` has an absolute error
/// of about 1e-13, like Opacus and TF Privacy (irrelevant for epsilon, visible only in the
/// relative accuracy of RDP values below ~1e-10).
/// Whenever a computation breaks down the result falls back to the RDP of the un-sampled
/// Gaussian mechanism, `alpha / (2 sigma^2)`, which is always a valid upper bound (Rényi
/// divergence is jointly quasi-convex), and every result is capped by that bound.
/// No function here traps: invalid arguments give `NaN`, which the epsilon search skips.
public enum RDPAccountant {

    /// How an RDP curve is turned into an (epsilon, delta) guarantee.
    public enum Conversion: String, Sendable, CaseIterable {
        /// Mironov 2017, Proposition 3: `eps = rdp + log(1/delta) / (alpha - 1)`.
        /// Used by older TF Privacy (`rdp_accountant.get_privacy_spent`) and older Opacus
        /// (`privacy_analysis.get_privacy_spent`) releases, e.g. TF Privacy's former test value
        /// 0.941870567 for n = 60000, batch 150, sigma 1.3, 15 epochs, delta 1e-5.
        case standard
        /// Balle et al. 2020, Theorem 21 (also Canonne-Kamath-Steinke 2020, Prop. 12):
        /// `eps = rdp + log1p(-1/alpha) - (log(delta) + log(alpha)) / (alpha - 1)`,
        /// plus dp_accounting's KL short-cut (`eps = 0` when `delta^2 > 1 - e^{-rdp}`).
        /// Used by current Opacus and Google's `dp_accounting` (hence current TF Privacy), e.g.
        /// Opacus's 7.32911117143 and TF Privacy's 0.7242234026109595 test values.
        case improved
    }

    /// Opacus's `RDPAccountant.DEFAULT_ALPHAS`:
    /// `[1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))`,
    /// i.e. 1.1, 1.2, ..., 10.9 and then the integers 12...63 (151 orders; 11 is not included).
    public static let defaultOrders: [Double] =
        (1..<100).map { 1 + Double($0) / 10.0 } + (12..<64).map { Double($0) }

    /// The orders fedsim's run-time accountant and `fedsim privacy` use: 1.01...1.09 (step 0.01),
    /// 1.1...10.9 (step 0.1), every integer 11...256, then 320, 384, 512, 768, 1024 (359 orders).
    /// Small sampling rates put the optimal order well above Opacus's last order 63, where a
    /// grid that stops there loosens epsilon; large noise puts it near 1.
    public static let fineOrders: [Double] = {
        let nearOne: [Double] = (1..<10).map { 1 + Double($0) / 100.0 }
        let tenths: [Double] = (1..<100).map { 1 + Double($0) / 10.0 }
        let integers: [Double] = (11...256).map { Double($0) }
        return nearOne + tenths + integers + [320, 384, 512, 768, 1024]
    }()

    /// The orders used by TF Privacy's `compute_dp_sgd_privacy` (and the TF Privacy tutorials):
    /// `[1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + list(range(5, 64)) + [128, 256, 512]`.
    public static let tensorFlowPrivacyOrders: [Double] =
        [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + (5..<64).map { Double($0) } + [128, 256, 512]

    /// Integer orders up to this value use the exact binomial sum (cost linear in the order).
    /// Larger integer orders get the un-sampled Gaussian bound `alpha / (2 sigma^2)`.
    public static let maxExactIntegerOrder = 1_000_000

    /// Iteration cap of the fractional-order series (reached only for large `sigma` with `q`
    /// near or above 1/2, where the erfc cut-off sets in late). If it is reached while the terms
    /// shrink, the magnitude of the last terms is added (alternating-series remainder bound), so
    /// the result stays an upper bound; otherwise the Gaussian bound `alpha / (2 sigma^2)` is used.
    public static let maxFractionalTerms = 20_000

    // MARK: RDP of one step

    /// RDP of one step of the sampled Gaussian mechanism at `order`
    /// (Mironov, Talwar, Zhang 2019, Sec. 3).
    ///
    /// - Parameters:
    ///   - q: sampling rate in [0, 1].
    ///   - sigma: noise multiplier (noise standard deviation / L2 sensitivity), >= 0.
    ///   - order: Rényi order alpha > 1 (may be `.infinity`).
    /// - Returns: the RDP epsilon at `order`, in [0, +inf]. Special cases: `q == 0` gives 0,
    ///   `sigma == 0` gives +inf, `q == 1` gives `alpha / (2 sigma^2)` (plain Gaussian).
    ///   `NaN` for out-of-domain arguments (q outside [0, 1], sigma < 0, order <= 1, NaNs).
    public static func rdp(q: Double, sigma: Double, order alpha: Double) -> Double {
        guard !q.isNaN, !sigma.isNaN, !alpha.isNaN, (0...1).contains(q), sigma >= 0, alpha > 1 else {
            return .nan
        }
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        let sigma2 = sigma * sigma
        if !sigma2.isFinite { return 0 }            // noise so large the loss underflows
        let invTwoSigma2 = 1 / (2 * sigma2)
        if !invTwoSigma2.isFinite { return .infinity }  // noise so small it underflows
        if alpha.isInfinite { return .infinity }
        let gaussianBound = alpha / (2 * sigma2)     // RDP of the un-sampled Gaussian mechanism
        if q == 1 { return gaussianBound }

        let logA: Double
        if alpha == alpha.rounded() {
            guard alpha <= Double(maxExactIntegerOrder) else { return gaussianBound }
            logA = logAIntegerOrder(q: q, invTwoSigma2: invTwoSigma2, alpha: Int(alpha))
        } else {
            logA = logAFractionalOrder(q: q, sigma: sigma, invTwoSigma2: invTwoSigma2, alpha: alpha)
        }
        let value = logA / (alpha - 1)
        if value.isNaN { return gaussianBound }
        return max(0, min(value, gaussianBound))
    }

    /// RDP at each of `orders` after `steps` compositions of the sampled Gaussian mechanism.
    /// Composition of RDP is additive (Mironov 2017, Proposition 1), so this is `rdp * steps`.
    /// `steps <= 0` gives all zeros.
    public static func rdp(q: Double, sigma: Double, steps: Int, orders: [Double]) -> [Double] {
        orders.map { composed(rdp(q: q, sigma: sigma, order: $0), steps: steps) }
    }

    /// `perStep * steps` without `inf * 0 = NaN`.
    static func composed(_ perStep: Double, steps: Int) -> Double {
        guard steps > 0 else { return 0 }
        if perStep == 0 { return 0 }
        return perStep * Double(steps)
    }

    // MARK: Conversion to (epsilon, delta)

    /// The epsilon guaranteed at a single order by an RDP value (no minimisation).
    /// Returns `NaN` if `order <= 1` or any argument is NaN, +inf if no finite epsilon exists.
    public static func epsilon(
        rdp r: Double, order alpha: Double, delta: Double, conversion: Conversion = .improved
    ) -> Double {
        guard !r.isNaN, !alpha.isNaN, !delta.isNaN, alpha > 1 else { return .nan }
        if r <= 0 { return 0 }              // identical output distributions: (0, 0)-DP
        if delta >= 1 { return 0 }          // every mechanism is (0, 1)-DP
        if delta <= 0 || r.isInfinite { return .infinity }
        if alpha.isInfinite { return r }    // RDP of order infinity is pure DP
        let eps: Double
        switch conversion {
        case .standard:
            // Mironov 2017, Proposition 3.
            eps = r - log(delta) / (alpha - 1)
        case .improved:
            // KL short-cut of dp_accounting: delta >= sqrt(1 - e^{-KL}) >= TV, and KL <= D_alpha.
            if delta * delta + expm1(-r) > 0 { return 0 }
            // Balle et al. 2020, Theorem 21.
            eps = r + log1p(-1 / alpha) - (log(delta) + log(alpha)) / (alpha - 1)
        }
        if eps.isNaN { return .infinity }
        return max(0, eps)
    }

    /// The smallest epsilon over `orders` for the RDP curve `rdp` (same length as `orders`;
    /// extra entries of the longer array are ignored), and the order attaining it
    /// (the first one on ties). Orders giving `NaN` are skipped; if none is usable the
    /// result is `(+inf, NaN)`. Epsilon is never negative.
    public static func epsilon(
        rdp: [Double], orders: [Double], delta: Double, conversion: Conversion = .improved
    ) -> (epsilon: Double, order: Double) {
        var best: (epsilon: Double, order: Double) = (.infinity, .nan)
        var found = false
        for (r, alpha) in zip(rdp, orders) {
            let eps = epsilon(rdp: r, order: alpha, delta: delta, conversion: conversion)
            if eps.isNaN { continue }
            if !found || eps < best.epsilon {
                best = (eps, alpha)
                found = true
            }
        }
        return best
    }

    /// (epsilon, optimal order) of `steps` compositions of the sampled Gaussian mechanism.
    public static func epsilon(
        q: Double, sigma: Double, steps: Int, delta: Double,
        orders: [Double] = defaultOrders, conversion: Conversion = .improved
    ) -> (epsilon: Double, order: Double) {
        epsilon(rdp: rdp(q: q, sigma: sigma, steps: steps, orders: orders),
                orders: orders, delta: delta, conversion: conversion)
    }

    // MARK: log(A_alpha), integer orders (Mironov, Talwar, Zhang 2019, Sec. 3.2)

    /// `log A_alpha` for integer `alpha >= 2`, `0 < q < 1`, where
    /// `A_alpha = sum_{i=0}^{alpha} C(alpha,i) (1-q)^(alpha-i) q^i exp((i^2-i) / (2 sigma^2))`.
    /// Since the binomial weights sum to 1 and the exponent vanishes for i = 0, 1,
    /// `A_alpha = 1 + B` with `B` a sum of positive terms over i >= 2; `log A = log1p(B)`.
    static func logAIntegerOrder(q: Double, invTwoSigma2: Double, alpha: Int) -> Double {
        let logQ = log(q), log1mQ = log1p(-q)
        let a = Double(alpha)
        let logGammaAlpha1 = logGamma(a + 1)
        var b = LogSumExp()
        for k in 2...alpha {
            let i = Double(k)
            let logBinom = logGammaAlpha1 - logGamma(i + 1) - logGamma(a - i + 1)
            let term = logBinom + i * logQ + (a - i) * log1mQ + logExpm1((i * i - i) * invTwoSigma2)
            if term == .infinity { return .infinity }
            b.add(term)
        }
        return log1pExp(b.value)
    }

    // MARK: log(A_alpha), fractional orders (Mironov, Talwar, Zhang 2019, Sec. 3.3)

    /// `log A_alpha` for non-integer `alpha > 1`, `0 < q < 1`: `A_alpha = A0 + A1` with
    /// (z0 = sigma^2 log(1/q - 1) + 1/2, j = alpha - i, generalized binomials C(alpha, i))
    ///
    ///     A0 = sum_i C(alpha,i) q^i (1-q)^j exp((i^2-i)/(2 sigma^2)) erfc((i - z0)/(sqrt(2) sigma)) / 2
    ///     A1 = sum_i C(alpha,i) q^j (1-q)^i exp((j^2-j)/(2 sigma^2)) erfc((z0 - j)/(sqrt(2) sigma)) / 2
    ///
    /// the integrals of the Rényi integrand over (-inf, z0] and [z0, +inf). C(alpha, i) is
    /// negative for i > ceil(alpha) with i - ceil(alpha) odd, so both series alternate in
    /// their tails; positive and negative parts are summed separately and subtracted once.
    /// Summation stops once both terms are non-increasing and below e^-30 of the running total
    /// (the alternating-series remainder is smaller than the next term).
    static func logAFractionalOrder(q: Double, sigma: Double, invTwoSigma2: Double, alpha: Double) -> Double {
        let logQ = log(q), log1mQ = log1p(-q)
        let logOdds = log1mQ - logQ                       // log(1/q - 1)
        let z0 = sigma * sigma * logOdds + 0.5
        let z0Term = z0 * (z0 * invTwoSigma2)             // z0^2 / (2 sigma^2), overflow-safe order
        let erfcScale = 1 / (2.0.squareRoot() * sigma)
        let logGammaAlpha1 = logGamma(alpha + 1)
        let ceilAlpha = alpha.rounded(.up)
        let logHalf = -log(2.0)

        /// log of `exp((k^2-k)/(2 sigma^2)) * erfc(x) / 2` with `x = ±(k - z0)/(sqrt 2 sigma)`.
        /// For x > 0 the Gaussian factors are combined analytically:
        /// (k^2 - k)/(2 sigma^2) - x^2 = k log(1/q - 1) - z0^2/(2 sigma^2).
        func logGaussianTail(_ k: Double, _ x: Double) -> Double {
            if x > 0 {
                return k * logOdds - z0Term + logErfcx(x) + logHalf
            }
            let quadratic = k * k - k
            return (quadratic == 0 ? 0 : quadratic * invTwoSigma2) + log(erfc(x)) + logHalf
        }

        var pos0 = LogSumExp(), neg0 = LogSumExp(), pos1 = LogSumExp(), neg1 = LogSumExp()
        var last0 = Double.infinity, last1 = Double.infinity
        var shrinking = false
        for k in 0..<maxFractionalTerms {
            let i = Double(k)
            let j = alpha - i
            let logBinom = logGammaAlpha1 - logGamma(i + 1) - logGamma(j + 1)   // log |C(alpha, i)|
            let negative = i > ceilAlpha && Int(i - ceilAlpha) % 2 == 1

            let s0 = logBinom + i * logQ + j * log1mQ + logGaussianTail(i, (i - z0) * erfcScale)
            let s1 = logBinom + j * logQ + i * log1mQ + logGaussianTail(j, (z0 - j) * erfcScale)
            if s0.isNaN || s1.isNaN { return .nan }
            if s0 == .infinity || s1 == .infinity { return .infinity }

            if negative {
                neg0.add(s0); neg1.add(s1)
            } else {
                pos0.add(s0); pos1.add(s1)
            }
            let total = logAdd(logDifference(pos0.value, neg0.value), logDifference(pos1.value, neg1.value))
            shrinking = s0 <= last0 && s1 <= last1
            if shrinking, max(s0, s1) < total - 30 {
                return total
            }
            last0 = s0
            last1 = s1
        }
        // Not converged within the cap. In the alternating, shrinking tail the remainder is
        // smaller than the last term: adding it keeps an upper bound. Otherwise give up (+inf;
        // the caller then falls back to the Gaussian bound).
        guard shrinking else { return .infinity }
        pos0.add(last0)
        pos1.add(last1)
        return logAdd(logDifference(pos0.value, neg0.value), logDifference(pos1.value, neg1.value))
    }

    // MARK: Log-space helpers

    /// Running `log(sum(exp(t)))` without overflow.
    struct LogSumExp {
        private var maxLog = -Double.infinity
        private var scaledSum = 0.0   // sum = scaledSum * exp(maxLog)

        mutating func add(_ t: Double) {
            if t == -.infinity { return }
            if t > maxLog {
                scaledSum = scaledSum * exp(maxLog - t) + 1
                maxLog = t
            } else {
                scaledSum += exp(t - maxLog)
            }
        }

        var value: Double { scaledSum == 0 ? -.infinity : maxLog + log(scaledSum) }
    }

    /// `log |Gamma(x)|` (the reentrant `lgamma_r`: plain `lgamma` writes the global `signgam`).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// `log(e^x + e^y)`.
    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let (lo, hi) = x < y ? (x, y) : (y, x)
        if lo == -.infinity { return hi }
        if hi == .infinity { return .infinity }
        return hi + log1p(exp(lo - hi))
    }

    /// `log(e^pos - e^neg)` for a sum known to be non-negative. If rounding made the
    /// difference non-positive, `pos` is returned: dropping the negative part keeps an upper bound.
    static func logDifference(_ pos: Double, _ neg: Double) -> Double {
        if neg == -.infinity { return pos }
        if pos == .infinity { return .infinity }
        guard pos > neg else { return pos }
        return pos + log(-expm1(neg - pos))
    }

    /// `log(e^x - 1)` for x >= 0 (`-inf` at 0).
    static func logExpm1(_ x: Double) -> Double {
        x > 40 ? x + log1p(-exp(-x)) : log(expm1(x))
    }

    /// `log(1 + e^x)`.
    static func log1pExp(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// `log(erfc(x) * exp(x^2))` for x > 0 (the log of the scaled complementary error function).
    /// Direct evaluation while `erfc` is a normal number, the asymptotic series
    /// `erfc(x) e^{x^2} = 1/(x sqrt(pi)) * sum_n (-1)^n (2n-1)!! / (2x^2)^n` beyond
    /// (at x >= 25 the omitted terms are below 1e-30 relative).
    static func logErfcx(_ x: Double) -> Double {
        if x < 25 { return log(erfc(x)) + x * x }
        let u = 1 / (2 * x * x)
        var term = 1.0, sum = 1.0
        for n in 1...8 {
            term *= -Double(2 * n - 1) * u
            sum += term
        }
        return log(sum) - log(x) - 0.5 * log(Double.pi)
    }
}

// MARK: - Privacy ledger

/// Running RDP totals of a sequence of sampled Gaussian mechanisms whose sampling rate and
/// noise multiplier may change between steps (heterogeneous federated rounds). RDP composes
/// additively per order (Mironov 2017, Proposition 1); epsilon is obtained at the end by
/// minimising the conversion over the orders (see `RDPAccountant.Conversion`).
public struct PrivacyLedger: Sendable {
    /// The Rényi orders tracked.
    public let orders: [Double]
    /// Total RDP at each of `orders`.
    public private(set) var rdp: [Double]
    /// Number of mechanism invocations composed so far (saturates at `Int.max`).
    public private(set) var steps: Int

    /// How the records of one step are sampled, which selects the per-step RDP bound.
    public enum Sampling: Sendable, Equatable {
        /// Each record independently with probability q, add/remove adjacency (``RDPAccountant``).
        case poisson
        /// A uniform fixed-size sample, ratio q, replace-one adjacency (``WithoutReplacementRDP``).
        case withoutReplacement
    }

    /// Per-step RDP of the last (sampling, q, sigma) composed; rounds usually repeat the same triple.
    private var cache: (sampling: Sampling, q: Double, sigma: Double, perStep: [Double])?

    public init(orders: [Double] = RDPAccountant.defaultOrders) {
        self.orders = orders
        self.rdp = Array(repeating: 0, count: orders.count)
        self.steps = 0
    }

    /// Composes `steps` invocations of the sampled Gaussian mechanism with sampling rate `q`
    /// (Poisson unless `sampling` says otherwise) and noise multiplier `sigma`. `steps <= 0` does nothing.
    public mutating func compose(q: Double, sigma: Double, steps count: Int = 1, sampling: Sampling = .poisson) {
        guard count > 0 else { return }
        let perStep: [Double]
        if let cache, cache.sampling == sampling, cache.q == q, cache.sigma == sigma {
            perStep = cache.perStep
        } else {
            switch sampling {
            case .poisson: perStep = orders.map { RDPAccountant.rdp(q: q, sigma: sigma, order: $0) }
            case .withoutReplacement: perStep = orders.map { WithoutReplacementRDP.rdp(q: q, sigma: sigma, order: $0) }
            }
            cache = (sampling, q, sigma, perStep)
        }
        for index in rdp.indices {
            rdp[index] += RDPAccountant.composed(perStep[index], steps: count)
        }
        let (sum, overflow) = steps.addingReportingOverflow(count)
        steps = overflow ? Int.max : sum
    }

    /// Epsilon spent so far at `delta` (0 before any step).
    public func epsilon(delta: Double, conversion: RDPAccountant.Conversion = .improved) -> Double {
        privacySpent(delta: delta, conversion: conversion).epsilon
    }

    /// Epsilon spent so far at `delta` and the order attaining it.
    public func privacySpent(
        delta: Double, conversion: RDPAccountant.Conversion = .improved
    ) -> (epsilon: Double, order: Double) {
        RDPAccountant.epsilon(rdp: rdp, orders: orders, delta: delta, conversion: conversion)
    }
}
