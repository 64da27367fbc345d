import Foundation

/// The JSON Schema (draft 2020-12, https://json-schema.org/draft/2020-12) of a scenario file,
/// shipped as `Scenarios/fedsim.schema.json` and printed by `fedsim schema`.
///
/// It mirrors ``ScenarioLoader`` key by key: types, vocabularies, ranges, required keys, keys
/// allowed only in some modes or with some codecs, and no unknown keys. Descriptions follow the
/// README's scenario reference. What a schema cannot say (README: Scenarios, "What the schema
/// cannot check") is left to `fedsim validate`: bounds that depend on the fleet size (devices per
/// round, concurrency, FedBuff's buffer, the secure-aggregation cohort), sums over groups (devices
/// in all, synthetic devices), names that refer to profiles, a name's length in UTF-8 bytes, a
/// comparison between two keys (maxBatch >= minBatch, windowStart != windowEnd, heads dividing
/// dModel), and the data
/// files themselves.
public enum ScenarioSchema {
    typealias V = SchemaVocabulary

    /// The schema as a JSON document.
    public static var document: JSONValue {
        var root = V.object(
            "A fedsim scenario: a fleet, a data set and its partition, a model, a training mode, compression and privacy "
                + "(README: Scenarios). Unknown keys are errors; a null value counts as an absent key.",
            required: ["data", "fleet", "training"],
            properties: [
                "$schema": V.string("Where editors find this schema, e.g. \"fedsim.schema.json\"; ignored by fedsim."),
                "name": V.string("[file name] the run's name: output folder Results/<name>; 1 to \(ScenarioRange.nameBytes) UTF-8 bytes, "
                                    + "no \"/\" or control character, not starting with \".\".",
                                 pattern: "^[^./\\x00-\\x1f\\x7f-\\x9f][^/\\x00-\\x1f\\x7f-\\x9f]*$"),
                "seed": V.integer("[1] master seed every random stream derives from.", minimum: 0, maximum: Int(UInt32.max)),
                "data": data, "model": model, "fleet": fleet, "training": training,
                "evaluation": evaluation, "baseline": baseline, "availability": availability,
                "compression": compression, "privacy": privacy, "secureAggregation": secureAggregation,
            ],
            rules: [modelMatchesData, privacyNeedsUniformWeighting] + secureAggregationRules)
        guard case .object(var o) = root else { return root }
        o["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
        o["title"] = .string("fedsim scenario")
        root = .object(o)
        return root
    }

    /// The schema as the shipped file's text: sorted keys, pretty-printed, a final line end.
    public static func text() throws -> String {
        String(decoding: try ReportWriter.json(document), as: UTF8.self) + "\n"
    }

    // MARK: - Sections

    static var data: JSONValue {
        let partition = V.object(
            "How training samples are split among devices [iid for digits, natural for synthetic].",
            required: ["kind"],
            properties: [
                "kind": V.choice("\"iid\" | \"dirichlet\" (label skew, with alpha) | \"natural\" (synthetic, csv; the only one for text) "
                                    + "| \"windows\" (with size; not for text).",
                                 ["iid", "dirichlet", "natural", "windows"]),
                "size": V.integer("windows only, required: rows per device (README: Data).", minimum: 1),
                "alpha": V.number("Dirichlet concentration (smaller: more skew); required with dirichlet.", in: ScenarioRange.dirichletAlpha),
                "variant": V.choice("[hsu] Hsu, Qi, Brown 2019 | niid-bench: Li, Diao, Chen, He 2022 (README: Data).",
                                    DirichletVariant.allCases.map(\.rawValue)),
                "minSize": V.integer("[10] niid-bench only: redraw until every device holds at least this many samples.", minimum: 1),
            ],
            rules: [V.anyOf([
                V.when(["kind": V.const("dirichlet"), "alpha": V.present("number"), "size": V.absent], required: ["alpha"],
                       rules: [V.anyOf([V.when(["minSize": V.nullOnly]),
                                        V.when(["variant": V.const(DirichletVariant.niidBench.rawValue)], required: ["variant"])])]),
                V.when(["kind": V.among(["iid", "natural"]), "alpha": V.absent, "variant": V.absent, "minSize": V.nullOnly, "size": V.absent]),
                V.when(["kind": V.const("windows"), "size": V.present("integer"), "alpha": V.absent, "variant": V.absent, "minSize": V.nullOnly],
                       required: ["size"]),
            ])])
        let naturalOnly = V.when(["kind": V.amongOrNull(["natural"])])
        return V.object(
            "Where the data comes from and how it is split among devices (README: Data, Data files).",
            required: ["source"],
            properties: fileProperties.merging([
                "source": V.choice("\"digits\" (the shipped UCI digits) | \"synthetic\" (Synthetic(alpha, beta) of Li et al. 2020) | "
                                    + "\"csv\" | \"text\" | \"shakespeare\" (README: Data files).",
                                   ["digits", "synthetic", "csv", "text", "shakespeare"]),
                "path": V.string("The data file, relative to the scenario file's folder [digits: data/digits.csv; "
                                 + "shakespeare: data/shakespeare.tsv.gz; csv, text: required; synthetic: none]."),
                "testFraction": V.number("[0.2; synthetic 0.1, per device] held-out share, 0.01 ... 0.9 (not with text data).",
                                         minimum: 0.01, maximum: 0.9),
                "alpha": V.number("[1] synthetic only: alpha of Synthetic(alpha, beta).", in: ScenarioRange.syntheticVariance),
                "beta": V.number("[1] synthetic only: beta of Synthetic(alpha, beta).", in: ScenarioRange.syntheticVariance),
                "partition": partition,
                "assignments": V.string("[none] digits only: a file giving the test split and the partition (README: Data); "
                                        + "not beside partition or testFraction."),
            ]) { $1 },
            rules: [
                V.anyOf([
                    source(["digits"], fileKeys: [], ["alpha": V.absent, "beta": V.absent,
                                                      "partition": V.when(["kind": V.amongOrNull(["iid", "dirichlet", "windows"])])]),
                    source(["synthetic"], fileKeys: [], ["path": V.absent, "assignments": V.nullOnly]),
                    source(["csv"], fileKeys: ["label", "client", "header", "standardize"],
                           ["alpha": V.absent, "beta": V.absent, "path": V.present("string"), "assignments": V.nullOnly], required: ["path"]),
                    source(["text"], fileKeys: ["header", "minCharacters", "trainFraction"],
                           ["alpha": V.absent, "beta": V.absent, "path": V.present("string"), "assignments": V.nullOnly,
                            "testFraction": V.nullOnly, "partition": naturalOnly], required: ["path"]),
                    source(["shakespeare"], fileKeys: ["minCharacters", "trainFraction"],
                           ["alpha": V.absent, "beta": V.absent, "assignments": V.nullOnly, "testFraction": V.nullOnly, "partition": naturalOnly]),
                ]),
                V.anyOf([V.when(["assignments": V.nullOnly]), V.when(["partition": V.nullOnly, "testFraction": V.nullOnly])]),
            ])
    }

    static var evaluation: JSONValue {
        V.object("When and how the global model is evaluated.", properties: [
            "every": V.integer("[1] evaluate every n rounds (and after the last).", minimum: 1),
            "targetAccuracy": V.number("[95% of the baseline's best accuracy] target for time- and samples-to-target.", minimum: 0, maximum: 1),
            "stopAtTarget": V.bool("[false] stop federated training at the target."),
            "targetConsecutive": V.integer("[3] the target is reached when held for this many evaluations in a row.", minimum: 1, maximum: 1000),
            "target": target,
            "maxSamples": V.integer("[all rows of a table; 1000 windows of text] evaluate on a fixed seeded subsample.", minimum: 1),
        ])
    }

    static var baseline: JSONValue {
        V.object("The centralized baseline: the same model trained on the pooled training data.", properties: [
            "profile": V.string("[server] the profile that trains it: a built-in or one of fleet.profiles."),
            "epochs": V.integer("[20] passes over the pooled training data.", minimum: 1, maximum: 100_000),
            "evaluationsPerEpoch": V.integer("[4] evaluations per epoch.", minimum: 1, maximum: 1000),
            "learningRate": V.positive("[training.learningRate] SGD learning rate of the baseline."),
            "batchSize": V.integer("[training.batchSize] minibatch size of the baseline.", minimum: 1, maximum: 1_000_000),
            "includeDataCollection": V.bool("[false] add the raw-data upload time to the equal-compute reference."),
            "optimizer": optimizer("[training.optimizer] the baseline's optimizer."),
            "maxSteps": V.integer("[none] stop at the first evaluation at or after this many steps.", minimum: 1),
        ])
    }

    static var availability: JSONValue {
        V.object("When devices can work.", properties: [
            "kind": V.choice("[always] | \"churn\" (online/offline periods) | \"diurnal\" (a daily window).", ["always", "churn", "diurnal"]),
            "dayLengthSeconds": V.number("[86400] length of a virtual day (diurnal), seconds.", in: ScenarioRange.dayLength),
            "failureProbability": V.number("[0] probability that a task fails at the end of its compute (below 1: at 1 no task completes).",
                                           minimum: 0, maximum: 0.999_999),
        ])
    }

    static var privacy: JSONValue {
        V.object("[none] DP-FedAvg (McMahan et al. 2018); needs training.weighting \"uniform\".",
                 required: ["clip", "noiseMultiplier"],
                 properties: [
                    "mode": V.choice("[central] noise added to the sum | \"local\": by each device.", ["central", "local"]),
                    "clip": V.number("L2 clip C of each update.", in: ScenarioRange.clip),
                    "noiseMultiplier": V.number("z: noise standard deviation z C.", in: ScenarioRange.factor),
                    "delta": V.number("[1e-5] delta of the reported (epsilon, delta), in (0, 1).", minimum: 1e-300, maximum: 0.999_999),
                 ])
    }

    /// `privacy` requires `training.weighting: "uniform"`.
    static var privacyNeedsUniformWeighting: JSONValue {
        V.anyOf([V.when(["privacy": V.nullOnly]),
                 V.when(["training": V.when(["weighting": V.const("uniform")], required: ["weighting"])])])
    }
}
