import FedMath
import Foundation

/// The Synthetic(alpha, beta) federated data set of Li et al. 2020 ("Federated Optimization in
/// Heterogeneous Networks", FedProx), generated as in the paper's reference code:
///
/// for device k: u_k ~ N(0, alpha), B_k ~ N(0, beta); W_k ~ N(u_k, 1) (60 x 10), b_k ~ N(u_k, 1);
/// v_k ~ N(B_k, 1) per feature; x ~ N(v_k, Sigma) with Sigma diagonal, Sigma_jj = j^-1.2
/// (j = 1...60); y = argmax softmax(x W_k + b_k). Device k holds floor(lognormal(4, 2)) + 50
/// samples. alpha controls how much local models differ, beta how much local inputs differ.
public enum Synthetic {
    public static let featureCount = 60
    public static let classCount = 10

    /// The local model of one device: logits x W + b (W is featureCount x classCount, row-major)
    /// and the centre v of its inputs.
    public struct DeviceModel: Equatable, Sendable {
        public var w: [Double]
        public var b: [Double]
        public var v: [Double]
    }

    /// Device k's stream; its first draws are the device model, then its samples.
    static func stream(_ k: Int, seed: UInt64) -> RandomStream {
        RandomStream(seed: seed, purpose: .dataGeneration, UInt64(k))
    }

    /// Draws u_k, B_k, W_k, b_k and v_k from `rng`.
    static func drawModel(alpha: Double, beta: Double, rng: RandomStream) -> DeviceModel {
        let d = featureCount, c = classCount
        let u = rng.gaussian(sigma: alpha)
        let bk = rng.gaussian(sigma: beta)
        var w = [Double](repeating: 0, count: d * c)
        for i in w.indices { w[i] = rng.gaussian(mean: u, sigma: 1) }
        var b = [Double](repeating: 0, count: c)
        for i in b.indices { b[i] = rng.gaussian(mean: u, sigma: 1) }
        var v = [Double](repeating: 0, count: d)
        for j in v.indices { v[j] = rng.gaussian(mean: bk, sigma: 1) }
        return DeviceModel(w: w, b: b, v: v)
    }

    /// Device k's local model, as ``device(_:alpha:beta:seed:maxSamples:)`` uses it.
    public static func model(_ k: Int, alpha: Double, beta: Double, seed: UInt64) -> DeviceModel {
        drawModel(alpha: alpha, beta: beta, rng: stream(k, seed: seed))
    }

    /// One device's samples, generated from its own stream so that device k's data does not
    /// depend on the fleet size.
    public static func device(_ k: Int, alpha: Double, beta: Double, seed: UInt64,
                              maxSamples: Int = 20_000) -> Dataset {
        let rng = stream(k, seed: seed)
        let d = featureCount, c = classCount
        let m = drawModel(alpha: alpha, beta: beta, rng: rng)
        let sd = (1...d).map { pow(Double($0), -1.2).squareRoot() }
        let n = min(maxSamples, Int(rng.lognormal(mu: 4, sigma: 2)) + 50)
        var features = [Float](repeating: 0, count: n * d)
        var labels = [Int32](repeating: 0, count: n)
        var x = [Double](repeating: 0, count: d)
        for s in 0 ..< n {
            for j in 0 ..< d {
                x[j] = m.v[j] + rng.gaussian(sigma: sd[j])
                features[s * d + j] = Float(x[j])
            }
            var best = 0
            var bestLogit = -Double.infinity
            for cls in 0 ..< c {
                var z = m.b[cls]
                for j in 0 ..< d { z += x[j] * m.w[j * c + cls] }
                if z > bestLogit { bestLogit = z; best = cls }
            }
            labels[s] = Int32(best)
        }
        return Dataset(features: features, labels: labels, featureCount: d, classCount: c)
    }
}
