import Testing
@testable import FedSimEngine

@Suite("Clock end and time order")
struct ClockEndTests {
    @Test("sums and conversions saturate at the clock's end instead of wrapping")
    func saturation() {
        // Oracle: 2^62 ns is the documented end; Int64 would wrap at 2^63.
        #expect(SimTime.end.nanoseconds == 4_611_686_018_427_387_904)
        #expect(SimTime.end + SimTime.end == .end)
        #expect(SimTime(nanoseconds: (1 << 62) - 1) + SimTime(nanoseconds: 5) == .end)
        #expect(SimTime(seconds: .infinity) == .end)
        #expect(SimTime(seconds: 1e300) == .end)
        #expect(SimTime(seconds: 1.5).nanoseconds == 1_500_000_000)
    }

    @Test("an event at the clock's end stops the run there; the clock never decreases or goes negative")
    func clockEnd() {
        var engine = Engine<Int>()
        engine.schedule(0, at: .zero)
        var times: [Int64] = []
        let reason = engine.run(limits: RunLimits()) { engine, n in
            times.append(engine.now.nanoseconds)
            // Each event schedules the next ever further away: 1e9 s, 2e9 s, ... past the end.
            engine.schedule(n + 1, after: SimTime(seconds: 1e9 * Double(n + 1)))
        }
        #expect(reason == .clockEnd)
        #expect(engine.now == .end)
        #expect(times.allSatisfy { $0 >= 0 && $0 < SimTime.end.nanoseconds })
        #expect(times == times.sorted())
        // 0, 1e9, 3e9 s happen; the next, 6e9 s, lies past the end (about 4.61e9 s).
        #expect(times.count == 3)
    }

    @Test("a time limit past the clock's end still stops at the clock's end")
    func limitBeyondEnd() {
        var engine = Engine<Int>()
        engine.schedule(1, at: SimTime(seconds: 1e12))
        #expect(engine.run(limits: RunLimits(maxTime: SimTime(seconds: 1e12))) { _, _ in } == .clockEnd)
    }

    @Test("an interruption stops before the next event and leaves it queued")
    func interruption() {
        var engine = Engine<Int>()
        engine.schedule(1, at: .zero)
        engine.schedule(2, at: SimTime(seconds: 1))
        nonisolated(unsafe) var seen: [Int] = []
        let reason = engine.run(limits: RunLimits(interrupted: { seen.count == 1 })) { _, n in seen.append(n) }
        #expect(reason == .interrupted)
        #expect(seen == [1] && engine.pendingCount == 1)
    }
}
