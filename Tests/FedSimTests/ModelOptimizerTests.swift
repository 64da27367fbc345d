import FedMath
import Testing
@testable import FedSim

@Suite("Optimizers")
struct ModelOptimizerTests {
    func step(_ state: OptimizerState, _ p: inout [Float], _ g: [Float]) {
        var g = g
        g.withUnsafeMutableBufferPointer { gp in
            p.withUnsafeMutableBufferPointer { state.apply(gradient: gp.baseAddress!, to: $0.baseAddress!, count: $0.count) }
        }
    }

    /// Two AdamW steps (beta1 0.9, beta2 0.999, epsilon 1e-8, lr 0.1, weight decay 0.01) by hand.
    /// Step 1: m = 0.1 g, v = 0.001 g^2, so m-hat = g and v-hat = g^2 and the Adam term is sign(g):
    /// p = p - 0.1 (sign(g) + 0.01 p) = [0.899, -1.898, 0.4995] (a zero gradient moves by decay only).
    /// Step 2, g = [0.3, 0.2, 0], first entry: m = 0.9 0.01 + 0.1 0.3 = 0.039, m-hat = 0.039 / 0.19
    /// = 0.205263; v = 0.999 1e-5 + 0.001 0.09 = 9.999e-5, v-hat = 9.999e-5 / 0.001999 = 0.050020;
    /// p = 0.899 - 0.1 (0.205263 / 0.223652 + 0.00899) = 0.806323. Second entry: m = 0.002,
    /// m-hat = 0.0105263, v-hat = 7.996e-5 / 0.001999 = 0.04, p = -1.898 - 0.1 (0.0526316 - 0.01898)
    /// = -1.901365. Third: p = 0.4995 (1 - 0.001) = 0.4990005.
    @Test("AdamW matches two steps computed by hand, bias correction and decoupled decay included")
    func adamW() {
        let state = OptimizerState(.adamW(learningRate: 0.1, weightDecay: 0.01), parameterCount: 3)
        var p: [Float] = [1, -2, 0.5]
        step(state, &p, [0.1, -0.2, 0])
        for (got, want) in zip(p, [0.899, -1.898, 0.4995] as [Float]) { #expect(abs(got - want) < 1e-5, "\(p)") }
        step(state, &p, [0.3, 0.2, 0])
        for (got, want) in zip(p, [0.806323, -1.901365, 0.4990005] as [Float]) { #expect(abs(got - want) < 1e-5, "\(p)") }
        #expect(state.steps == 2)
    }

    @Test("clipping rescales a gradient of norm 5 to norm 1 and leaves a small one alone")
    func clipping() {
        let state = OptimizerState(Optimizer(.sgd, learningRate: 1, clipNorm: 1), parameterCount: 2)
        var p: [Float] = [0, 0]
        step(state, &p, [3, 4])
        #expect(p == [-0.6, -0.8])
        var q: [Float] = [0, 0]
        step(state, &q, [0.3, 0.4])
        #expect(q == [-0.3, -0.4])
    }

    @Test("SGD through the protocol equals SoftmaxRegression's own training bit for bit, with the same FLOPs")
    func softmaxEquivalence() throws {
        let all = try Digits.load(path: digitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10, l2: 0.01)
        var own = model.initialParameters()
        let ownWork = model.train(&own, on: all, rows: 100 ..< 400, epochs: 2, batchSize: 16, learningRate: 0.3,
                                  rng: RandomStream(seed: 9), workspace: ModelWorkspace(), maxSteps: 30)
        var mine = model.initialParameters(seed: 1)
        let sgd = Optimizer(.sgd, learningRate: 0.3)
        let work = model.train(&mine, on: .table(all), samples: 100 ..< 400, epochs: 2, batchSize: 16,
                               optimizer: OptimizerState(sgd, parameterCount: model.parameterCount),
                               rng: RandomStream(seed: 9), workspace: TrainingWorkspace(model), maxSteps: 30)
        #expect(work == ownWork)
        #expect(mine == own)
        #expect(model.trainingFLOPs(samples: work.samples, steps: work.steps, optimizer: sgd)
            == model.trainingFLOPs(samples: ownWork.samples, steps: ownWork.steps))
    }
}
