/// The loader's readers for models, optimizers, data files and metric targets.
extension ScenarioLoader {
    /// `model`: `kind` softmax (`l2`), mlp (`hidden`), charlm (`architecture` mlp: `context`,
    /// `embedding`, `hidden`; transformer: `context`, `dModel`, `heads`, `layers`). Keys of other
    /// kinds are unknown keys.
    static func readModel(_ o: JSONObject?) throws(ScenarioError) -> ModelSpec {
        var spec = ModelSpec(kind: .softmax, l2: 0)
        guard let o else { return spec }
        spec.kind = ModelSpec.Kind(rawValue: try o.optional("kind")?.choice(ModelSpec.Kind.allCases.map(\.rawValue)) ?? "softmax")!
        var s = LayerSizes()
        func hidden() throws(ScenarioError) {
            guard let node = o.optional("hidden") else { return }
            var widths: [Int] = []
            for w in try node.array() { widths.append(try w.integer(min: 1, max: 1 << 16)) }
            s.hidden = widths
        }
        switch spec.kind {
        case .softmax:
            spec.l2 = try o.optional("l2")?.number(in: ScenarioRange.factor, unit: "L2 weight") ?? 0
        case .mlp:
            try hidden()
        case .charlm:
            s.architecture = LayerSizes.Architecture(rawValue: try o.optional("architecture")?
                .choice(LayerSizes.Architecture.allCases.map(\.rawValue)) ?? "transformer")!
            s.context = try o.optional("context")?.integer(min: 1, max: 4096) ?? s.context
            switch s.architecture {
            case .mlp:
                s.context = o.fields["context"] == nil ? 8 : s.context
                s.hidden = [128]
                try hidden()
                s.embedding = try o.optional("embedding")?.integer(min: 1, max: 4096) ?? s.embedding
            case .transformer:
                s.dModel = try o.optional("dModel")?.integer(min: 1, max: 8192) ?? s.dModel
                s.layers = try o.optional("layers")?.integer(min: 1, max: 256) ?? s.layers
                let headsNode = o.optional("heads")
                s.heads = try headsNode?.integer(min: 1, max: 256) ?? s.heads
                guard s.dModel % s.heads == 0 else {
                    throw ScenarioError(path: headsNode?.path ?? "$.model.dModel",
                                        expected: "heads dividing dModel (\(s.dModel))", found: "\(s.heads) heads")
                }
            }
        }
        spec.sizes = s
        try o.rejectUnknownKeys()
        return spec
    }

    /// `training.optimizer` or `baseline.optimizer`: `kind` sgd | adamw, AdamW's `beta1`, `beta2`,
    /// `epsilon`, `weightDecay`, and `clipNorm` for either.
    static func readOptimizer(_ o: JSONObject, base: OptimizerSpec = .sgd) throws(ScenarioError) -> OptimizerSpec {
        var spec = base
        spec.kind = OptimizerSpec.Kind(rawValue: try o.required("kind", "\"sgd\" or \"adamw\"")
            .choice(OptimizerSpec.Kind.allCases.map(\.rawValue)))!
        if spec.kind == .adamw {
            spec.beta1 = try o.optional("beta1")?.number(0...0.999_999, expected: "a number in [0, 1)") ?? spec.beta1
            spec.beta2 = try o.optional("beta2")?.number(0...0.999_999_999, expected: "a number in [0, 1)") ?? spec.beta2
            spec.epsilon = try o.optional("epsilon")?.positive() ?? spec.epsilon
            spec.weightDecay = try o.optional("weightDecay")?.nonNegative() ?? spec.weightDecay
        }
        spec.clipNorm = try o.optional("clipNorm")?.positive() ?? nil
        spec.schedule = try o.optional("schedule").map { n throws(ScenarioError) in try readSchedule(n) } ?? .constant
        try o.rejectUnknownKeys()
        return spec
    }

    /// The file keys of `data` for csv (`label`, `client`, `header`, `standardize`), text
    /// (`header`, `minCharacters`, `trainFraction`) and shakespeare (`minCharacters`, `trainFraction`).
    static func readDataFile(_ o: JSONObject, source: DataSpec.Source) throws(ScenarioError) -> DataFileSpec {
        var f = DataFileSpec()
        func column(_ node: JSONNode) throws(ScenarioError) -> DataFileSpec.Column {
            if case .string(let s) = node.value { return .name(s) }
            guard case .number = node.value else { throw node.fail("a column name or a 0-based column index") }
            return .index(try node.integer(min: 0, max: 1 << 20))
        }
        switch source {
        case .csv:
            if let l = o.optional("label") { f.label = try column(l) }
            if let c = o.optional("client") { f.client = try column(c) }
            f.header = try o.optional("header")?.bool() ?? true
            f.standardize = try o.optional("standardize")?.bool() ?? false
        case .text, .shakespeare:
            f.header = source == .shakespeare
            if source == .text { f.header = try o.optional("header")?.bool() ?? false }
            f.minCharacters = try o.optional("minCharacters")?.integer(min: 1)
                ?? (source == .shakespeare ? Shakespeare.defaultMinCharacters : 1)
            f.trainFraction = try o.optional("trainFraction")?.number(0.05...0.95, expected: "a fraction in 0.05...0.95") ?? 0.8
        case .digits, .synthetic:
            return f
        }
        return f
    }

    /// A model that cannot read the data's kind (a language model on a table, a classifier on text).
    static func checkCompatible(model: ModelSpec, data: DataSpec) throws(ScenarioError) {
        let wantsText = model.kind == .charlm
        guard wantsText != data.isText else { return }
        let allowed = data.isText ? "\"charlm\" (the data is text)" : "\"softmax\" or \"mlp\" (the data is a table)"
        throw ScenarioError(path: "$.model.kind", expected: "a model for \(data.source.rawValue) data: \(allowed)",
                            found: "\"\(model.kind.rawValue)\"")
    }

    /// `evaluation.target`: `{"metric": accuracy | loss | perplexity | bitsPerCharacter, "value": x}`.
    static func readTarget(_ o: JSONObject) throws(ScenarioError) -> MetricTarget {
        let metric = MetricTarget.Metric(rawValue: try o.required("metric", "a metric name")
            .choice(MetricTarget.Metric.allCases.map(\.rawValue)))!
        let node = try o.required("value", "a number")
        let value: Double = switch metric {
        case .accuracy: try node.number(0...1, expected: "an accuracy in 0...1")
        case .loss, .bitsPerCharacter: try node.positive()
        case .perplexity: try node.number(1...Double.greatestFiniteMagnitude, expected: "a perplexity >= 1")
        }
        try o.rejectUnknownKeys()
        return MetricTarget(metric: metric, value: value)
    }
}
