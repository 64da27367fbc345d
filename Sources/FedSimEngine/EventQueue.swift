import HeapModule

/// A pending event: when it fires, its tie-breaking sequence number, and what it carries.
public struct ScheduledEvent<Payload> {
    /// The virtual time at which the event fires.
    public let time: SimTime
    /// Insertion order; breaks ties between events at the same time (first scheduled, first fired).
    public let sequence: UInt64
    /// The domain-specific content; the engine never looks inside.
    public let payload: Payload

    @usableFromInline init(time: SimTime, sequence: UInt64, payload: Payload) {
        self.time = time
        self.sequence = sequence
        self.payload = payload
    }
}

/// A priority queue of events ordered by (time, sequence): a total order, so equal times pop in
/// the order they were scheduled (FIFO), as in SimPy and ns-3.
///
/// Backed by swift-collections' `Heap`, which alone promises nothing about equal keys; the
/// sequence number makes every key distinct. The operations are `@inlinable`, so that a caller's
/// module specializes them for its payload (one event per simulated message: the hot path).
public struct EventQueue<Payload> {
    @usableFromInline struct Entry: Comparable {
        @usableFromInline let time: SimTime
        @usableFromInline let sequence: UInt64
        @usableFromInline let payload: Payload
        @inlinable init(time: SimTime, sequence: UInt64, payload: Payload) {
            self.time = time
            self.sequence = sequence
            self.payload = payload
        }
        @inlinable static func < (a: Entry, b: Entry) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }
        @inlinable static func == (a: Entry, b: Entry) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    @usableFromInline var heap = Heap<Entry>()
    @usableFromInline var nextSequence: UInt64 = 0

    @inlinable public init() {}

    /// The number of pending events.
    @inlinable public var count: Int { heap.count }
    /// Whether no event is pending.
    @inlinable public var isEmpty: Bool { heap.isEmpty }

    /// Adds an event firing at `time`.
    /// - Complexity: O(log n).
    @inlinable @discardableResult
    public mutating func push(_ payload: Payload, at time: SimTime) -> UInt64 {
        let seq = nextSequence
        nextSequence += 1
        heap.insert(Entry(time: time, sequence: seq, payload: payload))
        return seq
    }

    /// The time of the next event, or nil when empty.
    /// - Complexity: O(1).
    @inlinable public var nextTime: SimTime? { heap.min?.time }

    /// Removes and returns the earliest event (lowest sequence among equal times).
    /// - Complexity: O(log n).
    @inlinable public mutating func pop() -> ScheduledEvent<Payload>? {
        guard let e = heap.popMin() else { return nil }
        return ScheduledEvent(time: e.time, sequence: e.sequence, payload: e.payload)
    }
}
