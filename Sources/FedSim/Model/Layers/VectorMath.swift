/// Reductions over contiguous Float buffers for the models' row loops (LayerNorm, softmax), with
/// independent partial sums (16) or maxima (4) so that the loop is not one serial chain:
/// Swift never reassociates Float arithmetic, so a plain `s += x[i]` loop waits on every add.
///
/// The partial results are combined at the end, so a sum rounds differently from the serial
/// order (the same inputs always give the same result: the order is fixed).
enum VectorMath {
    private typealias Lanes = SIMD16<Float>

    @inline(__always)
    private static func load(_ x: UnsafePointer<Float>, _ i: Int) -> Lanes {
        UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self)
    }

    /// x[0] + ... + x[n - 1].
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var lanes = Lanes(), i = 0
        while i + Lanes.scalarCount <= n { lanes += load(x, i); i += Lanes.scalarCount }
        var s = lanes.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// x[0] y[0] + ... + x[n - 1] y[n - 1].
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        var lanes = Lanes(), i = 0
        while i + Lanes.scalarCount <= n { lanes += load(x, i) * load(y, i); i += Lanes.scalarCount }
        var s = lanes.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// x[0] y[0] z[0] + ... + x[n - 1] y[n - 1] z[n - 1].
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafePointer<Float>, count n: Int) -> Float {
        var lanes = Lanes(), i = 0
        while i + Lanes.scalarCount <= n { lanes += load(x, i) * load(y, i) * load(z, i); i += Lanes.scalarCount }
        var s = lanes.sum()
        while i < n { s += x[i] * y[i] * z[i]; i += 1 }
        return s
    }

    /// The largest of x[0], ..., x[n - 1] (n >= 1; inputs are finite), with four running maxima
    /// (SIMD's `pointwiseMax` is a lane-by-lane loop for Float, slower than this).
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var m0 = x[0], m1 = x[0], m2 = x[0], m3 = x[0], i = 0
        while i + 4 <= n {
            m0 = x[i] > m0 ? x[i] : m0
            m1 = x[i + 1] > m1 ? x[i + 1] : m1
            m2 = x[i + 2] > m2 ? x[i + 2] : m2
            m3 = x[i + 3] > m3 ? x[i + 3] : m3
            i += 4
        }
        while i < n { m0 = x[i] > m0 ? x[i] : m0; i += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }
}
