import Crypto
import Foundation

/// Reads a scenario file, validates every field, and fills in defaults.
///
/// Every problem is reported as a ``ScenarioError`` naming the JSON path, the expected and the
/// found value. Nothing here writes files.
public enum ScenarioLoader {
    /// Loads and validates the scenario at `url`, with `overrides` applied to its JSON tree first
    /// (in order). Data paths are kept as written; relative ones are resolved against the scenario
    /// file's folder (``DataSpec/folder``, ``DataSpec/resolved(_:)``) and checked to exist.
    public static func load(contentsOf url: URL, overrides: [ScenarioOverride] = []) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ScenarioError(path: "$", expected: "a readable scenario file", found: "no readable file at \(url.path)")
        }
        let defaultName = url.deletingPathExtension().lastPathComponent
        var document = try JSONValue.parse(data)
        for override in overrides { document = try override.applied(to: document) }
        var scenario = try parse(document, defaultName: defaultName)
        scenario.sourceSHA256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        scenario.data.folder = url.deletingLastPathComponent().path
        if scenario.data.source != .synthetic, let path = scenario.data.path {
            let resolved = scenario.data.resolved(path)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw ScenarioError(path: "$.data.path", expected: "a readable data file",
                                    found: "\"\(path)\" (no file at \(resolved))")
            }
        }
        if let path = scenario.data.assignments {
            let resolved = scenario.data.resolved(path)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw ScenarioError(path: "$.data.assignments", expected: "a readable assignments file",
                                    found: "\"\(path)\" (no file at \(resolved))")
            }
        }
        return scenario
    }

    static func resolve(_ path: String, relativeTo folder: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
    }

    /// Parses and validates scenario JSON (data paths are kept as written).
    public static func parse(_ data: Data, defaultName: String = "scenario") throws(ScenarioError) -> Scenario {
        try parse(JSONValue.parse(data), defaultName: defaultName)
    }

    /// Validates a parsed scenario document (data paths are kept as written).
    public static func parse(_ document: JSONValue, defaultName: String = "scenario") throws(ScenarioError) -> Scenario {
        let root = try JSONNode(path: "$", value: document).object()
        _ = try root.optional("$schema")?.string()  // where editors find Scenarios/fedsim.schema.json
        let name = try root.optional("name")?.string() ?? defaultName
        try checkName(name, path: root.optional("name")?.path ?? "$.name")
        let seed = try root.optional("seed")?.integer(min: 0, max: Int(UInt32.max)) ?? 1
        let dataSpec = try readData(root.required("data", "an object describing the data set").object())
        let model = try readModel(root.optional("model")?.object())
        try checkCompatible(model: model, data: dataSpec)
        let fleet = try readFleet(root.required("fleet", "an object with \"groups\"").object())
        if dataSpec.source == .synthetic, fleet.deviceCount > ScenarioRange.syntheticDevices {
            throw ScenarioError(path: "$.fleet.groups", expected: "at most \(ScenarioRange.syntheticDevices) devices with synthetic data (each generates its own rows)",
                                found: "\(fleet.deviceCount)")
        }
        let training = try readTraining(root.required("training", "an object").object(), fleet: fleet)
        let evaluation = try readEvaluation(root.optional("evaluation")?.object())
        let baseline = try readBaseline(root.optional("baseline")?.object(), fleet: fleet, training: training)
        let availability = try readAvailability(root.optional("availability")?.object())
        let compression = try readCompression(root.optional("compression")?.object())
        let privacy = try readPrivacy(root.optional("privacy")?.object(), training: training)
        let secure = try readSecureAggregation(root.optional("secureAggregation")?.object(), training: training, compression: compression)
        try root.rejectUnknownKeys()
        return Scenario(name: name, seed: UInt64(seed), data: dataSpec, model: model, fleet: fleet,
                        training: training, evaluation: evaluation, baseline: baseline, availability: availability,
                        compression: compression, privacy: privacy, secureAggregation: secure, sourceSHA256: nil)
    }

    /// A results folder name under `Results/`: 1 to ``ScenarioRange/nameBytes`` UTF-8 bytes, no
    /// "/", no control character, not starting with "." (so neither "." nor ".." nor a hidden name).
    static func checkName(_ name: String, path: String) throws(ScenarioError) {
        let bad = name.isEmpty || name.utf8.count > ScenarioRange.nameBytes || name.hasPrefix(".")
            || name.unicodeScalars.contains { $0 == "/" || $0.properties.generalCategory == .control }
        if bad {
            throw ScenarioError(path: path, expected: "a folder name of 1 to \(ScenarioRange.nameBytes) bytes without \"/\" or control characters, not starting with \".\"",
                                found: JSONValue.string(name).summary)
        }
    }

    static func readData(_ o: JSONObject) throws(ScenarioError) -> DataSpec {
        let source = try o.required("source", "a data source").choice(["digits", "synthetic", "csv", "text", "shakespeare"])
        var spec = DataSpec(source: DataSpec.Source(rawValue: source)!, path: nil, testFraction: 0.2,
                            alpha: nil, beta: nil, partition: PartitionSpec(kind: .iid, alpha: nil))
        if let f = o.optional("testFraction") {
            if spec.isText { throw f.fail("no \"testFraction\" with text data (\"trainFraction\" splits each client's text)") }
            spec.testFraction = try f.number(0.01...0.9, expected: "a fraction in 0.01...0.9")
        }
        switch spec.source {
        case .digits:
            spec.path = try o.optional("path")?.string() ?? BuiltInData.digitsDefault
            spec.partition = PartitionSpec(kind: .iid, alpha: nil)
        case .synthetic:
            spec.testFraction = o.fields["testFraction"] == nil ? 0.1 : spec.testFraction
            spec.alpha = try o.optional("alpha")?.number(in: ScenarioRange.syntheticVariance, unit: "variance") ?? 1
            spec.beta = try o.optional("beta")?.number(in: ScenarioRange.syntheticVariance, unit: "variance") ?? 1
            spec.partition = PartitionSpec(kind: .natural, alpha: nil)
        case .csv, .text, .shakespeare:
            let file = try readDataFile(o, source: spec.source)
            spec.path = try spec.source == .shakespeare ? o.optional("path")?.string() ?? "data/shakespeare.tsv.gz"
                : o.required("path", "the data file's path").string()
            spec.partition = PartitionSpec(kind: spec.isText || file.client != nil ? .natural : .iid, alpha: nil)
            spec.file = file
        }
        if let p = o.optional("partition") {
            spec.partition = try readPartition(p.object(), source: spec.source)
        }
        if let a = o.optional("assignments") {
            guard spec.source == .digits else { throw a.fail("no assignments file except with \"digits\" data") }
            for key in ["partition", "testFraction"] {
                if let stray = o.optional(key) {
                    throw ScenarioError(path: stray.path, expected: "no \"\(key)\" beside \"assignments\" (the file gives the test split and the partition)",
                                        found: stray.value.summary)
                }
            }
            spec.assignments = try a.string()
        }
        try o.rejectUnknownKeys()
        return spec
    }

    static func readPartition(_ o: JSONObject, source: DataSpec.Source) throws(ScenarioError) -> PartitionSpec {
        let kinds = switch source {
        case .synthetic, .csv: ["iid", "dirichlet", "natural", "windows"]
        case .text, .shakespeare: ["natural"]  // roles to devices: ClientAssignment's rule
        case .digits: ["iid", "dirichlet", "windows"]
        }
        let kindNode = try o.required("kind", "one of " + kinds.map { "\"\($0)\"" }.joined(separator: ", "))
        let kind = PartitionSpec.Kind(rawValue: try kindNode.choice(kinds))!
        var alpha: Double?
        var variant: DirichletVariant?
        var minSize: Int?
        if kind == .dirichlet {
            alpha = try o.required("alpha", "a positive number").number(in: ScenarioRange.dirichletAlpha, unit: "concentration")
            let names = DirichletVariant.allCases.map(\.rawValue)
            variant = DirichletVariant(rawValue: try o.optional("variant")?.choice(names) ?? DirichletVariant.hsu.rawValue)
        }
        if let m = o.optional("minSize") {
            guard variant == .niidBench else { throw m.fail("no \"minSize\" unless variant is \"niid-bench\"") }
            minSize = try m.integer(min: 1)
        } else if variant == .niidBench {
            minSize = Partitioner.niidBenchMinimumShard
        }
        let size = kind == .windows ? try o.required("size", "a positive integer").integer(min: 1) : nil
        try o.rejectUnknownKeys()
        return PartitionSpec(kind: kind, alpha: alpha, variant: variant, minSize: minSize, size: size)
    }

    static func readProfileFields(_ o: JSONObject, base: DeviceProfile) throws(ScenarioError) -> DeviceProfile {
        var profile = base
        for key in DeviceProfile.keys {
            guard let node = o.optional(key) else { continue }
            let (range, unit) = ScenarioRange.profile[key]!
            profile[key] = try node.number(in: range, unit: unit)
        }
        return profile
    }

    /// A diurnal window must not be empty (start == end, other than the whole day 0...1).
    static func checkWindow(_ p: DeviceProfile, path: String) throws(ScenarioError) {
        if p.windowStart == p.windowEnd {
            throw ScenarioError(path: "\(path).windowEnd", expected: "a window end different from its start \(JSONValue.format(p.windowStart)) (0 and 1 mean always online)",
                                found: JSONValue.format(p.windowEnd))
        }
    }

    static func readFleet(_ o: JSONObject) throws(ScenarioError) -> FleetSpec {
        var profiles: [String: DeviceProfile] = [:]
        for (name, p) in DeviceProfile.builtIn { profiles[name] = p }
        if let custom = o.optional("profiles") {
            let co = try custom.object()
            for name in co.fields.keys.sorted() {
                guard let node = co.optional(name) else { continue }  // null: no such profile, like any absent key
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
                try checkWindow(profiles[name]!, path: node.path)
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
                try checkWindow(profile, path: ov.path)
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
        let modeName = try o.optional("mode")?.choice(["fedavg", "fedasync", "fedbuff"]) ?? "fedavg"
        let mode = TrainingSpec.Mode(rawValue: modeName)!
        let n = fleet.deviceCount
        var k = 1, concurrency = 1, over = 0.0
        var deadline: Double?
        var fedasync: FedAsyncSpec?
        var fedbuff: FedBuffSpec?
        var fedbuffRate: JSONNode?
        var selection = TrainingSpec.Selection.uniform
        var samplingRate: Double?
        if mode == .fedavg {
            let kNode = try o.required("devicesPerRound", "an integer >= 1")
            k = try kNode.integer(min: 1)
            over = try o.optional("overSelection")?.number(0...10, expected: "a fraction in 0...10") ?? 0
            let selected = Int((Double(k) * (1 + over)).rounded(.up))
            guard selected <= n else {
                if over > 0 {
                    throw ScenarioError(path: "\(o.path).overSelection",
                                        expected: "devices per round with over-selection (\(selected)) <= the fleet size \(n)",
                                        found: JSONValue.format(over))
                }
                throw ScenarioError(path: kNode.path, expected: "devices per round <= the fleet size \(n)", found: "\(k)")
            }
            deadline = try o.optional("deadlineSeconds")?.number(in: ScenarioRange.seconds, unit: "seconds")
            (selection, samplingRate) = try readSelection(o, devicesPerRound: k, fleetSize: n, overSelection: over)
        } else {
            let cNode = try o.required("concurrency", "an integer >= 1 (devices training at once)")
            concurrency = try cNode.integer(min: 1)
            guard concurrency <= n else {
                throw ScenarioError(path: cNode.path, expected: "a concurrency <= the fleet size \(n)", found: "\(concurrency)")
            }
            k = concurrency
        }
        if mode == .fedasync {
            let fo = try o.optional("fedasync")?.object()
            let alpha = try fo?.optional("alpha")?.number(0.000001...1, expected: "a mixing weight in (0, 1]") ?? 0.6
            var staleness = StalenessFunction(kind: .polynomial, a: 0.5, b: 0)
            if let so = try fo?.optional("staleness")?.object() {
                staleness.kind = StalenessFunction.Kind(rawValue: try so.required("kind", "\"constant\", \"polynomial\" or \"hinge\"")
                    .choice(["constant", "polynomial", "hinge"]))!
                staleness.a = try so.optional("a")?.number(in: ScenarioRange.factor, unit: "staleness a") ?? (staleness.kind == .hinge ? 10 : 0.5)
                staleness.b = try so.optional("b")?.number(in: ScenarioRange.factor, unit: "staleness b") ?? (staleness.kind == .hinge ? 4 : 0)
                try so.rejectUnknownKeys()
            }
            try fo?.rejectUnknownKeys()
            fedasync = FedAsyncSpec(alpha: alpha, staleness: staleness)
        } else if let stray = o.optional("fedasync") {
            throw ScenarioError(path: stray.path, expected: "no \"fedasync\" section unless mode is \"fedasync\"", found: stray.value.summary)
        }
        if mode == .fedbuff {
            let fo = try o.optional("fedbuff")?.object()
            let bNode = fo?.optional("bufferSize")
            // A buffer larger than the fleet would wait for one device's several updates.
            let buffer = try bNode?.integer(min: 1, max: n) ?? concurrency
            fedbuffRate = fo?.optional("serverLearningRate")
            let maxStale = try fo?.optional("maxStaleness")?.integer(min: 0)
            try fo?.rejectUnknownKeys()
            fedbuff = FedBuffSpec(bufferSize: buffer, maxStaleness: maxStale)
        } else if let stray = o.optional("fedbuff") {
            throw ScenarioError(path: stray.path, expected: "no \"fedbuff\" section unless mode is \"fedbuff\"", found: stray.value.summary)
        }
        if mode != .fedavg {
            for key in ["devicesPerRound", "overSelection", "deadlineSeconds", "selection", "samplingRate"] {
                if let stray = o.optional(key) {
                    throw ScenarioError(path: stray.path, expected: "no \"\(key)\" in mode \"\(modeName)\" (synchronous only)", found: stray.value.summary)
                }
            }
        } else if let stray = o.optional("concurrency") {
            throw ScenarioError(path: stray.path, expected: "no \"concurrency\" in mode \"fedavg\" (use devicesPerRound)", found: stray.value.summary)
        }
        let epochsNode = o.optional("localEpochs")
        let stepsNode = o.optional("localSteps")
        if let epochsNode, stepsNode != nil {
            throw ScenarioError(path: epochsNode.path, expected: "either localEpochs or localSteps, not both", found: epochsNode.value.summary)
        }
        let steps = try stepsNode?.integer(min: 1, max: 10_000_000)
        let epochs = steps == nil ? try epochsNode?.integer(min: 1, max: 10_000) ?? 1 : nil
        let batch = try o.optional("batchSize")?.integer(min: 1, max: 1_000_000) ?? 10
        let adaptive = try o.optional("adaptiveBatch")?.bool() ?? false
        let minBatch = try o.optional("minBatch")?.integer(min: 1, max: 1_000_000) ?? 1
        let maxNode = o.optional("maxBatch")
        let maxBatch = try maxNode?.integer(min: 1, max: 1_000_000) ?? max(batch * 8, minBatch)
        if let maxNode, maxBatch < minBatch {
            throw ScenarioError(path: maxNode.path, expected: "a maxBatch >= minBatch (\(minBatch))", found: "\(maxBatch)")
        }
        let weighting = try o.optional("weighting")?.choice(["samples", "flops", "uniform"]) ?? "samples"
        let lr = try o.required("learningRate", "a positive number").positive()
        let rounds = try o.optional("rounds")?.integer(min: 1, max: 100_000_000) ?? 100
        let maxTime = try o.optional("maxTimeSeconds")?.number(in: ScenarioRange.seconds, unit: "seconds")
        let optimizer = try o.optional("optimizer").map { n throws(ScenarioError) in try readOptimizer(n.object()) } ?? .sgd
        let server = try readServerOptimizer(o.optional("server"), mode: mode, fedbuffLearningRate: fedbuffRate)
        let proximalMu = try o.optional("proximalMu")?.number(in: ScenarioRange.factor, unit: "proximal mu") ?? 0
        let persistent = try o.optional("persistentOptimizerState")?.bool() ?? false
        try o.rejectUnknownKeys()
        return TrainingSpec(mode: mode, devicesPerRound: k, concurrency: concurrency, fedasync: fedasync, fedbuff: fedbuff,
                            weighting: TrainingSpec.Weighting(rawValue: weighting)!, overSelection: over,
                            deadlineSeconds: deadline, localEpochs: epochs, localSteps: steps, batchSize: batch,
                            adaptiveBatch: adaptive, minBatch: minBatch, maxBatch: maxBatch,
                            learningRate: lr, rounds: rounds, maxTimeSeconds: maxTime,
                            selection: selection, samplingRate: samplingRate, server: server, optimizer: optimizer,
                            proximalMu: proximalMu, persistentOptimizerState: persistent)
    }

    /// `training.selection` ("uniform" or "poisson") and, with poisson, `training.samplingRate`
    /// (q in (0, 1], default devicesPerRound / fleet size). A Poisson round waits for every device
    /// it sampled, so it takes neither over-selection (above 0) nor a deadline.
    static func readSelection(_ o: JSONObject, devicesPerRound k: Int, fleetSize n: Int, overSelection over: Double) throws(ScenarioError)
        -> (TrainingSpec.Selection, Double?) {
        let name = try o.optional("selection")?.choice(["uniform", "poisson"]) ?? "uniform"
        let rateNode = o.optional("samplingRate")
        guard name == "poisson" else {
            if let rateNode {
                throw ScenarioError(path: rateNode.path, expected: "no samplingRate unless selection is \"poisson\"", found: rateNode.value.summary)
            }
            return (.uniform, nil)
        }
        let key = over > 0 ? "overSelection" : "deadlineSeconds"
        if let stray = o.optional(key) {
            throw ScenarioError(path: stray.path, expected: "no \(key) with selection \"poisson\" (a round waits for every device it sampled)",
                                found: stray.value.summary)
        }
        let q = try rateNode?.number(1e-12...1, expected: "a sampling rate in (0, 1]") ?? Double(k) / Double(n)
        return (.poisson, q)
    }

    static func readPrivacy(_ o: JSONObject?, training: TrainingSpec) throws(ScenarioError) -> PrivacySpec? {
        guard let o else { return nil }
        let mode = try o.optional("mode")?.choice(["central", "local"]) ?? "central"
        let clip = try o.required("clip", "a positive clipping norm").number(in: ScenarioRange.clip, unit: "clipping norm")
        let z = try o.required("noiseMultiplier", "a number >= 0").number(in: ScenarioRange.factor, unit: "noise multiplier")
        let delta = try o.optional("delta")?.number(1e-300...0.999_999, expected: "a delta in (0, 1)") ?? 1e-5
        try o.rejectUnknownKeys()
        if training.weighting != .uniform {
            throw ScenarioError(path: "$.training.weighting", expected: "\"uniform\" when privacy is on (DP-FedAvg bounds each device's influence equally)",
                                found: "\"\(training.weighting.rawValue)\"")
        }
        return PrivacySpec(mode: PrivacySpec.Mode(rawValue: mode)!, clip: clip, noiseMultiplier: z, delta: delta)
    }

    static func readSecureAggregation(_ o: JSONObject?, training: TrainingSpec,
                                      compression: CompressionSpec) throws(ScenarioError) -> SecureAggregationSpec? {
        guard let o else { return nil }
        let uplink = compression.uplink.spec
        let eightBit = SecureUplink.usesEightBitLevels(uplink)
        let cohort = Int((Double(training.devicesPerRound) * (1 + training.overSelection)).rounded(.up))
        let thresholdNode = o.optional("threshold")
        var spec = SecureAggregationSpec(threshold: try thresholdNode?.integer(min: 1), clip: try o.optional("clip")?.number(in: ScenarioRange.clip, unit: "clipping bound") ?? 1,
                                         fractionalBits: 16, ringBits: 32)
        if let f = o.optional("fractionalBits") {
            guard !eightBit else { throw f.fail("no fractionalBits with 8-bit values (their grid is clip/127)") }
            spec.fractionalBits = try f.integer(min: 0, max: 62)
        }
        let ringNode = o.optional("ringBits")
        if let r = ringNode {
            spec.ringBits = try r.integer(min: SecureAggregationConfig.ringBitsRange.lowerBound,
                                          max: SecureAggregationConfig.ringBitsRange.upperBound)
        } else if eightBit {
            // The narrowest ring that holds the cohort's sum of 8-bit levels.
            spec.ringBits = SecureAggregationConfig.smallestRingBits(cohortSize: cohort, magnitude: SecureAggregationConfig.eightBitLevels) ?? 64
        }
        try o.rejectUnknownKeys()
        if training.selection == .poisson {
            throw ScenarioError(path: "$.training.selection", expected: "\"uniform\" with secure aggregation (its threshold is set for a cohort of K)",
                                found: "\"poisson\"")
        }
        guard training.mode == .fedavg else {
            throw ScenarioError(path: "$.training.mode", expected: "\"fedavg\" with secure aggregation (it needs a round's cohort)",
                                found: "\"\(training.mode.rawValue)\"")
        }
        guard SecureUplink.combines(with: uplink) else {
            let combinable = "\"dense\", \"uint8\", or \"randomk\" with \"float32\" or \"uint8\" values"
            let why = "with secure aggregation (masks cancel only in sums over shared coordinates on a shared grid)"
            if compression.uplink.kind == "randomk" {
                throw ScenarioError(path: "$.compression.uplink.values", expected: "\"float32\" or \"uint8\" " + why,
                                    found: "\"\(compression.uplink.values ?? "float32")\"")
            }
            throw ScenarioError(path: "$.compression.uplink.kind", expected: combinable + " " + why,
                                found: "\"\(compression.uplink.kind)\"")
        }
        let uplinkPlan = SecureUplink(spec: spec, uplink: uplink)
        if let problem = uplinkPlan.config(cohortSize: cohort).validate(cohortSize: cohort) {
            // Name the key most likely at fault: a threshold above the cohort, else the ring.
            let path = (spec.threshold ?? 0) > cohort ? thresholdNode?.path : ringNode?.path
            throw ScenarioError(path: path ?? "$.secureAggregation", expected: "settings that hold a cohort of \(cohort)", found: problem)
        }
        return spec
    }

    static func readCompression(_ o: JSONObject?) throws(ScenarioError) -> CompressionSpec {
        var spec = CompressionSpec(uplink: .dense, downlink: .dense, errorFeedback: false, downlinkDelta: false)
        guard let o else { return spec }
        if let u = o.optional("uplink") { spec.uplink = try readCodec(u.object()) }
        if let d = o.optional("downlink") { spec.downlink = try readCodec(d.object()) }
        spec.errorFeedback = try o.optional("errorFeedback")?.bool() ?? false
        spec.downlinkDelta = try o.optional("downlinkDelta")?.bool() ?? false
        try o.rejectUnknownKeys()
        return spec
    }

    static func readCodec(_ o: JSONObject) throws(ScenarioError) -> LinkCodec {
        let kinds = ["dense", "topk", "randomk", "qsgd", "uint8", "sign"]
        let kind = try o.required("kind", "one of " + kinds.map { "\"\($0)\"" }.joined(separator: ", ")).choice(kinds)
        var codec = LinkCodec(kind: kind, fraction: nil, values: nil, levels: nil)
        if kind == "topk" || kind == "randomk" {
            codec.fraction = try o.required("fraction", "a fraction in (0, 1]").number(1e-9...1, expected: "a fraction in (0, 1]")
            codec.values = try o.optional("values")?.choice(["float32", "uint8", "qsgd"]) ?? "float32"
        }
        if kind == "qsgd" || codec.values == "qsgd" {
            codec.levels = try o.optional("levels")?.integer(min: 1, max: 65_535) ?? 16
        }
        try o.rejectUnknownKeys()
        return codec
    }

    static func readAvailability(_ o: JSONObject?) throws(ScenarioError) -> AvailabilitySpec {
        var spec = AvailabilitySpec(kind: .always, dayLengthSeconds: 86_400, failureProbability: 0)
        guard let o else { return spec }
        spec.kind = AvailabilitySpec.Kind(rawValue: try o.optional("kind")?.choice(["always", "churn", "diurnal"]) ?? "always")!
        spec.dayLengthSeconds = try o.optional("dayLengthSeconds")?.number(in: ScenarioRange.dayLength, unit: "seconds") ?? spec.dayLengthSeconds
        // At 1 no task could ever complete (README: progress guarantees).
        spec.failureProbability = try o.optional("failureProbability")?.number(0...0.999_999, expected: "a probability in 0...0.999999 (at 1 no task can ever complete)") ?? 0
        try o.rejectUnknownKeys()
        return spec
    }

    static func readEvaluation(_ o: JSONObject?) throws(ScenarioError) -> EvaluationSpec {
        var spec = EvaluationSpec(every: 1, targetAccuracy: nil, stopAtTarget: false)
        guard let o else { return spec }
        spec.every = try o.optional("every")?.integer(min: 1) ?? 1
        spec.targetAccuracy = try o.optional("targetAccuracy")?.number(0.0...1.0, expected: "an accuracy in 0...1")
        spec.stopAtTarget = try o.optional("stopAtTarget")?.bool() ?? false
        spec.targetConsecutive = try o.optional("targetConsecutive")?.integer(min: 1, max: 1000) ?? spec.targetConsecutive
        spec.target = try o.optional("target").map { n throws(ScenarioError) in try readTarget(n.object()) }
        spec.maxSamples = try o.optional("maxSamples")?.integer(min: 1)
        try o.rejectUnknownKeys()
        return spec
    }

    static func readBaseline(_ o: JSONObject?, fleet: FleetSpec, training: TrainingSpec) throws(ScenarioError) -> BaselineSpec {
        // The profile named "server" (a custom one if the fleet redefines it), as a replay reads it.
        var spec = BaselineSpec(profileName: "server", profile: fleet.profiles["server"] ?? .server, epochs: 20, evaluationsPerEpoch: 4,
                                learningRate: training.learningRate, batchSize: training.batchSize)
        spec.optimizer = training.optimizer
        guard let o else { return spec }
        spec.learningRate = try o.optional("learningRate")?.positive() ?? spec.learningRate
        spec.batchSize = try o.optional("batchSize")?.integer(min: 1, max: 1_000_000) ?? spec.batchSize
        if let p = o.optional("profile") {
            spec.profileName = try p.choice(fleet.profiles.keys.sorted())
            spec.profile = fleet.profiles[spec.profileName]!
        }
        spec.epochs = try o.optional("epochs")?.integer(min: 1, max: 100_000) ?? spec.epochs
        spec.evaluationsPerEpoch = try o.optional("evaluationsPerEpoch")?.integer(min: 1, max: 1000) ?? spec.evaluationsPerEpoch
        spec.includeDataCollection = try o.optional("includeDataCollection")?.bool() ?? spec.includeDataCollection
        if let node = o.optional("optimizer") { spec.optimizer = try readOptimizer(node.object()) }
        spec.maxSteps = try o.optional("maxSteps")?.integer(min: 1)
        try o.rejectUnknownKeys()
        return spec
    }
}
