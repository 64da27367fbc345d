import CGSL
import Glibc

/// Single-precision BLAS through the standard CBLAS interface (row-major), served by OpenBLAS.
///
/// Swift sees GSL's `gsl_cblas.h` (the standard CBLAS ABI with 32-bit sizes, which Debian's
/// OpenBLAS matches); the implementation is chosen at link time, and the package links
/// `libopenblas` before `libgsl` so that OpenBLAS serves every `cblas_*` call, fedsim's and GSL's
/// own. fedsim trains devices on its own threads, so OpenBLAS is pinned to one thread before the
/// first call: its results then depend only on the inputs and on the kernel OpenBLAS picked for
/// the CPU (see ``coreName``), not on thread counts or timing.
public enum BLAS {
    /// Pins OpenBLAS to one thread, once per process; every entry point below checks it.
    private static let configured: Bool = {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_set_num_threads") {
            typealias SetThreads = @convention(c) (Int32) -> Void
            unsafeBitCast(symbol, to: SetThreads.self)(1)
        }
        return true
    }()

    /// Makes sure OpenBLAS runs single-threaded before any BLAS work; idempotent and cheap.
    @inline(__always) static func configureOnce() { _ = configured }

    /// The shared library that serves `cblas_sgemm` in this process: "libopenblas.so.0",
    /// "libgslcblas.so.0" (for example under `LD_PRELOAD=libgslcblas.so.0`), "other" or "none".
    public static var provider: String {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_sgemm") else { return "none" }
        for library in ["libopenblas.so.0", "libgslcblas.so.0"] {
            if let handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD) {
                defer { dlclose(handle) }
                if dlsym(handle, "cblas_sgemm") == symbol { return library }
            }
        }
        return "other"
    }

    /// The kernel family OpenBLAS selected for this CPU (for example "Cooperlake"), or nil
    /// without OpenBLAS. Results are bit-reproducible for one kernel; another kernel (another
    /// CPU, or `OPENBLAS_CORETYPE` set in the environment) may round differently.
    public static var coreName: String? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_get_corename") else { return nil }
        typealias CoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?
        return unsafeBitCast(symbol, to: CoreName.self)().map { String(cString: $0) }
    }

    /// The number of threads OpenBLAS uses (1 once any BLAS call ran), or nil without OpenBLAS.
    public static var threadCount: Int? {
        configureOnce()
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_get_num_threads") else { return nil }
        typealias GetThreads = @convention(c) () -> Int32
        return Int(unsafeBitCast(symbol, to: GetThreads.self)())
    }

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
        configureOnce()
        BLASClock.timed {
            cblas_sgemm(
                CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// y = alpha * op(A) * x + beta * y, with A m x n row-major.
    public static func gemv(
        _ trans: Transpose, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        configureOnce()
        BLASClock.timed { cblas_sgemv(CblasRowMajor, trans.cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1) }
    }

    /// y += alpha * x over `count` elements.
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        configureOnce()
        BLASClock.timed { cblas_saxpy(Int32(count), alpha, x, 1, y, 1) }
    }

    /// x *= alpha over `count` elements.
    public static func scal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        configureOnce()
        BLASClock.timed { cblas_sscal(Int32(count), alpha, x, 1) }
    }

    /// The dot product of x and y over `count` elements.
    public static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        configureOnce()
        return BLASClock.timed { cblas_sdot(Int32(count), x, 1, y, 1) }
    }

    /// The Euclidean norm of x over `count` elements.
    public static func nrm2(count: Int, x: UnsafePointer<Float>) -> Float {
        configureOnce()
        return BLASClock.timed { cblas_snrm2(Int32(count), x, 1) }
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
