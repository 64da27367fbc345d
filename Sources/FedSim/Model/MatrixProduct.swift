/// One matrix product a training step performs as a BLAS sgemm call, C (m x n) = op(A) (m x k)
/// op(B) (k x n), row-major, each operand as stored or transposed: what `fedsim bench-training`
/// times sgemm at, to rate a model's step against the products it is made of.
public struct MatrixProduct: Sendable, Hashable {
    public var transposeA: Bool
    public var transposeB: Bool
    public var m: Int
    public var n: Int
    public var k: Int

    public init(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int) {
        (self.transposeA, self.transposeB, self.m, self.n, self.k) = (transposeA, transposeB, m, n, k)
    }

    /// 2 m n k: one multiply and one add per term.
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

extension Model {
    /// No listing by default: only models that say which sgemm calls their step makes are rated
    /// against them.
    public func matrixProducts(batchSize: Int) -> [MatrixProduct: Int] { [:] }
}
