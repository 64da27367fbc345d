import FedMath
import Foundation
import Synchronization

/// One device's local training: start from the model it downloaded, run the device optimizer on
/// its own shard (with FedProx's proximal term toward that model when mu > 0), and return the
/// update (trained model minus starting model).
///
/// The device optimizer starts each task from a fresh state (AdamW's moments at zero, step 0),
/// or, with `training.persistentOptimizerState`, from the state the device's previous task ended
/// with, as each worker of DiLoCo keeps its own inner AdamW state across outer rounds (Douillard
/// et al. 2023, arXiv 2311.08105, Algorithm 1: the inner optimizer is never reset).
struct LocalTask: Sendable {
    /// The device that trains.
    var device: Int
    /// How many tasks this device had started before this one; keys its SGD stream.
    var deviceTaskIndex: UInt64
    var epochs: Int
    var batchSize: Int
    var maxSteps: Int?
    /// The optimizer state the device kept from its previous task (persistent state only; nil
    /// starts fresh).
    var resuming: OptimizerMoments? = nil
}

/// What local training produced.
struct LocalResult: Sendable {
    /// Trained parameters minus the parameters the device started from.
    var update: [Float]
    var work: TrainingWork
    /// Analytic FLOPs of the work (see ``LocalTrainer/flops(_:)``).
    var flops: Double
    /// Whether every entry of the update is finite.
    var isFinite: Bool
    /// The optimizer state after the task, for the device's next task (persistent state only).
    var optimizerState: OptimizerMoments?
}

/// Shared, read-only inputs of local training.
struct LocalTrainer: Sendable {
    let model: AnyModel
    let data: FederatedData
    /// The device optimizer.
    let optimizer: Optimizer
    /// Whether devices keep their optimizer state between tasks (``LocalTask/resuming``).
    let persistentState: Bool
    let seed: UInt64
    /// FedProx's mu (``ProximalTerm``); 0 trains without the term.
    let proximalMu: Float
    /// Workspaces reused across tasks, at most one per thread at a time.
    let workspaces: WorkspacePool

    init(model: AnyModel, data: FederatedData, optimizer: Optimizer, seed: UInt64, proximalMu: Float = 0,
         persistentState: Bool = false) {
        self.model = model
        self.data = data
        self.optimizer = optimizer
        self.persistentState = persistentState
        self.seed = seed
        self.proximalMu = proximalMu
        workspaces = WorkspacePool(model)
    }

    /// The analytic FLOPs of `work` with the device optimizer and the proximal term: what the clock charges.
    func flops(_ work: TrainingWork) -> Double {
        let proximal = proximalMu > 0 ? Double(work.steps) * ProximalTerm.flopsPerStep(parameterCount: model.parameterCount) : 0
        return model.trainingFLOPs(samples: work.samples, steps: work.steps, optimizer: optimizer) + proximal
    }

    /// Trains `task` starting from `start`. The sample order comes from the stream
    /// (seed, localSGD, device, deviceTaskIndex), so the result does not depend on thread or order.
    func run(_ task: LocalTask, from start: [Float]) -> LocalResult {
        var params = start
        let rng = RandomStream(seed: StreamSeed.derive(seed, purpose: .localSGD, UInt64(task.device), task.deviceTaskIndex))
        let state = OptimizerState(optimizer, parameterCount: model.parameterCount, resuming: task.resuming)
        let proximal = proximalMu > 0 ? ProximalTerm(mu: proximalMu, anchor: start) : nil
        let work = workspaces.with { ws in
            model.train(&params, on: data.train, samples: data.shards[task.device], epochs: task.epochs,
                        batchSize: task.batchSize, optimizer: state, rng: rng, workspace: ws, maxSteps: task.maxSteps,
                        proximal: proximal)
        }
        let isFinite = Self.subtract(start, from: &params)
        return LocalResult(update: params, work: work, flops: flops(work), isFinite: isFinite,
                           optimizerState: persistentState ? state.moments : nil)
    }

    /// trained -= start (the update, rounded as `trained[i] - start[i]`), and whether every entry of
    /// the result is finite, in one pass: a float is non-finite exactly when its 8 exponent bits are
    /// all ones, and adding one to the exponent field (bits 23-30) carries into bit 31 exactly then,
    /// so an OR over the sums (a reduction the compiler vectorises) has bit 31 set iff one is non-finite.
    static func subtract(_ start: [Float], from trained: inout [Float]) -> Bool {
        precondition(start.count == trained.count)
        var carries: UInt32 = 0
        start.withUnsafeBufferPointer { s in
            trained.withUnsafeMutableBufferPointer { t in
                for i in 0 ..< t.count {
                    let u = t[i] - s[i]
                    t[i] = u
                    carries |= (u.bitPattern & 0x7F80_0000) &+ 0x0080_0000
                }
            }
        }
        return carries & 0x8000_0000 == 0
    }
}

/// A free list of model workspaces: a thread takes one for a task and gives it back, so buffers
/// grow once per thread instead of once per task. Which workspace a task gets never changes its result.
final class WorkspacePool: @unchecked Sendable {
    private let model: AnyModel
    private var free: [AnyModel.Workspace] = []
    /// Taken twice per task.
    private let lock = Mutex(())

    init(_ model: AnyModel) { self.model = model }

    func with<T>(_ body: (AnyModel.Workspace) -> T) -> T {
        let ws = lock.withLock { _ in free.popLast() } ?? model.makeWorkspace()
        defer { lock.withLock { _ in free.append(ws) } }
        return body(ws)
    }
}
