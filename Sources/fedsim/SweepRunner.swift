import FedSim
import Foundation

/// Runs sweep tasks as child `fedsim run` processes of this same binary, each into its own folder
/// with its output in run.log and, at the end, a status file (``SweepStatus``) that makes a rerun
/// skip it.
struct SweepRunner: Sendable {
    var spec: SweepSpec
    var folder: URL
    var executable: URL

    /// Runs one task and records how it ended.
    func run(_ task: SweepTask, threads: Int) -> SweepStatus {
        let dir = folder.appendingPathComponent(task.folder)
        let statusFile = dir.appendingPathComponent("status")
        try? FileManager.default.removeItem(at: statusFile)
        let status: SweepStatus
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let log = dir.appendingPathComponent("run.log")
            try Data().write(to: log)
            let handle = try FileHandle(forWritingTo: log)
            defer { try? handle.close() }
            let process = Process()
            process.executableURL = executable
            process.arguments = ["run", spec.scenario] + task.setArguments.flatMap { ["--set", $0] }
                + ["--seed", String(task.seed), "--out", dir.path, "--quiet", "--threads", String(threads)]
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            switch process.terminationStatus {
            case 0: status = .ok
            case 3: status = .diverged
            default: status = .failed
            }
        } catch {
            status = .failed
        }
        try? ReportWriter.writeAtomically(Data((status.rawValue + "\n").utf8), to: statusFile)
        return status
    }

    /// Runs the tasks with these indices, `jobs` at a time, drawing a progress bar on stderr when
    /// `progress` is set. A failed task is reported and does not stop the others.
    func runAll(_ indices: [Int], jobs: Int, progress: Bool) {
        let board = ProgressBoard(total: indices.count, draw: progress)
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
        DispatchQueue.concurrentPerform(iterations: min(jobs, indices.count)) { _ in
            while let i = board.next() {
                let task = spec.tasks[indices[i]]
                let status = run(task, threads: threads)
                board.finished(status, task: task)
            }
        }
        board.close()
    }
}

/// Hands out task numbers to the workers and draws the progress line: done, running, failed and
/// the estimated time left (wall time so far per ended run, times the runs left).
final class ProgressBoard: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let draw: Bool
    private let started = ContinuousClock.now
    private var handedOut = 0, done = 0, running = 0, failed = 0

    init(total: Int, draw: Bool) {
        self.total = total
        self.draw = draw
        redraw()
    }

    /// The next task number, or nil when all are handed out.
    func next() -> Int? {
        lock.withLock {
            guard handedOut < total else { return nil }
            handedOut += 1
            running += 1
            redraw()
            return handedOut - 1
        }
    }

    func finished(_ status: SweepStatus, task: SweepTask) {
        lock.withLock {
            running -= 1
            if status.finished { done += 1 } else { failed += 1 }
            if !status.finished {
                let message = "\(draw ? "\r\u{1B}[K" : "")run \(task.folder) failed: see \(task.folder)/run.log\n"
                FileHandle.standardError.write(Data(message.utf8))
            }
            redraw()
        }
    }

    func close() {
        if draw { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// `[#######.......] 5 of 12 done, 2 running, 1 failed, about 30 s left` (caller holds the lock).
    private func redraw() {
        guard draw else { return }
        let ended = done + failed
        let width = 24
        let filled = total > 0 ? width * ended / total : width
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let left = ended > 0 ? "about \(Format.fixed(seconds / Double(ended) * Double(total - ended), 0)) s left" : "time left unknown"
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\u{1B}[K[\(bar)] \(done) of \(total) done, \(running) running, \(failed) failed, \(left)"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
