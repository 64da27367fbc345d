import FedMath

/// Builds the federated data of a scenario: loads or generates samples, holds out the test set,
/// partitions the rest among the fleet and lays it out device by device.
public enum DataBuilder {
    public static func build(_ spec: DataSpec, deviceCount: Int, seed: UInt64) throws(ScenarioError) -> FederatedData {
        switch spec.source {
        case .digits:
            let all = try Digits.load(path: spec.path ?? "")
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
                return FederatedData(train: train, test: test, shards: shards)
            }
            return try partition(train: train, test: test, spec: spec, deviceCount: deviceCount, seed: seed)
        }
    }

    static func partition(train: Dataset, test: Dataset, spec: DataSpec, deviceCount: Int,
                          seed: UInt64) throws(ScenarioError) -> FederatedData {
        guard deviceCount <= train.count else {
            throw ScenarioError(path: "$.fleet.groups", expected: "at most \(train.count) devices (one training sample each at least)",
                                found: "\(deviceCount) devices")
        }
        let rng = RandomStream(seed: seed, purpose: .partition)
        let lists: [[Int]]
        switch spec.partition.kind {
        case .iid, .natural:
            lists = Partitioner.iid(count: train.count, devices: deviceCount, rng: rng)
        case .dirichlet:
            lists = Partitioner.dirichlet(labels: train.labels, classCount: train.classCount, devices: deviceCount,
                                          alpha: spec.partition.alpha ?? 1, rng: rng)
        }
        var order: [Int] = []
        order.reserveCapacity(train.count)
        var shards: [Range<Int>] = []
        shards.reserveCapacity(deviceCount)
        for list in lists {
            shards.append(order.count ..< order.count + list.count)
            order.append(contentsOf: list)
        }
        return FederatedData(train: train.subset(order), test: test, shards: shards)
    }

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
