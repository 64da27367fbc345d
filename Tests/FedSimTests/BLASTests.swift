import Foundation
import Testing
import FedMath
@testable import FedSim

@Suite("BLAS backend")
struct BLASTests {
    @Test("cblas_sgemm is served by OpenBLAS, pinned to one thread")
    func provider() {
        #expect(BLAS.provider == "libopenblas.so.0")
        #expect(BLAS.threadCount == 1)
        #expect(BLAS.coreName != nil)
    }

    @Test("gemm matches a hand-computed product, with and without transposes")
    func handProduct() {
        // A = [1 2 3; 4 5 6], B = [7 8; 9 10; 11 12]: A B = [58 64; 139 154] (all exact in Float).
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [7, 8, 9, 10, 11, 12]
        let aT: [Float] = [1, 4, 2, 5, 3, 6], bT: [Float] = [7, 9, 11, 8, 10, 12]
        for (ta, pa, lda) in [(BLAS.Transpose.none, a, 3), (.transpose, aT, 2)] {
            for (tb, pb, ldb) in [(BLAS.Transpose.none, b, 2), (.transpose, bT, 3)] {
                var c: [Float] = [1, 1, 1, 1]
                BLAS.gemm(ta, tb, m: 2, n: 2, k: 3, alpha: 2, a: pa, lda: lda, b: pb, ldb: ldb, beta: -1, c: &c, ldc: 2)
                #expect(c == [115, 127, 277, 307])  // 2 A B - 1
            }
        }
        #expect(BLAS.dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(BLAS.nrm2([3, 4]) == 5)
    }

    @Test("a GEMM-heavy run (Synthetic(1,1), softmax) is byte-identical when repeated and at 1 and 4 threads")
    func determinism() throws {
        var json = smallScenarioJSON(devices: 12, perRound: 6, rounds: 12)
        json["data"] = ["source": "synthetic", "alpha": 1, "beta": 1, "testFraction": 0.1, "partition": ["kind": "natural"]]
        json = setting(json, "training.learningRate", 0.01)
        json = setting(json, "training.batchSize", 32)
        let s = try scenario(json)
        var outputs: [(String, Data)] = []
        for threads in [1, 4, 1, 4] {
            let report = try PreparedRun(s).run(threads: threads)
            outputs.append((ReportWriter.curveCSV(report.curve), try ReportWriter.json(report.summary)))
        }
        for other in outputs.dropFirst() {
            #expect(other.0 == outputs[0].0)
            #expect(other.1 == outputs[0].1)
        }
    }

    @Test("the sgemm figure of a shape mix is total FLOPs over total time, computed by hand")
    func shapeMixRate() {
        // 3 GFLOP at 30 GFLOP/s take 0.1 s, 1 GFLOP at 10 GFLOP/s another 0.1 s: 4 GFLOP in 0.2 s.
        #expect(GemmBenchmark.weightedHarmonicMean(flops: [3e9, 1e9], rates: [30, 10]) == 20)
        // One shape alone is its own rate.
        #expect(GemmBenchmark.weightedHarmonicMean(flops: [5], rates: [7]) == 7)
    }
}
