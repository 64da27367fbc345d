import Foundation
import FedMath
import Testing
@testable import FedSim

@Suite("Softmax regression")
struct ModelTests {
    /// Loss of the L2-regularised objective in Double, for finite differences.
    func objective(_ p: [Float], _ model: SoftmaxRegression, _ data: Dataset, rows: [Int]) -> Double {
        let d = model.featureCount, c = model.classCount
        var loss = 0.0
        for r in rows {
            var z = [Double](repeating: 0, count: c)
            for k in 0 ..< c {
                var s = Double(p[d * c + k])
                for j in 0 ..< d { s += Double(data.features[r * d + j]) * Double(p[j * c + k]) }
                z[k] = s
            }
            let m = z.max()!
            let lse = m + log(z.map { exp($0 - m) }.reduce(0, +))
            loss += lse - z[Int(data.labels[r])]
        }
        var reg = 0.0
        for i in 0 ..< d * c { reg += Double(p[i]) * Double(p[i]) }
        return loss / Double(rows.count) + Double(model.l2) / 2 * reg
    }

    @Test("the SGD step's gradient matches central finite differences")
    func gradientCheck() {
        let d = 5, c = 3, n = 8
        let rng = RandomStream(seed: 42)
        let features = (0 ..< n * d).map { _ in Float(rng.gaussian(sigma: 1)) }
        let labels = (0 ..< n).map { _ in Int32(rng.uniformInt(c)) }
        let data = Dataset(features: features, labels: labels, featureCount: d, classCount: c)
        let model = SoftmaxRegression(featureCount: d, classCount: c, l2: 0.1)
        let start = (0 ..< model.parameterCount).map { _ in Float(rng.gaussian(sigma: 0.5)) }
        // One full-batch step with learning rate 1 moves the parameters by exactly -gradient.
        var after = start
        let order = (0 ..< Int32(n)).map { $0 }
        _ = order.withUnsafeBufferPointer {
            model.train(&after, on: data, order: $0, batchSize: n, learningRate: 1, workspace: ModelWorkspace())
        }
        let rows = Array(0 ..< n)
        for i in 0 ..< model.parameterCount {
            let analytic = Double(start[i] - after[i])
            var plus = start, minus = start
            let h: Float = 1e-2
            plus[i] += h
            minus[i] -= h
            let numeric = (objective(plus, model, data, rows: rows) - objective(minus, model, data, rows: rows)) / Double(2 * h)
            #expect(abs(analytic - numeric) <= 2e-3 + 1e-2 * abs(numeric), "parameter \(i): analytic \(analytic), numeric \(numeric)")
        }
    }

    @Test("evaluation reports the mean cross-entropy and accuracy")
    func evaluation() {
        let data = Dataset(features: [1, 0, 0, 1], labels: [0, 1], featureCount: 2, classCount: 2)
        let model = SoftmaxRegression(featureCount: 2, classCount: 2)
        let zero = model.initialParameters()
        let (acc0, loss0) = model.evaluate(zero, on: data, workspace: ModelWorkspace())
        #expect(abs(loss0 - log(2.0)) < 1e-6)
        #expect(acc0 == 0.5)  // ties pick class 0
        let good: [Float] = [5, 0, 0, 5, 0, 0]
        let (acc, loss) = model.evaluate(good, on: data, workspace: ModelWorkspace())
        #expect(acc == 1)
        #expect(abs(loss - log(1 + exp(-5.0))) < 1e-5)
    }

    @Test("training on digits lowers the loss and learns")
    func learnsDigits() throws {
        let all = try Digits.load(path: digitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10)
        var p = model.initialParameters()
        let ws = ModelWorkspace()
        let before = model.evaluate(p, on: all, workspace: ws)
        let work = model.train(&p, on: all, rows: 0 ..< all.count, epochs: 3, batchSize: 16, learningRate: 0.3,
                               rng: RandomStream(seed: 1), workspace: ws)
        let after = model.evaluate(p, on: all, workspace: ws)
        #expect(work.samples == 3 * all.count)
        #expect(work.steps == 3 * ((all.count + 15) / 16))
        #expect(after.loss < before.loss / 3)
        #expect(after.accuracy > 0.9)
    }

    @Test("training FLOPs follow the count by hand from the model's definition")
    func trainingFLOPs() {
        // d = 64, C = 10, P = 650. Per sample: logits 2dC = 1280 + bias C = 10, softmax 3C = 30,
        // error C = 10, weight gradient 2dC = 1280, bias gradient C = 10: 2620. Per step: scale the
        // gradient and add it, 2P = 1300; with L2 also the decay term and its add, 4P = 2600.
        #expect(SoftmaxRegression(featureCount: 64, classCount: 10).trainingFLOPs(samples: 3, steps: 2) == 3 * 2620 + 2 * 1300)
        #expect(SoftmaxRegression(featureCount: 64, classCount: 10, l2: 1e-4).trainingFLOPs(samples: 3, steps: 2) == 3 * 2620 + 2 * 2600)
    }

    @Test("max steps stop local training early")
    func maxSteps() throws {
        let all = try Digits.load(path: digitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10)
        var p = model.initialParameters()
        let work = model.train(&p, on: all, rows: 0 ..< 100, epochs: 5, batchSize: 10, learningRate: 0.1,
                               rng: RandomStream(seed: 1), workspace: ModelWorkspace(), maxSteps: 13)
        #expect(work.steps == 13)
        #expect(work.samples == 130)
    }
}
