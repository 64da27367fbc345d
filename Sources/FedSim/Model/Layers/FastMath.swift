/// exp and tanh for the element loops of the models (GELU), written so that LLVM vectorises a loop
/// that calls them: straight-line Float arithmetic and bit operations, no libm call, no branch.
///
/// exp uses Cody and Waite's range reduction (Cody & Waite 1980, "Software Manual for the
/// Elementary Functions"): x = n ln 2 + r with n = round(x / ln 2) and |r| <= ln 2 / 2, ln 2 split
/// into a high part exact in Float and a low part; e^r by its Taylor polynomial of degree 7, whose
/// remainder is below (ln 2 / 2)^8 / 8! = 5.2e-9 relative; 2^n built in the exponent bits.
/// The input is clamped to [-87, 88], where e^x and 2^n are normal Floats.
enum FastMath {
    private static let log2e: Float = 1.442_695_04
    private static let ln2High: Float = 0.693_145_751_953_125  // 0x3F317200: 13 significant bits, n ln2High exact
    private static let ln2Low: Float = 1.428_606_765_330_187e-06
    /// 1.5 * 2^23: adding it rounds a Float of magnitude below 2^22 to the nearest integer, which
    /// then sits in the low mantissa bits.
    private static let roundingShift: Float = 12_582_912

    /// e^x, within a few units in the last place for x in [-87, 88]; clamped outside.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = x < -87 ? -87 : (x > 88 ? 88 : x)
        let shifted = x * log2e + roundingShift
        let n = shifted - roundingShift
        let r = (x - n * ln2High) - n * ln2Low
        var p: Float = 1 / 5040
        p = p * r + 1 / 720
        p = p * r + 1 / 120
        p = p * r + 1 / 24
        p = p * r + 1 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // The integer n is shifted's bit pattern minus that of roundingShift (wrapping for n < 0).
        let exponent = (shifted.bitPattern &- roundingShift.bitPattern &+ 127) << 23
        return p * Float(bitPattern: exponent)
    }

    /// tanh(x) = 1 - 2 / (e^(2x) + 1), within about 1e-7 absolute; exactly +-1 beyond |x| = 44.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        1 - 2 / (exp(2 * x) + 1)
    }
}
