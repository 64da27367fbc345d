import FedMath

/// Causal multi-head scaled dot-product self-attention (Vaswani et al. 2017, "Attention Is All You
/// Need", arXiv 1706.03762) over one sample's `context` positions: for each head,
/// O = softmax(Q K^T / sqrt(dHead) + M) V, with M[i][j] = -infinity for j > i, so position i sees
/// positions 0 ... i only.
///
/// Q, K and V are read from one (context x 3 dModel) row-major matrix [Q | K | V] (head h uses
/// columns h dHead ..< (h + 1) dHead of each third); the heads' outputs are written side by side
/// into a (context x dModel) matrix. Each head costs two sgemms forward and four backward; the
/// softmax's exponentials are ``FastMath/exp(_:)``, its row reductions ``VectorMath``'s.
struct CausalAttention: Sendable {
    let context: Int
    let dModel: Int
    let heads: Int

    var headWidth: Int { dModel / heads }
    var scale: Float { 1 / Float(headWidth).squareRoot() }
    /// Floats of attention probabilities kept per sample for the backward pass: heads x context^2.
    var probabilitiesPerSample: Int { heads * context * context }

    /// The sgemm calls of ``forward(qkv:probabilities:into:)`` and
    /// ``backward(_:qkv:probabilities:qkvGradient:scratch:)`` on one sample, as they make them
    /// (each once per head): S = Q K^T, O = P V; dV = P^T dO, dP = dO V^T, dQ = dS K, dK = dS^T Q.
    var productsPerSample: [MatrixProduct] {
        let t = context, dh = headWidth
        return [MatrixProduct(transposeB: true, m: t, n: t, k: dh), MatrixProduct(m: t, n: dh, k: t),
                MatrixProduct(transposeA: true, m: t, n: dh, k: t), MatrixProduct(transposeB: true, m: t, n: t, k: dh),
                MatrixProduct(m: t, n: dh, k: t), MatrixProduct(transposeA: true, m: t, n: dh, k: t)]
    }

    /// Writes the heads' outputs into `out` and their probabilities into `probs` (heads x T x T).
    func forward(qkv: UnsafePointer<Float>, probabilities probs: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let t = context, d = dModel, dh = headWidth
        for h in 0 ..< heads {
            let q = qkv + h * dh, k = qkv + d + h * dh, v = qkv + 2 * d + h * dh
            let p = probs + h * t * t
            BLAS.gemm(.none, .transpose, m: t, n: t, k: dh, alpha: scale, a: q, lda: 3 * d, b: k, ldb: 3 * d,
                      beta: 0, c: p, ldc: t)
            for i in 0 ..< t {
                let row = p + i * t
                let maxS = VectorMath.maximum(row, count: i + 1)
                for j in 0 ..< i + 1 { row[j] = FastMath.exp(row[j] - maxS) }  // a separate loop vectorises
                let inv = 1 / VectorMath.sum(row, count: i + 1)
                for j in 0 ..< i + 1 { row[j] *= inv }
                for j in (i + 1) ..< t { row[j] = 0 }
            }
            BLAS.gemm(.none, .none, m: t, n: dh, k: t, alpha: 1, a: p, lda: t, b: v, ldb: 3 * d,
                      beta: 0, c: out + h * dh, ldc: d)
        }
    }

    /// Writes the gradient with respect to [Q | K | V] into `dqkv` from the gradient `dOut` of the
    /// output; `scratch` holds context^2 Floats.
    func backward(_ dOut: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probabilities probs: UnsafePointer<Float>,
                  qkvGradient dqkv: UnsafeMutablePointer<Float>, scratch ds: UnsafeMutablePointer<Float>) {
        let t = context, d = dModel, dh = headWidth
        for h in 0 ..< heads {
            let q = qkv + h * dh, k = qkv + d + h * dh, v = qkv + 2 * d + h * dh
            let p = probs + h * t * t, dO = dOut + h * dh
            // dV = P^T dO;  dP = dO V^T
            BLAS.gemm(.transpose, .none, m: t, n: dh, k: t, alpha: 1, a: p, lda: t, b: dO, ldb: d,
                      beta: 0, c: dqkv + 2 * d + h * dh, ldc: 3 * d)
            BLAS.gemm(.none, .transpose, m: t, n: t, k: dh, alpha: 1, a: dO, lda: d, b: v, ldb: 3 * d,
                      beta: 0, c: ds, ldc: t)
            // dS = P * (dP - rowsum(dP * P)), the softmax Jacobian; masked entries have P = 0.
            for i in 0 ..< t {
                let pr = p + i * t, dr = ds + i * t
                let dot = VectorMath.dot(pr, dr, count: i + 1)
                for j in 0 ..< i + 1 { dr[j] = pr[j] * (dr[j] - dot) }
                for j in (i + 1) ..< t { dr[j] = 0 }
            }
            // dQ = scale dS K;  dK = scale dS^T Q
            BLAS.gemm(.none, .none, m: t, n: dh, k: t, alpha: scale, a: ds, lda: t, b: k, ldb: 3 * d,
                      beta: 0, c: dqkv + h * dh, ldc: 3 * d)
            BLAS.gemm(.transpose, .none, m: t, n: dh, k: t, alpha: scale, a: ds, lda: t, b: q, ldb: 3 * d,
                      beta: 0, c: dqkv + d + h * dh, ldc: 3 * d)
        }
    }
}
