import Foundation

/// Runs `body` for every index in 0..<count on up to `threads` threads of the shared
/// ``WorkerPool`` and returns the results in index order. Each result depends only on its index,
/// so the output is the same whatever the thread count; callers reduce it in index order.
///
/// Tasks are handed out one at a time, largest `cost` first (ties: lower index first), so that
/// a long task does not start last and leave the other threads idle (longest-processing-time-first
/// list scheduling, Graham 1969, "Bounds on multiprocessing timing anomalies"). Without `cost`,
/// index order.
func parallelMap<T: Sendable>(
    count: Int, threads: Int, cost: ((Int) -> Double)? = nil, _ body: @escaping @Sendable (Int) -> T
) -> [T] {
    parallelMap(count: count, threads: threads, cost: cost, contexts: nil as PerWorker<Void>?) { i, _ in body(i) }
}

/// ``parallelMap(count:threads:cost:_:)`` where each call of `body` also receives the calling
/// worker's own context from `contexts` (for example a training workspace), created on a worker's
/// first use and reused by every later task that worker runs, in this call and later ones.
func parallelMap<T: Sendable, C>(
    count: Int, threads: Int, cost: ((Int) -> Double)? = nil, contexts: PerWorker<C>?,
    _ body: @escaping @Sendable (Int, C?) -> T
) -> [T] {
    if count == 0 { return [] }
    var order = Array(0 ..< count)
    if let cost {
        let costs = order.map(cost)
        order.sort { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
    }
    let slots = ResultSlots<T>(count: count)
    let workers = min(max(1, threads), count)
    contexts?.reserve(workers)
    WorkerPool.shared.run(tasks: order.count, workers: workers) { position, worker in
        let i = order[position]
        slots.store(body(i, contexts?.context(worker)), at: i)
    }
    return slots.collect()
}

/// One context per pool worker, made by `make` on that worker's first task. A worker only ever
/// touches its own slot, and only while the pool runs one of its tasks; one `PerWorker` serves one
/// caller at a time (keep it with the run that owns it, never share it between concurrent runs).
final class PerWorker<C>: @unchecked Sendable {
    private let make: () -> C
    private var slots = UnsafeMutableBufferPointer<C?>(start: nil, count: 0)
    private let lock = NSLock()
    private var madeCount = 0

    init(_ make: @escaping () -> C) { self.make = make }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    /// How many contexts were made so far.
    var made: Int { lock.withLock { madeCount } }

    /// The contexts made so far, in worker order. Call only between batches.
    var all: [C] { slots.compactMap { $0 } }

    /// Grows the slots to `workers` before a batch (never during one).
    fileprivate func reserve(_ workers: Int) {
        guard slots.count < workers else { return }
        let grown = UnsafeMutableBufferPointer<C?>.allocate(capacity: workers)
        grown.initialize(repeating: nil)
        for i in slots.indices { grown[i] = slots[i] }
        _ = slots.deinitialize()
        slots.deallocate()
        slots = grown
    }

    fileprivate func context(_ worker: Int) -> C {
        if let c = slots[worker] { return c }
        let c = make()
        slots[worker] = c
        lock.withLock { madeCount += 1 }
        return c
    }
}

/// A persistent pool of worker threads that run batches of tasks with dynamic scheduling: each
/// participant (the calling thread is worker 0, pool threads are workers 1, 2, ...) claims the
/// next unclaimed task until none is left. Threads are started on first need and then wait on a
/// condition variable between batches, so a batch costs no thread creation.
///
/// Dedicated threads rather than Dispatch's shared pool: the caller may itself run on that pool
/// (Swift concurrency uses it), and waiting there for pool workers can deadlock. One batch runs at
/// a time; a caller that finds the pool busy (another run on another thread) runs its batch alone,
/// which gives the same results.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private final class Batch: @unchecked Sendable {
        let tasks: Int
        let helpers: Int
        let body: (Int, Int) -> Void
        let claim = NSLock()
        var next = 0
        /// Helpers that finished; guarded by the pool's condition.
        var finished = 0

        init(tasks: Int, helpers: Int, body: @escaping (Int, Int) -> Void) {
            self.tasks = tasks
            self.helpers = helpers
            self.body = body
        }

        /// Runs tasks as `worker` until every task is claimed.
        func drain(worker: Int) {
            while true {
                let position: Int = claim.withLock {
                    defer { next += 1 }
                    return next
                }
                if position >= tasks { return }
                body(position, worker)
            }
        }
    }

    private let condition = NSCondition()
    private let submission = NSLock()
    private var started = 0
    private var batch: Batch?
    private var generation = 0

    /// Runs `body(position, worker)` for every position in 0..<tasks on `workers` participants
    /// (worker ids 0..<workers) and returns when all are done.
    func run(tasks: Int, workers: Int, _ body: @escaping (Int, Int) -> Void) {
        let helpers = workers - 1
        guard helpers > 0, submission.try() else {
            for p in 0 ..< tasks { body(p, 0) }
            return
        }
        defer { submission.unlock() }
        let current = Batch(tasks: tasks, helpers: helpers, body: body)
        condition.withLock {
            while started < helpers {
                started += 1
                let id = started
                let thread = Thread { self.serve(as: id) }
                thread.name = "fedsim-worker-\(id)"
                thread.start()
            }
            batch = current
            generation += 1
            condition.broadcast()
        }
        current.drain(worker: 0)
        condition.withLock {
            while current.finished < helpers { condition.wait() }
            batch = nil
        }
    }

    /// A pool thread's loop: wait for a batch that wants worker `id`, help drain it, repeat.
    private func serve(as id: Int) {
        var seen = 0
        condition.lock()
        while true {
            while batch == nil || generation == seen || id > batch!.helpers { condition.wait() }
            seen = generation
            let current = batch!
            condition.unlock()
            current.drain(worker: id)
            condition.lock()
            current.finished += 1
            if current.finished == current.helpers { condition.broadcast() }
        }
    }
}

/// Write-once result slots for ``parallelMap``. Safe because every index is written by exactly
/// one worker and read only after the pool's batch has returned (which joins all workers).
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    func store(_ value: T, at i: Int) { buffer[i] = value }

    /// Moves the results out (no copies), leaving the slots empty.
    func collect() -> [T] {
        buffer.indices.map { i in
            var result: T?
            swap(&result, &buffer[i])
            return result!
        }
    }
}
