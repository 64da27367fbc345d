/// Why a run stopped.
public enum StopReason: Equatable, Sendable, CustomStringConvertible {
    /// The next event lies past the virtual-time limit.
    case timeLimit
    /// The configured number of rounds completed.
    case roundLimit
    /// The tracked metric reached its target.
    case targetReached
    /// No event is left to process.
    case exhausted
    /// A handler stopped the run, with its reason (for example divergence).
    case halted(String)
    /// ``RunLimits/interrupted`` answered true (for example after SIGINT): stopped before the next event.
    case interrupted
    /// The next event lies at or past the clock's end (``SimTime/end``); the clock stops there.
    case clockEnd

    public var description: String {
        switch self {
        case .timeLimit: "virtual-time limit reached"
        case .roundLimit: "round limit reached"
        case .targetReached: "target reached"
        case .exhausted: "no events left"
        case .halted(let why): why
        case .interrupted: "interrupted"
        case .clockEnd: "virtual time reached the clock's end (\(SimTime.end.seconds) s, about 146 years) before the run's limits"
        }
    }
}

/// The limits a run checks after every event.
public struct RunLimits: Sendable, Equatable {
    /// Stop before processing any event later than this virtual time.
    public var maxTime: SimTime?
    /// Stop once this many rounds have completed (``Engine/completeRound(metric:)``).
    public var maxRounds: Int?
    /// Stop once a completed round reports a metric at or above this value.
    public var targetMetric: Double?
    /// Asked before every event; true stops the run (``StopReason/interrupted``).
    public var interrupted: (@Sendable () -> Bool)?

    public init(maxTime: SimTime? = nil, maxRounds: Int? = nil, targetMetric: Double? = nil,
                interrupted: (@Sendable () -> Bool)? = nil) {
        self.maxTime = maxTime
        self.maxRounds = maxRounds
        self.targetMetric = targetMetric
        self.interrupted = interrupted
    }

    public static func == (a: RunLimits, b: RunLimits) -> Bool {
        a.maxTime == b.maxTime && a.maxRounds == b.maxRounds && a.targetMetric == b.targetMetric
            && (a.interrupted == nil) == (b.interrupted == nil)
    }
}

/// A discrete-event simulation core: a virtual clock, a queue of events, and a run loop.
///
/// The engine is generic over the event payload and knows nothing about what events mean: a
/// handler receives each event in (time, sequence) order and may schedule more. Time never goes
/// backwards: scheduling in the past is a programming error and traps. Times saturate at
/// ``SimTime/end``, and an event there stops the run with ``StopReason/clockEnd``.
///
/// Not thread-safe; a simulation runs on one thread (work inside a handler may fan out).
public struct Engine<Payload> {
    /// The current virtual time: the time of the event being processed, or of the last one.
    public var now: SimTime { clock }
    @usableFromInline var clock: SimTime = .zero
    /// Rounds completed so far, as reported by the handler.
    public private(set) var roundsCompleted = 0
    /// Events processed so far.
    public var eventsProcessed: Int { processed }
    @usableFromInline var processed = 0

    @usableFromInline var queue = EventQueue<Payload>()
    @usableFromInline var haltReason: StopReason?

    public init() {}

    /// Pending events.
    public var pendingCount: Int { queue.count }

    /// Schedules `payload` at absolute virtual time `time` (>= now).
    /// - Complexity: O(log n).
    @inlinable public mutating func schedule(_ payload: Payload, at time: SimTime) {
        precondition(time >= now, "cannot schedule an event in the past (\(time) < \(now))")
        queue.push(payload, at: time)
    }

    /// Schedules `payload` after `delay` from now.
    /// - Complexity: O(log n).
    @inlinable public mutating func schedule(_ payload: Payload, after delay: SimTime) {
        precondition(delay.nanoseconds >= 0, "negative delay \(delay)")
        queue.push(payload, at: now + delay)
    }

    /// Records that a round completed, with the metric it reached (if evaluated); the run loop
    /// checks the round limit and the target after the current event.
    public mutating func completeRound(metric: Double? = nil) {
        roundsCompleted += 1
        if let metric { lastMetric = metric }
    }

    /// Records a metric without completing a round.
    public mutating func report(metric: Double) { lastMetric = metric }

    /// The most recent metric reported.
    public private(set) var lastMetric: Double?

    /// Asks the run loop to stop after the current event.
    public mutating func halt(_ reason: String) { haltReason = .halted(reason) }

    /// Processes events in (time, sequence) order until a limit is hit or no event is left.
    ///
    /// The time limit is checked before an event is processed: an event past it stays queued and
    /// the clock stops at the limit. The round, target and halt checks happen after each event,
    /// so the run stops right after the event that reached a limit; later events stay queued.
    /// Calling `run` again resumes where it stopped. `@inlinable` (with ``schedule(_:at:)``), so
    /// that the caller's module specializes the loop and its queue for its payload.
    @inlinable public mutating func run(
        limits: RunLimits, handler: (inout Engine<Payload>, Payload) -> Void
    ) -> StopReason {
        while true {
            if let reason = haltReason { return reason }
            if let max = limits.maxRounds, roundsCompleted >= max { return .roundLimit }
            if let target = limits.targetMetric, let m = lastMetric, m >= target { return .targetReached }
            guard let next = queue.nextTime else { return .exhausted }
            if let interrupted = limits.interrupted, interrupted() { return .interrupted }
            if let maxTime = limits.maxTime, next > maxTime, maxTime < .end {
                clock = maxTime
                return .timeLimit
            }
            if next >= .end {
                clock = .end
                return .clockEnd
            }
            let event = queue.pop()!
            assert(event.time >= now, "event queue returned a time in the past")
            clock = event.time
            processed += 1
            handler(&self, event.payload)
        }
    }
}
