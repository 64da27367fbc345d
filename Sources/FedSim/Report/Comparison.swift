import Foundation

/// Side-by-side comparison of several runs' summaries (e.g. one per scenario or seed), one row per run.
///
/// Columns: run name; federated final and best accuracy; baseline best accuracy; target accuracy;
/// federated virtual time and samples to target; federated bytes up and down; and each efficiency
/// claim (compute utilisation, work efficiency by samples and by FLOPs, loss ratio at equal samples,
/// time efficiency against the equal-compute reference) with its verdict word, `holds`, `fails` or `undecided`.
/// A value that does not exist (target never reached, undefined ratio) is `-` in the table and
/// an empty field in the CSV. Numbers are formatted with `Format`, so output is deterministic.
public enum Comparison {
    /// A fixed-width text table with a header row; numbers right-aligned.
    public static func table(_ runs: [(name: String, summary: RunSummary)]) -> String {
        let header = ["run", "final acc", "best acc", "base best", "target", "time to target (s)",
                      "samples to target", "bytes up", "bytes down", "utilisation", "verdict", "work samples", "verdict",
                      "work FLOPs", "verdict", "loss ratio", "verdict", "time eq. compute", "verdict"]
        var rows = [header]
        for (name, s) in runs {
            let f = s.federated
            var row = [oneLine(name), Format.fixed(f.finalAccuracy, 4), Format.fixed(f.bestAccuracy, 4),
                       Format.fixed(s.baseline.bestAccuracy, 4), s.targetAccuracy.map { Format.fixed($0, 4) } ?? "-",
                       f.timeToTargetSeconds.map { Format.significant($0, 4) } ?? "-",
                       f.samplesToTarget.map(String.init) ?? "-", Format.bytes(f.bytesUp), Format.bytes(f.bytesDown)]
            for r in ratios(s) {
                row += [r.value.map { Format.significant($0, 3) } ?? "-", verdict(r)]
            }
            rows.append(row)
        }
        // Left-align the name and verdict columns, right-align numbers.
        let leftAligned: Set<Int> = [0, 10, 12, 14, 16, 18]
        var width = [Int](repeating: 0, count: header.count)
        for r in rows { for (i, cell) in r.enumerated() { width[i] = max(width[i], cell.count) } }
        let lines = rows.map { r in
            r.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: width[i] - cell.count)
                return leftAligned.contains(i) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return lines.map { line in
            var l = line
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }.joined(separator: "\n") + "\n"
    }

    /// The same figures as CSV (RFC 4180 quoting by ``CSV``, `\n` line ends), with a header row; accuracies
    /// with 6 decimals, times with up to 9, ratios with 6 significant digits, counts as integers.
    public static func csv(_ runs: [(name: String, summary: RunSummary)]) -> String {
        var out = CSV.row(csvHeader)
        for (name, s) in runs { out += CSV.row(fields(name, s)) }
        return out
    }

    /// The same figures as JSON records (`compare --format json`), keyed by the CSV's column names:
    /// numbers as numbers, verdicts and names as strings, null where a value does not exist.
    public static func records(_ runs: [(name: String, summary: RunSummary)]) -> JSONValue {
        .array(runs.map { name, s in
            let values = fields(name, s).enumerated().map { i, field -> JSONValue in
                if i == 0 { return .string(field) }
                if field.isEmpty { return .null }
                return Double(field).map(JSONValue.number) ?? .string(field)
            }
            return .object(Dictionary(uniqueKeysWithValues: zip(csvHeader, values)))
        })
    }

    static let csvHeader = ["run", "federated_final_accuracy", "federated_best_accuracy", "baseline_best_accuracy",
                            "target_accuracy", "federated_time_to_target_s", "federated_samples_to_target",
                            "bytes_up", "bytes_down", "compute_utilisation", "compute_utilisation_verdict",
                            "work_efficiency_samples", "work_efficiency_samples_verdict", "work_efficiency_flops",
                            "work_efficiency_flops_verdict", "loss_ratio_equal_samples", "loss_ratio_equal_samples_verdict",
                            "time_efficiency_equal_compute", "time_efficiency_equal_compute_verdict"]

    /// One run's fields, in `csvHeader` order; empty where a value does not exist.
    static func fields(_ name: String, _ s: RunSummary) -> [String] {
        let f = s.federated
        var fields = [name, Format.fixed(f.finalAccuracy, 6), Format.fixed(f.bestAccuracy, 6),
                      Format.fixed(s.baseline.bestAccuracy, 6), s.targetAccuracy.map { Format.fixed($0, 6) } ?? "",
                      f.timeToTargetSeconds.map { Format.compact($0, 9) } ?? "",
                      f.samplesToTarget.map(String.init) ?? "", String(f.bytesUp), String(f.bytesDown)]
        for r in ratios(s) {
            fields += [r.value.map { Format.significant($0, 6) } ?? "", verdict(r)]
        }
        return fields
    }

    /// The five claims in column order.
    static func ratios(_ s: RunSummary) -> [Claim] { s.efficiency.claims }

    /// `holds`, `fails` or `undecided`.
    static func verdict(_ r: Claim) -> String { r.verdict.rawValue }

    /// A name fit for one table cell: control characters (tabs, line breaks) become spaces.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
