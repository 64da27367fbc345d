import Foundation

extension Scenario {
    /// The scenario in the input format with every default written out: loading it gives back an
    /// equal scenario, so a run can be reproduced from its manifest alone. Data paths are as written (relative
    /// ones resolve against the folder of the file the effective scenario is saved in).
    public var effectiveJSON: JSONValue {
        func num(_ x: Double) -> JSONValue { .number(x) }
        func int(_ x: Int) -> JSONValue { .number(Double(x)) }
        func profile(_ p: DeviceProfile) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: DeviceProfile.keys.map { ($0, num(p[$0])) }))
        }
        func codec(_ c: LinkCodec) -> JSONValue {
            var o: [String: JSONValue] = ["kind": .string(c.kind)]
            if let f = c.fraction { o["fraction"] = num(f) }
            if let v = c.values { o["values"] = .string(v) }
            if let l = c.levels { o["levels"] = int(l) }
            return .object(o)
        }
        var data: [String: JSONValue] = ["source": .string(self.data.source.rawValue), "testFraction": num(self.data.testFraction)]
        if let p = self.data.path { data["path"] = .string(p) }
        if let a = self.data.alpha { data["alpha"] = num(a) }
        if let b = self.data.beta { data["beta"] = num(b) }
        var partition: [String: JSONValue] = ["kind": .string(self.data.partition.kind.rawValue)]
        if let a = self.data.partition.alpha { partition["alpha"] = num(a) }
        if let v = self.data.partition.variant { partition["variant"] = .string(v.rawValue) }
        if let m = self.data.partition.minSize { partition["minSize"] = int(m) }
        if let size = self.data.partition.size { partition["size"] = int(size) }
        data["partition"] = .object(partition)
        if let f = self.data.file { data.merge(dataFileJSON(f, source: self.data.source)) { $1 } }
        if self.data.isText { data["testFraction"] = nil }
        if let a = self.data.assignments {
            // The file replaces the test split and the partition.
            data["assignments"] = .string(a)
            data["partition"] = nil
            data["testFraction"] = nil
        }

        // Every group carries its full profile as overrides; custom profiles are written out whole.
        let groups = fleet.groups.map { g -> JSONValue in
            .object(["profile": .string(g.profileName), "count": int(g.count), "overrides": profile(g.profile)])
        }
        var custom: [String: JSONValue] = [:]
        for (name, p) in fleet.profiles where DeviceProfile.builtIn.first(where: { $0.name == name })?.profile != p {
            custom[name] = profile(p)
        }
        var fleetObject: [String: JSONValue] = ["groups": .array(groups)]
        if !custom.isEmpty { fleetObject["profiles"] = .object(custom) }
        let t = training
        var training: [String: JSONValue] = [
            "mode": .string(t.mode.rawValue), "weighting": .string(t.weighting.rawValue), "batchSize": int(t.batchSize),
            "adaptiveBatch": .bool(t.adaptiveBatch), "minBatch": int(t.minBatch), "maxBatch": int(t.maxBatch),
            "learningRate": num(t.learningRate), "rounds": int(t.rounds),
        ]
        if let e = t.localEpochs { training["localEpochs"] = int(e) }
        if let s = t.localSteps { training["localSteps"] = int(s) }
        if let m = t.maxTimeSeconds { training["maxTimeSeconds"] = num(m) }
        training["optimizer"] = optimizerJSON(t.optimizer)
        if t.proximalMu > 0 { training["proximalMu"] = num(t.proximalMu) }
        if t.persistentOptimizerState { training["persistentOptimizerState"] = .bool(true) }
        switch t.mode {
        case .fedavg:
            training["devicesPerRound"] = int(t.devicesPerRound)
            training["overSelection"] = num(t.overSelection)
            if let d = t.deadlineSeconds { training["deadlineSeconds"] = num(d) }
            if let q = t.samplingRate {
                training["selection"] = .string(t.selection.rawValue)
                training["samplingRate"] = num(q)
            }
        case .fedasync:
            training["concurrency"] = int(t.concurrency)
            let f = t.fedasync!
            training["fedasync"] = .object(["alpha": num(f.alpha), "staleness": .object([
                "kind": .string(f.staleness.kind.rawValue), "a": num(f.staleness.a), "b": num(f.staleness.b)])])
        case .fedbuff:
            training["concurrency"] = int(t.concurrency)
            let f = t.fedbuff!
            var o: [String: JSONValue] = ["bufferSize": int(f.bufferSize)]
            if let m = f.maxStaleness { o["maxStaleness"] = int(m) }
            training["fedbuff"] = .object(o)
        }
        if t.mode != .fedasync {
            var server: [String: JSONValue] = ["optimizer": .string(t.server.optimizer.rawValue), "learningRate": num(t.server.learningRate)]
            for key in t.server.extraKeys { server[key] = num(t.server.value(key)) }
            if t.server.schedule != .constant { server["schedule"] = scheduleJSON(t.server.schedule) }
            training["server"] = .object(server)
        }
        var evaluation: [String: JSONValue] = ["every": int(self.evaluation.every), "stopAtTarget": .bool(self.evaluation.stopAtTarget)]
        if let target = self.evaluation.targetAccuracy { evaluation["targetAccuracy"] = num(target) }
        evaluation["targetConsecutive"] = int(self.evaluation.targetConsecutive)
        if let target = self.evaluation.target {
            evaluation["target"] = .object(["metric": .string(target.metric.rawValue), "value": num(target.value)])
        }
        if let m = self.evaluation.maxSamples { evaluation["maxSamples"] = int(m) }
        var root: [String: JSONValue] = [
            "name": .string(name), "seed": int(Int(seed)), "data": .object(data),
            "model": modelJSON(model),
            "fleet": .object(fleetObject),
            "training": .object(training), "evaluation": .object(evaluation),
            "availability": .object(["kind": .string(availability.kind.rawValue), "dayLengthSeconds": num(availability.dayLengthSeconds),
                                     "failureProbability": num(availability.failureProbability)]),
            "compression": .object(["uplink": codec(compression.uplink), "downlink": codec(compression.downlink),
                                     "errorFeedback": .bool(compression.errorFeedback), "downlinkDelta": .bool(compression.downlinkDelta)]),
        ]
        var baselineObject: [String: JSONValue] = ["profile": .string(baseline.profileName), "epochs": int(baseline.epochs),
                                                   "evaluationsPerEpoch": int(baseline.evaluationsPerEpoch),
                                                   "learningRate": num(baseline.learningRate), "batchSize": int(baseline.batchSize)]
        baselineObject["includeDataCollection"] = .bool(baseline.includeDataCollection)
        baselineObject["optimizer"] = optimizerJSON(baseline.optimizer)
        if let m = baseline.maxSteps { baselineObject["maxSteps"] = int(m) }
        root["baseline"] = .object(baselineObject)
        if let p = privacy {
            root["privacy"] = .object(["mode": .string(p.mode.rawValue), "clip": num(p.clip),
                                       "noiseMultiplier": num(p.noiseMultiplier), "delta": num(p.delta)])
        }
        if let sa = secureAggregation {
            var o: [String: JSONValue] = ["clip": num(sa.clip), "ringBits": int(sa.ringBits)]
            if !SecureUplink.usesEightBitLevels(compression.uplink.spec) { o["fractionalBits"] = int(sa.fractionalBits) }
            if let t = sa.threshold { o["threshold"] = int(t) }
            root["secureAggregation"] = .object(o)
        }
        return .object(root)
    }
}

/// The model keys, only those of its kind.
private func modelJSON(_ m: ModelSpec) -> JSONValue {
    let s = m.sizes
    let hidden = JSONValue.array(s.hidden.map { .number(Double($0)) })
    var o: [String: JSONValue] = ["kind": .string(m.kind.rawValue)]
    switch m.kind {
    case .softmax: o["l2"] = .number(m.l2)
    case .mlp: o["hidden"] = hidden
    case .charlm:
        o["architecture"] = .string(s.architecture.rawValue)
        o["context"] = .number(Double(s.context))
        switch s.architecture {
        case .mlp:
            o["hidden"] = hidden
            o["embedding"] = .number(Double(s.embedding))
        case .transformer:
            for (k, v) in [("dModel", s.dModel), ("heads", s.heads), ("layers", s.layers)] { o[k] = .number(Double(v)) }
        }
    }
    return .object(o)
}

/// The optimizer keys, AdamW's only for AdamW.
private func optimizerJSON(_ o: OptimizerSpec) -> JSONValue {
    var j: [String: JSONValue] = ["kind": .string(o.kind.rawValue)]
    if o.kind == .adamw {
        for (k, v) in [("beta1", o.beta1), ("beta2", o.beta2), ("epsilon", o.epsilon), ("weightDecay", o.weightDecay)] { j[k] = .number(v) }
    }
    if let c = o.clipNorm { j["clipNorm"] = .number(c) }
    if o.schedule != .constant { j["schedule"] = scheduleJSON(o.schedule) }
    return .object(j)
}

/// A learning-rate schedule's keys, the cosine's only for the cosine.
private func scheduleJSON(_ s: LearningRateSchedule) -> JSONValue {
    var j: [String: JSONValue] = ["kind": .string(s.kind.rawValue), "warmupSteps": .number(Double(s.warmupSteps))]
    if s.kind == .cosine { (j["totalSteps"], j["minFactor"]) = (.number(Double(s.totalSteps)), .number(s.minFactor)) }
    return .object(j)
}

/// The file-reading keys of a csv, text or shakespeare source.
private func dataFileJSON(_ f: DataFileSpec, source: DataSpec.Source) -> [String: JSONValue] {
    func column(_ c: DataFileSpec.Column) -> JSONValue {
        switch c {
        case .name(let n): .string(n)
        case .index(let i): .number(Double(i))
        }
    }
    switch source {
    case .csv:
        var o: [String: JSONValue] = ["label": column(f.label), "header": .bool(f.header), "standardize": .bool(f.standardize)]
        if let c = f.client { o["client"] = column(c) }
        return o
    case .text:
        return ["header": .bool(f.header), "minCharacters": .number(Double(f.minCharacters)), "trainFraction": .number(f.trainFraction)]
    case .shakespeare:
        return ["minCharacters": .number(Double(f.minCharacters)), "trainFraction": .number(f.trainFraction)]
    case .digits, .synthetic:
        return [:]
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let x):
            if x == x.rounded(), abs(x) < 1e15 { try c.encode(Int64(x)) } else { try c.encode(x) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
