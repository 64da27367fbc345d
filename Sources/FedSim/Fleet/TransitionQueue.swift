import FedSimEngine

/// Devices keyed by the time of their next availability transition, taken out in batches of every
/// entry at or before a time that never decreases: a radix heap (Ahuja, Mehlhorn, Orlin, Tarjan
/// 1990, "Faster algorithms for the shortest path problem"). Bucket 0 holds the keys equal to
/// `last`, the latest time taken through; bucket i >= 1 the keys whose highest bit that differs
/// from `last` is bit i - 1, so the buckets cover consecutive ranges of time. Taking every entry
/// through t empties the buckets below t's, splits t's own bucket (its later keys move to lower
/// buckets) and leaves the higher ones alone; an entry moves at most 64 times in its life, each
/// time as part of a sequential pass over one bucket, so the queue's memory traffic stays
/// sequential even when it holds millions of devices.
///
/// Removal is lazy: the queue never looks an entry up by device. Its owner knows each device's
/// live key and drops, when they come out, the entries that no longer match it (``isLive``).
/// Memory: 16 bytes per entry, live or stale, plus the buckets' spare capacity.
struct TransitionQueue {
    struct Entry {
        var time: Int64
        var device: Int32
    }

    /// buckets[0] holds keys == last; buckets[i] keys whose highest bit differing from last is i - 1.
    private var buckets = [[Entry]](repeating: [], count: 65)
    /// The latest time taken through; every key is >= last.
    private var last: UInt64 = 0

    private func bucket(_ key: UInt64) -> Int { key == last ? 0 : 64 - (key ^ last).leadingZeroBitCount }

    /// Files `device` under `time`, which must be at or after the latest time taken through.
    mutating func insert(_ device: Int, at time: SimTime) {
        let key = UInt64(time.nanoseconds)
        precondition(time.nanoseconds >= 0 && key >= last, "TransitionQueue.insert: \(time.nanoseconds) ns is before the time already taken")
        buckets[bucket(key)].append(Entry(time: time.nanoseconds, device: Int32(device)))
    }

    /// Moves every entry at or before `t` (live or stale, in no particular order) into `due`, after
    /// clearing it; `t` must not be before the latest time taken through.
    mutating func take(through t: SimTime, into due: inout [Entry]) {
        due.removeAll(keepingCapacity: true)
        let through = UInt64(t.nanoseconds)
        precondition(t.nanoseconds >= 0 && through >= last, "TransitionQueue.take: time went backwards")
        let split = bucket(through)
        for i in 0 ..< split where !buckets[i].isEmpty {
            due.append(contentsOf: buckets[i])
            buckets[i].removeAll(keepingCapacity: true)
        }
        // Bucket `split` straddles t; relative to the new `last` its later keys belong below it.
        var straddling: [Entry] = []
        swap(&straddling, &buckets[split])
        last = through
        for entry in straddling {
            if UInt64(entry.time) <= through { due.append(entry) } else { buckets[bucket(UInt64(entry.time))].append(entry) }
        }
        straddling.removeAll(keepingCapacity: true)
        swap(&straddling, &buckets[split])  // nothing moved back into it; keep its capacity
    }

    /// The earliest time among the entries `isLive` accepts, or nil: the lowest bucket holding a
    /// live entry holds the earliest one, since the buckets cover consecutive ranges.
    func earliest(where isLive: (Entry) -> Bool) -> SimTime? {
        for entries in buckets {
            var best: Int64?
            for entry in entries where isLive(entry) && (best == nil || entry.time < best!) { best = entry.time }
            if let best { return SimTime(nanoseconds: best) }
        }
        return nil
    }
}
