import FedMath
import Foundation
import Testing
@testable import FedSim

@Suite("Models")
struct ModelTransformerTests {
    @Test("the transformer's parameter count equals the formula evaluated by hand")
    func parameterCount() {
        // V 5, T 4, D 8, L 2: V D 40 + T D 32 + L (12 D^2 + 13 D) = 2 (768 + 104) = 1744,
        // final LayerNorm 16, output D V + V = 45: 1877.
        let model = TransformerLanguageModel(vocabularySize: 5, context: 4, dModel: 8, heads: 2, layers: 2)
        #expect(model.parameterCount == 1877)
        #expect(model.layout.segments.count == 2 + 2 * 12 + 4)
        #expect(model.layout.segment(named: "block1.attention.qkv.weight")?.shape == [8, 24])
        // FLOPs per token 6 (12 L D^2 + D V) + 6 L T D = 6 (1536 + 40) + 384 = 9840.
        #expect(model.trainingFLOPsPerToken == 9840)
        #expect(model.trainingFLOPsPerSample == 4 * 9840)
    }

    @Test("the sgemm calls a transformer step lists add up to the products of its layers, counted by hand")
    func matrixProducts() {
        // V 5, T 4, D 8, H 2, L 2, 3 windows: rows = 12. Each dense layer is three products of
        // 2 rows in out FLOPs (forward, weight gradient, input gradient): 6 rows (12 L D^2 + D V)
        // = 6 12 (1536 + 40) = 113,472. Attention per window, layer and head: six products of
        // 2 T T dHead (S, O; dV, dP, dQ, dK) = 12 16 4 = 768, times 3 2 2 = 9216. Total 122,688.
        let model = TransformerLanguageModel(vocabularySize: 5, context: 4, dModel: 8, heads: 2, layers: 2)
        let products = model.matrixProducts(batchSize: 3)
        #expect(products.map { $0.key.flops * Double($0.value) }.reduce(0, +) == 122_688)
        // Calls: per block 4 dense layers x 3 + 6 attention products x 3 windows x 2 heads = 48;
        // two blocks and the output projection's 3: 99.
        #expect(products.values.reduce(0, +) == 99)
        // The forward QKV product and the output projection's weight gradient, as Dense makes them.
        #expect(products[MatrixProduct(m: 12, n: 24, k: 8)] == 2)
        #expect(products[MatrixProduct(transposeA: true, m: 8, n: 5, k: 12)] == 1)
        // S = Q K^T and dP = dO V^T share a shape: 2 per window, head and layer.
        #expect(products[MatrixProduct(transposeB: true, m: 4, n: 4, k: 4)] == 2 * 3 * 2 * 2)
    }

    @Test("the layout lists named segments end to end and finds them by name and role")
    func layout() {
        let model = MLP(featureCount: 3, classCount: 2, hidden: [4])
        let l = model.layout
        #expect(l.count == 3 * 4 + 4 + 4 * 2 + 2)
        #expect(l.lines == ["dense0.weight [3 x 4] at 0, 12 parameters", "dense0.bias [4] at 12, 4 parameters",
                            "dense1.weight [4 x 2] at 16, 8 parameters", "dense1.bias [2] at 24, 2 parameters"])
        #expect(l.segments(role: .bias).map(\.offset) == [12, 24])
        #expect(l.segments(layer: "dense1").map(\.count) == [8, 2])
    }

    @Test("changing a later token leaves every earlier position's logits unchanged")
    func causalMask() {
        let model = TransformerLanguageModel(vocabularySize: 7, context: 6, dModel: 8, heads: 2, layers: 2)
        let p = model.initialParameters(seed: 3)
        let ws = model.makeWorkspace()
        func logits(_ tokens: [UInt16]) -> [Float] {
            p.withUnsafeBufferPointer { pp in
                tokens.withUnsafeBufferPointer { t in
                    let z = model.forward(pp.baseAddress!, text: t.baseAddress!, start: { _ in 0 }, windows: 1, workspace: ws)
                    return Array(UnsafeBufferPointer(start: z, count: 6 * 7))
                }
            }
        }
        let base: [UInt16] = [1, 2, 3, 4, 5, 6, 0]
        let before = logits(base)
        for changed in 1 ..< 6 {
            var other = base
            other[changed] = (other[changed] + 3) % 7
            let after = logits(other)
            #expect(Array(after[0 ..< changed * 7]) == Array(before[0 ..< changed * 7]), "position \(changed) leaked backwards")
            #expect(Array(after[changed * 7 ..< (changed + 1) * 7]) != Array(before[changed * 7 ..< (changed + 1) * 7]))
        }
    }

    @Test("the same seed gives the same initial parameters, another seed others; He variance 2 / fan-in")
    func initialisation() {
        let model = MLP(featureCount: 400, classCount: 10, hidden: [100])
        let a = model.initialParameters(seed: 11)
        #expect(a == model.initialParameters(seed: 11))
        #expect(a != model.initialParameters(seed: 12))
        let w = model.layout.segment(named: "dense0.weight")!
        let variance = w.range.reduce(0.0) { $0 + Double(a[$1]) * Double(a[$1]) } / Double(w.count)
        // 40000 draws: the variance estimate's relative standard error is sqrt(2 / 40000) = 0.7%.
        #expect(abs(variance / (2.0 / 400) - 1) < 0.05)
        #expect(model.layout.segments(role: .bias).allSatisfy { s in s.range.allSatisfy { a[$0] == 0 } })
        let lm = TransformerLanguageModel(vocabularySize: 5, context: 4, dModel: 8, heads: 2, layers: 1)
        #expect(lm.initialParameters(seed: 2) == lm.initialParameters(seed: 2))
    }

    /// A text of period 5 over a vocabulary of 6: after its first character every window is
    /// determined, so the loss can fall towards ln(5) / 8 = 0.20 (position 0 cannot be predicted),
    /// far below the ln 6 = 1.79 of a uniform guess.
    @Test("a tiny transformer trained with AdamW overfits a repeated text")
    func overfits() {
        let tokens = (0 ..< 400).map { UInt16(1 + $0 % 5) }
        let stream = TokenStream(tokens: tokens, vocabularySize: 6, window: 9, starts: (0 ..< 300).map { Int32($0) })
        let model = TransformerLanguageModel(vocabularySize: 6, context: 8, dModel: 16, heads: 2, layers: 1)
        var p = model.initialParameters(seed: 1)
        let ws = TrainingWorkspace(model)
        let before = model.evaluate(p, on: .tokens(stream), workspace: ws.model)
        #expect(abs(before.loss - log(6.0)) < 0.2)
        let state = OptimizerState(.adamW(learningRate: 1e-2, clipNorm: 1), parameterCount: model.parameterCount)
        let work = model.train(&p, on: .tokens(stream), samples: 0 ..< 300, epochs: 10, batchSize: 8, optimizer: state,
                               rng: RandomStream(seed: 2), workspace: ws, maxSteps: 200)
        #expect(work.steps == 200)
        let after = model.evaluate(p, on: .tokens(stream), workspace: ws.model)
        #expect(after.loss < 0.3 * log(6.0), "loss \(after.loss)")
        #expect(after.accuracy > 0.8)
        #expect(abs(after.bitsPerToken - after.loss / log(2.0)) < 1e-12)
        #expect(abs(after.perplexity - exp(after.loss)) < 1e-12)
    }

    @Test("the MLP language model learns a repeated text from its last characters")
    func charMLPLearns() {
        let tokens = (0 ..< 300).map { UInt16(1 + ($0 * 3) % 7) }
        let stream = TokenStream(tokens: tokens, vocabularySize: 8, window: 4, starts: (0 ..< 250).map { Int32($0) })
        let model = CharMLPLanguageModel(vocabularySize: 8, context: 3, embedding: 4, hidden: [16])
        var p = model.initialParameters(seed: 1)
        let ws = TrainingWorkspace(model)
        let state = OptimizerState(.adamW(learningRate: 1e-2), parameterCount: model.parameterCount)
        _ = model.train(&p, on: .tokens(stream), samples: 0 ..< 250, epochs: 5, batchSize: 10, optimizer: state,
                        rng: RandomStream(seed: 2), workspace: ws)
        let after = model.evaluate(p, on: .tokens(stream), workspace: ws.model)
        #expect(after.accuracy == 1, "accuracy \(after.accuracy)")
        #expect(after.predictions == 250)
    }
}
