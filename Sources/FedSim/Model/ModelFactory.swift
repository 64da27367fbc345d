/// Builds the model a scenario names, sized to its data.
public enum ModelFactory {
    /// The model of `spec` for `data` (its feature and class counts, or its vocabulary and context).
    public static func make(_ spec: ModelSpec, for data: ModelData) -> AnyModel {
        switch (spec.kind, data) {
        case (.softmax, .table(let d)):
            return AnyModel(SoftmaxRegression(featureCount: d.featureCount, classCount: d.classCount, l2: Float(spec.l2)),
                            isLanguageModel: false)
        case (.mlp, .table(let d)):
            return AnyModel(MLP(featureCount: d.featureCount, classCount: d.classCount, hidden: spec.sizes.hidden),
                            isLanguageModel: false)
        case (.charlm, .tokens(let t)):
            let s = spec.sizes
            switch s.architecture {
            case .mlp:
                return AnyModel(CharMLPLanguageModel(vocabularySize: t.vocabularySize, context: t.context, embedding: s.embedding,
                                                     hidden: s.hidden), isLanguageModel: true)
            case .transformer:
                return AnyModel(TransformerLanguageModel(vocabularySize: t.vocabularySize, context: t.context, dModel: s.dModel,
                                                         heads: s.heads, layers: s.layers), isLanguageModel: true)
            }
        default:
            preconditionFailure("model \(spec.kind) does not read this data (the loader rejects the pair)")
        }
    }
}
