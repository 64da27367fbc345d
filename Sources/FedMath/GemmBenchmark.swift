/// Measures single-precision GEMM speed for `make bench` (never used by a simulation).
public enum GemmBenchmark {
    /// The rate of work made only of products whose FLOPs are `flops` and whose rates are `rates`:
    /// total FLOPs over total time, sum F / sum (F / r), the FLOP-weighted harmonic mean of the rates.
    public static func weightedHarmonicMean(flops: [Double], rates: [Double]) -> Double {
        precondition(flops.count == rates.count && !flops.isEmpty)
        return flops.reduce(0, +) / zip(flops, rates).map { $0 / $1 }.reduce(0, +)
    }

    /// The median over `trials` of GFLOP/s, each trial repeating the product for at least
    /// `trialSeconds` of wall clock, after one untimed call.
    public static func gigaflops(_ shape: MatrixProduct, trials: Int = 5, trialSeconds: Double = 0.05) -> Double {
        let a = (0 ..< shape.m * shape.k).map { Float($0 % 13) * 0.01 - 0.06 }
        let b = (0 ..< shape.k * shape.n).map { Float($0 % 7) * 0.02 - 0.06 }
        var c = [Float](repeating: 0, count: shape.m * shape.n)
        func product() {
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(shape.transposeA ? .transpose : .none, shape.transposeB ? .transpose : .none,
                          m: shape.m, n: shape.n, k: shape.k, alpha: 1, a: a, lda: shape.transposeA ? shape.m : shape.k,
                          b: b, ldb: shape.transposeB ? shape.k : shape.n, beta: 0, c: cp.baseAddress!, ldc: shape.n)
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
