import FedSimEngine

/// The idle devices of a fleet, indexed by availability, so that a mode never scans the fleet:
///
/// - `idleOnline`: the idle devices online at the last ``advance(to:_:)`` time, as a ``RankedSet``
///   (count in O(1), the member of rank k in O(log N), so a uniform sample of K costs O(K log N));
/// - `goesOffline`: those same devices, keyed by when they next go offline;
/// - `comesOnline`: the idle devices offline then, keyed by when they next come online.
///
/// Availability transitions move a device between the two heaps as the clock passes them
/// (O(log N) each); busy devices are in none of the three. A device's transition times come from
/// ``Availability`` itself, so the index agrees with `Availability.isOnline` at every time it is
/// advanced to (under `diurnal`, up to the nanosecond rounding of a window edge). Memory: 37 bytes
/// per device (see ``RankedSet`` and ``DeviceHeap``).
struct EligibleDevices {
    private(set) var idleOnline: RankedSet
    private var goesOffline: DeviceHeap
    private var comesOnline: DeviceHeap

    /// Every device of 0 ..< count idle at time zero.
    init(count: Int, availability: inout Availability) {
        idleOnline = RankedSet(universe: count)
        goesOffline = DeviceHeap(universe: count)
        comesOnline = DeviceHeap(universe: count)
        for d in 0 ..< count { place(d, at: .zero, &availability) }
    }

    /// Applies every availability transition of an idle device at or before `t`. Times must not
    /// decrease from one call to the next.
    mutating func advance(to t: SimTime, _ availability: inout Availability) {
        while let next = goesOffline.min, next.time <= t {
            goesOffline.remove(next.device)
            idleOnline.remove(next.device)
            place(next.device, at: t, &availability)
        }
        while let next = comesOnline.min, next.time <= t {
            comesOnline.remove(next.device)
            place(next.device, at: t, &availability)
        }
    }

    /// Device `d`, idle until now, starts a task.
    mutating func markBusy(_ d: Int) {
        if idleOnline.contains(d) { idleOnline.remove(d) }
        goesOffline.remove(d)
        comesOnline.remove(d)
    }

    /// Device `d` finished its task at `t` and is idle again.
    mutating func markIdle(_ d: Int, at t: SimTime, _ availability: inout Availability) {
        place(d, at: t, &availability)
    }

    /// The earliest time an idle device that is offline comes online; nil if there is none.
    var nextComingOnline: SimTime? { comesOnline.min?.time }

    /// Files idle device `d` under its availability at `t`.
    private mutating func place(_ d: Int, at t: SimTime, _ availability: inout Availability) {
        if availability.isOnline(d, at: t) {
            idleOnline.insert(d)
            if let off = availability.nextOffline(d, after: t) { goesOffline.set(d, off) }
        } else {
            comesOnline.set(d, availability.nextOnline(d, after: t))
        }
    }
}
