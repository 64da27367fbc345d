import Foundation
import Synchronization

/// SIGINT and SIGTERM during `run`: the first one is recorded (the handler only stores the signal
/// number, which is async-signal-safe) and the run stops before its next event, writes complete
/// files marked `"complete": false` and exits 128 + the signal (130, 143). A second signal of the
/// same kind kills at once (the handler resets to the default).
enum Interruption {
    private static let signalNumber = Atomic<Int32>(0)

    /// Installs the handlers, and unblocks both signals: a parent may have blocked them, and a
    /// blocked mask survives exec (a test runner's Process does this), leaving them pending forever.
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM] {
            signal(s) { number in
                Interruption.signalNumber.store(number, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
        }
    }

    /// The signal received, or nil.
    static var received: Int32? {
        let s = signalNumber.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// For ``PreparedRun/run(threads:progress:interrupted:)``.
    static let check: @Sendable () -> Bool = { received != nil }

    /// 130 for SIGINT, 143 for SIGTERM.
    static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    static func name(_ signal: Int32) -> String { signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
}
