import FedMath

/// A small decoder-only transformer language model, GPT-style with pre-LayerNorm blocks (Vaswani
/// et al. 2017, "Attention Is All You Need"; Radford et al. 2019, "Language Models are Unsupervised
/// Multitask Learners"):
///
///     x = token embedding + learned position embedding
///     per block:  x += attention(LayerNorm1(x)) out;  x += W2 GELU(W1 LayerNorm2(x))
///     logits = LayerNorm(x) Wout + bout          (output projection untied from the token embedding)
///
/// with causal multi-head self-attention (``CausalAttention``), an MLP of width 4 dModel with
/// GELU, and the loss averaged over every position of the window (position t predicts token t + 1).
///
/// Parameters (V vocabulary, T context, D dModel, L layers):
/// N = V D + T D + L (12 D^2 + 13 D) + 2 D + D V + V, where a block holds LayerNorm 2D, QKV 3D^2 + 3D,
/// attention output D^2 + D, LayerNorm 2D, MLP 4D^2 + 4D and 4D^2 + D.
///
/// Training FLOPs per token, the clock's formula (Kaplan et al. 2020, "Scaling Laws for Neural
/// Language Models", arXiv 2001.08361, Table 1: forward 2 N + 2 L T D, training three times
/// forward): 6 (12 L D^2 + D V) + 6 L T D, counting as N the matrix parameters every token
/// multiplies (blocks and output projection; embeddings, biases and LayerNorms excluded, as there).
public struct TransformerLanguageModel: Model {
    public let vocabularySize: Int
    public let context: Int
    public let dModel: Int
    public let heads: Int
    public let layers: Int
    public let layout: ParameterLayout
    let attention: CausalAttention
    let blocks: [Block]
    let token: Int, position: Int, normGain: Int, normBias: Int, outWeight: Int, outBias: Int

    /// Offsets of one block's segments.
    struct Block: Sendable {
        var norm1Gain = 0, norm1Bias = 0, qkvWeight = 0, qkvBias = 0, projWeight = 0, projBias = 0
        var norm2Gain = 0, norm2Bias = 0, hiddenWeight = 0, hiddenBias = 0, outWeight = 0, outBias = 0
    }

    public init(vocabularySize: Int, context: Int, dModel: Int, heads: Int, layers: Int) {
        precondition(vocabularySize > 1 && context > 0 && layers > 0 && heads > 0 && dModel % heads == 0,
                     "dModel must be a multiple of heads")
        self.vocabularySize = vocabularySize
        self.context = context
        self.dModel = dModel
        self.heads = heads
        self.layers = layers
        attention = CausalAttention(context: context, dModel: dModel, heads: heads)
        let d = dModel
        var l = ParameterLayout()
        token = l.append("token", .embedding, vocabularySize, d)
        position = l.append("position", .embedding, context, d)
        var blocks = [Block]()
        for i in 0 ..< layers {
            let name = "block\(i)"
            var b = Block()
            b.norm1Gain = l.append("\(name).norm1", .gain, d)
            b.norm1Bias = l.append("\(name).norm1", .bias, d)
            b.qkvWeight = l.append("\(name).attention.qkv", .weight, d, 3 * d)
            b.qkvBias = l.append("\(name).attention.qkv", .bias, 3 * d)
            b.projWeight = l.append("\(name).attention.output", .weight, d, d)
            b.projBias = l.append("\(name).attention.output", .bias, d)
            b.norm2Gain = l.append("\(name).norm2", .gain, d)
            b.norm2Bias = l.append("\(name).norm2", .bias, d)
            b.hiddenWeight = l.append("\(name).mlp.hidden", .weight, d, 4 * d)
            b.hiddenBias = l.append("\(name).mlp.hidden", .bias, 4 * d)
            b.outWeight = l.append("\(name).mlp.output", .weight, 4 * d, d)
            b.outBias = l.append("\(name).mlp.output", .bias, d)
            blocks.append(b)
        }
        self.blocks = blocks
        normGain = l.append("norm", .gain, d)
        normBias = l.append("norm", .bias, d)
        outWeight = l.append("output", .weight, d, vocabularySize)
        outBias = l.append("output", .bias, vocabularySize)
        layout = l
    }

    public func accepts(_ data: ModelData) -> Bool {
        if case .tokens(let t) = data { return t.context == context && t.vocabularySize == vocabularySize }
        return false
    }

    /// GPT-2's initialisation: weights and embeddings N(0, 0.02^2), the two projections into the
    /// residual stream N(0, (0.02 / sqrt(2 layers))^2), LayerNorm gains 1, biases 0.
    public func initialParameters(seed: UInt64) -> [Float] {
        let rng = RandomStream(seed: seed, purpose: .modelInit)
        var p = [Float](repeating: 0, count: layout.count)
        let residual = 0.02 / Double(2 * layers).squareRoot()
        for s in layout.segments {
            switch s.role {
            case .gain: for i in s.range { p[i] = 1 }
            case .bias: break
            case .embedding, .weight:
                let sigma = s.layer.hasSuffix(".output") && s.layer.hasPrefix("block") ? residual : 0.02
                for i in s.range { p[i] = Float(rng.gaussian(sigma: sigma)) }
            }
        }
        return p
    }

    /// Matrix parameters every token multiplies: 12 L D^2 + D V.
    public var matrixParameterCount: Int { 12 * layers * dModel * dModel + dModel * vocabularySize }

    /// Training FLOPs per token: 6 (12 L D^2 + D V) + 6 L T D (see the type's documentation).
    public var trainingFLOPsPerToken: Double {
        6 * Double(matrixParameterCount) + 6 * Double(layers * context * dModel)
    }

    /// A sample is one window: `context` predicted tokens.
    public var trainingFLOPsPerSample: Double { Double(context) * trainingFLOPsPerToken }

    public var gradientFLOPsPerStep: Double { 0 }

    /// One window's kept activations, T positions of 4-byte floats: per block the two LayerNorm
    /// outputs, QKV, attention output, MLP input, hidden and activation (2D + 3D + D + D + 4D + 4D = 15 D)
    /// and the H T attention probabilities; then the residual stream, final LayerNorm and the logits
    /// (2 D + V) and the backward pass's widest gradient buffers (4 D + 3 D + D):
    /// 4 T (L (15 D + H T) + 10 D + V) bytes.
    public var activationBytesPerSample: Double {
        let d = Double(dModel), t = Double(context)
        return 4 * t * (Double(layers) * (15 * d + Double(heads) * t) + 10 * d + Double(vocabularySize))
    }

    /// Per step on `batchSize` windows (rows = batchSize context): per block the four dense layers
    /// (QKV, attention output, MLP hidden and output) and the attention's products per window and
    /// head, then the output projection; each dense layer also computes its input gradient.
    public func matrixProducts(batchSize: Int) -> [MatrixProduct: Int] {
        let rows = batchSize * context, d = dModel
        var products: [MatrixProduct: Int] = [:]
        func add(_ list: [MatrixProduct], times: Int) { for p in list { products[p, default: 0] += times } }
        for _ in 0 ..< layers {
            for (inputs, outputs) in [(d, 3 * d), (d, d), (d, 4 * d), (4 * d, d)] {
                add(Dense.products(rows: rows, inputs: inputs, outputs: outputs, inputGradient: true), times: 1)
            }
            add(attention.productsPerSample, times: batchSize * heads)
        }
        add(Dense.products(rows: rows, inputs: d, outputs: vocabularySize, inputGradient: true), times: 1)
        return products
    }

    // MARK: - Workspace

    /// Activations of one block kept for the backward pass (`u`, the MLP's hidden pre-activation,
    /// is replaced by GELU's slope there once the activation is computed).
    final class BlockBuffers {
        let norm1 = Scratch(), rstd1 = Scratch(), a = Scratch(), qkv = Scratch(), probs = Scratch(), attn = Scratch()
        let norm2 = Scratch(), rstd2 = Scratch(), m = Scratch(), u = Scratch(), act = Scratch()
    }

    public final class Workspace {
        var blocks: [BlockBuffers] = []
        let x = Scratch(), normF = Scratch(), rstdF = Scratch(), f = Scratch(), logits = Scratch()
        let dx = Scratch(), wide = Scratch(), dqkv = Scratch(), narrow = Scratch(), scores = Scratch()
    }

    public func makeWorkspace() -> Workspace { Workspace() }

    // MARK: - Forward and backward

    /// Runs the network on `b` windows (window r starts at `text + start(r)`) and returns the
    /// logits, (b context) x vocabulary, row r context + t predicting the token after position t.
    func forward(_ p: UnsafePointer<Float>, text: UnsafePointer<UInt16>, start: (Int) -> Int, windows b: Int,
                 workspace ws: Workspace) -> UnsafeMutablePointer<Float> {
        let t = context, d = dModel, rows = b * t
        while ws.blocks.count < layers { ws.blocks.append(BlockBuffers()) }
        let x = ws.x.reserve(rows * d), tmp = ws.wide.reserve(rows * 4 * d)
        for s in 0 ..< b {
            let first = start(s)
            for i in 0 ..< t {
                let row = x + (s * t + i) * d, tok = p + token + Int(text[first + i]) * d, pos = p + position + i * d
                for j in 0 ..< d { row[j] = tok[j] + pos[j] }
            }
        }
        for (k, o) in blocks.enumerated() {
            let w = ws.blocks[k]
            let a = w.a.reserve(rows * d), qkv = w.qkv.reserve(rows * 3 * d), attn = w.attn.reserve(rows * d)
            let probs = w.probs.reserve(b * attention.probabilitiesPerSample)
            LayerNorm.forward(x, rows: rows, width: d, gain: p + o.norm1Gain, bias: p + o.norm1Bias,
                              normalized: w.norm1.reserve(rows * d), inverseStd: w.rstd1.reserve(rows), into: a)
            Dense.forward(a, rows: rows, inputs: d, outputs: 3 * d, weight: p + o.qkvWeight, bias: p + o.qkvBias, into: qkv)
            for s in 0 ..< b {
                attention.forward(qkv: qkv + s * t * 3 * d, probabilities: probs + s * attention.probabilitiesPerSample,
                                  into: attn + s * t * d)
            }
            Dense.forward(attn, rows: rows, inputs: d, outputs: d, weight: p + o.projWeight, bias: p + o.projBias, into: tmp)
            BLAS.axpy(count: rows * d, alpha: 1, x: tmp, y: x)
            let m = w.m.reserve(rows * d), u = w.u.reserve(rows * 4 * d), act = w.act.reserve(rows * 4 * d)
            LayerNorm.forward(x, rows: rows, width: d, gain: p + o.norm2Gain, bias: p + o.norm2Bias,
                              normalized: w.norm2.reserve(rows * d), inverseStd: w.rstd2.reserve(rows), into: m)
            Dense.forward(m, rows: rows, inputs: d, outputs: 4 * d, weight: p + o.hiddenWeight, bias: p + o.hiddenBias, into: u)
            Activation.geluKeepingSlope(u, into: act, count: rows * 4 * d)  // u now holds GELU'(u)
            Dense.forward(act, rows: rows, inputs: 4 * d, outputs: d, weight: p + o.outWeight, bias: p + o.outBias, into: tmp)
            BLAS.axpy(count: rows * d, alpha: 1, x: tmp, y: x)
        }
        let f = ws.f.reserve(rows * d), logits = ws.logits.reserve(rows * vocabularySize)
        LayerNorm.forward(x, rows: rows, width: d, gain: p + normGain, bias: p + normBias,
                          normalized: ws.normF.reserve(rows * d), inverseStd: ws.rstdF.reserve(rows), into: f)
        Dense.forward(f, rows: rows, inputs: d, outputs: vocabularySize, weight: p + outWeight, bias: p + outBias, into: logits)
        return logits
    }

    /// Backpropagates the logits' gradient (in `ws.logits`) of the last `forward`, adding into `g`.
    private func backward(_ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, text: UnsafePointer<UInt16>,
                          start: (Int) -> Int, windows b: Int, workspace ws: Workspace) {
        let t = context, d = dModel, rows = b * t
        let dx = ws.dx.reserve(rows * d), narrow = ws.narrow.reserve(rows * d), wide = ws.wide.reserve(rows * 4 * d)
        let dqkv = ws.dqkv.reserve(rows * 3 * d), scores = ws.scores.reserve(t * t)
        Dense.backward(ws.f.pointer, ws.logits.pointer, rows: rows, inputs: d, outputs: vocabularySize, weight: p + outWeight,
                       weightGradient: g + outWeight, biasGradient: g + outBias, inputGradient: narrow)
        dx.update(repeating: 0, count: rows * d)
        LayerNorm.backward(narrow, rows: rows, width: d, gain: p + normGain, normalized: ws.normF.pointer, inverseStd: ws.rstdF.pointer,
                           gainGradient: g + normGain, biasGradient: g + normBias, addingInputGradientTo: dx)
        for (k, o) in blocks.enumerated().reversed() {
            let w = ws.blocks[k]
            // MLP branch: x += W2 GELU(W1 m + b1) + b2
            Dense.backward(w.act.pointer, dx, rows: rows, inputs: 4 * d, outputs: d, weight: p + o.outWeight,
                           weightGradient: g + o.outWeight, biasGradient: g + o.outBias, inputGradient: wide)
            Activation.applySlope(w.u.pointer, gradient: wide, count: rows * 4 * d)
            Dense.backward(w.m.pointer, wide, rows: rows, inputs: d, outputs: 4 * d, weight: p + o.hiddenWeight,
                           weightGradient: g + o.hiddenWeight, biasGradient: g + o.hiddenBias, inputGradient: narrow)
            LayerNorm.backward(narrow, rows: rows, width: d, gain: p + o.norm2Gain, normalized: w.norm2.pointer,
                               inverseStd: w.rstd2.pointer, gainGradient: g + o.norm2Gain, biasGradient: g + o.norm2Bias,
                               addingInputGradientTo: dx)
            // Attention branch: x += attention(a) Wo + bo
            Dense.backward(w.attn.pointer, dx, rows: rows, inputs: d, outputs: d, weight: p + o.projWeight,
                           weightGradient: g + o.projWeight, biasGradient: g + o.projBias, inputGradient: narrow)
            for s in 0 ..< b {
                attention.backward(narrow + s * t * d, qkv: w.qkv.pointer + s * t * 3 * d,
                                   probabilities: w.probs.pointer + s * attention.probabilitiesPerSample,
                                   qkvGradient: dqkv + s * t * 3 * d, scratch: scores)
            }
            Dense.backward(w.a.pointer, dqkv, rows: rows, inputs: d, outputs: 3 * d, weight: p + o.qkvWeight,
                           weightGradient: g + o.qkvWeight, biasGradient: g + o.qkvBias, inputGradient: narrow)
            LayerNorm.backward(narrow, rows: rows, width: d, gain: p + o.norm1Gain, normalized: w.norm1.pointer,
                               inverseStd: w.rstd1.pointer, gainGradient: g + o.norm1Gain, biasGradient: g + o.norm1Bias,
                               addingInputGradientTo: dx)
        }
        for s in 0 ..< b {
            let first = start(s)
            Embedding.backward(dx + s * t * d, width: d, rows: t, id: { Int(text[first + $0]) }, rowStride: d,
                               tableGradient: g + token)
            Embedding.backward(dx + s * t * d, width: d, rows: t, id: { $0 }, rowStride: d, tableGradient: g + position)
        }
    }

    public func lossAndGradient(parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                data: ModelData, batch: UnsafeBufferPointer<Int32>, workspace ws: Workspace) -> Double {
        guard case .tokens(let stream) = data else { preconditionFailure("charlm reads tokens") }
        let b = batch.count, t = context, rows = b * t
        return stream.tokens.withUnsafeBufferPointer { text in
            stream.starts.withUnsafeBufferPointer { starts in
                let tx = text.baseAddress!
                let start = { (s: Int) in Int(starts[Int(batch[s])]) }
                let z = forward(p, text: tx, start: start, windows: b, workspace: ws)
                let loss = CrossEntropy.lossAndGradient(z, rows: rows, classes: vocabularySize, scale: 1 / Float(rows)) {
                    Int(tx[start($0 / t) + $0 % t + 1])
                }
                g.update(repeating: 0, count: layout.count)
                backward(p, g, text: tx, start: start, windows: b, workspace: ws)
                return loss / Double(rows)
            }
        }
    }

    /// Next-character accuracy and loss over every position of every window (as in training).
    public func evaluate(_ parameters: [Float], on data: ModelData, workspace ws: Workspace) -> ModelMetrics {
        guard case .tokens(let stream) = data else { preconditionFailure("charlm reads tokens") }
        let chunk = 16, t = context
        var loss = 0.0, correct = 0
        parameters.withUnsafeBufferPointer { p in
            stream.tokens.withUnsafeBufferPointer { text in
                stream.starts.withUnsafeBufferPointer { starts in
                    let tx = text.baseAddress!
                    var first = 0
                    while first < stream.count {
                        let b = min(chunk, stream.count - first)
                        let start = { (s: Int) in Int(starts[first + s]) }
                        let z = forward(p.baseAddress!, text: tx, start: start, windows: b, workspace: ws)
                        let s = CrossEntropy.score(z, rows: b * t, classes: vocabularySize) { Int(tx[start($0 / t) + $0 % t + 1]) }
                        loss += s.loss
                        correct += s.correct
                        first += b
                    }
                }
            }
        }
        let n = max(stream.count * t, 1)
        return ModelMetrics(accuracy: Double(correct) / Double(n), loss: loss / Double(n), predictions: stream.count * t)
    }
}
