import Foundation

/// Writes a run's files. Each file is written under a temporary name in the output folder and
/// renamed into place, so an interrupted run never leaves a half-written file behind.
public enum ReportWriter {
    /// The header of `curve.csv`; the README defines each column.
    public static let curveHeader = "run,time_s,round,samples,bytes_up,bytes_down,accuracy,loss,epsilon,train_loss"

    /// `curve.csv`: one row per evaluation, federated rows first, then baseline rows.
    public static func curveCSV(_ points: [CurvePoint]) -> String {
        var out = curveHeader + "\n"
        for p in points {
            out += [p.run.rawValue, Format.compact(p.time, 9), Format.compact(p.round, 4), String(p.samples),
                    String(p.bytesUp), String(p.bytesDown), Format.fixed(p.accuracy, 6), Format.fixed(p.loss, 6),
                    p.epsilon.map { Format.significant($0, 6) } ?? "", p.trainLoss.map { Format.fixed($0, 6) } ?? ""]
                .joined(separator: ",") + "\n"
        }
        return out
    }

    /// The header of `devices.csv`; the README defines each column.
    public static let devicesHeader = "device,profile,samples_held,tasks_started,tasks_applied,tasks_discarded,tasks_dropped,samples_processed,flops,compute_s,bytes_up,bytes_down,contribution_share"

    /// `devices.csv`: the per-device ledger, one row per device.
    public static func devicesCSV(_ ledger: DeviceLedger, fleet: Fleet) -> String {
        let total = ledger.contribution.reduce(0, +)
        var out = devicesHeader + "\n"
        for d in 0 ..< fleet.count {
            let fields: [String] = [
                String(d), fleet.profileName(d), String(fleet.shards[d].count), String(ledger.tasksStarted[d]),
                String(ledger.tasksApplied[d]), String(ledger.tasksDiscarded[d]), String(ledger.tasksDropped[d]),
                String(ledger.samples[d]), Format.compact(ledger.flops[d], 0), Format.compact(ledger.computeSeconds[d], 9),
                String(ledger.bytesUp[d]), String(ledger.bytesDown[d]),
                Format.fixed(total > 0 ? ledger.contribution[d] / total : 0, 6),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON with sorted keys and a trailing newline (stable across runs and processes).
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Writes `curve.csv` and `summary.json` into `folder` (created if needed); returns their paths.
    @discardableResult
    public static func write(_ report: RunReport, to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let curve = folder.appendingPathComponent("curve.csv")
        let summary = folder.appendingPathComponent("summary.json")
        try writeAtomically(Data(curveCSV(report.curve).utf8), to: curve)
        try writeAtomically(json(report.summary), to: summary)
        let devices = folder.appendingPathComponent("devices.csv")
        try writeAtomically(Data(devicesCSV(report.federated.ledger, fleet: report.fleet).utf8), to: devices)
        return [curve, summary, devices]
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temp)
        // rename(2) replaces the destination atomically on one file system.
        guard rename(temp.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                                                           NSLocalizedDescriptionKey: String(cString: strerror(code))])
        }
    }
}

extension RunSummary {
    /// The summary as printed at the end of a run.
    public var text: String {
        func pct(_ x: Double) -> String { Format.fixed(100 * x, 2) + "%" }
        func opt(_ x: Double?, _ unit: String = "") -> String { x.map { Format.significant($0) + unit } ?? "not reached" }
        func optInt(_ x: Int?) -> String { x.map(String.init) ?? "not reached" }
        var lines: [String] = []
        lines.append("scenario \(scenario) (seed \(seed), \(mode), \(devices) devices, \(parameters) parameters)")
        lines.append("stopped: \(stopReason) after \(rounds) rounds, \(modelVersions) model versions")
        if let divergence { lines.append("DIVERGED: \(divergence)") }
        lines.append("")
        lines.append("                      federated        baseline")
        lines.append("final accuracy        " + pad(pct(federated.finalAccuracy)) + pct(baseline.finalAccuracy))
        lines.append("best accuracy         " + pad(pct(federated.bestAccuracy)) + pct(baseline.bestAccuracy))
        lines.append("samples processed     " + pad(String(federated.samples)) + String(baseline.samples))
        lines.append("virtual time          " + pad(Format.significant(federated.virtualTimeSeconds) + " s")
                     + Format.significant(baseline.virtualTimeSeconds) + " s")
        lines.append("target accuracy       \(pct(targetAccuracy)) (\(targetRule))")
        lines.append("samples to target     " + pad(optInt(federated.samplesToTarget)) + optInt(baseline.samplesToTarget))
        lines.append("time to target        " + pad(opt(federated.timeToTargetSeconds, " s")) + opt(baseline.timeToTargetSeconds, " s"))
        lines.append("bytes up / down       \(Format.bytes(federated.bytesUp)) / \(Format.bytes(federated.bytesDown))"
                     + " (compression \(Format.significant(compression.uplinkFactor, 3))x up, \(Format.significant(compression.downlinkFactor, 3))x down vs dense float32)")
        let c = counters
        lines.append("tasks                 \(c.tasksStarted) started = \(c.tasksApplied) applied + \(c.tasksDiscardedStale) stale + \(c.tasksDroppedLate + c.tasksDroppedOffline) dropped (\(c.tasksDroppedLate) late, \(c.tasksDroppedOffline) offline/failed) + \(c.tasksInFlightAtEnd) unfinished")
        if c.failedRounds > 0 { lines.append("failed rounds         \(c.failedRounds)") }
        if let epsilon, let privacyDelta {
            lines.append("privacy               epsilon \(Format.significant(epsilon, 4)) at delta \(privacyDelta)")
        }
        lines.append("staleness             mean \(Format.fixed(staleness.mean, 2)), p50 \(staleness.p50), p90 \(staleness.p90), max \(staleness.max)")
        lines.append("")
        lines.append("efficiency vs centralized (claim: >= 85%)")
        lines.append("  by samples   " + ratioLine(efficiency.bySamples))
        lines.append("  by time      " + ratioLine(efficiency.byTime))
        lines.append("  accuracy     " + ratioLine(efficiency.accuracy))
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int = 17) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private func ratioLine(_ r: Ratio) -> String {
        let v = r.value.map { Format.significant($0, 3) } ?? "-"
        return pad(v, 8) + r.verdict
    }
}
