import FedMath

/// A multilayer perceptron classifier for tabular data: dense layers with ReLU between them and
/// softmax cross-entropy on the last, initialised as He et al. 2015 prescribe for ReLU.
///
/// Layout: `dense0.weight` (features x hidden[0]), `dense0.bias`, ..., `denseK.weight`
/// (hidden[K-1] x classes), `denseK.bias`. With no hidden layer it is softmax regression.
public struct MLP: Model {
    public let featureCount: Int
    public let classCount: Int
    public let hidden: [Int]
    public let layout: ParameterLayout
    let stack: DenseStack

    public init(featureCount: Int, classCount: Int, hidden: [Int]) {
        precondition(featureCount > 0 && classCount > 1 && hidden.allSatisfy { $0 > 0 })
        self.featureCount = featureCount
        self.classCount = classCount
        self.hidden = hidden
        var layout = ParameterLayout()
        stack = DenseStack(widths: [featureCount] + hidden + [classCount], activation: .relu, layout: &layout)
        self.layout = layout
    }

    public final class Workspace {
        let stack = DenseStack.Buffers()
        let input = Scratch()
    }

    public func makeWorkspace() -> Workspace { Workspace() }

    public func accepts(_ data: ModelData) -> Bool {
        if case .table(let d) = data { return d.featureCount == featureCount && d.classCount == classCount }
        return false
    }

    public func initialParameters(seed: UInt64) -> [Float] {
        var p = [Float](repeating: 0, count: layout.count)
        stack.initialise(&p, rng: RandomStream(seed: seed, purpose: .modelInit))
        return p
    }

    /// Per sample: each layer's three products and bias (6 in out + 2 out, less the first layer's
    /// input gradient 2 d h0), ReLU 2 per hidden unit, softmax cross-entropy 5 C.
    public var trainingFLOPsPerSample: Double {
        stack.trainingFLOPs(inputGradient: false) + CrossEntropy.trainingFLOPs(classes: classCount)
    }

    public var gradientFLOPsPerStep: Double { 0 }

    /// Every layer's input and output widths, each with its gradient: 4 x 2 (d + sum hidden + C) bytes.
    public var activationBytesPerSample: Double { 4 * 2 * Double(featureCount + hidden.reduce(0, +) + classCount) }

    public func lossAndGradient(parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                data: ModelData, batch: UnsafeBufferPointer<Int32>, workspace ws: Workspace) -> Double {
        guard case .table(let table) = data else { preconditionFailure("mlp reads a table") }
        let b = batch.count, d = featureCount
        let x = ws.input.reserve(b * d)
        table.features.withUnsafeBufferPointer { f in
            for r in 0 ..< b { (x + r * d).update(from: f.baseAddress! + Int(batch[r]) * d, count: d) }
        }
        let z = stack.forward(x, rows: b, parameters: p, buffers: ws.stack)
        let loss = table.labels.withUnsafeBufferPointer { y in
            CrossEntropy.lossAndGradient(z, rows: b, classes: classCount, scale: 1 / Float(b)) { Int(y[Int(batch[$0])]) }
        }
        g.update(repeating: 0, count: layout.count)
        stack.backward(x, rows: b, parameters: p, gradient: g, buffers: ws.stack, inputGradient: nil)
        return loss / Double(b)
    }

    public func evaluate(_ parameters: [Float], on data: ModelData, workspace ws: Workspace) -> ModelMetrics {
        guard case .table(let table) = data else { preconditionFailure("mlp reads a table") }
        let chunk = 256, d = featureCount
        var loss = 0.0, correct = 0
        parameters.withUnsafeBufferPointer { p in
            table.features.withUnsafeBufferPointer { f in
                table.labels.withUnsafeBufferPointer { y in
                    var start = 0
                    while start < table.count {
                        let b = min(chunk, table.count - start)
                        let z = stack.forward(f.baseAddress! + start * d, rows: b, parameters: p.baseAddress!, buffers: ws.stack)
                        let s = CrossEntropy.score(z, rows: b, classes: classCount) { Int(y[start + $0]) }
                        loss += s.loss
                        correct += s.correct
                        start += b
                    }
                }
            }
        }
        let n = max(table.count, 1)
        return ModelMetrics(accuracy: Double(correct) / Double(n), loss: loss / Double(n), predictions: table.count)
    }
}
