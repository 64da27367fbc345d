import Foundation
import Testing

@testable import FedSim

#if canImport(FoundationXML)
    import FoundationXML
#endif

// MARK: - Helpers

/// A curve point with the given figures (bytes default to a function of the round).
private func point(_ run: RunKind, _ round: Double, time: Double, samples: Int, bytes: Int? = nil,
                   accuracy: Double, loss: Double) -> CurvePoint {
    let b = bytes ?? (run == .federated ? Int(round) * 48_820 : 0)
    return CurvePoint(run: run, time: time, round: round, samples: samples, bytesUp: b, bytesDown: b,
                      accuracy: accuracy, loss: loss)
}

/// A realistic curve: 11 federated checkpoints over ~30 s, then 9 baseline checkpoints over ~0.003 s
/// (values chosen to survive the CSV's 6/9/4 decimals exactly).
private func sampleCurve() -> [CurvePoint] {
    var c: [CurvePoint] = []
    for k in 0...10 {
        let r = Double(2 * k)
        c.append(point(.federated, r, time: 3.017_283_5 * Double(k), samples: 12_345 * k,
                       accuracy: 0.1 + 0.08 * Double(k), loss: 2.302585 - 0.18 * Double(k)))
    }
    for k in 0...8 {
        c.append(point(.baseline, 0.5 * Double(k), time: 0.000_355_25 * Double(k), samples: 5_510 * k,
                       accuracy: 0.1 + 0.1 * Double(k), loss: 2.302585 - 0.2 * Double(k)))
    }
    return c
}

/// The error `CurveFile.parse` throws for `text`, or nil.
private func parseError(_ text: String) -> ReportFileError? {
    do {
        _ = try CurveFile.parse(text)
        return nil
    } catch let e as ReportFileError {
        return e
    } catch {
        return nil
    }
}

/// Element names and `<text>` contents of an XML document, and whether it parsed.
private final class XMLOutline: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    private var inText = false
    var error: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        if elementName == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "text" { inText = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = "\(parseError)"
    }

    /// Parses `svg`; records an issue when it is not well-formed.
    static func of(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> XMLOutline {
        let outline = XMLOutline()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = outline
        let ok = parser.parse()
        #expect(ok, "not well-formed XML: \(outline.error ?? "?")", sourceLocation: sourceLocation)
        #expect(outline.elements.first == "svg", sourceLocation: sourceLocation)
        return outline
    }
}

/// A run summary decoded from JSON, so the test does not depend on RunSummary's initializer.
/// Keys that a RunSummary version does not know are ignored by its decoder.
private func summary(finalAccuracy: Double = 0.91, bestAccuracy: Double = 0.92, baselineBest: Double = 0.96,
                     target: Double = 0.912, timeToTarget: Double? = 5.03272218, samplesToTarget: Int? = 14_084,
                     bytesUp: Int = 7_803_000, bytesDown: Int = 7_803_000,
                     claims: [(value: Double?, verdict: String)] = [(0.9, "holds"), (0.5, "fails"), (nil, "undecided"),
                                                                    (0.95, "holds"), (nil, "fails")]) throws -> RunSummary {
    let counters = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FederatedCounters()))
    func side(final: Double, best: Double, time: Double?, samples: Int?, up: Int, down: Int) -> [String: Any] {
        var d: [String: Any] = ["finalAccuracy": final, "bestAccuracy": best, "finalLoss": 0.25, "samples": 86_312,
                                "flops": 2.57e8, "virtualTimeSeconds": 30.8, "bytesUp": up, "bytesDown": down]
        if let time { d["timeToTargetSeconds"] = time; d["roundToTarget"] = 49 }
        if let samples { d["samplesToTarget"] = samples }
        return d
    }
    func claim(_ r: (value: Double?, verdict: String)) -> [String: Any] {
        var d: [String: Any] = ["definition": "a definition", "verdict": r.verdict]
        if let v = r.value { d["value"] = v }
        return d
    }
    let object: [String: Any] = [
        "scenario": "s", "seed": 7, "mode": "fedavg", "devices": 100, "parameters": 650,
        "targetAccuracy": target, "targetRule": "scenario", "targetConsecutive": 3,
        "federated": side(final: finalAccuracy, best: bestAccuracy, time: timeToTarget, samples: samplesToTarget,
                          up: bytesUp, down: bytesDown),
        "baseline": side(final: 0.95, best: baselineBest, time: 2.5e-5, samples: 1_798, up: 0, down: 0),
        "efficiency": ["computeUtilisation": claim(claims[0]), "workBySamples": claim(claims[1]), "workByFLOPs": claim(claims[2]),
                       "lossAtEqualSamples": claim(claims[3]), "timeAtEqualCompute": claim(claims[4])],
        "utilisation": ["perProfile": [String: Any](), "busySeconds": 0, "flops": 0],
        "lossGap": ["atSamples": 0, "comparedAt": "x"],
        "timeReference": ["dataCollectionSeconds": 0, "includesDataCollection": false],
        "counters": counters,
        "staleness": ["count": 0, "mean": 0, "p50": 0, "p90": 0, "max": 0],
        "compression": ["uplink": ["kind": "dense"], "downlink": ["kind": "dense"], "errorFeedback": false, "downlinkDelta": false, "uplinkFactor": 1, "downlinkFactor": 1],
        "manifest": ["fedsimVersion": "test", "scenarioSHA256": "", "seeds": [1], "effectiveScenario": [String: Any]()],
        "rounds": 300, "modelVersions": 300, "stopReason": "round limit reached",
    ]
    return try JSONDecoder().decode(RunSummary.self, from: JSONSerialization.data(withJSONObject: object))
}

// MARK: - CurveFile

@Suite("Curve file")
struct CurveFileTests {
    @Test("curve.csv round-trips through ReportWriter.curveCSV and CurveFile.parse")
    func roundTrip() throws {
        let curve = sampleCurve()
        let parsed = try CurveFile.parse(ReportWriter.curveCSV(curve))
        #expect(parsed.count == curve.count)
        for (a, b) in zip(parsed, curve) {
            #expect(a.run == b.run && a.round == b.round && a.samples == b.samples)
            #expect(a.bytesUp == b.bytesUp && a.bytesDown == b.bytesDown)
            #expect(abs(a.time - b.time) <= 5e-10)
            #expect(abs(a.accuracy - b.accuracy) <= 5e-7 && abs(a.loss - b.loss) <= 5e-7)
        }
        // Writing the parsed curve again gives the same bytes.
        #expect(ReportWriter.curveCSV(parsed) == ReportWriter.curveCSV(curve))
    }

    @Test("columns are found by name; extra columns, CRLF and blank lines are accepted; nan and inf parse")
    func flexible() throws {
        let text = "accuracy,loss,run,round,time_s,samples,bytes_up,bytes_down,epsilon\r\n"
            + "0.5,nan,federated,3,1.25,100,7,8,0.1\r\n\r\n"
            + "0.25,inf,baseline,0.5,0.001,50,0,0,\r\n"
        let rows = try CurveFile.parse(text)
        #expect(rows.count == 2)
        #expect(rows[0].run == .federated && rows[0].round == 3 && rows[0].time == 1.25 && rows[0].samples == 100)
        #expect(rows[0].bytesUp == 7 && rows[0].bytesDown == 8 && rows[0].accuracy == 0.5 && rows[0].loss.isNaN)
        #expect(rows[1].run == .baseline && rows[1].loss == .infinity)
    }

    @Test("errors name the line and the problem")
    func errors() throws {
        let h = "run,time_s,round,samples,bytes_up,bytes_down,accuracy,loss"  // without the optional epsilon column
        let missing = try #require(parseError("run,time_s,round,samples,bytes_up,accuracy,loss\n"))
        #expect(missing.line == 1 && missing.description.contains("\"bytes_down\""))
        #expect(parseError("")?.line == 1)
        let kind = try #require(parseError(h + "\nfederated,0,0,0,0,0,0.1,2.3\ncentral,0,0,0,0,0,0.1,2.3\n"))
        #expect(kind.line == 3 && kind.description == "line 3: column \"run\": expected \"federated\" or \"baseline\", found \"central\"")
        let count = try #require(parseError(h + "\nfederated,0,0,1.5,0,0,0.1,2.3\n"))
        #expect(count.line == 2 && count.description.contains("\"samples\""))
        let width = try #require(parseError(h + "\nfederated,0,0,1,0,0,0.1\n"))
        #expect(width.description == "line 2: expected 8 fields, found 7")
        let number = try #require(parseError(h + "\nfederated,soon,0,1,0,0,0.1,2.3\n"))
        #expect(number.description.contains("\"time_s\"") && number.description.contains("\"soon\""))
        #expect(parseError("run,run,time_s\n")?.description.contains("duplicate") == true)
    }

    @Test("reading a file puts its path in the error")
    func fileErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-curvefile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("curve.csv")
        try Data((ReportWriter.curveHeader + "\nfederated,0,0,x,0,0,0.1,2.3\n").utf8).write(to: url)
        do {
            _ = try CurveFile.read(url)
            Issue.record("expected an error")
        } catch let e as ReportFileError {
            #expect(e.description.hasPrefix(url.path + ":2: "))
        }
        try Data(ReportWriter.curveCSV(sampleCurve()).utf8).write(to: url)
        #expect(try CurveFile.read(url).count == sampleCurve().count)
    }
}

// MARK: - GoldenCheck

@Suite("Golden check")
struct GoldenCheckTests {
    @Test("identical curves pass, also after a CSV round trip")
    func identical() throws {
        let curve = sampleCurve()
        let report = GoldenCheck.compare(run: curve, golden: curve)
        #expect(report.passed)
        #expect(report.deviations.allSatisfy { $0.passed })
        // 20 checkpoints x 6 metrics + 2 final metrics per run kind.
        #expect(report.deviations.count == 20 * 6 + 4)
        #expect(report.table.hasSuffix("PASS: 124 comparisons within tolerance\n"))
        #expect(!report.table.contains("expected"))  // no failing-row table
        let golden = try CurveFile.parse(ReportWriter.curveCSV(curve))
        #expect(GoldenCheck.compare(run: curve, golden: golden).passed)
    }

    @Test("accuracy moved by 0.03 at one checkpoint fails and the table names that round")
    func accuracyMoved() throws {
        let golden = sampleCurve()
        var run = golden
        let i = try #require(run.firstIndex { $0.run == .federated && $0.round == 8 })
        run[i].accuracy += 0.03
        let report = GoldenCheck.compare(run: run, golden: golden)
        #expect(!report.passed)
        let failed = report.deviations.filter { !$0.passed }
        #expect(failed.count == 1)
        #expect(failed.first?.metric == "accuracy" && failed.first?.round == 8 && failed.first?.run == .federated)
        let rows = report.table.split(separator: "\n").map(String.init)
        let row = try #require(rows.first { $0.hasPrefix("federated") && $0.contains("accuracy") })
        #expect(row.split(separator: " ").map(String.init) == ["federated", "8", "accuracy", "0.42", "0.45", "0.03", "0.02"])
        #expect(rows.contains { $0.hasPrefix("accuracy") && $0.contains("federated round 8") })
        #expect(rows.last?.hasPrefix("FAIL: 1 of 124") == true)

        // The same shift within the band passes.
        run[i].accuracy = golden[i].accuracy + 0.015
        #expect(GoldenCheck.compare(run: run, golden: golden).passed)
    }

    @Test("bytes or samples off by one fail")
    func bytesExact() throws {
        let golden = sampleCurve()
        var run = golden
        let i = try #require(run.firstIndex { $0.run == .federated && $0.round == 4 })
        run[i].bytesUp += 1
        let report = GoldenCheck.compare(run: run, golden: golden)
        #expect(!report.passed)
        #expect(report.deviations.filter { !$0.passed }.map(\.metric) == ["bytes_up"])
        run = golden
        let j = try #require(run.firstIndex { $0.run == .baseline && $0.round == 1.5 })
        run[j].samples -= 1
        let samples = GoldenCheck.compare(run: run, golden: golden)
        #expect(samples.deviations.filter { !$0.passed }.map(\.metric) == ["samples"])
        #expect(samples.table.contains("baseline  1.5"))
    }

    @Test("a checkpoint missing from either side fails as missing")
    func missingRows() throws {
        let golden = sampleCurve()
        var run = golden
        run.removeAll { $0.run == .baseline && $0.round == 2 }
        let report = GoldenCheck.compare(run: run, golden: golden)
        #expect(!report.passed)
        let failed = report.deviations.filter { !$0.passed }
        #expect(failed.count == 1 && failed[0].metric == "missing" && failed[0].run == .baseline && failed[0].round == 2)
        #expect(report.table.contains("present") && report.table.contains("absent"))

        // An extra run row (not in the golden curve) fails too.
        var extra = golden
        extra.insert(point(.federated, 21, time: 31, samples: 130_000, accuracy: 0.9, loss: 0.5), at: 11)
        let e = GoldenCheck.compare(run: extra, golden: golden)
        #expect(!e.passed)
        #expect(e.deviations.contains { $0.metric == "missing" && $0.round == 21 && $0.found == 1 && $0.expected == 0 })

        // A run without any baseline rows fails on every baseline checkpoint.
        let noBaseline = GoldenCheck.compare(run: golden.filter { $0.run == .federated }, golden: golden)
        #expect(noBaseline.deviations.filter { !$0.passed }.count == 9)
    }

    @Test("loss within its relative band passes; outside fails; final metrics are tighter")
    func lossBand() throws {
        let golden = sampleCurve()
        var run = golden
        let i = try #require(run.firstIndex { $0.run == .federated && $0.round == 2 })  // loss 2.122585
        run[i].loss *= 1.04
        #expect(GoldenCheck.compare(run: run, golden: golden).passed)
        run[i].loss = golden[i].loss * 1.06
        #expect(GoldenCheck.compare(run: run, golden: golden).deviations.filter { !$0.passed }.map(\.metric) == ["loss"])

        // The last federated row: a 0.015 accuracy shift is inside the band but outside the final limit.
        run = golden
        let last = try #require(run.lastIndex { $0.run == .federated })
        run[last].accuracy += 0.015
        let report = GoldenCheck.compare(run: run, golden: golden)
        #expect(report.deviations.filter { !$0.passed }.map(\.metric) == ["final accuracy"])
    }

    @Test("a non-finite value fails even against itself; empty curves fail; tolerances decode with defaults")
    func nanAndTolerances() throws {
        // Oracle: a check passes only on evidence, so NaN = NaN, inf = inf and "0 comparisons" fail.
        for bad in [Double.nan, .infinity] {
            var golden = sampleCurve()
            golden[3].loss = bad
            let report = GoldenCheck.compare(run: golden, golden: golden)
            #expect(!report.passed)
            #expect(report.deviations.filter { !$0.passed }.map(\.metric) == ["loss"])
        }
        let empty = GoldenCheck.compare(run: [], golden: [])
        #expect(!empty.passed && empty.table.hasSuffix("FAIL: nothing to compare (both curves are empty)\n"))
        let t = try JSONDecoder().decode(GoldenTolerances.self, from: Data(#"{"accuracyBand": 0.05}"#.utf8))
        #expect(t == GoldenTolerances(accuracyBand: 0.05))
        #expect(GoldenTolerances().bytes == 0 && GoldenTolerances().samples == 0 && GoldenTolerances().time == 1e-9)
    }
}

// MARK: - Plots

@Suite("Plots")
struct PlotsTests {
    @Test("three charts, each well-formed SVG with the expected series")
    func charts() throws {
        let charts = Plots.charts(for: sampleCurve(), title: "quickstart")
        #expect(charts.map(\.fileName) == ["accuracy-vs-time.svg", "accuracy-vs-samples.svg", "accuracy-vs-bytes.svg"])
        let outlines = charts.map { XMLOutline.of($0.svg) }
        for o in outlines.prefix(2) {
            #expect(o.texts.contains("federated") && o.texts.contains("baseline"))
            #expect(o.texts.contains("test accuracy"))
        }
        #expect(outlines[2].texts.contains("federated") && !outlines[2].texts.contains("baseline"))
        // The baseline finishes in 0.0028 s against 30 s federated: log time axis.
        #expect(outlines[0].texts.contains("virtual time (s) (log scale)"))
        #expect(outlines[1].texts.contains("training samples processed"))
        #expect(outlines[2].texts.contains("bytes sent, up + down (log scale)"))
        #expect(outlines[0].texts.contains("quickstart: accuracy vs virtual time"))
        // The baseline line is dashed, the federated one solid.
        #expect(charts[0].svg.contains("stroke-dasharray"))
        #expect(!charts[2].svg.contains("stroke-dasharray"))
    }

    @Test("comparable times keep a linear time axis")
    func linearTime() throws {
        let curve = sampleCurve().map { p -> CurvePoint in
            var q = p
            if q.run == .baseline { q.time *= 10_000 }
            return q
        }
        let svg = Plots.charts(for: curve, title: "").first!.svg
        let texts = XMLOutline.of(svg).texts
        #expect(texts.contains("virtual time (s)") && !texts.contains { $0.contains("log scale") })
    }

    @Test("write puts the three files in the folder")
    func write() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let urls = try Plots.write(curve: sampleCurve(), title: "t", to: dir.appendingPathComponent("plots"))
        #expect(urls.map(\.lastPathComponent) == ["accuracy-vs-time.svg", "accuracy-vs-samples.svg", "accuracy-vs-bytes.svg"])
        for (url, chart) in zip(urls, Plots.charts(for: sampleCurve(), title: "t")) {
            #expect(try String(contentsOf: url, encoding: .utf8) == chart.svg)
        }
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("plots").path)
        #expect(listing.count == 3)  // no temporary files left behind
    }
}

// MARK: - Comparison

@Suite("Comparison")
struct ComparisonTests {
    @Test("CSV: header, one row per run, quoting, empty fields for unreached targets")
    func csv() throws {
        let a = try summary()
        let b = try summary(finalAccuracy: 0.5, bestAccuracy: 0.6, timeToTarget: nil, samplesToTarget: nil,
                            claims: [(nil, "undecided"), (nil, "fails"), (nil, "fails"), (0.52, "fails"), (nil, "undecided")])
        let text = Comparison.csv([(name: "quickstart", summary: a), (name: "non-iid, \"hard\"", summary: b)])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0] == "run,federated_final_accuracy,federated_best_accuracy,baseline_best_accuracy,target_accuracy,"
            + "federated_time_to_target_s,federated_samples_to_target,bytes_up,bytes_down,compute_utilisation,"
            + "compute_utilisation_verdict,work_efficiency_samples,work_efficiency_samples_verdict,work_efficiency_flops,"
            + "work_efficiency_flops_verdict,loss_ratio_equal_samples,loss_ratio_equal_samples_verdict,"
            + "time_efficiency_equal_compute,time_efficiency_equal_compute_verdict")
        #expect(lines[1] == "quickstart,0.910000,0.920000,0.960000,0.912000,5.03272218,14084,7803000,7803000,"
            + "0.9,holds,0.5,fails,,undecided,0.95,holds,,fails")
        #expect(lines[2] == "\"non-iid, \"\"hard\"\"\",0.500000,0.600000,0.960000,0.912000,,,7803000,7803000,"
            + ",undecided,,fails,,fails,0.52,fails,,undecided")
    }

    @Test("table: aligned columns with verdict words and dashes for missing values")
    func table() throws {
        let a = try summary()
        let b = try summary(timeToTarget: nil, samplesToTarget: nil, bytesUp: 12, bytesDown: 34)
        let text = Comparison.table([(name: "quickstart", summary: a), (name: "b", summary: b)])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("run         final acc"))
        let cells = lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(cells == ["quickstart", "0.9100", "0.9200", "0.9600", "0.9120", "5.033", "14084", "7.8", "MB", "7.8", "MB",
                          "0.9", "holds", "0.5", "fails", "-", "undecided", "0.95", "holds", "-", "fails"])
        #expect(lines[2].split(separator: " ").map(String.init).prefix(9)
                    == ["b", "0.9100", "0.9200", "0.9600", "0.9120", "-", "-", "12", "B"])
        // Columns line up: every row has the verdict of the last column at the same offset.
        let offsets = lines.dropFirst().map { $0.range(of: "fails", options: .backwards)!.lowerBound.utf16Offset(in: $0) }
        #expect(Set(offsets).count == 1)
        #expect(Comparison.table([]).split(separator: "\n").count == 1)
    }
}

// MARK: - SeedStatistics

@Suite("Seed statistics")
struct SeedStatisticsTests {
    @Test("t quantiles match tables to 1e-3", arguments: [
        (1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (9, 2.2622), (29, 2.0452), (1000, 1.9623),
    ])
    func tQuantile(df: Int, expected: Double) {
        let t = SeedStatistics.tQuantile(0.975, degreesOfFreedom: df)
        #expect(abs(t - expected) < 1e-3, "df \(df): \(t)")
        #expect(abs(SeedStatistics.tQuantile(0.025, degreesOfFreedom: df) + t) < 1e-9)
    }

    @Test("t quantiles: closed forms for 1 and 2 degrees of freedom, and edge cases")
    func tQuantileForms() {
        for p in [0.6, 0.9, 0.95, 0.99, 0.999] {
            let cauchy = tan(Double.pi * (p - 0.5))
            #expect(abs(SeedStatistics.tQuantile(p, degreesOfFreedom: 1) - cauchy) < 1e-9 * max(1, cauchy))
            let two = (2 * p - 1) / (2 * p * (1 - p)).squareRoot()
            #expect(abs(SeedStatistics.tQuantile(p, degreesOfFreedom: 2) - two) < 1e-9 * max(1, two))
        }
        #expect(abs(SeedStatistics.tQuantile(0.995, degreesOfFreedom: 10) - 3.1693) < 1e-3)
        #expect(SeedStatistics.tQuantile(0.5, degreesOfFreedom: 5) == 0)
        #expect(SeedStatistics.tQuantile(1, degreesOfFreedom: 5) == .infinity)
        #expect(SeedStatistics.tQuantile(0, degreesOfFreedom: 5) == -.infinity)
        #expect(SeedStatistics.tQuantile(0.9, degreesOfFreedom: 0).isNaN)
    }

    @Test("intervals and verdicts")
    func intervals() {
        // 0.8, 0.9, 1.0: mean 0.9, sample sd 0.1, half width t(0.975, 2) * 0.1 / sqrt(3) with t = 4.302653.
        let i = SeedStatistics.interval([0.8, 0.9, 1.0])
        #expect(i.n == 3 && i.confidence == 0.95)
        #expect(abs(i.mean - 0.9) < 1e-12)
        #expect(abs((i.high - i.mean) - 4.302653 * 0.1 / 3.0.squareRoot()) < 1e-5)
        #expect(abs((i.mean - i.low) - (i.high - i.mean)) < 1e-12)
        #expect(SeedStatistics.verdict(i) == .undecided)

        let tight = SeedStatistics.interval([0.90, 0.91, 0.92, 0.93, 0.94])
        #expect(SeedStatistics.verdict(tight) == .holds)
        #expect(SeedStatistics.verdict(tight, threshold: 0.95) == .fails)
        #expect(SeedStatistics.verdict(SeedStatistics.interval([0.5, 0.52, 0.51])) == .fails)

        let one = SeedStatistics.interval([0.97])
        #expect(one == Interval(mean: 0.97, low: 0.97, high: 0.97, n: 1, confidence: 0.95))
        #expect(SeedStatistics.verdict(one) == .undecided)
        let same = SeedStatistics.interval([0.9, 0.9])
        #expect(same.low == 0.9 && same.high == 0.9 && SeedStatistics.verdict(same) == .holds)
        #expect(SeedStatistics.interval([]).mean.isNaN && SeedStatistics.verdict(SeedStatistics.interval([])) == .undecided)

        // A 99% interval is wider than the 95% one.
        let wide = SeedStatistics.interval([0.8, 0.9, 1.0], confidence: 0.99)
        #expect(wide.low < i.low && wide.high > i.high)
    }
}
