/// A dense labelled data set: `count` rows of `featureCount` Float features (row-major, one
/// contiguous buffer) and an integer class label per row.
public struct Dataset: Sendable {
    public private(set) var features: [Float]
    public private(set) var labels: [Int32]
    public let featureCount: Int
    public let classCount: Int

    public init(features: [Float], labels: [Int32], featureCount: Int, classCount: Int) {
        precondition(features.count == labels.count * featureCount, "feature matrix shape mismatch")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// The rows at `indices`, in that order, as a new data set.
    public func subset(_ indices: [Int]) -> Dataset {
        var f = [Float]()
        f.reserveCapacity(indices.count * featureCount)
        var l = [Int32]()
        l.reserveCapacity(indices.count)
        for i in indices {
            f.append(contentsOf: features[i * featureCount ..< (i + 1) * featureCount])
            l.append(labels[i])
        }
        return Dataset(features: f, labels: l, featureCount: featureCount, classCount: classCount)
    }

    /// Samples per class.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for y in labels { counts[Int(y)] += 1 }
        return counts
    }
}

/// The training data as one shared matrix (or token stream) whose samples are grouped by device,
/// plus the test set.
///
/// Device `i` holds samples `shards[i]` of `train`: an index range, never a copy.
public struct FederatedData: Sendable {
    public let train: ModelData
    public let test: ModelData
    public let shards: [Range<Int>]
    /// The training samples the curve's `train_loss` is evaluated on (all of `train`, or a fixed
    /// seeded sample of at most ``DataBuilder/trainLossRowLimit`` of them).
    public let trainLossRows: ModelData

    public init(train: ModelData, test: ModelData, shards: [Range<Int>], trainLossRows: ModelData) {
        self.train = train
        self.test = test
        self.shards = shards
        self.trainLossRows = trainLossRows
    }

    /// Tables.
    public init(train: Dataset, test: Dataset, shards: [Range<Int>], trainLossRows: Dataset) {
        self.init(train: .table(train), test: .table(test), shards: shards, trainLossRows: .table(trainLossRows))
    }
}
