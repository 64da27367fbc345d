import FedMath
import FedSimEngine

/// Synchronous Federated Averaging (McMahan, Moore, Ramage, Hampson, Agüera y Arcas 2017,
/// "Communication-Efficient Learning of Deep Networks from Decentralized Data").
///
/// Each round the server samples devices uniformly without replacement among those online, sends
/// them the model (download time), each runs its local SGD (compute time) and uploads its update
/// (upload time). The server closes the round when K updates have arrived, when every selected
/// task has ended (arrived or lost), or at the deadline, and moves the model by the weighted average
/// of the accepted updates: w += sum_k (n_k / n) delta_k with the default sample-count weights.
///
/// Over-selection and deadlines follow Bonawitz et al. 2019 ("Towards Federated Learning at
/// Scale: System Design"): with over-selection f the server selects ceil(K (1 + f)) devices and
/// keeps the first K updates; updates arriving after their round closed are dropped and counted.
///
/// With `selection: poisson` (DP-FedAvg, McMahan, Ramage, Talwar, Zhang 2018, "Learning
/// Differentially Private Recurrent Language Models") each online idle device joins a round
/// independently with probability q, and the round waits for every device it sampled; a round
/// that sampled nobody still closes (under central DP it releases pure noise).
final class SynchronousFedAvg: Coordinator {
    var round = 0
    var roundOpen = false
    var accepted: [FederatedTask] = []
    /// Tasks of the open round that have not ended yet.
    var outstanding = 0
    /// Updates the open round waits for.
    var wanted = 0
    /// The devices selected for the open round (its secure-aggregation cohort).
    var cohort: [Int] = []
    /// Secure aggregation: the unmasked sum waiting for its unmasking round to end.
    var pendingSum: [Float]?
    /// No device could take part; the next task to end (freeing its device) restarts the round.
    var waitingForDevice = false

    override var roundsForReport: Int { round }
    override var bufferedAtEnd: Int { roundOpen ? accepted.count : 0 }

    override func start(_ engine: inout Engine<FederationEvent>) {
        engine.schedule(.startRound, at: .zero)
    }

    override func startRound(_ engine: inout Engine<FederationEvent>) {
        let t = ctx.training
        let online = idleOnlineCount(at: engine.now)
        guard online > 0 else {
            // Nobody can take part: wait until the first idle device comes online.
            if let next = nextIdleOnline(after: engine.now) {
                engine.schedule(.startRound, at: max(next, engine.now + SimTime(nanoseconds: 1)))
            } else {
                waitingForDevice = true
            }
            return
        }
        round += 1
        roundOpen = true
        accepted = []
        let rng = RandomStream(seed: ctx.scenario.seed, purpose: .selection, UInt64(round))
        let devices: [Int]
        switch t.selection {
        case .uniform:
            let count = min(online, Int((Double(t.devicesPerRound) * (1 + t.overSelection)).rounded(.up)))
            devices = sampleWithoutReplacement(count, from: online, rng: rng).map(idleOnlineDevice(rank:))
            wanted = min(t.devicesPerRound, count)
        case .poisson:
            devices = (0 ..< online).map(idleOnlineDevice(rank:)).filter { _ in rng.bernoulli(t.samplingRate!) }
            wanted = devices.count
        }
        cohort = devices
        outstanding = devices.count
        guard !devices.isEmpty else {
            closeRound(&engine)   // a Poisson round that sampled nobody still releases noise
            return
        }
        launch(devices, round: round, keepBase: false, &engine)
        if let deadline = t.deadlineSeconds {
            engine.schedule(.deadline(round: round), after: SimTime(seconds: deadline))
        }
    }

    /// A device became idle while no round could start: try again now.
    func deviceFreed(_ engine: inout Engine<FederationEvent>) {
        if waitingForDevice {
            waitingForDevice = false
            engine.schedule(.startRound, after: .zero)
        }
    }

    override func arrived(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {
        deviceFreed(&engine)
        guard roundOpen, task.round == round else {
            ledger.tasksDropped[task.device] += 1
            server.counters.tasksDroppedLate += 1
            return
        }
        outstanding -= 1
        accepted.append(task)
        if accepted.count == wanted || outstanding == 0 { closeRound(&engine) }
    }

    override func lost(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {
        deviceFreed(&engine)
        guard roundOpen, task.round == round else { return }
        outstanding -= 1
        if outstanding == 0 { closeRound(&engine) }
    }

    override func deadline(_ r: Int, _ engine: inout Engine<FederationEvent>) {
        if r == round && roundOpen { closeRound(&engine) }
    }

    /// Central DP with Poisson selection: DP-FedAvg's fixed-denominator estimator (McMahan et al.
    /// 2018) divides the sum of the sampled updates by qN, the expected cohort size, so one
    /// device's clipped update moves the average by at most C / (qN) whoever else was sampled;
    /// nil otherwise (the average over the accepted updates' weights).
    var poissonDenominator: Double? {
        guard ctx.training.selection == .poisson, ctx.scenario.privacy?.mode == .central else { return nil }
        return ctx.training.samplingRate! * Double(ctx.fleet.count)
    }

    /// Aggregates the accepted updates, evaluates when due, and starts the next round.
    func closeRound(_ engine: inout Engine<FederationEvent>) {
        roundOpen = false
        if ctx.scenario.secureAggregation != nil, !accepted.isEmpty {
            secureClose(&engine)
            return
        }
        if accepted.isEmpty && poissonDenominator == nil {
            server.counters.failedRounds += 1
        } else {
            let average = aggregate(accepted.map { ($0, 1.0) }, denominator: poissonDenominator)
            serverSide.apply(average, to: &server.parameters)
            server.version += 1
            server.counters.tasksApplied += accepted.count
            for task in accepted { ledger.tasksApplied[task.device] += 1 }
        }
        accepted = []
        guard completeRound(round, &engine) else { return }
        engine.schedule(.startRound, after: .zero)
    }

    /// Secure aggregation: the cohort's unmasking round (``SecureUnmasking``) yields the sum of
    /// the accepted weighted updates, or nothing when too few devices survived; the model moves
    /// when the protocol's messages and work are done.
    func secureClose(_ engine: inout Engine<FederationEvent>) {
        let (sum, delay) = secureAggregate(accepted, cohort: cohort, round: round)
        pendingSum = sum
        if sum != nil {
            server.counters.tasksApplied += accepted.count
            for task in accepted { ledger.tasksApplied[task.device] += 1 }
        } else {
            server.counters.failedRounds += 1
            server.counters.secureAggregationFailures += 1
            for task in accepted { ledger.tasksDropped[task.device] += 1 }
            server.counters.tasksDroppedLate += accepted.count
        }
        accepted = []
        engine.schedule(.unmasked(round: round), after: delay)
    }

    override func unmasked(_ r: Int, _ engine: inout Engine<FederationEvent>) {
        if let sum = pendingSum {
            serverSide.apply(sum, to: &server.parameters)
            server.version += 1
        }
        pendingSum = nil
        guard completeRound(round, &engine) else { return }
        engine.schedule(.startRound, after: .zero)
    }
}

/// `m` distinct integers from 0..<n, uniformly, in the order drawn (Floyd's algorithm, O(m)
/// draws; Bentley and Floyd 1987). Requires m <= n.
func sampleWithoutReplacement(_ m: Int, from n: Int, rng: RandomStream) -> [Int] {
    precondition(m <= n)
    var chosen = Set<Int>()
    var order: [Int] = []
    order.reserveCapacity(m)
    for j in (n - m) ..< n {
        let t = rng.uniformInt(j + 1)
        if chosen.insert(t).inserted {
            order.append(t)
        } else {
            chosen.insert(j)
            order.append(j)
        }
    }
    return order
}

/// A cost model of secure aggregation's cryptography in operation units, divided by a device's
/// effective FLOP/s to give time: an X25519 key generation or agreement (with its HKDF) 1.25e5
/// (about the cycle count of an optimised scalar multiplication); an AES-GCM seal or open of a share
/// pair 1.5e3; a Shamir share of a 32-byte secret 50 t (5 field elements, t Horner steps); a
/// reconstruction 50 t^2; a PRG expansion 4 units per keystream byte (ChaCha20 at about 4 cycles per
/// byte) over d words of 4 bytes (b <= 32) or 8 bytes. A cost model, not a measurement.
enum SecureAggregationWork {
    static func units(_ ops: SecureAggregationOperations, dimension d: Int, threshold t: Int, ringBits b: Int) -> Double {
        let keys = Double(ops.keyGenerations + ops.keyAgreements) * 1.25e5
        let aead = Double(ops.aeadOperations) * 1.5e3
        let shares = Double(ops.shareComputations) * 50 * Double(t)
        let reconstructions = Double(ops.reconstructions) * 50 * Double(t * t)
        let prg = Double(ops.prgExpansions) * 4 * Double(d * SecureAggregationPRG.wordBytes(ringBits: b))
        return keys + aead + shares + reconstructions + prg
    }
}
