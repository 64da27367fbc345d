import Testing
@testable import FedSimEngine

@Suite("Event queue and engine")
struct EngineTests {
    @Test("events pop in time order")
    func timeOrder() {
        var q = EventQueue<String>()
        q.push("c", at: SimTime(nanoseconds: 30))
        q.push("a", at: SimTime(nanoseconds: 10))
        q.push("b", at: SimTime(nanoseconds: 20))
        var out: [String] = []
        while let e = q.pop() { out.append(e.payload) }
        #expect(out == ["a", "b", "c"])
    }

    @Test("events at the same time pop in the order they were scheduled")
    func tiesAreFIFO() {
        var q = EventQueue<Int>()
        for i in 0 ..< 1000 { q.push(i, at: SimTime(nanoseconds: Int64(i % 3))) }
        var out: [Int] = []
        while let e = q.pop() { out.append(e.payload) }
        let byTime: [Int] = (0 ..< 3).flatMap { t in (0 ..< 1000).filter { $0 % 3 == t } }
        #expect(out == byTime)
    }

    @Test("the handler sees a non-decreasing clock and events it schedules at now run after earlier ones")
    func handlerTrace() {
        var engine = Engine<String>()
        engine.schedule("start", at: .zero)
        engine.schedule("tie", at: .zero)
        var log: [(Double, String)] = []
        let reason = engine.run(limits: RunLimits()) { engine, event in
            log.append((engine.now.seconds, event))
            if event == "start" {
                engine.schedule("later", after: SimTime(seconds: 2))
                engine.schedule("now", after: .zero)
            }
        }
        #expect(reason == .exhausted)
        #expect(log.map(\.1) == ["start", "tie", "now", "later"])
        #expect(log.map(\.0) == [0, 0, 0, 2])
    }

    @Test("the time limit leaves later events queued and the run resumes")
    func timeLimitAndResume() {
        var engine = Engine<Int>()
        for i in 1 ... 5 { engine.schedule(i, at: SimTime(seconds: Double(i))) }
        var seen: [Int] = []
        let first = engine.run(limits: RunLimits(maxTime: SimTime(seconds: 3))) { _, e in seen.append(e) }
        #expect(first == .timeLimit)
        #expect(seen == [1, 2, 3])
        #expect(engine.now == SimTime(seconds: 3))
        #expect(engine.pendingCount == 2)
        let second = engine.run(limits: RunLimits()) { _, e in seen.append(e) }
        #expect(second == .exhausted)
        #expect(seen == [1, 2, 3, 4, 5])
    }

    @Test("the round limit stops right after the round that reached it")
    func roundLimit() {
        var engine = Engine<Int>()
        engine.schedule(0, at: .zero)
        var handled = 0
        let reason = engine.run(limits: RunLimits(maxRounds: 4)) { engine, r in
            handled += 1
            engine.completeRound()
            engine.schedule(r + 1, after: SimTime(seconds: 1))
        }
        #expect(reason == .roundLimit)
        #expect(handled == 4)
        #expect(engine.roundsCompleted == 4)
        #expect(engine.now == SimTime(seconds: 3))
    }

    @Test("a target metric stops the run once reached")
    func target() {
        var engine = Engine<Double>()
        engine.schedule(0.1, at: .zero)
        let reason = engine.run(limits: RunLimits(maxRounds: 100, targetMetric: 0.5)) { engine, m in
            engine.completeRound(metric: m)
            engine.schedule(m + 0.1, after: SimTime(nanoseconds: 1))
        }
        #expect(reason == .targetReached)
        #expect((engine.lastMetric ?? 0) >= 0.5)
        #expect(engine.roundsCompleted == 5)
    }

    @Test("a handler can halt the run with a reason")
    func halt() {
        var engine = Engine<Int>()
        for i in 0 ..< 10 { engine.schedule(i, at: SimTime(nanoseconds: Int64(i))) }
        let reason = engine.run(limits: RunLimits()) { engine, i in if i == 3 { engine.halt("diverged") } }
        #expect(reason == .halted("diverged"))
        #expect(engine.eventsProcessed == 4)
    }

    @Test("seconds convert to exact nanoseconds")
    func simTime() {
        #expect(SimTime(seconds: 1.5).nanoseconds == 1_500_000_000)
        #expect(SimTime(seconds: 0.1) + SimTime(seconds: 0.2) == SimTime(nanoseconds: 300_000_000))
        #expect(SimTime(seconds: 2).seconds == 2)
    }
}
