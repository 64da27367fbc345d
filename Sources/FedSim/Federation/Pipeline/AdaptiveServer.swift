/// FedAdagrad, FedAdam and FedYogi (Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar,
/// McMahan 2021, "Adaptive Federated Optimization", arXiv 2003.00295, Algorithm 2), per
/// coordinate, with Delta the aggregated update:
///
///     m <- beta1 m + (1 - beta1) Delta
///     v <- v + Delta^2                                   (FedAdagrad)
///     v <- beta2 v + (1 - beta2) Delta^2                 (FedAdam)
///     v <- v - (1 - beta2) Delta^2 sign(v - Delta^2)     (FedYogi)
///     x <- x + eta m / (sqrt(v) + tau)
///
/// without bias correction, as in the paper, from m = 0 and v = tau^2 (the paper's
/// initialisation v_{-1} >= tau^2, at its smallest). State: m and v, 8 bytes a parameter.
struct AdaptiveServer: ServerOptimizer {
    enum Rule: Sendable { case adagrad, adam, yogi }
    let rule: Rule
    var learningRate: Float
    let beta1: Float
    let beta2: Float
    let tau: Float
    var first: [Float]
    var second: [Float]

    init(rule: Rule, learningRate: Float, beta1: Float, beta2: Float, tau: Float, dimension: Int) {
        self.rule = rule
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.tau = tau
        first = [Float](repeating: 0, count: dimension)
        second = [Float](repeating: tau * tau, count: dimension)
    }

    mutating func step(_ parameters: inout [Float], delta: [Float]) {
        let (rule, eta, b1, b2, tau) = (rule, learningRate, beta1, beta2, tau)
        first.withUnsafeMutableBufferPointer { m in
            second.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { x in
                    delta.withUnsafeBufferPointer { g in
                        for i in 0 ..< g.count {
                            let square = g[i] * g[i]
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            switch rule {
                            case .adagrad: v[i] += square
                            case .adam: v[i] = b2 * v[i] + (1 - b2) * square
                            case .yogi:
                                let d = v[i] - square
                                v[i] -= (1 - b2) * square * (d > 0 ? 1 : d < 0 ? -1 : 0)
                            }
                            x[i] += eta * m[i] / (v[i].squareRoot() + tau)
                        }
                    }
                }
            }
        }
    }

    var stateBytes: Int { 4 * (first.count + second.count) }
}
