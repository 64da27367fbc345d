import FedMath

/// Server momentum on the aggregated update Delta, in two forms that share the velocity
/// v <- mu v + Delta (state: v, 4 bytes a parameter); with mu = 0 and eta = 1 both are FedAvg's step.
///
/// - FedAvgM (Hsu, Qi, Brown 2019, "Measuring the Effects of Non-Identical Data Distribution for
///   Federated Visual Classification", arXiv 1909.06335): x <- x + eta v.
/// - Nesterov (`nesterov`), SGD with Nesterov momentum on the pseudo-gradient -Delta, the outer
///   optimizer of DiLoCo (Douillard, Feng, Rusu, Chhaparia, Donchev, Kuncoro, Ranzato, Szlam, Shen
///   2023, "DiLoCo: Distributed Low-Communication Training of Language Models", arXiv 2311.08105),
///   in PyTorch's formulation of Nesterov SGD (Sutskever et al. 2013): x <- x + eta (Delta + mu v).
struct MomentumServer: ServerOptimizer {
    var learningRate: Float
    let momentum: Float
    let nesterov: Bool
    var velocity: [Float]

    init(learningRate: Float, momentum: Float, nesterov: Bool, dimension: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        velocity = [Float](repeating: 0, count: dimension)
    }

    mutating func step(_ parameters: inout [Float], delta: [Float]) {
        BLAS.scal(momentum, &velocity)
        BLAS.axpy(1, delta, &velocity)
        if nesterov {
            var direction = delta
            BLAS.axpy(momentum, velocity, &direction)
            BLAS.axpy(learningRate, direction, &parameters)
        } else {
            BLAS.axpy(learningRate, velocity, &parameters)
        }
    }

    var stateBytes: Int { 4 * velocity.count }
}
