/// Builds the model a scenario names, sized to its data.
public enum ModelFactory {
    /// The model of `spec` for `data` (its feature and class counts, or its vocabulary and context).
    public static func make(_ spec: ModelSpec, for data: ModelData) -> AnyModel {
        switch (spec.kind, data) {
        case (.softmax, .table(let d)):
            return AnyModel(SoftmaxRegression(featureCount: d.featureCount, classCount: d.classCount, l2: Float(spec.l2)),
                            isLanguageModel: false)
        default:
            preconditionFailure("model \(spec.kind) does not read this data (the loader rejects the pair)")
        }
    }
}
