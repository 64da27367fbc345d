/// A point or span on the virtual clock, kept as integer nanoseconds so ordering never drifts.
///
/// Arithmetic is exact; conversion to and from seconds happens only at the edges (scenario input,
/// reports). The clock ends at ``end`` (2^62 ns, about 146 years): sums and conversions saturate
/// there instead of wrapping, and the engine stops before an event at the end (``StopReason/clockEnd``).
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the simulation (or the length of a span).
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The time nearest to `seconds`, rounded to the nanosecond; `seconds` at or past the clock's
    /// end (+infinity included) give ``end``. NaN or negative inputs are the caller's error and are
    /// rejected by precondition.
    public init(seconds: Double) {
        precondition(!seconds.isNaN && seconds >= 0, "SimTime needs a non-negative number of seconds, found \(seconds)")
        let ns = (seconds * 1e9).rounded()
        nanoseconds = ns >= Double(SimTime.end.nanoseconds) ? SimTime.end.nanoseconds : Int64(ns)
    }

    public static let zero = SimTime(nanoseconds: 0)
    /// The clock's last instant, 2^62 ns (about 146.1 years): no event happens at or after it.
    public static let end = SimTime(nanoseconds: 1 << 62)

    /// The value in seconds (for reports).
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    /// The sum, saturated at ``end`` (never wraps).
    public static func + (a: SimTime, b: SimTime) -> SimTime {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return SimTime(nanoseconds: overflow ? end.nanoseconds : min(sum, end.nanoseconds))
    }
    public static func - (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds - b.nanoseconds)
    }
    public static func += (a: inout SimTime, b: SimTime) { a = a + b }

    public var description: String { "\(seconds)s" }
}
