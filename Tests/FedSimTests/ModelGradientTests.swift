import FedMath
import Testing
@testable import FedSim

/// Finite-difference checks of every model's backward pass, layer type by layer type.
///
/// The oracle is the central difference (L(p + h e_i) - L(p - h e_i)) / 2h of the model's loss,
/// compared with the analytic gradient for every parameter (or every `every`-th of each segment).
/// The loss is computed in Float, whose rounding (relative 6e-8 on losses near 2) contributes
/// about 1e-6 / 2h to the difference, and the truncation error is O(h^2 L'''); with h = 3e-3 both stay below 1e-3, so entries must agree
/// within 2e-3 + 2% of their size. Every segment must also have a clearly non-zero gradient, so
/// no segment passes by being disconnected.
@Suite("Model gradients")
struct ModelGradientTests {
    func check<M: Model>(_ model: M, data: ModelData, batch: [Int32], seed: UInt64, h: Float = 3e-3, every: Int = 1) {
        let ws = model.makeWorkspace()
        var p = model.initialParameters(seed: seed)
        // Move away from the initialisation (zero biases, unit gains) so every path is exercised.
        let rng = RandomStream(seed: seed ^ 0xABCD)
        for i in p.indices { p[i] += Float(rng.gaussian(sigma: 0.3)) }
        var g = [Float](repeating: 0, count: model.parameterCount)
        func loss(_ q: [Float]) -> Double {
            var scratch = [Float](repeating: 0, count: model.parameterCount)
            return q.withUnsafeBufferPointer { qp in
                scratch.withUnsafeMutableBufferPointer { s in
                    batch.withUnsafeBufferPointer {
                        model.lossAndGradient(parameters: qp.baseAddress!, gradient: s.baseAddress!, data: data, batch: $0, workspace: ws)
                    }
                }
            }
        }
        _ = p.withUnsafeBufferPointer { pp in
            g.withUnsafeMutableBufferPointer { gp in
                batch.withUnsafeBufferPointer {
                    model.lossAndGradient(parameters: pp.baseAddress!, gradient: gp.baseAddress!, data: data, batch: $0, workspace: ws)
                }
            }
        }
        for segment in model.layout.segments {
            var largest: Float = 0
            for i in stride(from: segment.offset, to: segment.range.upperBound, by: every) {
                var plus = p, minus = p
                plus[i] += h
                minus[i] -= h
                let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
                largest = max(largest, abs(Float(numeric)))
                #expect(abs(Double(g[i]) - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                        "\(segment.name)[\(i - segment.offset)]: analytic \(g[i]), numeric \(numeric)")
            }
            #expect(largest > 1e-3, "\(segment.name) has no gradient")
        }
    }

    func table(rows n: Int, features d: Int, classes c: Int) -> Dataset {
        let rng = RandomStream(seed: 5)
        return Dataset(features: (0 ..< n * d).map { _ in Float(rng.gaussian(sigma: 1)) },
                       labels: (0 ..< n).map { _ in Int32(rng.uniformInt(c)) }, featureCount: d, classCount: c)
    }

    func text(vocabulary v: Int, context t: Int, windows: Int) -> TokenStream {
        let rng = RandomStream(seed: 6)
        let tokens = (0 ..< windows + t + 4).map { _ in UInt16(rng.uniformInt(v)) }
        return TokenStream(tokens: tokens, vocabularySize: v, window: t + 1, starts: (0 ..< Int32(windows)).map { $0 })
    }

    @Test("mlp: dense, ReLU and softmax cross-entropy")
    func mlp() {
        let model = MLP(featureCount: 4, classCount: 3, hidden: [6, 5])
        // ReLU has a kink at 0: a smaller step keeps perturbed pre-activations on their side of it.
        check(model, data: .table(table(rows: 7, features: 4, classes: 3)), batch: [0, 2, 3, 5, 6], seed: 1, h: 1e-3)
    }

    @Test("softmax through the protocol: dense with L2 and softmax cross-entropy")
    func softmax() {
        let model = SoftmaxRegression(featureCount: 4, classCount: 3, l2: 0.1)
        check(model, data: .table(table(rows: 7, features: 4, classes: 3)), batch: [1, 2, 4, 6], seed: 2)
    }

    @Test("charlm mlp: embedding, dense, tanh and softmax cross-entropy")
    func charMLP() {
        let model = CharMLPLanguageModel(vocabularySize: 6, context: 3, embedding: 2, hidden: [5])
        check(model, data: .tokens(text(vocabulary: 6, context: 3, windows: 6)), batch: [0, 1, 3, 5], seed: 3)
    }

    @Test("charlm transformer: embeddings, LayerNorm, causal attention, GELU, dense, cross-entropy")
    func transformer() {
        let model = TransformerLanguageModel(vocabularySize: 5, context: 4, dModel: 8, heads: 2, layers: 2)
        check(model, data: .tokens(text(vocabulary: 5, context: 4, windows: 5)), batch: [0, 2, 4], seed: 4)
    }

    @Test("charlm transformer at widths where the row reductions use 16 lanes (LayerNorm, softmaxes)")
    func transformerWideRows() {
        // dModel 16 fills one 16-lane chunk; context and vocabulary 18 add a remainder of 2. Every
        // 5th parameter of each segment is checked, to keep the test short.
        let model = TransformerLanguageModel(vocabularySize: 18, context: 18, dModel: 16, heads: 2, layers: 1)
        check(model, data: .tokens(text(vocabulary: 18, context: 18, windows: 4)), batch: [0, 3], seed: 7, every: 5)
    }
}
