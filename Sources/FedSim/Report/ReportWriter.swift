import Foundation

/// Writes a run's files. Each file is written under a temporary name in the output folder and
/// renamed into place, so an interrupted run never leaves a half-written file behind; a whole run
/// is written into an ``OutputSet``'s staging folder and installed as one.
public enum ReportWriter {
    /// The header of `curve.csv`; the README defines each column.
    public static let curveHeader = "run,time_s,round,samples,bytes_up,bytes_down,accuracy,loss,epsilon,train_loss"

    /// `curve.csv`: one row per evaluation, federated rows first, then baseline rows.
    /// A language model's curve adds `perplexity` and `bits_per_char` (classifiers' files keep the
    /// header above, so their curves stay byte-identical to earlier versions).
    public static func curveCSV(_ points: [CurvePoint]) -> String {
        let language = points.contains { $0.isLanguageModel }
        var out = curveHeader + (language ? ",perplexity,bits_per_char" : "") + "\n"
        for p in points {
            var fields = [p.run.rawValue, Format.compact(p.time, 9), Format.compact(p.round, 4), String(p.samples),
                          String(p.bytesUp), String(p.bytesDown), Format.fixed(p.accuracy, 6), Format.fixed(p.loss, 6),
                          p.epsilon.map { Format.significant($0, 6) } ?? "", p.trainLoss.map { Format.fixed($0, 6) } ?? ""]
            if language { fields += [Format.significant(p.perplexity, 6), Format.fixed(p.bitsPerCharacter, 6)] }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The header of `devices.csv`; the README defines each column.
    public static let devicesHeader = "device,profile,samples_held,tasks_started,tasks_applied,tasks_discarded,tasks_dropped,samples_processed,flops,compute_s,bytes_up,bytes_down,contribution_share"

    /// `devices.csv`: the per-device ledger, one row per device, written as bytes (``CSVBytes``);
    /// profile names quoted per RFC 4180 (``CSV``), once per group.
    public static func devicesCSV(_ ledger: DeviceLedger, fleet: Fleet) -> [UInt8] {
        let total = ledger.contribution.reduce(0, +)
        let profileNames = fleet.groups.map { Array(CSV.field($0.profileName).utf8) }
        var out = CSVBytes(reservingCapacity: 64 * (fleet.count + 1))
        out.append(devicesHeader)
        out.newline()
        for d in 0 ..< fleet.count {
            out.append(d); out.comma()
            out.append(bytes: profileNames[Int(fleet.groupIndex[d])]); out.comma()
            out.append(fleet.shards[d].count); out.comma()
            out.append(ledger.tasksStarted[d]); out.comma()
            out.append(ledger.tasksApplied[d]); out.comma()
            out.append(ledger.tasksDiscarded[d]); out.comma()
            out.append(ledger.tasksDropped[d]); out.comma()
            out.append(ledger.samples[d]); out.comma()
            out.append(compact: ledger.flops[d], 0); out.comma()
            out.append(compact: ledger.computeSeconds[d], 9); out.comma()
            out.append(ledger.bytesUp[d]); out.comma()
            out.append(ledger.bytesDown[d]); out.comma()
            out.append(fixed: total > 0 ? ledger.contribution[d] / total : 0, 6)
            out.newline()
        }
        return out.bytes
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
        try writeAtomically(Data(devicesCSV(report.federated.ledger, fleet: report.fleet)), to: devices)
        return [curve, summary, devices]
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        // A name private to this process and call, so concurrent writers never share a temporary file.
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid())-\(UInt32.random(in: 0 ... .max)).tmp")
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
