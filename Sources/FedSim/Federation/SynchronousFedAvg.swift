import FedMath
import FedSimEngine

/// Synchronous Federated Averaging (McMahan, Moore, Ramage, Hampson, Agüera y Arcas 2017,
/// "Communication-Efficient Learning of Deep Networks from Decentralized Data").
///
/// Each round the server samples devices uniformly without replacement, sends them the model
/// (download time), each runs E local epochs of minibatch SGD with batch B (compute time) and
/// uploads its update (upload time). The server closes the round when K updates have arrived and
/// replaces the model by the sample-count-weighted average: w += sum_k (n_k / n) * delta_k.
///
/// Over-selection and deadlines follow Bonawitz et al. 2019 ("Towards Federated Learning at
/// Scale: System Design"): with over-selection f the server selects ceil(K (1 + f)) devices and
/// keeps the first K updates; with a deadline the round closes at that time with whatever arrived.
/// Updates that arrive after their round closed are dropped and counted.
final class SynchronousFedAvg {
    enum Event {
        case startRound
        case arrival(slot: Int)
        case deadline(round: Int)
    }

    /// An update on its way to the server.
    struct InFlight {
        let round: Int
        let device: Int
        let message: [UInt8]
    }

    let ctx: FederationContext
    var server: ServerState
    var deviceTasks: [UInt32]
    var inFlight: [Int: InFlight] = [:]
    var nextSlot = 0
    var round = 0
    var roundOpen = false
    var accepted: [InFlight] = []

    init(_ ctx: FederationContext) {
        self.ctx = ctx
        server = ServerState(parameters: ctx.model.initialParameters())
        deviceTasks = [UInt32](repeating: 0, count: ctx.fleet.count)
    }

    func run() -> FederatedOutcome {
        var engine = Engine<Event>()
        _ = server.evaluate(ctx, time: .zero, round: 0)
        engine.schedule(.startRound, at: .zero)
        var reason = engine.run(limits: ctx.limits) { engine, event in
            switch event {
            case .startRound: startRound(&engine)
            case .arrival(let slot): arrive(slot, &engine)
            case .deadline(let r): if r == round && roundOpen { closeRound(&engine) }
            }
        }
        if let divergence = server.divergence { reason = .halted(divergence) }
        server.counters.tasksInFlightAtEnd = inFlight.count
        if server.divergence == nil && server.lastEvaluatedVersion != server.version {
            _ = server.evaluate(ctx, time: engine.now, round: round)
        }
        return FederatedOutcome(curve: server.curve, counters: server.counters, stopReason: reason,
                                modelVersions: server.version, rounds: round, endTime: engine.now.seconds,
                                divergence: server.divergence, finalParameters: server.parameters)
    }

    /// Selects the round's devices, trains them (in parallel) and schedules their arrivals.
    func startRound(_ engine: inout Engine<Event>) {
        round += 1
        roundOpen = true
        accepted = []
        let t = ctx.training
        let wanted = Int((Double(t.devicesPerRound) * (1 + t.overSelection)).rounded(.up))
        let selection = RandomStream(seed: ctx.scenario.seed, purpose: .selection, UInt64(round))
        let devices = sampleWithoutReplacement(wanted, from: ctx.fleet.count, rng: selection)

        let modelMessage = DenseMessage.encode(server.parameters)
        let tasks = devices.map { d -> LocalTask in
            defer { deviceTasks[d] += 1 }
            return LocalTask(device: d, deviceTaskIndex: UInt64(deviceTasks[d]), epochs: t.localEpochs,
                             batchSize: t.batchSize, maxSteps: nil)
        }
        let trainer = ctx.trainer
        let dimension = ctx.model.parameterCount
        let results = parallelMap(count: tasks.count, threads: ctx.threads) { i in
            // The device decodes the model it received, trains, and encodes its update.
            let start = DenseMessage.decode(modelMessage, count: dimension)!
            let result = trainer.run(tasks[i], from: start)
            return (result, DenseMessage.encode(result.update))
        }
        for (task, (result, message)) in zip(tasks, results) {
            guard result.isFinite else {
                server.divergence = "diverged: device \(task.device) produced a non-finite update in round \(round) (try a smaller learning rate)"
                engine.halt(server.divergence!)
                return
            }
            server.counters.tasksStarted += 1
            server.counters.samples += result.work.samples
            server.counters.flops += result.flops
            server.counters.bytesDown += modelMessage.count
            let d = task.device
            let arrival = engine.now
                + ctx.fleet.downloadTime(bytes: modelMessage.count, device: d)
                + ctx.fleet.computeTime(flops: result.flops, device: d, task: task.deviceTaskIndex)
                + ctx.fleet.uploadTime(bytes: message.count, device: d)
            inFlight[nextSlot] = InFlight(round: round, device: d, message: message)
            engine.schedule(.arrival(slot: nextSlot), at: arrival)
            nextSlot += 1
        }
        if let deadline = t.deadlineSeconds {
            engine.schedule(.deadline(round: round), after: SimTime(seconds: deadline))
        }
    }

    func arrive(_ slot: Int, _ engine: inout Engine<Event>) {
        guard let update = inFlight.removeValue(forKey: slot) else { return }
        server.counters.bytesUp += update.message.count
        guard roundOpen, update.round == round else {
            server.counters.tasksDroppedLate += 1
            return
        }
        accepted.append(update)
        if accepted.count == ctx.training.devicesPerRound { closeRound(&engine) }
    }

    /// Aggregates the accepted updates (in arrival order), evaluates when due, starts the next round.
    func closeRound(_ engine: inout Engine<Event>) {
        roundOpen = false
        if accepted.isEmpty {
            server.counters.failedRounds += 1
        } else {
            let total = accepted.reduce(0) { $0 + ctx.fleet.shards[$1.device].count }
            var sum = [Float](repeating: 0, count: ctx.model.parameterCount)
            for u in accepted {
                let update = DenseMessage.decode(u.message, count: sum.count)!
                BLAS.axpy(Float(ctx.fleet.shards[u.device].count) / Float(total), update, &sum)
            }
            BLAS.axpy(1, sum, &server.parameters)
            server.version += 1
            server.counters.tasksApplied += accepted.count
        }
        accepted = []
        var metric: Double?
        if round % ctx.scenario.evaluation.every == 0 || round == ctx.training.rounds {
            guard let acc = server.evaluate(ctx, time: engine.now, round: round) else {
                engine.halt(server.divergence!)
                return
            }
            metric = acc
        }
        engine.completeRound(metric: metric)
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
