import Foundation
import Testing
@testable import FedSim

@Suite("First-user rough edges", .serialized)
struct WorkflowTests {
    /// Oracle: RFC 4180 section 2, rules 6 and 7, applied by hand (and edge spaces quoted, as `compare --csv` did).
    @Test("CSV fields with commas, quotes or line breaks are quoted, inner quotes doubled")
    func csvQuoting() {
        #expect(CSV.field("phone") == "phone")
        #expect(CSV.field("phone, old") == "\"phone, old\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.field("") == "")
        #expect(CSV.field(" padded") == "\" padded\"")
        #expect(CSV.row(["a", "b,c", "d"]) == "a,\"b,c\",d\n")
    }

    /// Oracle: the shard sizes counted by hand: 1438 training samples over 640 devices is 2 or 3 each.
    @Test("a fleet whose devices hold fewer samples than a batch gets a warning; a normal fleet none")
    func smallShards() throws {
        let many = setting(smallScenarioJSON(devices: 640), "data.partition", ["kind": "iid"])
        let warnings = RunWarnings.beforeRun(try PreparedRun(scenario(many)))
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("640 of 640 devices hold fewer samples than a batch of 10 (2...3 samples per device)") == true)
        #expect(RunWarnings.beforeRun(try PreparedRun(scenario(smallScenarioJSON()))).isEmpty)
    }

    /// Oracle: FedAsync's polynomial staleness weight (t + 1)^-a of Xie et al. 2019 with a = 4 is
    /// below 0.1 from t = 1 on (2^-4 = 0.0625), so any run whose mean staleness rounds to >= 1 warns.
    @Test("updates weighted almost to nothing by staleness give a warning")
    func staleness() throws {
        var object = smallScenarioJSON(devices: 20, perRound: 10, rounds: 30)
        object = setting(object, "training.mode", "fedasync")
        object = setting(object, "training.concurrency", 10)
        object = setting(object, "training.fedasync", ["alpha": 0.6, "staleness": ["kind": "polynomial", "a": 4]])
        object = setting(object, "training.devicesPerRound", nil)
        let prepared = try PreparedRun(scenario(object))
        let summary = prepared.run().summary
        #expect(summary.staleness.mean >= 0.5, "the scenario should produce stale updates")
        let warnings = RunWarnings.afterRun(summary, scenario: prepared.scenario)
        #expect(warnings.contains { $0.contains("versions stale on average, where the staleness weight is 0.0") })
    }

    /// Oracle: FedBuff with a buffer of 1 and maxStaleness 0 applies one update per version, so of
    /// 10 updates trained at once on the same version at most one is fresh: most are discarded.
    @Test("a run where most tasks are wasted gets a warning")
    func wastedWork() throws {
        var object = smallScenarioJSON(devices: 20, perRound: 10, rounds: 20)
        object = setting(object, "training.mode", "fedbuff")
        object = setting(object, "training.concurrency", 10)
        object = setting(object, "training.fedbuff", ["bufferSize": 1, "maxStaleness": 0])
        object = setting(object, "training.devicesPerRound", nil)
        let prepared = try PreparedRun(scenario(object))
        let summary = prepared.run().summary
        let c = summary.counters
        #expect(c.tasksDiscardedStale * 2 > c.tasksStarted)
        let warnings = RunWarnings.afterRun(summary, scenario: prepared.scenario)
        #expect(warnings.first == "\(c.tasksDiscardedStale + c.tasksDroppedLate + c.tasksDroppedOffline) of \(c.tasksStarted) tasks did work the server never used (\(c.tasksDroppedLate) late, \(c.tasksDroppedOffline) lost offline, \(c.tasksDiscardedStale) too stale)")
    }

    @Test("a scenario without data.path finds the shipped digits from any folder")
    func builtInData() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("no-path.json")
        try jsonData(setting(smallScenarioJSON(), "data.path", nil)).write(to: file)
        let loaded = try ScenarioLoader.load(contentsOf: file)
        let found = try #require(loaded.data.path)
        #expect(found == BuiltInData.digitsDefault)  // as written (the default); resolved when read
        #expect(try Data(contentsOf: URL(fileURLWithPath: loaded.data.resolved(found))) == Data(contentsOf: URL(fileURLWithPath: digitsPath)))
        let r = try runFedsim(["validate", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        // A path the author wrote is not replaced.
        try jsonData(setting(smallScenarioJSON(), "data.path", "elsewhere/digits.csv")).write(to: file)
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(contentsOf: file) }
    }

    /// Every key path of a JSON document's objects, with the values (arrays included) at the leaves.
    static func leaves(_ value: Any, _ path: String = "$", into out: inout [String: Any]) {
        guard let o = value as? [String: Any] else { out[path] = value; return }
        for (k, v) in o { leaves(v, "\(path).\(k)", into: &out) }
    }

    static func summaryLeaves(_ object: [String: Any]) throws -> [String: Any] {
        let summary = try PreparedRun(scenario(object)).run().summary
        let json = try JSONSerialization.jsonObject(with: ReportWriter.json(summary)) as! [String: Any]
        var out: [String: Any] = [:]
        leaves(json.filter { $0.key != "manifest" }, into: &out)
        return out
    }

    /// Oracle: the property the README states: the same keys whether or not a figure exists.
    @Test("summary.json has the same keys for a run that reaches the target and one that does not, with null where a figure does not exist")
    func stableSummaryKeys() throws {
        let reached = try Self.summaryLeaves(setting(smallScenarioJSON(rounds: 30), "evaluation", ["targetAccuracy": 0.5]))
        let missed = try Self.summaryLeaves(setting(smallScenarioJSON(rounds: 1), "evaluation", ["targetAccuracy": 0.99]))
        #expect(reached.keys.sorted() == missed.keys.sorted())
        #expect(reached["$.federated.timeToTargetSeconds"] is Double)
        #expect(missed["$.federated.timeToTargetSeconds"] is NSNull)
        #expect(missed["$.efficiency.workBySamples.value"] is NSNull)
        #expect(missed["$.epsilon"] is NSNull && missed["$.divergence"] is NSNull)
        // One wording of verdicts everywhere.
        for (path, value) in reached.merging(missed, uniquingKeysWith: { a, _ in a }) where path.hasSuffix(".verdict") {
            #expect(["holds", "fails", "undecided"].contains(value as? String), "\(path)")
        }
    }

    /// Oracle: the codec as the scenario writes it.
    @Test("summary.json describes the codecs in the scenario's input form")
    func codecInputForm() throws {
        let object = setting(smallScenarioJSON(rounds: 1), "compression", ["uplink": ["kind": "topk", "fraction": 0.1, "values": "uint8"]])
        let leaves = try Self.summaryLeaves(object)
        #expect(leaves["$.compression.uplink.kind"] as? String == "topk")
        #expect(leaves["$.compression.uplink.fraction"] as? Double == 0.1)
        #expect(leaves["$.compression.uplink.values"] as? String == "uint8")
        #expect(leaves["$.compression.downlink.kind"] as? String == "dense")
    }

    /// Oracles: each seed's own curve.csv and summary.json.
    @Test("--seeds writes a combined curve with a seed column; plot, compare and compare --format json accept its folder")
    func seedsFolder() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try jsonData(smallScenarioJSON(rounds: 2)).write(to: file)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", file.path, "--seeds", "2", "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        var expected = "seed," + ReportWriter.curveHeader + "\n"
        var finals: [Double] = []
        for (k, seed) in [(0, 3), (1, 4)] {
            let curve = try String(contentsOf: out.appendingPathComponent("seed-\(k)/curve.csv"), encoding: .utf8)
            for line in curve.split(separator: "\n").dropFirst() { expected += "\(seed),\(line)\n" }
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: out.appendingPathComponent("seed-\(k)/summary.json")))
            finals.append(summary.federated.finalAccuracy)
        }
        #expect(try String(contentsOf: out.appendingPathComponent("seeds-curve.csv"), encoding: .utf8) == expected)

        let compare = try runFedsim(["compare", out.path])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != " " }) } == ["\(out.path)/seed-0", "\(out.path)/seed-1"])
        let json = try runFedsim(["compare", out.path, "--format", "json"])
        let records = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(records.count == 2)
        for (record, final) in zip(records, finals) {
            #expect(abs((record["federated_final_accuracy"] as? Double ?? -1) - final) < 5e-7)
            #expect(["holds", "fails", "undecided"].contains(record["work_efficiency_samples_verdict"] as? String))
        }
        try FileManager.default.removeItem(at: out.appendingPathComponent("seed-1/accuracy-vs-time.svg"))
        let plot = try runFedsim(["plot", out.path])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("seed-1/accuracy-vs-time.svg").path))
    }

    @Test("validate --format json gives the figures or the error as one JSON object")
    func validateJSON() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try jsonData(smallScenarioJSON()).write(to: file)
        let ok = try runFedsim(["validate", file.path, "--format", "json"])
        #expect(ok.status == 0)
        let good = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        #expect(good["valid"] as? Bool == true)
        #expect(good["devices"] as? Int == 20)  // 10 phones + 10 workstations in smallScenarioJSON
        #expect((good["warnings"] as? [Any])?.isEmpty == true)
        let bad = try runFedsim(["validate", file.path, "--format", "json", "--set", "training.rounds=0"])
        #expect(bad.status == 2)
        let error = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(error["valid"] as? Bool == false)
        #expect((error["error"] as? [String: Any])?["path"] as? String == "$.training.rounds")
    }

    @Test("fedsim --version prints the version the manifest records")
    func version() throws {
        let r = try runFedsim(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == RunSummary.fedsimVersion + "\n")
    }
}
