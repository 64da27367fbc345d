import Foundation

/// Reads a scenario file, validates every field, and fills in defaults.
///
/// Every problem is reported as a ``ScenarioError`` naming the JSON path, the expected and the
/// found value. Nothing here writes files.
public enum ScenarioLoader {
    /// Loads and validates the scenario at `url`. Relative data paths are resolved against the
    /// scenario file's folder and checked to exist.
    public static func load(contentsOf url: URL) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ScenarioError(path: "$", expected: "a readable scenario file", found: "no readable file at \(url.path)")
        }
        let defaultName = url.deletingPathExtension().lastPathComponent
        var scenario = try parse(data, defaultName: defaultName)
        if scenario.data.source == .digits, let path = scenario.data.path {
            let resolved = resolve(path, relativeTo: url.deletingLastPathComponent())
            guard FileManager.default.isReadableFile(atPath: resolved.path) else {
                throw ScenarioError(path: "$.data.path", expected: "a readable data file",
                                    found: "\"\(path)\" (no file at \(resolved.path))")
            }
            scenario.data.path = resolved.path
        }
        return scenario
    }

    static func resolve(_ path: String, relativeTo folder: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
    }

    /// Parses and validates scenario JSON (data paths are kept as written).
    public static func parse(_ data: Data, defaultName: String = "scenario") throws(ScenarioError) -> Scenario {
        let root = try JSONNode(path: "$", value: JSONValue.parse(data)).object()
        let name = try root.optional("name")?.string() ?? defaultName
        guard !name.isEmpty, !name.contains("/") else {
            throw ScenarioError(path: "$.name", expected: "a non-empty name without \"/\"", found: "\"\(name)\"")
        }
        let seed = try root.optional("seed")?.integer(min: 0, max: Int(UInt32.max)) ?? 1
        let dataSpec = try readData(root.required("data", "an object describing the data set").object())
        let model = try readModel(root.optional("model")?.object())
        let fleet = try readFleet(root.required("fleet", "an object with \"groups\"").object())
        let training = try readTraining(root.required("training", "an object").object(), fleet: fleet)
        let evaluation = try readEvaluation(root.optional("evaluation")?.object())
        let baseline = try readBaseline(root.optional("baseline")?.object(), fleet: fleet)
        try root.rejectUnknownKeys()
        return Scenario(name: name, seed: UInt64(seed), data: dataSpec, model: model, fleet: fleet,
                        training: training, evaluation: evaluation, baseline: baseline)
    }

    static func readData(_ o: JSONObject) throws(ScenarioError) -> DataSpec {
        let source = try o.required("source", "\"digits\" or \"synthetic\"").choice(["digits", "synthetic"])
        var spec = DataSpec(source: DataSpec.Source(rawValue: source)!, path: nil, testFraction: 0.2,
                            alpha: nil, beta: nil, partition: PartitionSpec(kind: .iid, alpha: nil))
        if let f = o.optional("testFraction") {
            spec.testFraction = try f.number(0.01...0.9, expected: "a fraction in 0.01...0.9")
        }
        switch spec.source {
        case .digits:
            spec.path = try o.optional("path")?.string() ?? "data/digits.csv"
            spec.partition = PartitionSpec(kind: .iid, alpha: nil)
        case .synthetic:
            spec.testFraction = o.fields["testFraction"] == nil ? 0.1 : spec.testFraction
            spec.alpha = try o.optional("alpha")?.nonNegative() ?? 1
            spec.beta = try o.optional("beta")?.nonNegative() ?? 1
            spec.partition = PartitionSpec(kind: .natural, alpha: nil)
        }
        if let p = o.optional("partition") {
            spec.partition = try readPartition(p.object(), source: spec.source)
        }
        try o.rejectUnknownKeys()
        return spec
    }

    static func readPartition(_ o: JSONObject, source: DataSpec.Source) throws(ScenarioError) -> PartitionSpec {
        let kinds = source == .synthetic ? ["iid", "dirichlet", "natural"] : ["iid", "dirichlet"]
        let kindNode = try o.required("kind", "one of " + kinds.map { "\"\($0)\"" }.joined(separator: ", "))
        let kind = PartitionSpec.Kind(rawValue: try kindNode.choice(kinds))!
        var alpha: Double?
        if kind == .dirichlet {
            alpha = try o.required("alpha", "a positive number").positive()
        }
        try o.rejectUnknownKeys()
        return PartitionSpec(kind: kind, alpha: alpha)
    }

    static func readModel(_ o: JSONObject?) throws(ScenarioError) -> ModelSpec {
        guard let o else { return ModelSpec(kind: .softmax, l2: 0) }
        let kind = try o.optional("kind")?.choice(["softmax"]) ?? "softmax"
        let l2 = try o.optional("l2")?.nonNegative() ?? 0
        try o.rejectUnknownKeys()
        return ModelSpec(kind: ModelSpec.Kind(rawValue: kind)!, l2: l2)
    }

    static func readProfileFields(_ o: JSONObject, base: DeviceProfile) throws(ScenarioError) -> DeviceProfile {
        var profile = base
        for key in DeviceProfile.keys {
            guard let node = o.optional(key) else { continue }
            switch key {
            case "speedSigma", "jitterSigma", "latencyMs":
                profile[key] = try node.number(0...10_000, expected: "a number >= 0")
            default:
                profile[key] = try node.positive()
            }
        }
        return profile
    }

    static func readFleet(_ o: JSONObject) throws(ScenarioError) -> FleetSpec {
        var profiles: [String: DeviceProfile] = [:]
        for (name, p) in DeviceProfile.builtIn { profiles[name] = p }
        if let custom = o.optional("profiles") {
            let co = try custom.object()
            for name in co.fields.keys.sorted() {
                let node = co.optional(name)!
                let po = try node.object()
                var base: DeviceProfile?
                if let b = po.optional("base") {
                    let builtInNames = DeviceProfile.builtIn.map(\.name)
                    base = profiles[try b.choice(builtInNames)]
                }
                if base == nil {
                    for key in DeviceProfile.keys where po.fields[key] == nil {
                        throw ScenarioError(path: "\(node.path).\(key)", expected: "a number (or a \"base\" profile to inherit from)",
                                            found: "nothing (the key is missing)")
                    }
                }
                profiles[name] = try readProfileFields(po, base: base ?? .phone)
                try po.rejectUnknownKeys()
            }
        }
        let groupsNode = try o.required("groups", "a non-empty array of device groups")
        let groupNodes = try groupsNode.array()
        guard !groupNodes.isEmpty else { throw groupsNode.fail("a non-empty array of device groups") }
        var groups: [DeviceGroup] = []
        for g in groupNodes {
            let go = try g.object()
            let names = profiles.keys.sorted()
            let profileName = try go.required("profile", "a profile name").choice(names)
            let count = try go.required("count", "an integer >= 1").integer(min: 1)
            var profile = profiles[profileName]!
            if let ov = go.optional("overrides") {
                let oo = try ov.object()
                profile = try readProfileFields(oo, base: profile)
                try oo.rejectUnknownKeys()
            }
            try go.rejectUnknownKeys()
            groups.append(DeviceGroup(profileName: profileName, count: count, profile: profile))
        }
        try o.rejectUnknownKeys()
        let total = groups.reduce(0) { $0 + $1.count }
        guard total <= 10_000_000 else {
            throw ScenarioError(path: "\(o.path).groups", expected: "at most 10000000 devices in all", found: "\(total)")
        }
        return FleetSpec(profiles: profiles, groups: groups)
    }

    static func readTraining(_ o: JSONObject, fleet: FleetSpec) throws(ScenarioError) -> TrainingSpec {
        let mode = try o.optional("mode")?.choice(["fedavg"]) ?? "fedavg"
        let kNode = try o.required("devicesPerRound", "an integer >= 1")
        let k = try kNode.integer(min: 1)
        let over = try o.optional("overSelection")?.number(0...10, expected: "a fraction in 0...10") ?? 0
        let selected = Int((Double(k) * (1 + over)).rounded(.up))
        guard selected <= fleet.deviceCount else {
            let what = over > 0 ? "devices per round with over-selection (\(selected))" : "devices per round"
            throw ScenarioError(path: over > 0 ? "\(o.path).overSelection" : kNode.path,
                                expected: "\(what) <= the fleet size \(fleet.deviceCount)", found: over > 0 ? JSONValue.format(over) : "\(k)")
        }
        let deadline = try o.optional("deadlineSeconds")?.positive()
        let epochs = try o.optional("localEpochs")?.integer(min: 1, max: 10_000) ?? 1
        let batch = try o.optional("batchSize")?.integer(min: 1, max: 1_000_000) ?? 10
        let lr = try o.required("learningRate", "a positive number").positive()
        let rounds = try o.optional("rounds")?.integer(min: 1, max: 10_000_000) ?? 100
        let maxTime = try o.optional("maxTimeSeconds")?.positive()
        try o.rejectUnknownKeys()
        return TrainingSpec(mode: TrainingSpec.Mode(rawValue: mode)!, devicesPerRound: k, overSelection: over,
                            deadlineSeconds: deadline, localEpochs: epochs, batchSize: batch,
                            learningRate: lr, rounds: rounds, maxTimeSeconds: maxTime)
    }

    static func readEvaluation(_ o: JSONObject?) throws(ScenarioError) -> EvaluationSpec {
        var spec = EvaluationSpec(every: 1, targetAccuracy: nil, stopAtTarget: false)
        guard let o else { return spec }
        spec.every = try o.optional("every")?.integer(min: 1) ?? 1
        spec.targetAccuracy = try o.optional("targetAccuracy")?.number(0.0...1.0, expected: "an accuracy in 0...1")
        spec.stopAtTarget = try o.optional("stopAtTarget")?.bool() ?? false
        try o.rejectUnknownKeys()
        return spec
    }

    static func readBaseline(_ o: JSONObject?, fleet: FleetSpec) throws(ScenarioError) -> BaselineSpec {
        var spec = BaselineSpec(profileName: "server", profile: .server, epochs: 20, evaluationsPerEpoch: 4)
        guard let o else { return spec }
        if let p = o.optional("profile") {
            spec.profileName = try p.choice(fleet.profiles.keys.sorted())
            spec.profile = fleet.profiles[spec.profileName]!
        }
        spec.epochs = try o.optional("epochs")?.integer(min: 1, max: 100_000) ?? spec.epochs
        spec.evaluationsPerEpoch = try o.optional("evaluationsPerEpoch")?.integer(min: 1, max: 1000) ?? spec.evaluationsPerEpoch
        try o.rejectUnknownKeys()
        return spec
    }
}
