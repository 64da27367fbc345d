import Glibc
import Synchronization

/// Wall time spent inside fedsim's BLAS calls (every `cblas_*` call goes through ``BLAS``), for
/// the share of time in BLAS that `make bench` prints. Off unless the environment variable
/// `FEDSIM_BLAS_CLOCK` is set when the process starts: then each call reads the monotonic clock
/// before and after (two vDSO reads, tens of nanoseconds) and adds the difference and one call to
/// process-wide atomic counters, summed over threads. Never part of a run's outputs.
public enum BLASClock {
    /// Whether calls are timed (`FEDSIM_BLAS_CLOCK` set in the environment).
    public static let enabled = getenv("FEDSIM_BLAS_CLOCK") != nil
    private static let total = Atomic<Int>(0)
    private static let count = Atomic<Int>(0)

    /// Nanoseconds spent in timed calls so far, and how many calls.
    public static var reading: (nanoseconds: Int, calls: Int) {
        (total.load(ordering: .relaxed), count.load(ordering: .relaxed))
    }

    /// Runs `body`, timing it when the clock is enabled.
    @inline(__always) static func timed<T>(_ body: () -> T) -> T {
        guard enabled else { return body() }
        let start = now()
        let result = body()
        total.add(now() - start, ordering: .relaxed)
        count.add(1, ordering: .relaxed)
        return result
    }

    private static func now() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1_000_000_000 + t.tv_nsec
    }
}
