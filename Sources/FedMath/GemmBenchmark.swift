/// Measures single-precision GEMM speed for `make bench` (never used by a simulation or a test).
public enum GemmBenchmark {
    /// One GEMM shape: C (m x n) = op(A) (m x k) op(B) (k x n), row-major, each operand as stored
    /// or transposed (op(A) = A^T; described with a ' after it).
    public struct Shape: Sendable, CustomStringConvertible {
        public let m, k, n: Int
        public let transA, transB: BLAS.Transpose
        public init(m: Int, k: Int, n: Int, transA: BLAS.Transpose = .none, transB: BLAS.Transpose = .none) {
            (self.m, self.k, self.n, self.transA, self.transB) = (m, k, n, transA, transB)
        }
        public var description: String {
            "\(m)x\(k)\(transA == .none ? "" : "'") by \(k)x\(n)\(transB == .none ? "" : "'")"
        }
        /// 2 m n k: one multiply and one add per term.
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The rate of work made only of products whose FLOPs are `flops` and whose rates are `rates`:
    /// total FLOPs over total time, sum F / sum (F / r), the FLOP-weighted harmonic mean of the rates.
    public static func weightedHarmonicMean(flops: [Double], rates: [Double]) -> Double {
        precondition(flops.count == rates.count && !flops.isEmpty)
        return flops.reduce(0, +) / zip(flops, rates).map { $0 / $1 }.reduce(0, +)
    }

    /// The median over `trials` of GFLOP/s, each trial repeating the product for at least
    /// `trialSeconds` of wall clock, after one untimed call.
    public static func gigaflops(_ shape: Shape, trials: Int = 5, trialSeconds: Double = 0.05) -> Double {
        let a = (0 ..< shape.m * shape.k).map { Float($0 % 13) * 0.01 - 0.06 }
        let b = (0 ..< shape.k * shape.n).map { Float($0 % 7) * 0.02 - 0.06 }
        var c = [Float](repeating: 0, count: shape.m * shape.n)
        func product() {
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(shape.transA, shape.transB, m: shape.m, n: shape.n, k: shape.k, alpha: 1,
                          a: a, lda: shape.transA == .none ? shape.k : shape.m,
                          b: b, ldb: shape.transB == .none ? shape.n : shape.k, beta: 0, c: cp.baseAddress!, ldc: shape.n)
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
