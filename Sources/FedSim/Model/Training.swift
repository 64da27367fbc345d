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

extension Model {
    /// Minibatch training on samples `samples` of `data`, updating `parameters` in place.
    ///
    /// Each epoch visits the samples in a fresh order from `rng` (one Fisher-Yates shuffle, as
    /// ``SoftmaxRegression/train(_:on:rows:epochs:batchSize:learningRate:rng:workspace:maxSteps:)``);
    /// the last batch of an epoch may be smaller; `maxSteps` (if given) stops early.
    public func train(
        _ parameters: inout [Float], on data: ModelData, samples: Range<Int>, epochs: Int, batchSize: Int,
        optimizer: OptimizerState, rng: RandomStream, workspace ws: TrainingWorkspace<Self>, maxSteps: Int? = nil
    ) -> TrainingWork {
        let n = samples.count
        var work = TrainingWork(samples: 0, steps: 0)
        guard n > 0 else { return work }
        if ws.order.count < n { ws.order = [Int32](repeating: 0, count: n) }
        let batch = min(batchSize, n)
        parameters.withUnsafeMutableBufferPointer { p in
            ws.gradient.withUnsafeMutableBufferPointer { g in
                ws.order.withUnsafeMutableBufferPointer { o in
                    for _ in 0 ..< epochs {
                        if let maxSteps, work.steps >= maxSteps { return }
                        for i in 0 ..< n { o[i] = Int32(samples.lowerBound + i) }
                        rng.shuffle(UnsafeMutableBufferPointer(rebasing: o[0 ..< n]))
                        var start = 0
                        while start < n {
                            if let maxSteps, work.steps >= maxSteps { return }
                            let b = min(batch, n - start)
                            let rows = UnsafeBufferPointer(rebasing: o[start ..< start + b])
                            _ = lossAndGradient(parameters: p.baseAddress!, gradient: g.baseAddress!, data: data,
                                                batch: rows, workspace: ws.model)
                            optimizer.apply(gradient: g.baseAddress!, to: p.baseAddress!, count: p.count)
                            work.samples += b
                            work.steps += 1
                            start += b
                        }
                    }
                }
            }
        }
        return work
    }
}
