/// One matrix product as a BLAS sgemm call, C (m x n) = op(A) (m x k) op(B) (k x n), row-major,
/// each operand as stored or transposed (described with a ' after a transposed operand). Models
/// list the products their training step makes, and ``GemmBenchmark`` times sgemm at them.
public struct MatrixProduct: Sendable, Hashable, CustomStringConvertible {
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

    public var description: String { "\(m)x\(k)\(transposeA ? "'" : "") by \(k)x\(n)\(transposeB ? "'" : "")" }
}
