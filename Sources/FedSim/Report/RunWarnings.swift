import Foundation

/// Warnings about a scenario that is valid but likely not what its author meant: printed on
/// stderr by `run` and `validate`, never an error.
public enum RunWarnings {
    /// Before training: devices holding fewer samples than one minibatch (`training.batchSize`,
    /// or `training.minBatch` with `adaptiveBatch`), whose every step is a partial batch.
    public static func beforeRun(_ run: PreparedRun) -> [String] {
        let t = run.scenario.training
        let batch = t.adaptiveBatch ? t.minBatch : t.batchSize
        let small = run.data.shards.filter { $0.count < batch }.count
        guard small > 0 else { return [] }
        let sizes = run.data.shards.map(\.count)
        return ["\(small) of \(sizes.count) devices hold fewer samples than a batch of \(batch) "
            + "(\(sizes.min() ?? 0)...\(sizes.max() ?? 0) samples per device): their steps see partial batches; "
            + "consider a smaller training.\(t.adaptiveBatch ? "minBatch" : "batchSize") or fewer devices"]
    }

    /// The share of started tasks whose work the server never used above which `afterRun` warns.
    public static let uselessShare = 0.5
    /// The staleness weight at the mean staleness below which `afterRun` warns.
    public static let smallStalenessWeight = 0.1

    /// After training: most tasks wasted (dropped late, lost offline or discarded as stale: more
    /// than `uselessShare` of those started), or updates weighted almost to nothing by staleness
    /// (the mode's staleness weight at the mean staleness below `smallStalenessWeight`: FedAsync's
    /// s(t), FedBuff's 1 / sqrt(1 + t)).
    public static func afterRun(_ summary: RunSummary, scenario: Scenario) -> [String] {
        var warnings: [String] = []
        let c = summary.counters
        let wasted = c.tasksDroppedLate + c.tasksDroppedOffline + c.tasksDiscardedStale
        if c.tasksStarted > 0, Double(wasted) > uselessShare * Double(c.tasksStarted) {
            warnings.append("\(wasted) of \(c.tasksStarted) tasks did work the server never used "
                + "(\(c.tasksDroppedLate) late, \(c.tasksDroppedOffline) lost offline, \(c.tasksDiscardedStale) too stale)")
        }
        let mean = summary.staleness.mean
        let weight: Double? = switch scenario.training.mode {
        case .fedasync: scenario.training.fedasync.map { $0.staleness.weight(Int(mean.rounded())) }
        case .fedbuff: 1 / (1 + mean).squareRoot()
        case .fedavg: nil
        }
        if summary.staleness.count > 0, let weight, weight < smallStalenessWeight {
            warnings.append("updates arrive \(Format.significant(mean, 3)) versions stale on average, where the staleness "
                + "weight is \(Format.significant(weight, 2)): most of their work barely moves the model")
        }
        return warnings
    }
}
