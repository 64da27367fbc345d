import Dispatch
import Foundation

/// Runs `body` for every index in 0..<count on up to `threads` threads and returns the results
/// in index order. Each result depends only on its index, so the output is the same whatever the
/// thread count.
func parallelMap<T: Sendable>(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    if count == 0 { return [] }
    if threads <= 1 || count == 1 { return (0 ..< count).map(body) }
    let slots = ResultSlots<T>(count: count)
    let workers = min(threads, count)
    // Dedicated threads rather than Dispatch's shared pool: the caller may itself run on that pool
    // (Swift concurrency uses it), and waiting there for pool workers can deadlock.
    let done = DispatchSemaphore(value: 0)
    for w in 1 ..< workers {
        Thread {
            var i = w
            while i < count {
                slots.store(body(i), at: i)
                i += workers
            }
            done.signal()
        }.start()
    }
    var i = 0
    while i < count {
        slots.store(body(i), at: i)
        i += workers
    }
    for _ in 1 ..< workers { done.wait() }
    return slots.collect()
}

/// Write-once result slots for ``parallelMap``. Safe because every index is written by exactly
/// one worker and read only after `concurrentPerform` has returned (which joins all workers).
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

    func collect() -> [T] { buffer.map { $0! } }
}
