/// How far a run's curve may drift from its golden curve before the regression check fails.
///
/// Absolute limits compare `|found - expected| <= limit`; relative limits compare
/// `|found - expected| <= band * max(1, |expected|)` (absolute for values below one).
public struct GoldenTolerances: Sendable, Codable, Equatable {
    /// Test accuracy at each checkpoint, absolute.
    public var accuracyBand: Double
    /// Test loss at each checkpoint, relative.
    public var lossBand: Double
    /// Accuracy of the last row of each run kind, absolute.
    public var finalAccuracy: Double
    /// Loss of the last row of each run kind, relative.
    public var finalLoss: Double
    /// Samples processed, absolute (0: must match exactly).
    public var samples: Int
    /// Bytes up and bytes down, each absolute (0: must match exactly).
    public var bytes: Int
    /// Virtual time, relative (1e-9 absorbs the 9 decimals `curve.csv` keeps).
    public var time: Double

    /// Tolerances with the given limits; the defaults are those of a deterministic simulator
    /// rerun on another machine: accuracy 0.02, loss 5%, final accuracy 0.01, final loss 2%,
    /// samples and bytes exact, time to 1e-9 relative.
    public init(accuracyBand: Double = 0.02, lossBand: Double = 0.05, finalAccuracy: Double = 0.01,
                finalLoss: Double = 0.02, samples: Int = 0, bytes: Int = 0, time: Double = 1e-9) {
        self.accuracyBand = accuracyBand
        self.lossBand = lossBand
        self.finalAccuracy = finalAccuracy
        self.finalLoss = finalLoss
        self.samples = samples
        self.bytes = bytes
        self.time = time
    }

    private enum CodingKeys: String, CodingKey {
        case accuracyBand, lossBand, finalAccuracy, finalLoss, samples, bytes, time
    }

    /// Decodes tolerances; a missing key keeps its default, so a tolerance file need only list what it changes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GoldenTolerances()
        accuracyBand = try c.decodeIfPresent(Double.self, forKey: .accuracyBand) ?? d.accuracyBand
        lossBand = try c.decodeIfPresent(Double.self, forKey: .lossBand) ?? d.lossBand
        finalAccuracy = try c.decodeIfPresent(Double.self, forKey: .finalAccuracy) ?? d.finalAccuracy
        finalLoss = try c.decodeIfPresent(Double.self, forKey: .finalLoss) ?? d.finalLoss
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? d.samples
        bytes = try c.decodeIfPresent(Int.self, forKey: .bytes) ?? d.bytes
        time = try c.decodeIfPresent(Double.self, forKey: .time) ?? d.time
    }
}

/// One comparison of a run's value with the golden value (passing or not).
public struct GoldenDeviation: Sendable {
    public var run: RunKind
    /// The checkpoint's round (federated) or epoch (baseline).
    public var round: Double
    /// `time_s`, `samples`, `bytes_up`, `bytes_down`, `accuracy`, `loss`, `final accuracy`,
    /// `final loss`, or `missing` for a checkpoint present on one side only; then `expected` and
    /// `found` are 1 where the checkpoint is present and 0 where it is absent.
    public var metric: String
    /// The golden value.
    public var expected: Double
    /// The run's value.
    public var found: Double
    /// The largest allowed `|found - expected|` (absolute, relative limits already scaled).
    public var limit: Double
    public var passed: Bool

    /// `|found - expected|` (NaN when either is NaN).
    public var difference: Double {
        abs(found - expected)
    }
}

/// The outcome of a golden-curve check.
public struct GoldenReport: Sendable {
    /// Every comparison made, in golden-curve order (unmatched run rows at the end of their run kind).
    public var deviations: [GoldenDeviation]
    /// True when every comparison passed.
    public var passed: Bool
    /// A fixed-width table of the failing rows, a max-deviation line per metric and a final
    /// `PASS` or `FAIL` line.
    public var table: String
}

/// Regression check of a run's curve against a committed golden curve (both in `curve.csv` form).
public enum GoldenCheck {
    /// Compares `run` with `golden` checkpoint by checkpoint, for the federated and the baseline
    /// curve. Checkpoints are matched by run kind and round (to the 4 decimals `curve.csv` keeps;
    /// repeated rounds pair up in order). A checkpoint present on one side only fails as `missing`.
    /// The last row of each run kind is also checked against the tighter final-metric limits.
    public static func compare(run: [CurvePoint], golden: [CurvePoint],
                               tolerances t: GoldenTolerances = .init()) -> GoldenReport {
        var out: [GoldenDeviation] = []
        for kind in [RunKind.federated, .baseline] {
            let g = golden.filter { $0.run == kind }
            let r = run.filter { $0.run == kind }

            // Pair rows with the same round key, the k-th golden with the k-th run occurrence.
            var runRows: [String: [Int]] = [:]
            for (i, p) in r.enumerated() { runRows[key(p.round), default: []].append(i) }
            var used = Set<Int>()
            for e in g {
                let k = key(e.round)
                guard let i = runRows[k]?.first else {
                    out.append(GoldenDeviation(run: kind, round: e.round, metric: "missing", expected: 1, found: 0,
                                               limit: 0, passed: false))
                    continue
                }
                runRows[k]!.removeFirst()
                used.insert(i)
                out += checkpoint(found: r[i], expected: e, t)
            }
            for (i, p) in r.enumerated() where !used.contains(i) {
                out.append(GoldenDeviation(run: kind, round: p.round, metric: "missing", expected: 0, found: 1,
                                           limit: 0, passed: false))
            }

            if let e = g.last, let f = r.last {
                out.append(check(kind, e.round, "final accuracy", e.accuracy, f.accuracy, limit: t.finalAccuracy))
                out.append(check(kind, e.round, "final loss", e.loss, f.loss, limit: t.finalLoss * max(1, abs(e.loss))))
            }
        }
        // A check that compared nothing proves nothing: it fails.
        let passed = !out.isEmpty && out.allSatisfy(\.passed)
        return GoldenReport(deviations: out, passed: passed, table: table(out, passed: passed))
    }

    /// The comparisons of one matched checkpoint.
    static func checkpoint(found f: CurvePoint, expected e: CurvePoint, _ t: GoldenTolerances) -> [GoldenDeviation] {
        let k = e.run, r = e.round
        return [
            check(k, r, "time_s", e.time, f.time, limit: t.time * max(1, abs(e.time))),
            check(k, r, "samples", Double(e.samples), Double(f.samples), limit: Double(t.samples)),
            check(k, r, "bytes_up", Double(e.bytesUp), Double(f.bytesUp), limit: Double(t.bytes)),
            check(k, r, "bytes_down", Double(e.bytesDown), Double(f.bytesDown), limit: Double(t.bytes)),
            check(k, r, "accuracy", e.accuracy, f.accuracy, limit: t.accuracyBand),
            check(k, r, "loss", e.loss, f.loss, limit: t.lossBand * max(1, abs(e.loss))),
        ]
    }

    /// One comparison; a non-finite value on either side fails (a finished curve holds finite
    /// figures, so NaN or inf means a broken run or a broken golden).
    static func check(_ run: RunKind, _ round: Double, _ metric: String, _ expected: Double, _ found: Double,
                      limit: Double) -> GoldenDeviation {
        let ok = expected.isFinite && found.isFinite && abs(found - expected) <= limit
        return GoldenDeviation(run: run, round: round, metric: metric, expected: expected, found: found,
                               limit: limit, passed: ok)
    }

    /// The matching key of a round: as `curve.csv` writes it.
    static func key(_ round: Double) -> String { Format.compact(round, 4) }

    /// The failing rows, one max-deviation line per metric (in first-seen order) and PASS/FAIL.
    static func table(_ deviations: [GoldenDeviation], passed: Bool) -> String {
        func value(_ d: GoldenDeviation, _ x: Double) -> String {
            d.metric == "missing" ? (x == 1 ? "present" : "absent") : number(x)
        }
        var rows: [[String]] = [["run", "round", "metric", "expected", "found", "|diff|", "limit"]]
        for d in deviations where !d.passed {
            rows.append([d.run.rawValue, key(d.round), d.metric, value(d, d.expected), value(d, d.found),
                         d.metric == "missing" ? "-" : number(d.difference),
                         d.metric == "missing" ? "-" : number(d.limit)])
        }
        var lines: [String] = []
        let failures = rows.count - 1
        if failures > 0 {
            lines += align(rows)
            lines.append("")
        }

        // Per metric: the largest difference, where it was, and how many comparisons failed.
        var order: [String] = []
        var worst: [String: GoldenDeviation] = [:]
        var counts: [String: (checks: Int, failed: Int)] = [:]
        for d in deviations {
            if counts[d.metric] == nil { order.append(d.metric) }
            var c = counts[d.metric, default: (0, 0)]
            c.checks += 1
            if !d.passed { c.failed += 1 }
            counts[d.metric] = c
            if d.metric == "missing" { continue }
            if let w = worst[d.metric], !(d.difference > w.difference || (d.difference.isNaN && !w.difference.isNaN)) {
                continue
            }
            worst[d.metric] = d
        }
        var summary: [[String]] = [["metric", "checks", "failed", "max |diff|", "limit there", "at"]]
        for m in order {
            let c = counts[m]!
            if m == "missing" {
                summary.append([m, String(c.checks), String(c.failed), "-", "-", "-"])
            } else if let w = worst[m], w.difference == 0 {
                summary.append([m, String(c.checks), String(c.failed), "0", "-", "-"])
            } else if let w = worst[m] {
                summary.append([m, String(c.checks), String(c.failed), number(w.difference), number(w.limit),
                                "\(w.run.rawValue) round \(key(w.round))"])
            }
        }
        if order.isEmpty {
            lines.append("no checkpoints on either side")
        } else {
            lines += align(summary)
        }
        lines.append("")
        lines.append(passed ? "PASS: \(deviations.count) comparisons within tolerance"
                     : deviations.isEmpty ? "FAIL: nothing to compare (both curves are empty)"
                     : "FAIL: \(failures) of \(deviations.count) comparisons outside tolerance")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Integers as integers, other values with 6 significant digits (no exponent).
    static func number(_ x: Double) -> String {
        if x.isFinite && x == x.rounded() && abs(x) < 1e15 { return Format.compact(x, 0) }
        return Format.significant(x, 6)
    }

    /// Left-aligned columns padded to their widest cell, separated by two spaces.
    static func align(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var width = [Int](repeating: 0, count: columns)
        for r in rows { for (i, cell) in r.enumerated() { width[i] = max(width[i], cell.count) } }
        return rows.map { r in
            var line = ""
            for (i, cell) in r.enumerated() {
                line += i == r.count - 1 ? cell : cell + String(repeating: " ", count: width[i] - cell.count + 2)
            }
            return line
        }
    }
}
