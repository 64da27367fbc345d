/// A point or span on the virtual clock, kept as integer nanoseconds so ordering never drifts.
///
/// Arithmetic is exact; conversion to and from seconds happens only at the edges (scenario input,
/// reports). 2^63 ns is about 292 years of virtual time.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the simulation (or the length of a span).
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The time nearest to `seconds`, rounded to the nanosecond and clamped to the representable
    /// range; non-finite or negative inputs are the caller's error and are rejected by precondition.
    public init(seconds: Double) {
        precondition(seconds.isFinite && seconds >= 0, "SimTime needs a finite, non-negative number of seconds")
        let ns = (seconds * 1e9).rounded()
        nanoseconds = ns >= 9.2e18 ? Int64.max / 2 : Int64(ns)
    }

    public static let zero = SimTime(nanoseconds: 0)

    /// The value in seconds (for reports).
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds &+ b.nanoseconds)
    }
    public static func - (a: SimTime, b: SimTime) -> SimTime {
        SimTime(nanoseconds: a.nanoseconds - b.nanoseconds)
    }
    public static func += (a: inout SimTime, b: SimTime) { a = a + b }

    public var description: String { "\(seconds)s" }
}
