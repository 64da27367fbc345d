import FedMath

/// The last server-side stage: moves the server model by the aggregated update treated as a
/// pseudo-gradient, as in Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan 2021
/// ("Adaptive Federated Optimization", arXiv 2003.00295, Algorithm 2): with Delta_t the weighted
/// average of the devices' updates (trained minus received model, so -Delta_t plays the gradient),
/// the server applies x_{t+1} = x_t + (a step computed from Delta_t and the optimizer's state).
/// Its state belongs to the server and is reported in the summary (`stateBytes`).
protocol ServerOptimizer: Sendable {
    /// Applies one aggregated update `delta` to `parameters` and advances the optimizer's state.
    mutating func step(_ parameters: inout [Float], delta: [Float])
    /// Bytes of state the optimizer keeps between steps.
    var stateBytes: Int { get }
    /// eta, the server learning rate of the next step (set by ``ScheduledServer`` before each step).
    var learningRate: Float { get set }
}

/// FedAvg's server step (McMahan et al. 2017), x <- x + eta Delta: server learning rate 1 in
/// synchronous FedAvg, FedBuff's server learning rate eta (Nguyen et al. 2022). No state.
struct FedAvgServer: ServerOptimizer {
    var learningRate: Float

    func step(_ parameters: inout [Float], delta: [Float]) {
        BLAS.axpy(learningRate, delta, &parameters)
    }

    var stateBytes: Int { 0 }
}
