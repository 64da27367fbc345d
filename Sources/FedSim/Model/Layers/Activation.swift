import Foundation

/// An elementwise nonlinearity with its derivative.
public enum Activation: String, Sendable {
    /// max(0, u) (Nair & Hinton 2010).
    case relu
    /// tanh(u), the hidden nonlinearity of Bengio et al. 2003.
    case tanh
    /// GELU in the tanh form of Hendrycks & Gimpel 2016 ("Gaussian Error Linear Units", arXiv
    /// 1606.08415), as in GPT-2: 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))), with
    /// ``FastMath/tanh(_:)`` so that the loops vectorise.
    case gelu

    private static let k: Float = 0.797_884_560_802_865_4  // sqrt(2 / pi)
    private static let c: Float = 0.044_715

    /// y = f(u) over `count` entries.
    func forward(_ u: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0 ..< count { y[i] = max(u[i], 0) }
        case .tanh: for i in 0 ..< count { y[i] = tanhf(u[i]) }
        case .gelu: for i in 0 ..< count { y[i] = Self.gelu(u[i]).value }
        }
    }

    /// GELU(u) into `y` and GELU'(u) over `u` (in place), so that the backward pass is one
    /// product (``applySlope(_:gradient:count:)``) and computes no second tanh.
    static func geluKeepingSlope(_ u: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let g = gelu(u[i])
            y[i] = g.value
            u[i] = g.slope
        }
    }

    /// d *= slope: the gradient at the output becomes the gradient at the input, with the slope
    /// that ``geluKeepingSlope(_:into:count:)`` kept.
    static func applySlope(_ slope: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count { d[i] *= slope[i] }
    }

    /// GELU (tanh form) and its derivative at x, from one tanh.
    @inline(__always)
    private static func gelu(_ x: Float) -> (value: Float, slope: Float) {
        let t = FastMath.tanh(k * (x + c * x * x * x))
        return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x))
    }

    /// d *= f'(u), in place: turns the gradient at the output y = f(u) into the gradient at u.
    func backward(_ u: UnsafePointer<Float>, output y: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0 ..< count where u[i] <= 0 { d[i] = 0 }
        case .tanh: for i in 0 ..< count { d[i] *= 1 - y[i] * y[i] }
        case .gelu: for i in 0 ..< count { d[i] *= Self.gelu(u[i]).slope }
        }
    }

    /// Approximate FLOPs per entry of forward and backward (tanh counted as one operation).
    var trainingFLOPs: Double {
        switch self {
        case .relu: 2
        case .tanh: 4
        case .gelu: 20
        }
    }
}
