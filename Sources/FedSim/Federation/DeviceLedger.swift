/// Per-device accounting, stored column-wise: one entry per device in each array.
///
/// Every started task ends exactly once as applied, discarded (too stale), dropped (offline,
/// failed, or late for its round) or still unfinished when the run stops.
public struct DeviceLedger: Sendable {
    public var tasksStarted: [Int]
    public var tasksApplied: [Int]
    public var tasksDiscarded: [Int]
    public var tasksDropped: [Int]
    public var samples: [Int]
    public var flops: [Double]
    public var computeSeconds: [Double]
    public var bytesUp: [Int]
    public var bytesDown: [Int]
    /// Sum of the coefficients this device's updates received in server steps.
    public var contribution: [Double]
    /// Every task's dispatch, compute and end times, for compute utilisation.
    public var timeline = TaskTimeline()

    init(count: Int) {
        tasksStarted = [Int](repeating: 0, count: count)
        tasksApplied = tasksStarted
        tasksDiscarded = tasksStarted
        tasksDropped = tasksStarted
        samples = tasksStarted
        bytesUp = tasksStarted
        bytesDown = tasksStarted
        flops = [Double](repeating: 0, count: count)
        computeSeconds = flops
        contribution = flops
    }
}
