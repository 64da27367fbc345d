import FedMath

/// Building the federated data of the file sources: a user's `csv` table, a user's `text` TSV and
/// the shipped `shakespeare` text. A bad file becomes a scenario error at `$.data.path` with the
/// file, line and column (``DataFileError/scenarioError(at:)``).
extension DataBuilder {
    /// Held-out windows evaluated when `evaluation.maxSamples` is not given and the data is text.
    public static let defaultTextEvaluationSamples = 1000

    /// A csv table: with a client column and a natural partition the clients are dealt to the
    /// devices by ``ClientAssignment``; otherwise the training rows are partitioned like digits.
    static func buildCSV(_ spec: DataSpec, deviceCount: Int, seed: UInt64) throws(ScenarioError) -> FederatedData {
        let f = spec.file ?? DataFileSpec()
        func column(_ c: DataFileSpec.Column) -> CSVData.Column {
            switch c {
            case .name(let n): .name(n)
            case .index(let i): .index(i)
            }
        }
        let format = CSVData.Format(labelColumn: column(f.label), clientColumn: f.client.map(column), header: f.header,
                                    standardize: f.standardize, testFraction: spec.testFraction)
        let loaded: CSVData.Loaded
        do { loaded = try CSVData.load(path: spec.resolved(spec.path ?? ""), format: format, seed: seed) } catch { throw error.scenarioError(at: "$.data.path") }
        guard let clients = loaded.shards, spec.partition.kind == .natural else {
            return try partition(train: loaded.train, test: loaded.test, spec: spec, deviceCount: deviceCount, seed: seed)
        }
        try checkSamples(loaded.train.count, devices: deviceCount)
        let rows = (0 ..< Int32(loaded.train.count)).map { $0 }
        let (order, shards) = ClientAssignment.assign(starts: rows, ranges: clients, devices: deviceCount, seed: seed)
        return layout(loaded.train, test: loaded.test, lists: shards.map { order[$0].map(Int.init) }, seed: seed)
    }

    /// Text: each client's training windows, its clients dealt to the devices by ``ClientAssignment``;
    /// the test set is every held-out window (or a subsample, see ``evaluationSample(_:limit:seed:)``).
    static func buildText(_ spec: DataSpec, deviceCount: Int, seed: UInt64, context: Int) throws(ScenarioError) -> FederatedData {
        let f = spec.file ?? DataFileSpec()
        let text: TextData
        do {
            text = spec.source == .shakespeare
                ? try Shakespeare.load(path: spec.resolved(spec.path ?? ""), minCharacters: f.minCharacters, trainFraction: f.trainFraction, context: context)
                : try TextData.loadText(path: spec.resolved(spec.path ?? ""), header: f.header, minCharacters: f.minCharacters,
                                        trainFraction: f.trainFraction, context: context)
        } catch { throw error.scenarioError(at: "$.data.path") }
        try checkSamples(text.train.count, devices: deviceCount)
        let (starts, shards) = ClientAssignment.assign(starts: text.train.starts, ranges: text.trainRanges, devices: deviceCount, seed: seed)
        let train = ModelData.tokens(TokenStream(tokens: text.train.tokens, vocabularySize: text.train.vocabularySize,
                                                 window: text.train.window, starts: starts))
        return FederatedData(train: train, test: .tokens(text.test), shards: shards,
                             trainLossRows: sample(train, limit: trainLossRowLimit, rng: RandomStream(seed: seed, purpose: .trainLossSample)))
    }

    static func checkSamples(_ count: Int, devices: Int) throws(ScenarioError) {
        guard devices <= count else {
            throw ScenarioError(path: "$.fleet.groups", expected: "at most \(count) devices (one training sample each at least)",
                                found: "\(devices) devices")
        }
    }

    /// At most `limit` samples of `data` drawn uniformly without replacement from `rng`, in their order.
    static func sample(_ data: ModelData, limit: Int, rng: RandomStream) -> ModelData {
        guard data.count > limit else { return data }
        let picked = sampleWithoutReplacement(limit, from: data.count, rng: rng).sorted()
        switch data {
        case .table(let d): return .table(d.subset(picked))
        case .tokens(let t):
            return .tokens(TokenStream(tokens: t.tokens, vocabularySize: t.vocabularySize, window: t.window,
                                       starts: picked.map { t.starts[$0] }))
        }
    }

    /// The test samples evaluated: at most `limit` (default all rows of a table,
    /// ``defaultTextEvaluationSamples`` windows of text), a fixed sample from the stream
    /// (seed, evaluationSample) drawn once per run.
    static func evaluationSample(_ data: FederatedData, limit: Int?, seed: UInt64) -> FederatedData {
        let isText = data.test.table == nil
        guard let limit = limit ?? (isText ? defaultTextEvaluationSamples : nil) else { return data }
        return FederatedData(train: data.train, test: sample(data.test, limit: limit, rng: RandomStream(seed: seed, purpose: .evaluationSample)),
                             shards: data.shards, trainLossRows: data.trainLossRows)
    }
}
