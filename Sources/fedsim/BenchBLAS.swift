import ArgumentParser
import FedMath
import FedSim

/// `fedsim bench-blas`: hidden; `make bench` prints its table.
struct BenchBLAS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-blas",
        abstract: "Print single-threaded sgemm GFLOP/s at the models' shapes, and which BLAS served them.",
        shouldDisplay: false
    )

    /// Softmax regression's step on digits (batch 32) and model-sized products.
    static let shapes = [
        MatrixProduct(m: 10, n: 10, k: 64),
        MatrixProduct(m: 32, n: 10, k: 64),
        MatrixProduct(m: 256, n: 256, k: 64),
        MatrixProduct(m: 1024, n: 256, k: 256),
    ]

    func run() {
        let provider = BLAS.provider
        // The OpenBLAS core and thread count describe the provider only when OpenBLAS serves sgemm
        // (under LD_PRELOAD=libgslcblas.so.0 OpenBLAS is still loaded, but unused by sgemm).
        let detail = provider == "libopenblas.so.0"
            ? " (OpenBLAS core \(BLAS.coreName ?? "-"), \(BLAS.threadCount.map(String.init) ?? "-") thread)" : ", single-threaded reference"
        print("sgemm through \(provider)\(detail)")
        for shape in Self.shapes {
            let rate = GemmBenchmark.gigaflops(shape)
            print("    \(shape.description.padding(18)) \(Format.fixed(rate, 1).leftPadding(7)) GFLOP/s")
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    fileprivate func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
