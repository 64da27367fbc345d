/// Measures single-precision GEMM speed for `make bench` (never used by a simulation or a test).
public enum GemmBenchmark {
    /// One GEMM shape: C (m x n) = A (m x k) B (k x n), both operands as stored (row-major).
    public struct Shape: Sendable, CustomStringConvertible {
        public let m, k, n: Int
        public init(m: Int, k: Int, n: Int) { (self.m, self.k, self.n) = (m, k, n) }
        public var description: String { "\(m)x\(k) by \(k)x\(n)" }
        /// 2 m n k: one multiply and one add per term.
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The median over `trials` of GFLOP/s, each trial repeating the product for at least
    /// `trialSeconds` of wall clock, after one untimed call.
    public static func gigaflops(_ shape: Shape, trials: Int = 5, trialSeconds: Double = 0.05) -> Double {
        let a = (0 ..< shape.m * shape.k).map { Float($0 % 13) * 0.01 - 0.06 }
        let b = (0 ..< shape.k * shape.n).map { Float($0 % 7) * 0.02 - 0.06 }
        var c = [Float](repeating: 0, count: shape.m * shape.n)
        func product() {
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(.none, .none, m: shape.m, n: shape.n, k: shape.k, alpha: 1, a: a, lda: shape.k,
                          b: b, ldb: shape.n, beta: 0, c: cp.baseAddress!, ldc: shape.n)
            }
        }
        product()
        let clock = ContinuousClock()
        var rates: [Double] = []
        for _ in 0 ..< trials {
            var calls = 0
            let start = clock.now
            var elapsed = 0.0
            repeat {
                product()
                calls += 1
                let d = clock.now - start
                elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            } while elapsed < trialSeconds
            rates.append(shape.flops * Double(calls) / elapsed / 1e9)
        }
        return rates.sorted()[trials / 2]
    }
}
