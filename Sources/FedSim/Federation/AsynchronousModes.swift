import FedMath
import FedSimEngine
import Foundation

/// What asynchronous modes share: at most `concurrency` devices train at once, and an idle,
/// online device gets work as soon as a slot is free. Dispatching happens in a `.dispatch` event
/// scheduled at the current time, so every arrival at one instant is applied before new work goes
/// out (the order FLSim's FedBuff/FedAvg equivalence relies on).
class AsynchronousCoordinator: Coordinator {
    var dispatchScheduledAt: SimTime?
    var dispatches = 0

    override func start(_ engine: inout Engine<FederationEvent>) {
        requestDispatch(at: .zero, &engine)
    }

    func requestDispatch(at t: SimTime, _ engine: inout Engine<FederationEvent>) {
        if let pending = dispatchScheduledAt, pending <= t { return }
        dispatchScheduledAt = t
        engine.schedule(.dispatch, at: t)
    }

    override func dispatch(_ engine: inout Engine<FederationEvent>) {
        guard dispatchScheduledAt == engine.now else { return }  // superseded by an earlier request
        dispatchScheduledAt = nil
        let free = ctx.training.concurrency - tasks.count
        guard free > 0 else { return }
        let candidates = idleOnlineCount(at: engine.now)
        if candidates < free, let next = nextIdleOnline(after: engine.now + SimTime(nanoseconds: 1)) {
            requestDispatch(at: next, &engine)
        }
        guard candidates > 0 else { return }
        dispatches += 1
        let rng = RandomStream(seed: ctx.scenario.seed, purpose: .selection, UInt64(dispatches))
        let chosen = sampleWithoutReplacement(min(free, candidates), from: candidates, rng: rng).map(idleOnlineDevice(rank:))
        launch(chosen.sorted(), round: 0, keepBase: keepsBase, &engine)
    }

    /// Whether tasks must remember the model they started from.
    var keepsBase: Bool { false }

    var progress = ProgressWatch()

    override func lost(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {
        if let stall = progress.taskLost(uploadsSoFar: server.counters.uploads) {
            engine.halt(stall)
            return
        }
        requestDispatch(at: engine.now, &engine)
    }
}

/// FedAsync (Xie, Koyejo, Gupta 2019, "Asynchronous Federated Optimization"): every arriving
/// model is mixed into the server model at once, x <- (1 - a_t) x + a_t x_local, with
/// a_t = alpha * s(staleness) and x_local = (model the device started from) + (its update).
/// Each arrival makes a new model version.
final class FedAsync: AsynchronousCoordinator {
    override var keepsBase: Bool { true }

    override func arrived(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {
        let spec = ctx.training.fedasync!
        let tau = server.version - task.baseVersion
        let a = spec.alpha * spec.staleness.weight(tau)
        // x + a (base + delta - x)
        var step = task.base!
        var update = serverSide.decoding.decode(task)
        serverSide.noise?.apply(&update, contributors: [task.device], denominator: 1, accountant: &server.privacy)
        BLAS.axpy(1, update, &step)
        BLAS.axpy(-1, server.parameters, &step)
        BLAS.axpy(Float(a), step, &server.parameters)
        ledger.contribution[task.device] += a
        ledger.tasksApplied[task.device] += 1
        server.counters.tasksApplied += 1
        server.version += 1
        guard completeRound(server.version, &engine) else { return }
        requestDispatch(at: engine.now, &engine)
    }
}

/// FedBuff (Nguyen, Malik, Zhan, Yousefpour, Rabbat, Malek, Huba 2022, "Federated Learning with
/// Buffered Asynchronous Aggregation"): arriving updates wait in a buffer; every `bufferSize`
/// updates the server applies x <- x + eta * sum_i (w_i s_i / sum_j w_j) delta_i with staleness
/// factor s_i = 1 / sqrt(1 + staleness_i). Updates staler than `maxStaleness` are discarded.
final class FedBuff: AsynchronousCoordinator {
    var buffer: [(task: FederatedTask, factor: Double)] = []

    override var bufferedAtEnd: Int { buffer.count }

    override func arrived(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {
        let spec = ctx.training.fedbuff!
        let tau = server.version - task.baseVersion
        if let maxStaleness = spec.maxStaleness, tau > maxStaleness {
            ledger.tasksDiscarded[task.device] += 1
            server.counters.tasksDiscardedStale += 1
        } else {
            buffer.append((task, 1 / (1 + Double(tau)).squareRoot()))
        }
        if buffer.count >= spec.bufferSize {
            serverSide.apply(aggregate(buffer), to: &server.parameters)
            for (task, _) in buffer { ledger.tasksApplied[task.device] += 1 }
            server.counters.tasksApplied += buffer.count
            buffer = []
            server.version += 1
            guard completeRound(server.version, &engine) else { return }
        }
        requestDispatch(at: engine.now, &engine)
    }
}
