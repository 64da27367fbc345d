import FedSimEngine

/// When each task of a run happened on the virtual clock, one entry per started task, stored
/// column-wise in launch order: what compute utilisation and the equal-compute reference need.
///
/// A task runs from `dispatch` (the server sends the model) through download and attestation to
/// `computeStart`, computes until `computeEnd`, and ends at `end`: its update's arrival at the
/// server, or the instant it was lost. A task lost before it finished computing has `computeEnd` =
/// `end` = the loss (and `computeStart` = the loss when it was lost during the download), so only
/// the compute it really did is booked. Late and stale updates arrived, so they count like applied
/// ones: their device computed and waited just the same.
public struct TaskTimeline: Sendable, Equatable {
    public private(set) var device: [Int32] = []
    public private(set) var dispatch: [SimTime] = []
    public private(set) var computeStart: [SimTime] = []
    public private(set) var computeEnd: [SimTime] = []
    public private(set) var end: [SimTime] = []
    /// Training FLOPs of the compute done between `computeStart` and `computeEnd`.
    public private(set) var flops: [Double] = []

    public init() {}

    /// Books one task; requires dispatch <= computeStart <= computeEnd <= end.
    public mutating func append(device d: Int, dispatch: SimTime, computeStart: SimTime, computeEnd: SimTime,
                                end: SimTime, flops: Double) {
        precondition(dispatch <= computeStart && computeStart <= computeEnd && computeEnd <= end,
                     "a task's times must be ordered dispatch <= compute start <= compute end <= end")
        device.append(Int32(d))
        self.dispatch.append(dispatch)
        self.computeStart.append(computeStart)
        self.computeEnd.append(computeEnd)
        self.end.append(end)
        self.flops.append(flops)
    }

    public var count: Int { device.count }
}
