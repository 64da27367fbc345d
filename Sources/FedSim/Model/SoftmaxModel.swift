import FedMath

/// ``SoftmaxRegression`` behind the ``Model`` protocol. It shares the regression's own gradient
/// code, so SGD through the protocol gives the same parameters bit for bit.
///
/// Layout: `linear.weight` (features x classes), `linear.bias` (classes).
extension SoftmaxRegression: Model {
    public typealias Workspace = ModelWorkspace

    public var layout: ParameterLayout {
        var l = ParameterLayout()
        l.append("linear", .weight, featureCount, classCount)
        l.append("linear", .bias, classCount)
        return l
    }

    public func accepts(_ data: ModelData) -> Bool {
        if case .table(let d) = data { return d.featureCount == featureCount && d.classCount == classCount }
        return false
    }

    /// All zero, whatever the seed (the loss is convex, so no symmetry needs breaking).
    public func initialParameters(seed: UInt64) -> [Float] { initialParameters() }

    public func makeWorkspace() -> ModelWorkspace { ModelWorkspace() }

    /// The L2 term's gradient, 2P per step when l2 > 0 (the SGD axpy is the optimizer's).
    public var gradientFLOPsPerStep: Double { l2 > 0 ? 2 * Double(parameterCount) : 0 }

    /// The input row and the logits, each with its gradient: 4 x 2 (d + C) bytes.
    public var activationBytesPerSample: Double { 4 * 2 * Double(featureCount + classCount) }

    /// The mean cross-entropy plus l2/2 ||W||^2: the objective whose gradient the step follows.
    public func lossAndGradient(parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                data: ModelData, batch: UnsafeBufferPointer<Int32>, workspace ws: ModelWorkspace) -> Double {
        guard case .table(let table) = data else { preconditionFailure("softmax reads a table") }
        ws.reserve(model: self, batch: batch.count, samples: 0)
        gather(table, count: batch.count, rows: { batch[$0] }, ws: ws)
        let loss = lossAndGradient(p, into: g, batchCount: batch.count, labelsAt: { table.labels[Int(batch[$0])] }, ws: ws)
        let weights = featureCount * classCount
        return loss + (l2 > 0 ? Double(l2) / 2 * Double(BLAS.dot(count: weights, x: p, y: p)) : 0)
    }

    public func evaluate(_ parameters: [Float], on data: ModelData, workspace ws: ModelWorkspace) -> ModelMetrics {
        guard case .table(let table) = data else { preconditionFailure("softmax reads a table") }
        let (accuracy, loss) = evaluate(parameters, on: table, workspace: ws)
        return ModelMetrics(accuracy: accuracy, loss: loss, predictions: table.count)
    }
}
