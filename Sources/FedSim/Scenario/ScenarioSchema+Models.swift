extension ScenarioSchema {
    /// `model`: the keys each kind (and charlm architecture) takes (README: Models).
    static var model: JSONValue {
        let sizeKeys = ["l2", "hidden", "architecture", "context", "embedding", "dModel", "layers", "heads"]
        /// The alternative of one kind: `taken` keys allowed, the other size keys absent.
        func kind(_ name: JSONValue, taking taken: [String], _ more: [String: JSONValue] = [:], required: [String] = ["kind"]) -> JSONValue {
            var properties: [String: JSONValue] = ["kind": name]
            for key in sizeKeys where !taken.contains(key) { properties[key] = V.absent }
            return V.when(properties.merging(more) { $1 }, required: required)
        }
        return V.object(
            "The model trained by devices and by the baseline [softmax, l2 0] (README: Models).",
            properties: [
                "kind": V.choice("[softmax] | \"mlp\" | \"charlm\" (text data only; softmax and mlp: tables only).",
                                 ModelSpec.Kind.allCases.map(\.rawValue)),
                "l2": V.number("[0] softmax: L2 regularisation strength (l2/2 ||W||^2).", in: ScenarioRange.factor),
                "hidden": V.array("[mlp 64; charlm mlp 128] hidden layer widths.", minItems: 0,
                                  items: V.integer("A layer width.", minimum: 1, maximum: 1 << 16)),
                "architecture": V.choice("[transformer] charlm: \"mlp\" (Bengio et al. 2003) | \"transformer\" (GPT-style).",
                                         LayerSizes.Architecture.allCases.map(\.rawValue)),
                "context": V.integer("[64; mlp architecture 8] charlm: characters of context.", minimum: 1, maximum: 4096),
                "embedding": V.integer("[16] charlm mlp: embedding width.", minimum: 1, maximum: 4096),
                "dModel": V.integer("[64] charlm transformer: model width (a multiple of heads).", minimum: 1, maximum: 8192),
                "heads": V.integer("[4] charlm transformer: attention heads, dividing dModel.", minimum: 1, maximum: 256),
                "layers": V.integer("[2] charlm transformer: decoder layers.", minimum: 1, maximum: 256),
            ],
            rules: [V.anyOf([
                kind(V.amongOrNull(["softmax"]), taking: ["l2"], required: []),
                kind(V.const("mlp"), taking: ["hidden"]),
                kind(V.const("charlm"), taking: ["architecture", "context", "hidden", "embedding"], ["architecture": V.const("mlp")], required: ["kind", "architecture"]),
                kind(V.const("charlm"), taking: ["architecture", "context", "dModel", "layers", "heads"],
                     ["architecture": V.amongOrNull(["transformer"])]),
            ])])
    }

    /// A language model needs text data and a classifier a table (``ScenarioLoader/checkCompatible(model:data:)``).
    static var modelMatchesData: JSONValue {
        let charlm = JSONValue.object(["type": .string("object"), "required": .array([.string("kind")]),
                                       "properties": .object(["kind": V.const("charlm")])])
        return V.anyOf([
            V.when(["model": charlm, "data": V.when(["source": V.among(["text", "shakespeare"])])], required: ["model"]),
            V.when(["model": V.when(["kind": V.amongOrNull(["softmax", "mlp"])]),
                    "data": V.when(["source": V.among(["digits", "synthetic", "csv"])])]),
        ])
    }

    /// `training.optimizer` and `baseline.optimizer` (README: Models, optimizer keys).
    static func optimizer(_ description: String) -> JSONValue {
        V.object(description, required: ["kind"], properties: [
            "kind": V.choice("\"sgd\" | \"adamw\" (Loshchilov & Hutter 2019).", OptimizerSpec.Kind.allCases.map(\.rawValue)),
            "beta1": V.number("[0.9] adamw: first-moment decay in [0, 1).", minimum: 0, maximum: 0.999_999),
            "beta2": V.number("[0.999] adamw: second-moment decay in [0, 1).", minimum: 0, maximum: 0.999_999_999),
            "epsilon": V.positive("[1e-8] adamw: epsilon."),
            "weightDecay": V.nonNegative("[0.01] adamw: decoupled weight decay."),
            "clipNorm": V.positive("[none] clip the gradient to this global norm."),
            "schedule": schedule("[constant] the learning rate's schedule over the optimizer's updates (README: DiLoCo)."),
        ], rules: [V.anyOf([V.when(["kind": V.const("adamw")]),
                            V.when(["kind": V.const("sgd"), "beta1": V.absent, "beta2": V.absent, "epsilon": V.absent, "weightDecay": V.absent])])])
    }

    /// A `schedule` of `training.optimizer`, `baseline.optimizer` or `training.server`
    /// (``ScenarioLoader/readSchedule(_:)``); the loader also checks totalSteps > warmupSteps.
    static func schedule(_ description: String) -> JSONValue {
        let steps = ScenarioRange.scheduleSteps
        return V.object(description, required: ["kind"], properties: [
            "kind": V.choice("\"constant\" (warmup, then 1) | \"cosine\" (warmup, then cosine decay to minFactor).",
                             LearningRateSchedule.Kind.allCases.map(\.rawValue)),
            "warmupSteps": V.integer("[0] updates of linear warmup.", minimum: 0, maximum: steps),
            "totalSteps": V.integer("cosine, required: the update at which the factor reaches minFactor (> warmupSteps).",
                                    minimum: 1, maximum: steps),
            "minFactor": V.number("[0] cosine: the final factor.", minimum: 0, maximum: 1),
        ], rules: [V.anyOf([V.when(["kind": V.const("cosine")], required: ["totalSteps"]),
                            V.when(["kind": V.const("constant"), "totalSteps": V.absent, "minFactor": V.absent])])])
    }

    /// `evaluation.target`: a metric and the value to reach.
    static var target: JSONValue {
        V.object("[none] instead of targetAccuracy: accuracy at or above, the others at or below.",
                 required: ["metric", "value"],
                 properties: ["metric": V.choice("The metric.", MetricTarget.Metric.allCases.map(\.rawValue)),
                              "value": V.number("accuracy in 0 ... 1; loss and bitsPerCharacter > 0; perplexity >= 1.")],
                 rules: [V.anyOf([
                    V.when(["metric": V.const("accuracy"), "value": V.bounds(minimum: 0, maximum: 1)]),
                    V.when(["metric": V.among(["loss", "bitsPerCharacter"]), "value": V.bounds(exclusiveMinimum: 0)]),
                    V.when(["metric": V.const("perplexity"), "value": V.bounds(minimum: 1)]),
                 ])])
    }

    /// The keys of `data` that say how to read a csv, text or shakespeare file.
    static let fileKeys = ["label", "client", "header", "standardize", "minCharacters", "trainFraction"]

    static var fileProperties: [String: JSONValue] {
        let column = JSONValue.object(["type": .array([.string("string"), .string("integer")]), "minimum": .number(0),
                                       "maximum": .number(Double(1 << 20)), "description": .string("A header name or a 0-based column index.")])
        return [
            "label": column, "client": column,
            "header": V.bool("[csv true; text false] csv, text: the file's first line is a header."),
            "standardize": V.bool("[false] csv: (x - mean) / sd with the training rows' statistics."),
            "minCharacters": V.integer("[1; shakespeare 1000] text, shakespeare: a client needs this many characters.", minimum: 1),
            "trainFraction": V.number("[0.8] text, shakespeare: each client's leading share that trains.", minimum: 0.05, maximum: 0.95),
        ]
    }

    /// One data source's alternative: the file keys it takes, the other file keys absent.
    static func source(_ names: [String], fileKeys taken: [String], _ more: [String: JSONValue], required: [String] = []) -> JSONValue {
        var properties: [String: JSONValue] = ["source": V.among(names)]
        for key in fileKeys where !taken.contains(key) { properties[key] = V.absent }
        return V.when(properties.merging(more) { $1 }, required: required)
    }
}
