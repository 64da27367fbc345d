/// Layer normalization (Ba, Kiros, Hinton 2016, "Layer Normalization", arXiv 1607.06450) over
/// each row: y = gain * (x - mean) / sqrt(var + epsilon) + bias, with the biased variance.
enum LayerNorm {
    static let epsilon: Float = 1e-5

    /// Normalizes `rows` rows of `width`; keeps x-hat and 1/sqrt(var + epsilon) for the backward pass.
    static func forward(_ x: UnsafePointer<Float>, rows: Int, width n: Int, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        normalized xhat: UnsafeMutablePointer<Float>, inverseStd rstd: UnsafeMutablePointer<Float>,
                        into y: UnsafeMutablePointer<Float>) {
        for r in 0 ..< rows {
            let xr = x + r * n, hr = xhat + r * n, yr = y + r * n
            let mean = VectorMath.sum(xr, count: n) / Float(n)
            for i in 0 ..< n { hr[i] = xr[i] - mean }
            let variance = VectorMath.dot(hr, hr, count: n) / Float(n)
            let s = 1 / (variance + epsilon).squareRoot()
            rstd[r] = s
            for i in 0 ..< n {
                hr[i] *= s
                yr[i] = gain[i] * hr[i] + bias[i]
            }
        }
    }

    /// Adds the gain and bias gradients and adds the input gradient to `dx`:
    /// dx += rstd (g - mean(g) - xhat mean(g xhat)) with g = dy * gain.
    static func backward(_ dy: UnsafePointer<Float>, rows: Int, width n: Int, gain: UnsafePointer<Float>,
                         normalized xhat: UnsafePointer<Float>, inverseStd rstd: UnsafePointer<Float>,
                         gainGradient dgain: UnsafeMutablePointer<Float>, biasGradient dbias: UnsafeMutablePointer<Float>,
                         addingInputGradientTo dx: UnsafeMutablePointer<Float>) {
        for r in 0 ..< rows {
            let dr = dy + r * n, hr = xhat + r * n, xr = dx + r * n
            for i in 0 ..< n {
                dgain[i] += dr[i] * hr[i]
                dbias[i] += dr[i]
            }
            let meanG = VectorMath.dot(dr, gain, count: n) / Float(n)
            let meanGH = VectorMath.dot(dr, gain, hr, count: n) / Float(n)
            let s = rstd[r]
            for i in 0 ..< n { xr[i] += s * (dr[i] * gain[i] - meanG - hr[i] * meanGH) }
        }
    }

    /// Approximate FLOPs per row of forward and backward.
    static func trainingFLOPs(width: Int) -> Double { 20 * Double(width) }
}
