import FedMath

/// Buffers one thread needs to train any ``Model``: the model's workspace, the gradient, the sample order.
public final class TrainingWorkspace<M: Model> {
    public let model: M.Workspace
    var gradient: [Float]
    var order: [Int32] = []

    public init(_ model: M) {
        self.model = model.makeWorkspace()
        gradient = [Float](repeating: 0, count: model.parameterCount)
    }
}

/// What a stretch of local training did.
public struct TrainingWork: Sendable, Equatable {
    /// Samples processed (counting repeats across epochs).
    public var samples: Int
    /// Optimizer steps taken.
    public var steps: Int

    public init(samples: Int, steps: Int) {
        self.samples = samples
        self.steps = steps
    }

    /// The work ``Model/train(_:on:samples:epochs:batchSize:optimizer:rng:workspace:maxSteps:proximal:)`` will
    /// do on `n` samples, known in advance: each epoch is ceil(n / b) steps, all full batches but the last.
    public static func planned(samples n: Int, epochs: Int, batchSize: Int, maxSteps: Int?) -> TrainingWork {
        guard n > 0, epochs > 0 else { return TrainingWork(samples: 0, steps: 0) }
        let b = min(batchSize, n)
        let perEpoch = (n + b - 1) / b
        let (fullEpochs, overflow) = perEpoch.multipliedReportingOverflow(by: epochs)
        let steps = min(maxSteps ?? Int.max, overflow ? Int.max : fullEpochs)
        return TrainingWork(samples: (steps / perEpoch) * n + (steps % perEpoch) * b, steps: steps)
    }
}

extension Model {
    /// Minibatch training on samples `samples` of `data`, updating `parameters` in place.
    ///
    /// Each epoch visits the samples in a fresh order from `rng` (one Fisher-Yates shuffle of
    /// `samples` in increasing order); the last batch of an epoch may be smaller; `maxSteps`
    /// (if given) stops early; `proximal` (if given) adds its gradient to every step's.
    public func train(
        _ parameters: inout [Float], on data: ModelData, samples: Range<Int>, epochs: Int, batchSize: Int,
        optimizer: OptimizerState, rng: RandomStream, workspace ws: TrainingWorkspace<Self>, maxSteps: Int? = nil,
        proximal: ProximalTerm? = nil
    ) -> TrainingWork {
        let n = samples.count
        var work = TrainingWork(samples: 0, steps: 0)
        guard n > 0 else { return work }
        if ws.order.count < n { ws.order = [Int32](repeating: 0, count: n) }
        var order = ws.order
        ws.order = []  // take the buffer so that the epochs below can lend it out
        defer { ws.order = order }
        order.withUnsafeMutableBufferPointer { o in
            for _ in 0 ..< epochs {
                if let maxSteps, work.steps >= maxSteps { return }
                for i in 0 ..< n { o[i] = Int32(samples.lowerBound + i) }
                let mine = UnsafeMutableBufferPointer(rebasing: o[0 ..< n])
                rng.shuffle(mine)
                let done = train(&parameters, on: data, order: UnsafeBufferPointer(mine), batchSize: batchSize,
                                 optimizer: optimizer, workspace: ws, maxSteps: maxSteps.map { $0 - work.steps },
                                 proximal: proximal)
                work.samples += done.samples
                work.steps += done.steps
            }
        }
        return work
    }

    /// Minibatch training over the samples listed in `order`, in that order, in batches of
    /// `batchSize` (the last may be smaller), updating `parameters` in place; `proximal` (if given)
    /// adds its gradient to each batch's before the optimizer applies it.
    public func train(
        _ parameters: inout [Float], on data: ModelData, order: UnsafeBufferPointer<Int32>, batchSize: Int,
        optimizer: OptimizerState, workspace ws: TrainingWorkspace<Self>, maxSteps: Int? = nil,
        proximal: ProximalTerm? = nil
    ) -> TrainingWork {
        let n = order.count
        var work = TrainingWork(samples: 0, steps: 0)
        let batch = max(1, min(batchSize, n))
        parameters.withUnsafeMutableBufferPointer { p in
            ws.gradient.withUnsafeMutableBufferPointer { g in
                var start = 0
                while start < n {
                    if let maxSteps, work.steps >= maxSteps { return }
                    let b = min(batch, n - start)
                    _ = lossAndGradient(parameters: p.baseAddress!, gradient: g.baseAddress!, data: data,
                                        batch: UnsafeBufferPointer(rebasing: order[start ..< start + b]), workspace: ws.model)
                    proximal?.addGradient(parameters: p.baseAddress!, to: g.baseAddress!, count: p.count)
                    optimizer.apply(gradient: g.baseAddress!, to: p.baseAddress!, count: p.count)
                    work.samples += b
                    work.steps += 1
                    start += b
                }
            }
        }
        return work
    }
}
