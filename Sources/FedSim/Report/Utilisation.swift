import FedSimEngine

/// Compute utilisation of a federated run, the efficiency figure of low-communication distributed
/// training: the share of participant time spent computing rather than waiting on the network.
/// INTELLECT-1 (Jaghouar et al. 2024, arXiv 2412.01152) reports 83% across continents and 96%
/// within one country; OpenDiLoCo (Jaghouar, Ong, Hagemann 2024, arXiv 2407.07852) 90-95%.
///
/// Every figure is taken over the run's virtual time [0, T]: a task still running at T counts up
/// to T (its compute and FLOPs pro rata).
public struct Utilisation: Codable, Equatable, Sendable {
    /// Over all tasks: sum of compute seconds / sum of seconds from dispatch to the task's end
    /// (download + attestation + compute + upload; a lost task ends when it is lost). nil without tasks.
    @NullWhenAbsent public var fleet: Double?
    /// The same ratio over the tasks of each profile's devices.
    public var perProfile: [String: Double]
    /// Server side: the share of [0, T] in which at least one device was computing.
    @NullWhenAbsent public var busyShare: Double?
    /// Seconds of [0, T] in which at least one device was computing.
    public var busySeconds: Double
    /// Training FLOPs the devices did in [0, T].
    public var flops: Double
    /// The fleet's mean concurrent training FLOP/s: `flops` / `busySeconds` (nil when nothing
    /// computed). The equal-compute centralized reference runs at this speed.
    @NullWhenAbsent public var meanConcurrentFLOPS: Double?

    /// Utilisation of `timeline` over [0, `end`]; `profileOf` names each device's profile.
    public init(_ timeline: TaskTimeline, end: SimTime, profileOf: (Int) -> String) {
        var compute: [String: Int64] = [:], span: [String: Int64] = [:]
        var intervals: [(start: Int64, end: Int64)] = []
        var totalFLOPs = 0.0
        for i in 0 ..< timeline.count {
            let start = min(timeline.computeStart[i], end), stop = min(timeline.computeEnd[i], end)
            let done = (stop - start).nanoseconds
            let planned = (timeline.computeEnd[i] - timeline.computeStart[i]).nanoseconds
            let name = profileOf(Int(timeline.device[i]))
            compute[name, default: 0] += done
            span[name, default: 0] += max(0, (min(timeline.end[i], end) - timeline.dispatch[i]).nanoseconds)
            if planned > 0 { totalFLOPs += timeline.flops[i] * Double(done) / Double(planned) }
            if done > 0 { intervals.append((start.nanoseconds, stop.nanoseconds)) }
        }
        func ratio(_ a: Int64, _ b: Int64) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        fleet = ratio(compute.values.reduce(0, +), span.values.reduce(0, +))
        perProfile = span.keys.reduce(into: [:]) { out, name in out[name] = ratio(compute[name]!, span[name]!) }
        let busy = Utilisation.unionLength(intervals)
        busySeconds = Double(busy) / 1e9
        busyShare = ratio(busy, end.nanoseconds)
        flops = totalFLOPs
        meanConcurrentFLOPS = busy > 0 ? totalFLOPs / busySeconds : nil
    }

    /// Length of the union of half-open intervals [start, end), in the same unit. O(n log n).
    static func unionLength(_ intervals: [(start: Int64, end: Int64)]) -> Int64 {
        var total: Int64 = 0
        var current: (start: Int64, end: Int64)?
        for i in intervals.sorted(by: { $0.start < $1.start }) {
            if let c = current, i.start <= c.end {
                current = (c.start, max(c.end, i.end))
            } else {
                if let c = current { total += c.end - c.start }
                current = i
            }
        }
        if let c = current { total += c.end - c.start }
        return total
    }
}
