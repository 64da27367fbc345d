import FedMath
import FedSimEngine

/// The centralized baseline: the same model trained with the baseline's optimizer (by default
/// the device optimizer, with the baseline's own batch size and learning rate, by default the
/// federated ones) on the pooled training data of all devices, on one reference device.
///
/// Its virtual time is the analytic FLOP count divided by the reference profile's FLOP/s (no
/// speed factor, no jitter, no communication), so its curve is indexed by samples processed and by
/// virtual time exactly like the federated one.
public struct CentralizedBaseline {
    let scenario: Scenario
    let data: FederatedData
    let model: AnyModel

    public init(scenario: Scenario, data: FederatedData, model: AnyModel) {
        self.scenario = scenario
        self.data = data
        self.model = model
    }

    /// The curve, and a divergence message if the loss stopped being finite.
    public func run() -> (curve: [CurvePoint], divergence: String?) {
        let spec = scenario.baseline
        let n = data.train.count
        let batch = spec.batchSize
        let optimizer = spec.optimizer.optimizer(learningRate: spec.learningRate)
        let state = OptimizerState(optimizer, parameterCount: model.parameterCount)
        let ws = model.makeWorkspace()
        let rng = RandomStream(seed: scenario.seed, purpose: .baselineSGD)
        var params = model.initialParameters(seed: scenario.seed)
        var samples = 0
        var flops = 0.0
        var curve: [CurvePoint] = []

        func record(_ epochs: Double) -> Bool {
            let m = model.evaluate(params, on: data.test, workspace: ws)
            let (acc, loss) = (m.accuracy, m.loss)
            let time = flops / spec.profile.flops
            curve.append(CurvePoint(run: .baseline, time: SimTime(seconds: time).seconds, round: epochs, samples: samples,
                                    bytesUp: 0, bytesDown: 0, accuracy: acc, loss: loss,
                                    trainLoss: model.evaluate(params, on: data.trainLossRows, workspace: ws).loss, flops: flops,
                                    isLanguageModel: model.isLanguageModel))
            return loss.isFinite
        }

        _ = record(0)
        let stepsPerEpoch = (n + batch - 1) / batch
        let stepsCut = min(stepsPerEpoch, spec.maxSteps ?? .max)
        let chunks = Partitioner.equalCuts(count: stepsCut, parts: min(spec.evaluationsPerEpoch, stepsCut))
        var steps = 0
        var order = [Int32](0 ..< Int32(n))
        for epoch in 0 ..< spec.epochs where steps < spec.maxSteps ?? .max {
            rng.shuffle(&order)
            for (c, chunk) in chunks.enumerated() {
                let rows = chunk.lowerBound * batch ..< min(chunk.upperBound * batch, n)
                let work = order.withUnsafeBufferPointer { o in
                    model.train(&params, on: data.train, order: UnsafeBufferPointer(rebasing: o[rows]),
                                batchSize: batch, optimizer: state, workspace: ws)
                }
                samples += work.samples
                steps += work.steps
                flops += model.trainingFLOPs(samples: work.samples, steps: work.steps, optimizer: optimizer)
                let epochs = spec.maxSteps == nil ? Double(epoch) + Double(c + 1) / Double(chunks.count) : Double(samples) / Double(n)
                guard record(epochs) else {
                    return (curve, "baseline diverged: test loss is not finite after \(epochs) epochs (try a smaller learning rate)")
                }
            }
        }
        return (curve, nil)
    }
}
