import FedSimEngine

/// The idle devices of a fleet, indexed by availability, so that a mode never scans the fleet:
///
/// - `idleOnline`: the idle devices online at the last ``advance(to:_:)`` time, as a ``RankedSet``
///   (count in O(1), the member of rank k in O(log N), so a uniform sample of K costs O(K log N));
/// - `goesOffline`: those same devices, keyed by when they next go offline;
/// - `comesOnline`: the idle devices offline then, keyed by when they next come online.
///
/// Availability transitions move a device from one queue to the other as the clock passes them
/// (``TransitionQueue``: amortised O(log T) sequential work per transition, T the span of the
/// keys). Each device's timeline depends on nothing else, so the order in which one
/// ``advance(to:_:)`` applies the transitions it passes does not change the state it leaves. Busy
/// devices are in none of the three: `key` says which entry of an idle device is live, and the
/// queues drop the others when they come out. A device's transition times come from
/// ``Availability`` itself, so the index agrees with `Availability.isOnline` at every time it is
/// advanced to (under `diurnal`, up to the nanosecond rounding of a window edge). Memory: about
/// 25 bytes per device (an 8-byte key, a 16-byte queue entry, the rank set's 3/16), plus the
/// queues' spare capacity and the stale entries of devices that started a task since.
struct EligibleDevices {
    private(set) var idleOnline: RankedSet
    private var goesOffline = TransitionQueue()
    private var comesOnline = TransitionQueue()
    /// The time of an idle device's live queue entry (in `goesOffline` when it is in `idleOnline`,
    /// else in `comesOnline`), or -1: busy, or online for good.
    private var key: [Int64]
    /// Reused by ``advance(to:_:)`` for the entries it takes out.
    private var due: [TransitionQueue.Entry] = []

    /// Every device of 0 ..< count idle at time zero.
    init(count: Int, availability: inout Availability) {
        idleOnline = RankedSet(universe: count)
        key = [Int64](repeating: -1, count: count)
        for d in 0 ..< count { place(d, at: .zero, &availability) }
    }

    /// Applies every availability transition of an idle device at or before `t`. Times must not
    /// decrease from one call to the next.
    mutating func advance(to t: SimTime, _ availability: inout Availability) {
        goesOffline.take(through: t, into: &due)
        dropStale(online: true)
        // A device whose live entry came out twice (equal times) is placed once: placing it changes its key.
        for entry in due where key[Int(entry.device)] == entry.time {
            idleOnline.remove(Int(entry.device))
            place(Int(entry.device), at: t, &availability)
        }
        comesOnline.take(through: t, into: &due)
        dropStale(online: false)
        for entry in due where key[Int(entry.device)] == entry.time {
            place(Int(entry.device), at: t, &availability)
        }
    }

    /// Whether `entry` is its device's live entry in `goesOffline` (`online`) or `comesOnline`.
    private static func isLive(_ entry: TransitionQueue.Entry, online: Bool, key: [Int64], idleOnline: RankedSet) -> Bool {
        key[Int(entry.device)] == entry.time && idleOnline.contains(Int(entry.device)) == online
    }

    /// Drops the stale entries of `due` in a pass of its own: its loads of `key` do not depend on
    /// one another, so the processor overlaps their cache misses in a large fleet.
    private mutating func dropStale(online: Bool) {
        due.removeAll { [key, idleOnline] in !Self.isLive($0, online: online, key: key, idleOnline: idleOnline) }
    }

    /// Device `d`, idle until now, starts a task.
    mutating func markBusy(_ d: Int) {
        if idleOnline.contains(d) { idleOnline.remove(d) }
        key[d] = -1
    }

    /// Device `d` finished its task at `t` and is idle again.
    mutating func markIdle(_ d: Int, at t: SimTime, _ availability: inout Availability) {
        place(d, at: t, &availability)
    }

    /// The earliest time an idle device that is offline comes online; nil if there is none.
    var nextComingOnline: SimTime? {
        comesOnline.earliest { [key, idleOnline] in Self.isLive($0, online: false, key: key, idleOnline: idleOnline) }
    }

    /// Files idle device `d` under its availability at `t`.
    private mutating func place(_ d: Int, at t: SimTime, _ availability: inout Availability) {
        key[d] = -1
        if availability.isOnline(d, at: t) {
            idleOnline.insert(d)
            if let off = availability.nextOffline(d, after: t) {
                key[d] = off.nanoseconds
                goesOffline.insert(d, at: off)
            }
        } else {
            let on = availability.nextOnline(d, after: t)
            key[d] = on.nanoseconds
            comesOnline.insert(d, at: on)
        }
    }
}
