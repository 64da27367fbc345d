import FedMath

/// One device's local training: start from the model it downloaded, run SGD on its own shard,
/// and return the update (trained model minus starting model).
struct LocalTask: Sendable {
    /// The device that trains.
    var device: Int
    /// How many tasks this device had started before this one; keys its SGD stream.
    var deviceTaskIndex: UInt64
    var epochs: Int
    var batchSize: Int
    var maxSteps: Int?
}

/// What local training produced.
struct LocalResult: Sendable {
    /// Trained parameters minus the parameters the device started from.
    var update: [Float]
    var work: TrainingWork
    /// Analytic FLOPs of the work (see ``SoftmaxRegression/trainingFLOPs(samples:steps:)``).
    var flops: Double
    /// Whether every entry of the update is finite.
    var isFinite: Bool
}

/// Shared, read-only inputs of local training.
struct LocalTrainer: Sendable {
    let model: SoftmaxRegression
    let data: FederatedData
    let learningRate: Float
    let seed: UInt64

    /// Trains `task` starting from `start`. The SGD order comes from the stream
    /// (seed, localSGD, device, deviceTaskIndex), so the result does not depend on thread or order.
    func run(_ task: LocalTask, from start: [Float]) -> LocalResult {
        var params = start
        let rng = RandomStream(seed: seed, purpose: .localSGD, UInt64(task.device), task.deviceTaskIndex)
        let work = model.train(&params, on: data.train, rows: data.shards[task.device], epochs: task.epochs,
                               batchSize: task.batchSize, learningRate: learningRate, rng: rng,
                               workspace: ModelWorkspace(), maxSteps: task.maxSteps)
        BLAS.axpy(-1, start, &params)
        let norm = BLAS.nrm2(params)
        return LocalResult(update: params, work: work, flops: model.trainingFLOPs(samples: work.samples, steps: work.steps),
                           isFinite: norm.isFinite)
    }
}
