import FedMath

/// A fully connected layer y = x W + b on a batch of rows, through BLAS sgemm.
///
/// W is fan-in x fan-out, row-major; x is rows x fan-in; y is rows x fan-out.
enum Dense {
    static func forward(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                        weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        for r in 0 ..< rows { (y + r * outputs).update(from: b, count: outputs) }
        BLAS.gemm(.none, .none, m: rows, n: outputs, k: inputs, alpha: 1, a: x, lda: inputs,
                  b: w, ldb: outputs, beta: 1, c: y, ldc: outputs)
    }

    /// Adds dW += x^T dy and db += column sums of dy; writes dx = dy W^T when `dx` is given.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                         weight w: UnsafePointer<Float>, weightGradient dw: UnsafeMutablePointer<Float>,
                         biasGradient db: UnsafeMutablePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?) {
        BLAS.gemm(.transpose, .none, m: inputs, n: outputs, k: rows, alpha: 1, a: x, lda: inputs,
                  b: dy, ldb: outputs, beta: 1, c: dw, ldc: outputs)
        for r in 0 ..< rows {
            let row = dy + r * outputs
            for k in 0 ..< outputs { db[k] += row[k] }
        }
        if let dx {
            BLAS.gemm(.none, .transpose, m: rows, n: inputs, k: outputs, alpha: 1, a: dy, lda: outputs,
                      b: w, ldb: outputs, beta: 0, c: dx, ldc: inputs)
        }
    }

    /// The sgemm calls of ``forward(_:rows:inputs:outputs:weight:bias:into:)`` and
    /// ``backward(_:_:rows:inputs:outputs:weight:weightGradient:biasGradient:inputGradient:)``, as they make them.
    static func products(rows: Int, inputs: Int, outputs: Int, inputGradient: Bool) -> [MatrixProduct] {
        [MatrixProduct(m: rows, n: outputs, k: inputs),
         MatrixProduct(transposeA: true, m: inputs, n: outputs, k: rows)]
            + (inputGradient ? [MatrixProduct(transposeB: true, m: rows, n: inputs, k: outputs)] : [])
    }

    /// FLOPs of forward and backward for one row, with the input gradient: 6 in out + 2 out
    /// (three matrix products of 2 in out, bias add and bias gradient).
    static func trainingFLOPs(inputs: Int, outputs: Int) -> Double {
        6 * Double(inputs) * Double(outputs) + 2 * Double(outputs)
    }
}
