import FedMath
import FedSimEngine
import Foundation

/// What happens in a federated run; the engine orders these by (time, sequence).
enum FederationEvent {
    /// Synchronous mode: select devices and start a round.
    case startRound
    /// A task's update reached the server.
    case arrival(task: Int)
    /// A task was lost (device offline or failed) at this time.
    case lost(task: Int)
    /// Synchronous mode: the deadline of a round.
    case deadline(round: Int)
    /// Asynchronous modes: hand work to idle, available devices while slots are free.
    case dispatch
    /// Synchronous mode with secure aggregation: the unmasking round of `round` has finished.
    case unmasked(round: Int)
}

/// A task from the moment it was sent to a device until it ends.
struct FederatedTask {
    let device: Int
    let deviceTaskIndex: UInt64
    /// Server model version the device started from.
    let baseVersion: Int
    /// Synchronous round it belongs to (0 in asynchronous modes).
    let round: Int
    /// The encoded update (``UplinkMessage/none`` for a task lost before it finished training).
    let message: UplinkMessage
    /// The bytes that carry the update to the server: the message, or under secure aggregation the
    /// masked input that replaces it on the wire.
    let uploadBytes: Int
    /// Aggregation weight before staleness: samples held, FLOPs of the work, or 1.
    let weight: Double
    /// The model the device started from (kept only where the mode needs it).
    let base: [Float]?
}

/// The machinery every training mode shares: the server model and its evaluation, the device
/// ledger, availability, dispatching tasks (parallel local training, timing, losses) and the
/// weighted average of updates. Modes subclass it and handle the events.
class Coordinator {
    let ctx: FederationContext
    var server: ServerState
    var ledger: DeviceLedger
    var availability: Availability
    /// Idle devices by availability (who can take a task now, and when the next one comes online).
    var eligible: EligibleDevices
    /// Tasks started so far by each device (keys its SGD stream).
    var deviceTasks: [UInt32]
    var busy: [Bool]
    var tasks: [Int: FederatedTask] = [:]
    var nextTaskID = 0
    /// Staleness of every update that reached the server.
    var staleness: [Int] = []
    /// The device side of a task after its download (train, clip/noise, encode, mask).
    let device: DevicePipeline
    /// The server side of an update (decode, aggregate, noise, optimizer step).
    var serverSide: ServerPipeline
    /// The download stage, with the devices' model copies in delta mode.
    var download: ModelDownload
    /// Error-feedback memories of devices that have uploaded (allocated on first use).
    var residuals: [Int: ErrorFeedback] = [:]
    /// Device optimizer states kept between tasks (`persistentOptimizerState`), from a device's
    /// first trained task on.
    var optimizerStates: [Int: OptimizerMoments] = [:]
    /// Per-device batch sizes (adaptive batches) or nil (everyone uses `batchSize`).
    let batchSizes: [Int]?

    init(_ ctx: FederationContext) {
        self.ctx = ctx
        server = ServerState(parameters: ctx.initialParameters(), privacy: RunPrivacyAccountant(scenario: ctx.scenario))
        ledger = DeviceLedger(count: ctx.fleet.count)
        var availability = Availability(spec: ctx.scenario.availability, fleet: ctx.fleet, seed: ctx.scenario.seed)
        eligible = EligibleDevices(count: ctx.fleet.count, availability: &availability)
        self.availability = availability
        deviceTasks = [UInt32](repeating: 0, count: ctx.fleet.count)
        busy = [Bool](repeating: false, count: ctx.fleet.count)
        batchSizes = ctx.training.adaptiveBatch ? AdaptiveBatch.sizes(ctx) : nil
        let channel = UplinkChannel(ctx.scenario)
        device = DevicePipeline(ctx, channel: channel)
        serverSide = ServerPipeline(ctx, channel: channel)
        download = ModelDownload(spec: ctx.scenario.compression.downlink.spec, delta: ctx.scenario.compression.downlinkDelta, seed: ctx.scenario.seed)
    }

    // MARK: overridden by modes

    func start(_ engine: inout Engine<FederationEvent>) {}
    func arrived(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {}
    func lost(_ id: Int, _ task: FederatedTask, _ engine: inout Engine<FederationEvent>) {}
    func deadline(_ round: Int, _ engine: inout Engine<FederationEvent>) {}
    func startRound(_ engine: inout Engine<FederationEvent>) {}
    func dispatch(_ engine: inout Engine<FederationEvent>) {}
    func unmasked(_ round: Int, _ engine: inout Engine<FederationEvent>) {}
    /// Rounds closed (synchronous) or model versions (asynchronous), for the curve's round column.
    var roundsForReport: Int { server.version }
    /// Updates that arrived but were not applied yet when the run stopped.
    var bufferedAtEnd: Int { 0 }

    // MARK: run

    func run() -> FederatedOutcome {
        var engine = Engine<FederationEvent>()
        _ = server.evaluate(ctx, time: .zero, round: 0)
        start(&engine)
        var reason = engine.run(limits: ctx.limits) { engine, event in
            switch event {
            case .startRound: startRound(&engine)
            case .dispatch: dispatch(&engine)
            case .deadline(let r): deadline(r, &engine)
            case .unmasked(let r): unmasked(r, &engine)
            case .arrival(let id):
                let task = tasks.removeValue(forKey: id)!
                busy[task.device] = false
                eligible.markIdle(task.device, at: engine.now, &availability)
                ledger.bytesUp[task.device] += task.uploadBytes
                server.counters.bytesUp += task.uploadBytes
                server.counters.uploads += 1
                staleness.append(server.version - task.baseVersion)
                server.privacy?.recordUpload(device: task.device)
                arrived(id, task, &engine)
            case .lost(let id):
                let task = tasks.removeValue(forKey: id)!
                busy[task.device] = false
                eligible.markIdle(task.device, at: engine.now, &availability)
                ledger.tasksDropped[task.device] += 1
                server.counters.tasksDroppedOffline += 1
                lost(id, task, &engine)
            }
            if let overrun = availability.overrun { engine.halt(overrun) }
        }
        if let divergence = server.divergence { reason = .halted(divergence) }
        server.counters.tasksInFlightAtEnd = tasks.count + bufferedAtEnd
        if server.divergence == nil && server.lastEvaluatedVersion != server.version {
            _ = server.evaluate(ctx, time: engine.now, round: roundsForReport)
        }
        var outcome = FederatedOutcome(curve: server.curve, counters: server.counters, stopReason: reason,
                                modelVersions: server.version, rounds: roundsForReport, endTime: engine.now.seconds,
                                divergence: server.divergence, finalParameters: server.parameters,
                                ledger: ledger, staleness: staleness, privacyAccounting: server.privacy?.accounting)
        outcome.serverOptimizerStateBytes = serverSide.optimizer.stateBytes
        outcome.devicesWithOptimizerState = optimizerStates.count
        return outcome
    }

    /// Evaluates when `round` is due (every n-th, and the last), reports the round to the engine.
    /// Returns false when the model diverged (the run is halted).
    @discardableResult
    func completeRound(_ round: Int, _ engine: inout Engine<FederationEvent>) -> Bool {
        var metric: Double?
        if round % ctx.scenario.evaluation.every == 0 || round == ctx.training.rounds {
            guard let acc = server.evaluate(ctx, time: engine.now, round: round) else {
                engine.halt(server.divergence!)
                return false
            }
            // The engine stops at the target when the last k evaluations all reach it (the summary's rule).
            let k = ctx.scenario.evaluation.targetConsecutive
            if server.curve.count >= k { metric = server.curve.suffix(k).map(\.accuracy).min() }
            if let progress = ctx.progress {
                var done = Double(round) / Double(ctx.training.rounds)
                if let maxTime = ctx.training.maxTimeSeconds { done = max(done, engine.now.seconds / maxTime) }
                progress(RunProgress(time: engine.now.seconds, round: round, accuracy: acc, fractionDone: min(1, done)))
            }
        }
        if server.parameters.contains(where: { !$0.isFinite }) {
            server.divergence = "diverged: the server model holds a non-finite value after round \(round) (try a smaller learning rate)"
            engine.halt(server.divergence!)
            return false
        }
        engine.completeRound(metric: metric)
        return true
    }

    // MARK: dispatch

    /// Sends the current model to `devices`, trains them (in parallel), and schedules for each
    /// either the arrival of its update or its loss. Returns the task ids in the order given.
    @discardableResult
    func launch(_ devices: [Int], round: Int, keepBase: Bool, _ engine: inout Engine<FederationEvent>) -> [Int] {
        let now = engine.now
        let plans = devices.map { plan(device: $0, at: now) }
        // Train only the tasks that finish computing before they are lost.
        let trainIndices = plans.indices.filter { plans[$0].trains }
        let device = self.device
        let trained = parallelMap(count: trainIndices.count, threads: ctx.threads, cost: { plans[trainIndices[$0]].flops }) { j in
            let plan = plans[trainIndices[j]]
            return device.run(plan.task, from: plan.start, memory: plan.memory, round: round)
        }
        var outputs = trained.makeIterator()
        return plans.map { plan in
            book(plan, output: plan.trains ? outputs.next()! : nil, round: round, keepBase: keepBase, &engine)
        }
    }

    /// Plans device `d`'s next task at `now` (marking it busy and booking its download): its work
    /// and FLOPs, its download, compute and loss times, and the model it starts from.
    private func plan(device d: Int, at now: SimTime) -> TaskPlan {
        let t = ctx.training
        let fleet = ctx.fleet
        let index = UInt64(deviceTasks[d])
        deviceTasks[d] += 1
        busy[d] = true
        eligible.markBusy(d)
        let n = ctx.data.shards[d].count
        let batch = batchSizes?[d] ?? t.batchSize
        let epochs = t.localEpochs ?? TaskPlan.epochs(forSteps: t.localSteps!, samples: n, batchSize: batch)
        let task = LocalTask(device: d, deviceTaskIndex: index, epochs: epochs, batchSize: batch, maxSteps: t.localSteps,
                             resuming: optimizerStates[d])
        let work = TrainingWork.planned(samples: n, epochs: epochs, batchSize: batch, maxSteps: t.localSteps)
        let flops = ctx.trainer.flops(work)
        let (downloadBytes, start) = download.send(server.parameters, to: d, task: index, initial: ctx.initialParameters())
        // An enclave attests once, before the device's first task (a cost model, not an enclave).
        let attestation = index == 0 ? SimTime(seconds: fleet.profile(d).enclaveAttestationSeconds) : .zero
        let downloadEnd = now + fleet.downloadTime(bytes: downloadBytes, device: d) + attestation
        let compute = fleet.computeTime(flops: flops, device: d, task: index)
        var lossAt = availability.nextOffline(d, after: now)
        let failure = ctx.scenario.availability.failureProbability
        if failure > 0, RandomStream(seed: ctx.scenario.seed, purpose: .failure, UInt64(d), index).bernoulli(failure) {
            lossAt = min(lossAt ?? .init(nanoseconds: .max), downloadEnd + compute)
        }
        let memory = ctx.scenario.compression.errorFeedback ? (residuals[d] ?? ErrorFeedback(dimension: ctx.model.parameterCount)) : nil
        ledger.tasksStarted[d] += 1
        ledger.bytesDown[d] += downloadBytes
        server.counters.downloads += 1
        server.counters.tasksStarted += 1
        server.counters.bytesDown += downloadBytes
        return TaskPlan(task: task, work: work, flops: flops, computeStart: downloadEnd, computeEnd: downloadEnd + compute,
                        computeSeconds: compute.seconds, lossAt: lossAt, start: start, memory: memory)
    }

    /// Books a planned task after training (`output` nil for a task lost before its compute
    /// ended): keeps the device's error-feedback memory and optimizer state, flags divergence,
    /// charges the work done to the ledger and the counters, records it, and schedules its
    /// arrival or loss. Returns the task's id.
    private func book(_ plan: TaskPlan, output: DevicePipeline.Output?, round: Int, keepBase: Bool,
                      _ engine: inout Engine<FederationEvent>) -> Int {
        let d = plan.task.device
        let id = nextTaskID
        nextTaskID += 1
        var message = UplinkMessage.none
        var endsAt: SimTime
        var arrives = false
        var doneFraction = 1.0
        if let output {
            let result = output.result
            if let memory = output.memory { residuals[d] = memory }
            if let state = result.optimizerState { optimizerStates[d] = state }
            precondition(result.work == plan.work, "planned and actual local work differ")
            if !result.isFinite && server.divergence == nil {
                // Book every task of the launch (this one stays in flight), then halt after the event.
                server.divergence = "diverged: device \(d) produced a non-finite update (try a smaller learning rate)"
                engine.halt(server.divergence!)
            }
            message = output.message
            let arrival = plan.computeEnd + ctx.fleet.uploadTime(bytes: device.uploadBytes(message), device: d)
            if let loss = plan.lossAt, loss < arrival { endsAt = loss } else { endsAt = arrival; arrives = true }
        } else {
            endsAt = plan.lossAt!
            doneFraction = plan.doneFraction(lostAt: endsAt)
        }
        let samples = Int((Double(plan.work.samples) * doneFraction).rounded(.down))
        let flops = plan.flops * doneFraction
        ledger.samples[d] += samples
        ledger.flops[d] += flops
        ledger.computeSeconds[d] += plan.computeSeconds * doneFraction
        server.counters.samples += samples
        server.counters.flops += flops
        // Compute stops at the loss when the task is lost before it finished computing.
        let computeStop = min(endsAt, plan.computeEnd)
        ledger.timeline.append(device: d, dispatch: engine.now, computeStart: min(plan.computeStart, computeStop),
                               computeEnd: computeStop, end: endsAt, flops: flops)
        let weight = ctx.training.weighting.weight(samples: ctx.data.shards[d].count, flops: plan.flops)
        tasks[id] = FederatedTask(device: d, deviceTaskIndex: plan.task.deviceTaskIndex, baseVersion: server.version,
                                  round: round, message: message,
                                  uploadBytes: device.uploadBytes(message), weight: weight, base: keepBase ? plan.start : nil)
        engine.schedule(arrives ? .arrival(task: id) : .lost(task: id), at: endsAt)
        return id
    }

    /// decode -> aggregate -> [noise] on `updates` (see ``ServerPipeline/aggregate``).
    func aggregate(_ updates: [(task: FederatedTask, factor: Double)], denominator: Double? = nil) -> [Float] {
        serverSide.aggregate(updates, denominator: denominator, ledger: &ledger, accountant: &server.privacy)
    }

    /// How many idle devices are online at `t` (O(log N) per availability transition since the last call).
    func idleOnlineCount(at t: SimTime) -> Int {
        eligible.advance(to: t, &availability)
        return eligible.idleOnline.count
    }

    /// The idle online device with `rank` such devices of smaller id, as of the last ``idleOnlineCount(at:)``.
    func idleOnlineDevice(rank: Int) -> Int { eligible.idleOnline.element(rank: rank) }

    /// The earliest time at or after `t` an idle device is online, or nil if there is no idle
    /// device; `t` itself when one is online as of the last ``idleOnlineCount(at:)``.
    func nextIdleOnline(after t: SimTime) -> SimTime? {
        if eligible.idleOnline.count > 0 { return t }
        return eligible.nextComingOnline.map { max($0, t) }
    }
}

/// Adaptive batch sizes: b_d = clamp(round(B * F_d / median F), minBatch, min(maxBatch, memory cap)),
/// where F_d is the device's effective FLOP/s (profile FLOP/s x speed factor) and the memory cap
/// lets a batch's working set (the model's ``Model/activationBytesPerSample``) use at most
/// 5% of the device's memory. With local work in steps this gives every device about the same task
/// time; with epochs it changes only the number of steps.
enum AdaptiveBatch {
    static func sizes(_ ctx: FederationContext) -> [Int] {
        let fleet = ctx.fleet
        let speeds = (0 ..< fleet.count).map { fleet.profile($0).flops * fleet.speedFactor[$0] }
        let sorted = speeds.sorted()
        let median = sorted[sorted.count / 2]
        let t = ctx.training
        let bytesPerSample = ctx.model.activationBytesPerSample
        return (0 ..< fleet.count).map { d in
            let cap = max(1, Int(min(fleet.profile(d).usableMemoryGB * 1e9 * 0.05 / bytesPerSample, Double(t.maxBatch))))
            // Clamped in floating point first: a speed ratio can exceed Int's range.
            let scaled = Int(min((Double(t.batchSize) * speeds[d] / median).rounded(), Double(t.maxBatch)))
            return max(t.minBatch, min(scaled, cap))
        }
    }
}
