import FedMath

/// Builds the federated data of a scenario: loads or generates samples, holds out the test set,
/// partitions the rest among the fleet and lays it out device by device.
public enum DataBuilder {
    /// `context` is the language model's (text only); `maxTestSamples` caps the test set
    /// (``evaluationSample(_:limit:seed:)``).
    public static func build(_ spec: DataSpec, deviceCount: Int, seed: UInt64, context: Int = 1,
                             maxTestSamples: Int? = nil) throws(ScenarioError) -> FederatedData {
        evaluationSample(try buildAll(spec, deviceCount: deviceCount, seed: seed, context: context), limit: maxTestSamples, seed: seed)
    }

    static func buildAll(_ spec: DataSpec, deviceCount: Int, seed: UInt64, context: Int) throws(ScenarioError) -> FederatedData {
        switch spec.source {
        case .csv: return try buildCSV(spec, deviceCount: deviceCount, seed: seed)
        case .text, .shakespeare: return try buildText(spec, deviceCount: deviceCount, seed: seed, context: context)
        case .digits:
            let all = try Digits.load(path: spec.resolved(spec.path ?? ""))
            if let path = spec.assignments {
                let a = try Assignments.load(path: spec.resolved(path), rowCount: all.count, deviceCount: deviceCount)
                return layout(all, test: all.subset(a.test), lists: a.devices, seed: seed)
            }
            let rng = RandomStream(seed: seed, purpose: .dataSplit)
            var order = Array(0 ..< all.count)
            rng.shuffle(&order)
            let testCount = max(1, Int((Double(all.count) * spec.testFraction).rounded()))
            let test = all.subset(Array(order[..<testCount]))
            let train = all.subset(Array(order[testCount...]).sorted())
            return try partition(train: train, test: test, spec: spec, deviceCount: deviceCount, seed: seed)
        case .synthetic:
            var trainParts: [Dataset] = []
            var testParts: [Dataset] = []
            for k in 0 ..< deviceCount {
                let local = Synthetic.device(k, alpha: spec.alpha ?? 1, beta: spec.beta ?? 1, seed: seed)
                let nTest = max(1, Int((Double(local.count) * spec.testFraction).rounded()))
                trainParts.append(local.subset(Array(0 ..< local.count - nTest)))
                testParts.append(local.subset(Array(local.count - nTest ..< local.count)))
            }
            let test = concatenate(testParts)
            let train = concatenate(trainParts)
            if spec.partition.kind == .natural {
                var start = 0
                let shards = trainParts.map { p -> Range<Int> in
                    defer { start += p.count }
                    return start ..< start + p.count
                }
                return FederatedData(train: train, test: test, shards: shards, trainLossRows: trainLossRows(train, seed: seed))
            }
            return try partition(train: train, test: test, spec: spec, deviceCount: deviceCount, seed: seed)
        }
    }

    static func partition(train: Dataset, test: Dataset, spec: DataSpec, deviceCount: Int,
                          seed: UInt64) throws(ScenarioError) -> FederatedData {
        if spec.partition.kind == .windows {
            return try WindowPartition.build(train: train, test: test, size: spec.partition.size!, deviceCount: deviceCount, seed: seed)
        }
        try checkSamples(train.count, devices: deviceCount)
        let rng = RandomStream(seed: seed, purpose: .partition)
        let lists: [[Int]]
        switch spec.partition.kind {
        case .iid, .natural, .windows:
            lists = Partitioner.iid(count: train.count, devices: deviceCount, rng: rng)
        case .dirichlet:
            let alpha = spec.partition.alpha ?? 1
            switch spec.partition.variant ?? .hsu {
            case .hsu:
                lists = Partitioner.hsuDirichlet(labels: train.labels, classCount: train.classCount, devices: deviceCount,
                                                 alpha: alpha, rng: rng)
            case .niidBench:
                let minimum = spec.partition.minSize ?? Partitioner.niidBenchMinimumShard
                guard let drawn = Partitioner.niidBenchDirichlet(labels: train.labels, classCount: train.classCount, devices: deviceCount,
                                                                 alpha: alpha, minimumShard: minimum, rng: rng) else {
                    throw ScenarioError(path: "$.data.partition.minSize",
                                        expected: "a minimum shard size that a NIID-Bench draw meets within \(Partitioner.niidBenchAttempts) attempts (\(train.count) training rows for \(deviceCount) devices; try a smaller minSize)",
                                        found: "\(minimum)")
                }
                lists = drawn
            }
        }
        return layout(train, test: test, lists: lists, seed: seed)
    }

    /// Lays out the rows of `rows` named by `lists` device by device, so that each list becomes
    /// a contiguous shard of the training matrix.
    static func layout(_ rows: Dataset, test: Dataset, lists: [[Int]], seed: UInt64) -> FederatedData {
        var order: [Int] = []
        order.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        var shards: [Range<Int>] = []
        shards.reserveCapacity(lists.count)
        for list in lists {
            shards.append(order.count ..< order.count + list.count)
            order.append(contentsOf: list)
        }
        let train = rows.subset(order)
        return FederatedData(train: train, test: test, shards: shards, trainLossRows: trainLossRows(train, seed: seed))
    }

    /// The rows the curve's train loss is measured on: all training rows, or, when there are more
    /// than ``trainLossRowLimit``, that many drawn uniformly without replacement (in training
    /// order) from their own stream, once per run.
    static func trainLossRows(_ train: Dataset, seed: UInt64) -> Dataset {
        sample(.table(train), limit: trainLossRowLimit, rng: RandomStream(seed: seed, purpose: .trainLossSample)).table!
    }

    /// At most this many training rows are evaluated for the train loss.
    public static let trainLossRowLimit = 2000

    static func concatenate(_ parts: [Dataset]) -> Dataset {
        var f: [Float] = []
        var l: [Int32] = []
        for p in parts {
            f.append(contentsOf: p.features)
            l.append(contentsOf: p.labels)
        }
        return Dataset(features: f, labels: l, featureCount: parts[0].featureCount, classCount: parts[0].classCount)
    }
}
