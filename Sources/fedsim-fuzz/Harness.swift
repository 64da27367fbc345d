import Foundation

/// What one subprocess did.
struct Outcome {
    var status: Int32
    var signal: Int32?
    var timedOut: Bool
    var stderr: String
}

/// Runs the binary and judges each outcome against the rules of README "Errors and exit status".
enum Harness {
    /// Runs `binary args` with stdout discarded; kills it (SIGKILL) once it has used `timeout`
    /// seconds of CPU time, or after 10 x `timeout` seconds of wall-clock time (a child blocked
    /// without using CPU). CPU time keeps the verdict independent of the load: on a shared machine
    /// a short run of 1.1 CPU seconds took 108 s of wall-clock time at `nice -n 19`.
    static func execute(_ binary: String, _ args: [String], timeout: Double) -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        let errFile = URL(fileURLWithPath: NSTemporaryDirectory() + "fedsim-fuzz-stderr-\(getpid())")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let errHandle = try! FileHandle(forWritingTo: errFile)
        p.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try! p.run()
        var timedOut = false
        let started = Date()
        while done.wait(timeout: .now() + 0.1) == .timedOut {
            let cpu = cpuSeconds(p.processIdentifier) ?? Date().timeIntervalSince(started)
            if cpu > timeout || Date().timeIntervalSince(started) > 10 * timeout {
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                done.wait()
                break
            }
        }
        try? errHandle.close()
        let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        let signalled = p.terminationReason == .uncaughtSignal
        return Outcome(status: p.terminationStatus, signal: signalled ? p.terminationStatus : nil, timedOut: timedOut, stderr: stderr)
    }

    /// User plus system CPU seconds of a running process, from /proc/PID/stat (fields 14 and 15,
    /// after the parenthesised command name); nil where /proc is not available.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// "valid", "invalid", or a failure: "trap", "hang", "bad message", "exit N".
    static func judgeValidate(_ o: Outcome) -> String {
        if o.timedOut { return "hang" }
        if o.signal != nil { return "trap" }
        switch o.status {
        case 0: return "valid"
        case 2: return oneCleanLine(o.stderr) ? "invalid" : "bad message"
        default: return "exit \(o.status)"
        }
    }

    /// One "error: ..." line and no control character other than its final newline.
    static func oneCleanLine(_ s: String) -> Bool {
        s.hasPrefix("error: ") && s.hasSuffix("\n") && !s.dropLast().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// "finished", "stopped early" (exit 3), "invalid" (exit 2, nothing written), or a failure.
    static func judgeRun(_ o: Outcome, out: URL) -> String {
        if o.timedOut { return "hang" }
        if o.signal != nil { return "trap" }
        // Only this run's own staging folder counts: a run killed at its timeout keeps its own.
        let staging = ".\(out.lastPathComponent).partial-"
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)) ?? []).filter { $0.hasPrefix(staging) }
        if !leftovers.isEmpty { return "staging folder left behind" }
        switch o.status {
        case 2: return FileManager.default.fileExists(atPath: out.path) ? "wrote files on exit 2" : "invalid"
        case 0, 3:
            if let problem = checkOutputs(out) { return problem }
            return o.status == 0 ? "finished" : "stopped early"
        default: return "exit \(o.status)"
        }
    }

    /// Conservation of tasks (summary.json) and time order (curve.csv); nil when both hold.
    static func checkOutputs(_ out: URL) -> String? {
        guard let data = try? Data(contentsOf: out.appendingPathComponent("summary.json")),
              let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let c = summary["counters"] as? [String: Any] else { return "no summary.json" }
        func n(_ k: String) -> Int { (c[k] as? NSNumber)?.intValue ?? -1 }
        let ended = n("tasksApplied") + n("tasksDiscardedStale") + n("tasksDroppedLate") + n("tasksDroppedOffline") + n("tasksInFlightAtEnd")
        if n("tasksStarted") != ended { return "conservation violated" }
        if (summary["complete"] as? Bool) != true { return "incomplete without interruption" }
        guard let curve = try? String(contentsOf: out.appendingPathComponent("curve.csv"), encoding: .utf8) else { return "no curve.csv" }
        var last: [String: Double] = [:]
        for line in curve.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count > 1, let t = Double(f[1]), t.isFinite, t >= 0 else { return "time order violated" }
            if t < last[String(f[0]), default: 0] { return "time order violated" }
            last[String(f[0])] = t
        }
        return nil
    }
}

/// Outcome counts, and the failures with the file that shows each.
struct Tally {
    var counts: [String: [String: Int]] = [:]
    var failures: [String] = []
    static let fine: Set<String> = ["valid", "invalid", "finished", "stopped early"]

    mutating func add(_ phase: String, _ verdict: String, label: String, file: URL) {
        counts[phase, default: [:]][verdict, default: 0] += 1
        if !Tally.fine.contains(verdict) { failures.append("\(verdict): \(label): \(file.path)") }
    }

    func report(seconds: Double, options: Options) -> String {
        var lines: [String] = []
        for phase in ["validate", "run"] {
            let c = counts[phase] ?? [:]
            let total = c.values.reduce(0, +)
            lines.append("\(phase): \(total) mutants: " + c.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += failures.prefix(20).map { "FAIL " + $0 }
        lines.append("fedsim-fuzz: \(failures.isEmpty ? "ok" : "\(failures.count) failures"), seed \(options.seed), \(String(format: "%.1f", seconds)) s")
        return lines.joined(separator: "\n")
    }
}
