import CGSL

/// Single-precision BLAS through GSL's CBLAS interface (row-major).
///
/// The backend is libgslcblas, GSL's reference CBLAS: it sums in a fixed order without FMA, so
/// results are bit-identical across CPUs and build modes, which the golden-curve checks rely on.
public enum BLAS {
    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none, transpose
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C = alpha * op(A) * op(B) + beta * C, with op(A) m x k, op(B) k x n, C m x n, row-major.
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha * op(A) * x + beta * y, with A m x n row-major.
    public static func gemv(
        _ trans: Transpose, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, trans.cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// y += alpha * x over `count` elements.
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    /// x *= alpha over `count` elements.
    public static func scal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(Int32(count), alpha, x, 1)
    }

    /// The dot product of x and y over `count` elements.
    public static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(count), x, 1, y, 1)
    }

    /// The Euclidean norm of x over `count` elements.
    public static func nrm2(count: Int, x: UnsafePointer<Float>) -> Float {
        cblas_snrm2(Int32(count), x, 1)
    }
}

extension BLAS {
    /// y += alpha * x for whole arrays of equal length.
    public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                axpy(count: xp.count, alpha: alpha, x: xp.baseAddress!, y: yp.baseAddress!)
            }
        }
    }

    /// x *= alpha for a whole array.
    public static func scal(_ alpha: Float, _ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { scal(count: $0.count, alpha: alpha, x: $0.baseAddress!) }
    }

    /// The Euclidean norm of an array.
    public static func nrm2(_ x: [Float]) -> Float {
        x.withUnsafeBufferPointer { nrm2(count: $0.count, x: $0.baseAddress!) }
    }

    /// The dot product of two arrays of equal length.
    public static func dot(_ x: [Float], _ y: [Float]) -> Float {
        precondition(x.count == y.count)
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { dot(count: xp.count, x: xp.baseAddress!, y: $0.baseAddress!) }
        }
    }
}
