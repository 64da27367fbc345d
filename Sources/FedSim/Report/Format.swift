/// Locale-independent, deterministic number formatting for reports.
public enum Format {
    /// `x` with exactly `decimals` digits after the point (half away from zero), no exponent.
    /// Non-finite values print as `nan`, `inf` or `-inf`.
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0 ..< decimals { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e18 else { return "\(x)" }
        let n = UInt64(scaled)
        let negative = x < 0 && n != 0
        var digits = String(n)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return negative ? "-" + digits : digits
    }

    /// `x` as an integer when it is one, else with up to `decimals` digits, trailing zeros dropped.
    public static func compact(_ x: Double, _ decimals: Int = 6) -> String {
        var s = fixed(x, decimals)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// `x` with `digits` significant digits (at least), without exponent, e.g. 0.0003672 or 12.35.
    public static func significant(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite, x != 0 else { return compact(x, 0) }
        let magnitude = Int((abs(x)).log10Floor)
        return compact(x, max(0, digits - 1 - magnitude))
    }

    /// A byte count with a binary-free SI unit (kB = 1000 B), e.g. `12.3 MB`.
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) B" : "\(fixed(v, 1)) \(units[u])"
    }
}

extension Double {
    /// floor(log10(|x|)) for finite non-zero x.
    var log10Floor: Double {
        var e = 0.0
        var v = abs(self)
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}
