@testable import FedSim
import FedMath
import FedSimEngine
import Testing

// Oracles: a plain sorted array for the rank set, a filtered list for the transition queue, and a direct scan of a
// second, independent Availability for the eligible-device index (the scan the modes used before).

@Suite("Eligible devices")
struct EligibleDevicesTests {
    @Test("the rank set answers membership and the k-th smallest member like a sorted array")
    func rankSet() {
        let rng = RandomStream(seed: 3)
        var set = RankedSet(universe: 300)  // five words, the last partly used
        var reference = Set<Int>()
        #expect(set.count == 0)
        for _ in 0 ..< 2000 {
            let i = rng.bernoulli(0.5) ? rng.uniformInt(300) : 128 + rng.uniformInt(64)  // also a full word
            if reference.contains(i) { set.remove(i); reference.remove(i) } else { set.insert(i); reference.insert(i) }
            let sorted = reference.sorted()
            #expect(set.count == sorted.count)
            #expect((0 ..< set.count).map(set.element(rank:)) == sorted)
            #expect(set.contains(i) == reference.contains(i))
        }
    }

    @Test("the rank set over a universe of one and of a power of two reaches its last element")
    func rankSetEdges() {
        var one = RankedSet(universe: 1)
        one.insert(0)
        #expect(one.element(rank: 0) == 0)
        var eight = RankedSet(universe: 8)
        eight.insert(7)
        eight.insert(0)
        #expect(eight.element(rank: 0) == 0 && eight.element(rank: 1) == 7)
        var words = RankedSet(universe: 256)  // exactly four words: the descent reaches the last
        words.insert(255)
        words.insert(63)
        words.insert(64)
        #expect([0, 1, 2].map(words.element(rank:)) == [63, 64, 255])
    }

    @Test("the transition queue gives out exactly the entries at or before each time, and its earliest live entry, like a filtered list")
    func transitionQueue() {
        let rng = RandomStream(seed: 4)
        var queue = TransitionQueue()
        var reference: [TransitionQueue.Entry] = []
        var due: [TransitionQueue.Entry] = []
        var now: Int64 = 0
        func key(_ e: TransitionQueue.Entry) -> [Int64] { [e.time, Int64(e.device)] }
        for step in 0 ..< 3000 {
            // Keys from 0 ns to about 2^40 ns ahead, many equal to now or to each other.
            let ahead = rng.bernoulli(0.2) ? Int64(rng.uniformInt(3)) : Int64(rng.uniformInt(1 << 20)) << Int64(rng.uniformInt(21))
            let d = rng.uniformInt(1000)
            queue.insert(d, at: SimTime(nanoseconds: now + ahead))
            reference.append(TransitionQueue.Entry(time: now + ahead, device: Int32(d)))
            let odd: (TransitionQueue.Entry) -> Bool = { $0.device % 2 == 1 }
            #expect(queue.earliest(where: odd)?.nanoseconds == reference.filter(odd).map(\.time).min())
            if step % 3 == 0 {
                now += rng.bernoulli(0.5) ? Int64(rng.uniformInt(1 << 12)) : Int64(rng.uniformInt(1 << 30))
                queue.take(through: SimTime(nanoseconds: now), into: &due)
                #expect(due.map(key).sorted { $0.lexicographicallyPrecedes($1) } == reference.filter { $0.time <= now }.map(key).sorted { $0.lexicographicallyPrecedes($1) })
                reference.removeAll { $0.time <= now }
            }
        }
        queue.take(through: SimTime(nanoseconds: 1 << 61), into: &due)
        #expect(due.count == reference.count)
        #expect(queue.earliest { _ in true } == nil)
    }

    /// 40 devices in two groups (one never offline under churn, one with short periods; one
    /// always in its diurnal window, one in a window that wraps past midnight).
    func fleet() -> Fleet {
        let churny = DeviceProfile(flops: 1e9, memoryGB: 1, uplinkMbps: 1, downlinkMbps: 1, latencyMs: 1, speedSigma: 0, jitterSigma: 0,
                                   meanOnlineSeconds: 2, meanOfflineSeconds: 3, windowStart: 0.7, windowEnd: 0.2)
        let steady = DeviceProfile(flops: 1e9, memoryGB: 1, uplinkMbps: 1, downlinkMbps: 1, latencyMs: 1, speedSigma: 0, jitterSigma: 0)
        let spec = FleetSpec(profiles: [:], groups: [DeviceGroup(profileName: "steady", count: 10, profile: steady),
                                                     DeviceGroup(profileName: "churny", count: 30, profile: churny)])
        return Fleet(spec: spec, shards: [Range<Int>](repeating: 0 ..< 1, count: 40), seed: 9)
    }

    @Test("idle online devices, by rank, and the next one to come online match a scan of the fleet", arguments: [AvailabilitySpec.Kind.always, .churn, .diurnal])
    func matchesScan(kind: AvailabilitySpec.Kind) {
        let fleet = fleet()
        let spec = AvailabilitySpec(kind: kind, dayLengthSeconds: 10, failureProbability: 0)
        var indexed = Availability(spec: spec, fleet: fleet, seed: 2)
        var scanned = Availability(spec: spec, fleet: fleet, seed: 2)
        var eligible = EligibleDevices(count: fleet.count, availability: &indexed)
        var busy = [Bool](repeating: false, count: fleet.count)
        let rng = RandomStream(seed: 5)
        var t = SimTime.zero
        for _ in 0 ..< 3000 {
            t = t + SimTime(nanoseconds: Int64(rng.uniformInt(400_000_000)))
            eligible.advance(to: t, &indexed)
            let scan = (0 ..< fleet.count).filter { !busy[$0] && scanned.isOnline($0, at: t) }
            #expect((0 ..< eligible.idleOnline.count).map(eligible.idleOnline.element(rank:)) == scan)
            let offlineIdle = (0 ..< fleet.count).filter { !busy[$0] && !scanned.isOnline($0, at: t) }
            #expect(eligible.nextComingOnline == offlineIdle.map { scanned.nextOnline($0, after: t) }.min())
            // A device changes between busy and idle.
            let d = rng.uniformInt(fleet.count)
            if busy[d] { eligible.markIdle(d, at: t, &indexed) } else { eligible.markBusy(d) }
            busy[d].toggle()
        }
    }
}

