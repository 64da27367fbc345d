import FedMath

/// The neural probabilistic language model of Bengio, Ducharme, Vincent, Jauvin 2003 ("A Neural
/// Probabilistic Language Model", JMLR 3) over characters: each of the previous `context`
/// characters is looked up in a shared embedding table, the vectors are concatenated, passed
/// through tanh hidden layers, and a softmax over the vocabulary predicts the next character
/// (the window's last token). The paper's optional direct input-to-output connections are left out.
///
/// Layout: `embedding.embedding` (vocabulary x embedding), then `dense0` (context embedding x
/// hidden[0]) ... `denseK` (hidden[K-1] x vocabulary), weights then bias each.
public struct CharMLPLanguageModel: Model {
    public let vocabularySize: Int
    public let context: Int
    public let embeddingWidth: Int
    public let hidden: [Int]
    public let layout: ParameterLayout
    let stack: DenseStack

    public init(vocabularySize: Int, context: Int, embedding: Int, hidden: [Int]) {
        precondition(vocabularySize > 1 && context > 0 && embedding > 0 && hidden.allSatisfy { $0 > 0 })
        self.vocabularySize = vocabularySize
        self.context = context
        self.embeddingWidth = embedding
        self.hidden = hidden
        var layout = ParameterLayout()
        layout.append("embedding", .embedding, vocabularySize, embedding)
        stack = DenseStack(widths: [context * embedding] + hidden + [vocabularySize], activation: .tanh, layout: &layout)
        self.layout = layout
    }

    public final class Workspace {
        let stack = DenseStack.Buffers()
        let input = Scratch(), inputGradient = Scratch()
    }

    public func makeWorkspace() -> Workspace { Workspace() }

    public func accepts(_ data: ModelData) -> Bool {
        if case .tokens(let t) = data { return t.context == context && t.vocabularySize == vocabularySize }
        return false
    }

    /// Embeddings N(0, 1); dense layers LeCun N(0, 1 / fan-in), biases 0.
    public func initialParameters(seed: UInt64) -> [Float] {
        let rng = RandomStream(seed: seed, purpose: .modelInit)
        var p = [Float](repeating: 0, count: layout.count)
        for i in 0 ..< vocabularySize * embeddingWidth { p[i] = Float(rng.gaussian(sigma: 1)) }
        stack.initialise(&p, rng: rng)
        return p
    }

    /// Per sample (one predicted token): the dense layers with the input gradient, tanh, softmax
    /// cross-entropy 5 V, and the embedding gather and scatter 2 context embedding.
    public var trainingFLOPsPerSample: Double {
        stack.trainingFLOPs(inputGradient: true) + CrossEntropy.trainingFLOPs(classes: vocabularySize)
            + 2 * Double(context * embeddingWidth)
    }

    public var gradientFLOPsPerStep: Double { 0 }

    /// The concatenated embeddings, hidden layers and logits, each with its gradient:
    /// 4 x 2 (context embedding + sum hidden + V) bytes.
    public var activationBytesPerSample: Double {
        4 * 2 * Double(context * embeddingWidth + hidden.reduce(0, +) + vocabularySize)
    }

    /// Gathers the embeddings of `batch`'s windows into `ws.input` and returns the logits.
    private func forward(_ p: UnsafePointer<Float>, _ text: UnsafePointer<UInt16>, _ starts: UnsafePointer<Int32>,
                         _ samples: (Int) -> Int, rows b: Int, _ ws: Workspace) -> UnsafeMutablePointer<Float> {
        let e = embeddingWidth, width = context * e
        let x = ws.input.reserve(b * width)
        for r in 0 ..< b {
            let first = Int(starts[samples(r)])
            Embedding.forward(p, width: e, rows: context, id: { Int(text[first + $0]) }, into: x + r * width, rowStride: e)
        }
        return stack.forward(x, rows: b, parameters: p, buffers: ws.stack)
    }

    public func lossAndGradient(parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                data: ModelData, batch: UnsafeBufferPointer<Int32>, workspace ws: Workspace) -> Double {
        guard case .tokens(let stream) = data else { preconditionFailure("charlm reads tokens") }
        let b = batch.count, e = embeddingWidth, width = context * e
        return stream.tokens.withUnsafeBufferPointer { text in
            stream.starts.withUnsafeBufferPointer { starts in
                let tx = text.baseAddress!, st = starts.baseAddress!
                let z = forward(p, tx, st, { Int(batch[$0]) }, rows: b, ws)
                let loss = CrossEntropy.lossAndGradient(z, rows: b, classes: vocabularySize, scale: 1 / Float(b)) {
                    Int(tx[Int(st[Int(batch[$0])]) + context])
                }
                g.update(repeating: 0, count: layout.count)
                let dx = ws.inputGradient.reserve(b * width)
                stack.backward(ws.input.pointer, rows: b, parameters: p, gradient: g, buffers: ws.stack, inputGradient: dx)
                for r in 0 ..< b {
                    let first = Int(st[Int(batch[r])])
                    Embedding.backward(dx + r * width, width: e, rows: context, id: { Int(tx[first + $0]) }, rowStride: e,
                                       tableGradient: g)
                }
                return loss / Double(b)
            }
        }
    }

    /// Next-character accuracy and loss over every window's last token.
    public func evaluate(_ parameters: [Float], on data: ModelData, workspace ws: Workspace) -> ModelMetrics {
        guard case .tokens(let stream) = data else { preconditionFailure("charlm reads tokens") }
        let chunk = 256
        var loss = 0.0, correct = 0
        parameters.withUnsafeBufferPointer { p in
            stream.tokens.withUnsafeBufferPointer { text in
                stream.starts.withUnsafeBufferPointer { starts in
                    let tx = text.baseAddress!, st = starts.baseAddress!
                    var start = 0
                    while start < stream.count {
                        let b = min(chunk, stream.count - start)
                        let z = forward(p.baseAddress!, tx, st, { start + $0 }, rows: b, ws)
                        let s = CrossEntropy.score(z, rows: b, classes: vocabularySize) { Int(tx[Int(st[start + $0]) + context]) }
                        loss += s.loss
                        correct += s.correct
                        start += b
                    }
                }
            }
        }
        let n = max(stream.count, 1)
        return ModelMetrics(accuracy: Double(correct) / Double(n), loss: loss / Double(n), predictions: stream.count)
    }
}
