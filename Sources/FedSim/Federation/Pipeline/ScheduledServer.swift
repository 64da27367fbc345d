/// A server optimizer whose learning rate follows a schedule over server steps: before its t-th
/// step (t = 1, 2, ...) the wrapped optimizer's eta is set to the base eta times the schedule's
/// factor at t (``LearningRateSchedule``). No state beyond the step count.
struct ScheduledServer: ServerOptimizer {
    var inner: any ServerOptimizer
    let schedule: LearningRateSchedule
    /// The base eta, `training.server.learningRate`.
    var learningRate: Float
    private(set) var steps = 0

    init(_ inner: any ServerOptimizer, schedule: LearningRateSchedule) {
        self.inner = inner
        self.schedule = schedule
        learningRate = inner.learningRate
    }

    mutating func step(_ parameters: inout [Float], delta: [Float]) {
        steps += 1
        inner.learningRate = learningRate * schedule.factor(step: steps)
        inner.step(&parameters, delta: delta)
    }

    var stateBytes: Int { inner.stateBytes }
}
