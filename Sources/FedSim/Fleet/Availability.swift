import FedMath
import FedSimEngine
import Foundation

/// When each device of the fleet is online.
///
/// - `always`: every device, all the time.
/// - `churn`: each device alternates online and offline periods with exponential lengths whose
///   means come from its profile (`meanOnlineSeconds`, `meanOfflineSeconds`; an offline mean of 0
///   means never offline). A device starts online with the stationary probability
///   on / (on + off). Period k of device d is drawn from the stream (seed, availability, d, k),
///   so a device's timeline does not depend on what other devices do.
/// - `diurnal`: each device is online during a daily window of its local time (profile
///   `windowStart`, `windowEnd`, as fractions of a day: phones at night, on charge; workstations in
///   working hours; servers always). Each device's local time is offset from the virtual clock by
///   a uniform phase from its own stream, so the fleet spans time zones.
///
/// Queries for one device must come at non-decreasing times (the simulation's clock).
public struct Availability {
    let spec: AvailabilitySpec
    let fleet: Fleet
    let seed: UInt64
    /// Churn: each device's current period, in one array so that a transition touches one cache line.
    private var period: [ChurnPeriod] = []
    /// Churn: restarted as the stream (seed, availability, d, k) before each draw for period k of
    /// device d (so copies of this value, which share it, still draw what fresh streams would).
    private let periodStream = RandomStream(seed: 0)
    /// Diurnal: each device's phase, as a fraction of a day.
    private var phase: [Double] = []
    /// Churn periods one device may go through in a run. Each costs a stream draw, so a timeline
    /// of tiny means over a long virtual time would run for hours: past this many the device stays
    /// in its current state and ``overrun`` says why, so the run stops with a partial result.
    public static let periodBudget: UInt32 = 1_000_000
    /// Set when a device exhausted ``periodBudget``.
    public private(set) var overrun: String?

    public init(spec: AvailabilitySpec, fleet: Fleet, seed: UInt64) {
        self.spec = spec
        self.fleet = fleet
        self.seed = seed
        switch spec.kind {
        case .always:
            break
        case .churn:
            period = [ChurnPeriod](repeating: ChurnPeriod(end: SimTime(nanoseconds: -1), index: 0, online: true), count: fleet.count)
        case .diurnal:
            phase = (0 ..< fleet.count).map { RandomStream(seed: seed, purpose: .availability, UInt64($0)).uniform() }
        }
    }

    /// Whether device `d` is online at time `t`.
    public mutating func isOnline(_ d: Int, at t: SimTime) -> Bool {
        switch spec.kind {
        case .always: return true
        case .churn:
            advance(d, to: t)
            return period[d].online
        case .diurnal:
            return inWindow(d, localFraction(d, t))
        }
    }

    /// When device `d`, online at `t`, next goes offline; nil if it never does.
    public mutating func nextOffline(_ d: Int, after t: SimTime) -> SimTime? {
        switch spec.kind {
        case .always: return nil
        case .churn:
            advance(d, to: t)
            guard period[d].online else { return t }
            return fleet.profile(d).meanOfflineSeconds > 0 ? period[d].end : nil
        case .diurnal:
            let p = fleet.profile(d)
            if p.windowStart == 0 && p.windowEnd == 1 { return nil }
            guard inWindow(d, localFraction(d, t)) else { return t }
            // At least 1 ns ahead: rounding at a window edge must not yield an instant loss loop.
            return t + max(SimTime(nanoseconds: 1), SimTime(seconds: secondsUntil(fraction: p.windowEnd, from: localFraction(d, t))))
        }
    }

    /// When device `d`, offline at `t`, next comes online (t itself when online).
    public mutating func nextOnline(_ d: Int, after t: SimTime) -> SimTime {
        switch spec.kind {
        case .always: return t
        case .churn:
            advance(d, to: t)
            return period[d].online ? t : period[d].end
        case .diurnal:
            let local = localFraction(d, t)
            if inWindow(d, local) { return t }
            return t + max(SimTime(nanoseconds: 1), SimTime(seconds: secondsUntil(fraction: fleet.profile(d).windowStart, from: local)))
        }
    }

    // MARK: churn

    private mutating func advance(_ d: Int, to t: SimTime) {
        let p = fleet.profile(d)
        if p.meanOfflineSeconds == 0 { period[d].online = true; return }
        var current = period[d]
        if current.end.nanoseconds < 0 {
            periodStream.restart(seed: seed, purpose: .availability, UInt64(d), 0)
            let pOnline = p.meanOnlineSeconds / (p.meanOnlineSeconds + p.meanOfflineSeconds)
            current.online = periodStream.uniform() < pOnline
            // By memorylessness the remainder of the first period is again exponential.
            current.end = SimTime(seconds: periodStream.exponential(mean: current.online ? p.meanOnlineSeconds : p.meanOfflineSeconds))
            current.index = 1
        }
        // A period ending at the clock's end never ends (the sum saturates there).
        while current.end <= t && current.end < .end {
            guard current.index < Availability.periodBudget else {
                overrun = "churn: device \(d) went through \(Availability.periodBudget) online/offline periods by \(current.end.seconds) s of virtual time (mean online \(p.meanOnlineSeconds) s, offline \(p.meanOfflineSeconds) s); stopped before simulating more"
                current.end = .end
                break
            }
            current.online.toggle()
            periodStream.restart(seed: seed, purpose: .availability, UInt64(d), UInt64(current.index))
            let length = periodStream.exponential(mean: current.online ? p.meanOnlineSeconds : p.meanOfflineSeconds)
            current.end = current.end + SimTime(seconds: max(length, 1e-9))
            current.index &+= 1
        }
        period[d] = current
    }

    // MARK: diurnal

    private func localFraction(_ d: Int, _ t: SimTime) -> Double {
        let x = t.seconds / spec.dayLengthSeconds + phase[d]
        return x - x.rounded(.down)
    }

    private func inWindow(_ d: Int, _ f: Double) -> Bool {
        let p = fleet.profile(d)
        if p.windowStart <= p.windowEnd { return f >= p.windowStart && f < p.windowEnd }
        return f >= p.windowStart || f < p.windowEnd
    }

    private func secondsUntil(fraction target: Double, from f: Double) -> Double {
        var delta = target - f
        if delta <= 0 { delta += 1 }
        return delta * spec.dayLengthSeconds
    }
}

/// A churning device's current period: when it ends, its index (which keys its length's stream)
/// and whether the device is online during it. 16 bytes.
struct ChurnPeriod {
    var end: SimTime
    var index: UInt32
    var online: Bool
}
