import Foundation

/// How one sweep task ended, as its folder's `status` file says.
public enum SweepStatus: String, Sendable {
    /// `fedsim run` exited 0.
    case ok
    /// It exited 3: training diverged, the files say so.
    case diverged
    /// Any other exit (the folder's run.log says why).
    case failed
    /// No status file: not run yet, or still running.
    case missing

    /// Whether a rerun skips the task.
    public var finished: Bool { self == .ok || self == .diverged }

    /// The status of the task whose folder is `folder`.
    public init(folder: URL) {
        let text = (try? String(contentsOf: folder.appendingPathComponent("status"), encoding: .utf8)) ?? ""
        self = SweepStatus(rawValue: text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .missing
    }
}

/// The merged tables of a sweep, built from its task folders only (so a local run and a Slurm array
/// of the same sweep give the same bytes).
///
/// - `sweep-curves.csv`: every row of every finished task's `curve.csv`, tidy: the columns
///   `point`, one per swept path (the value as JSON text, empty where the point keeps the base
///   value), `seed`, then the curve's own columns (`run` is the run kind: federated or baseline).
/// - `sweep-runs.csv`: one row per task: `point`, the swept paths, `seed`, `status`, then
///   ``figures`` (empty where a figure does not exist or the task did not finish).
public enum SweepTables {
    /// The per-run figures of `sweep-runs.csv`, after the parameters, seed and status.
    public static let figures = [
        "final_accuracy", "best_accuracy", "final_loss", "virtual_time_s", "samples", "bytes_up", "bytes_down",
        "time_to_target_s", "baseline_final_accuracy", "baseline_time_to_target_s",
        // The claims as `fedsim compare --csv` names them.
        "compute_utilisation", "compute_utilisation_verdict", "work_efficiency_samples", "work_efficiency_samples_verdict",
        "work_efficiency_flops", "work_efficiency_flops_verdict", "loss_ratio_equal_samples", "loss_ratio_equal_samples_verdict",
        "time_efficiency_equal_compute", "time_efficiency_equal_compute_verdict",
    ]

    /// `figures` of one summary, as text.
    static func figureFields(_ s: RunSummary) -> [String] {
        func g(_ x: Double?) -> String { x.map { Format.compact($0, 9) } ?? "" }
        let e = s.efficiency
        var fields = [g(s.federated.finalAccuracy), g(s.federated.bestAccuracy), g(s.federated.finalLoss),
                      g(s.federated.virtualTimeSeconds), String(s.federated.samples), String(s.federated.bytesUp),
                      String(s.federated.bytesDown), g(s.federated.timeToTargetSeconds),
                      g(s.baseline.finalAccuracy), g(s.baseline.timeToTargetSeconds)]
        for claim in [e.computeUtilisation, e.workBySamples, e.workByFLOPs, e.lossAtEqualSamples, e.timeAtEqualCompute] {
            fields += [g(claim.value), claim.verdict.rawValue]
        }
        return fields
    }

    /// One finished or unfinished task, read back from its folder.
    public struct TaskResult {
        public var task: SweepTask
        public var status: SweepStatus
        /// `summary.json`, when the task finished.
        public var summary: RunSummary?
        /// `curve.csv`'s text, when the task finished.
        public var curve: String?
    }

    /// Reads every task of `spec` from its folder under `folder`.
    public static func read(_ spec: SweepSpec, from folder: URL) -> [TaskResult] {
        spec.tasks.map { task in
            let dir = folder.appendingPathComponent(task.folder)
            let status = SweepStatus(folder: dir)
            guard status.finished else { return TaskResult(task: task, status: status) }
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let summary = (try? Data(contentsOf: dir.appendingPathComponent("summary.json"))).flatMap { try? decoder.decode(RunSummary.self, from: $0) }
            let curve = try? String(contentsOf: dir.appendingPathComponent("curve.csv"), encoding: .utf8)
            guard let summary, let curve else { return TaskResult(task: task, status: .failed) }
            return TaskResult(task: task, status: status, summary: summary, curve: curve)
        }
    }

    /// The leading fields of a task's rows: point, swept values, seed.
    static func keyFields(_ task: SweepTask, paths: [String]) -> [String] {
        [String(task.point)] + paths.map { task.values[$0]?.plainText ?? "" } + [String(task.seed)]
    }

    public static func curvesCSV(_ results: [TaskResult], paths: [String]) -> String {
        var out = CSV.row(["point"] + paths + ["seed"]).dropLast() + "," + ReportWriter.curveHeader + "\n"
        for r in results {
            guard let curve = r.curve else { continue }
            let prefix = CSV.row(keyFields(r.task, paths: paths)).dropLast() + ","
            for line in curve.split(whereSeparator: \.isNewline).dropFirst() where !line.isEmpty {
                out += prefix + line + "\n"
            }
        }
        return out
    }

    public static func runsCSV(_ results: [TaskResult], paths: [String]) -> String {
        var out = CSV.row(["point"] + paths + ["seed", "status"] + figures)
        for r in results {
            let figureFields = r.summary.map(figureFields) ?? Array(repeating: "", count: figures.count)
            out += CSV.row(keyFields(r.task, paths: paths) + [r.status.rawValue] + figureFields)
        }
        return out
    }

    /// The value of `figure` in a summary, when it is a number.
    public static func figure(_ figure: String, of summary: RunSummary) -> Double? {
        guard let i = figures.firstIndex(of: figure) else { return nil }
        return Double(figureFields(summary)[i])
    }
}

extension JSONValue {
    /// Strings without their quotes, everything else as JSON text: how a swept value reads in a CSV cell.
    public var plainText: String {
        if case .string(let s) = self { return s }
        return jsonText
    }
}
