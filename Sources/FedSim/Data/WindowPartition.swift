import FedMath

/// The `windows` partition, for fleets larger than the data: the training rows are shuffled once
/// (the `partition` stream) and device d holds the `size` consecutive rows of that order starting
/// at (d · size) mod (n − size + 1), n the number of training rows. While devices · size ≤ n the
/// windows are disjoint (an IID partition into equal shards); beyond that, devices share rows,
/// each device's shard stays an IID sample of `size` rows, and the data cost nothing per device
/// but its 16-byte index range, so a million devices fit beside one small data set.
enum WindowPartition {
    static func build(train: Dataset, test: Dataset, size: Int, deviceCount: Int, seed: UInt64) throws(ScenarioError) -> FederatedData {
        guard size <= train.count else {
            throw ScenarioError(path: "$.data.partition.size", expected: "at most \(train.count) (the training rows)", found: "\(size)")
        }
        var order = Array(0 ..< train.count)
        RandomStream(seed: seed, purpose: .partition).shuffle(&order)
        let shuffled = train.subset(order)
        let starts = train.count - size + 1
        var shards: [Range<Int>] = []
        shards.reserveCapacity(deviceCount)
        for d in 0 ..< deviceCount {
            let start = (d * size) % starts
            shards.append(start ..< start + size)
        }
        return FederatedData(train: shuffled, test: test, shards: shards, trainLossRows: DataBuilder.trainLossRows(shuffled, seed: seed))
    }
}
