import Foundation

/// A mean with a two-sided confidence interval, e.g. of one ratio over several seeds.
public struct Interval: Sendable, Codable, Equatable {
    public var mean: Double
    /// Lower and upper end of the interval (both equal to the mean when n < 2).
    public var low: Double
    public var high: Double
    /// Number of values.
    public var n: Int
    /// Confidence level, e.g. 0.95.
    public var confidence: Double

    /// An interval with the given figures.
    public init(mean: Double, low: Double, high: Double, n: Int, confidence: Double) {
        self.mean = mean
        self.low = low
        self.high = high
        self.n = n
        self.confidence = confidence
    }
}

/// Statistics over repeated runs with different seeds: Student-t confidence intervals and the
/// verdict they support on a claim such as "efficiency >= 0.85".
public enum SeedStatistics {
    /// The mean of `values` with a two-sided Student-t interval at `confidence` (in (0, 1)):
    /// mean ± t(1 - (1 - confidence) / 2, n - 1) · s / √n, with s the sample standard deviation.
    /// One value gives an interval of width zero at that value; no values give NaN bounds.
    public static func interval(_ values: [Double], confidence: Double = 0.95) -> Interval {
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1), got \(confidence)")
        let n = values.count
        guard n > 0 else { return Interval(mean: .nan, low: .nan, high: .nan, n: 0, confidence: confidence) }
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1 else { return Interval(mean: mean, low: mean, high: mean, n: 1, confidence: confidence) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let half = tQuantile(1 - (1 - confidence) / 2, degreesOfFreedom: n - 1) * (variance / Double(n)).squareRoot()
        return Interval(mean: mean, low: mean - half, high: mean + half, n: n, confidence: confidence)
    }

    /// The median of `values` (the mean of the two middle values for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// `holds` when the whole interval is at or above `threshold` (low >= threshold), `fails` when it
    /// is wholly below (high < threshold), else `undecided` — also for fewer than two values or NaN bounds.
    public static func verdict(_ i: Interval, threshold: Double = 0.85) -> Verdict {
        guard i.n >= 2 else { return .undecided }
        if i.low >= threshold { return .holds }
        if i.high < threshold { return .fails }
        return .undecided
    }

    /// The `p` quantile of Student's t distribution with `degreesOfFreedom` (>= 1) degrees of
    /// freedom: the t with P(T <= t) = p. Returns -inf / +inf for p = 0 / 1 and NaN for invalid input.
    ///
    /// Uses P(|T| > t) = I_x(ν/2, 1/2) with x = ν / (ν + t²), where I is the regularized incomplete
    /// beta function, and solves for x by bisection (I is increasing in x), to full double precision.
    public static func tQuantile(_ p: Double, degreesOfFreedom: Int) -> Double {
        guard degreesOfFreedom >= 1, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let nu = Double(degreesOfFreedom)
        let twoTails = 2 * min(p, 1 - p)  // P(|T| > |t|)
        var lo = 0.0, hi = 1.0  // I_lo(ν/2, 1/2) <= twoTails <= I_hi(ν/2, 1/2)
        while true {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if regularizedIncompleteBeta(mid, a: nu / 2, b: 0.5) < twoTails { lo = mid } else { hi = mid }
        }
        let x = (lo + hi) / 2
        let t = (nu * (1 - x) / x).squareRoot()
        return p > 0.5 ? t : -t
    }

    /// I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1 and a, b > 0.
    ///
    /// Evaluates the continued fraction
    /// I_x(a, b) = x^a (1-x)^b / (a B(a, b)) · 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
    /// d(2m+1) = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)) and d(2m) = m(b-m) x / ((a+2m-1)(a+2m)),
    /// by the modified Lentz method; for x above (a+1)/(a+b+2) it uses I_x(a, b) = 1 - I_(1-x)(b, a),
    /// where the fraction converges quickly.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let tiny = 1e-300
        func guarded(_ v: Double) -> Double { abs(v) < tiny ? tiny : v }
        // Lentz: f = 1 / (1 + d1 / (1 + d2 / ...)), tracked as products of C and D ratios.
        var c = 1.0
        var d = 1 / guarded(1 - (a + b) * x / (a + 1))  // 1 + d1
        var f = d
        for m in 1...10_000 {
            let mm = Double(m)
            let even = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            f *= d * c
            let odd = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let step = d * c
            f *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return exp(logFront) * f / a
    }
}
