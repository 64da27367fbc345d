import FedMath

/// FedAvgM, server momentum (Hsu, Qi, Brown 2019, "Measuring the Effects of Non-Identical Data
/// Distribution for Federated Visual Classification", arXiv 1909.06335): v <- beta v + Delta,
/// x <- x + eta v. With beta = 0 and eta = 1 it is FedAvg's step. State: v, 4 bytes a parameter.
struct FedAvgMServer: ServerOptimizer {
    var learningRate: Float
    let momentum: Float
    var velocity: [Float]

    init(learningRate: Float, momentum: Float, dimension: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        velocity = [Float](repeating: 0, count: dimension)
    }

    mutating func step(_ parameters: inout [Float], delta: [Float]) {
        BLAS.scal(momentum, &velocity)
        BLAS.axpy(1, delta, &velocity)
        BLAS.axpy(learningRate, velocity, &parameters)
    }

    var stateBytes: Int { 4 * velocity.count }
}

/// SGD with Nesterov momentum on the pseudo-gradient -Delta, the outer optimizer of DiLoCo
/// (Douillard, Feng, Rusu, Chhaparia, Donchev, Kuncoro, Ranzato, Szlam, Shen 2023, "DiLoCo:
/// Distributed Low-Communication Training of Language Models", arXiv 2311.08105), in PyTorch's
/// formulation of Nesterov SGD (Sutskever et al. 2013): v <- mu v + Delta,
/// x <- x + eta (Delta + mu v). With mu = 0 and eta = 1 it is FedAvg's step. State: v.
struct NesterovServer: ServerOptimizer {
    var learningRate: Float
    let momentum: Float
    var velocity: [Float]

    init(learningRate: Float, momentum: Float, dimension: Int) {
        self.learningRate = learningRate
        self.momentum = momentum
        velocity = [Float](repeating: 0, count: dimension)
    }

    mutating func step(_ parameters: inout [Float], delta: [Float]) {
        BLAS.scal(momentum, &velocity)
        BLAS.axpy(1, delta, &velocity)
        var direction = delta
        BLAS.axpy(momentum, velocity, &direction)
        BLAS.axpy(learningRate, direction, &parameters)
    }

    var stateBytes: Int { 4 * velocity.count }
}
