import Foundation
import Testing
@testable import FedSim

/// A user's CSV: 20 features x0...x19 and a client column; row i belongs to client i mod 4 and has
/// x0 = +1 or -1 (label 1 or 0), every other feature a small pattern independent of the label.
private func userCSV(rows: Int = 200) -> String {
    var lines = ["client," + (0 ..< 20).map { "x\($0)" }.joined(separator: ",") + ",label"]
    for i in 0 ..< rows {
        let label = (i / 4) % 2
        let features = (0 ..< 20).map { j in j == 0 ? (label == 1 ? "1" : "-1") : String(Double((i * 7 + j * 3) % 11) / 11) }
        lines.append("c\(i % 4)," + features.joined(separator: ",") + ",\(label)")
    }
    return lines.joined(separator: "\n") + "\n"
}

private func csvScenario(path: String, devices: Int = 4) -> [String: Any] {
    [
        "name": "user-csv", "seed": 4,
        "data": ["source": "csv", "path": path, "client": "client"],
        "model": ["kind": "mlp", "hidden": [8]],
        "fleet": ["groups": [["profile": "phone", "count": devices]]],
        "training": ["devicesPerRound": 2, "learningRate": 0.1, "rounds": 5, "localEpochs": 1, "batchSize": 10],
        "baseline": ["epochs": 5],
    ]
}

@Suite("Models and data wired into runs")
struct ModelWiringTests {
    @Test("a user's CSV with 20 features and a client column trains an MLP, one client per device")
    func userCSVRuns() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("user.csv")
        try userCSV().write(to: file, atomically: true, encoding: .utf8)
        let prepared = try PreparedRun(try scenario(csvScenario(path: file.path)))
        // 20 x 8 + 8 + 8 x 2 + 2 = 186 parameters; 4 clients of 50 rows, 20% of each held out: 40 train rows each.
        #expect(prepared.model.parameterCount == 186)
        #expect(prepared.model.layout.segments.map(\.name) == ["dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias"])
        #expect(prepared.data.shards.map(\.count) == [40, 40, 40, 40])
        // x0 alone decides the label, so the centralized MLP separates the classes.
        let report = prepared.run()
        #expect(report.summary.baseline.bestAccuracy > 0.95)
        #expect(report.summary.baseline.finalPerplexity == nil)
    }

    @Test("a malformed CSV exits 2 naming the JSON path, the file, line and column, and writes nothing")
    func malformedCSV() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines = userCSV(rows: 8).split(separator: "\n").map(String.init)
        var fields = lines[3].split(separator: ",").map(String.init)
        fields[2] = "abc"  // line 4, field 3 (x1)
        lines[3] = fields.joined(separator: ",")
        let data = dir.appendingPathComponent("bad.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("bad.json")
        try jsonData(csvScenario(path: data.path)).write(to: file)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", file.path, "--out", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("$.data.path: expected a finite number in column \"x1\""), "\(r.stderr)")
        #expect(r.stderr.contains("\"abc\" at \(data.path):4:3"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a language model on a table, or a classifier on text, is an error at $.model.kind")
    func incompatible() {
        var json = smallScenarioJSON()
        json["model"] = ["kind": "charlm"]
        #expect(scenarioError(json)?.path == "$.model.kind")
        json["data"] = ["source": "shakespeare"]
        json["model"] = ["kind": "mlp"]
        #expect(scenarioError(json)?.path == "$.model.kind")
        json["model"] = ["kind": "softmax", "heads": 2]  // a transformer key on softmax is unknown
        json["data"] = smallScenarioJSON()["data"]
        #expect(scenarioError(json)?.path == "$.model.heads")
        json["model"] = ["kind": "charlm", "dModel": 30, "heads": 4]
        json["data"] = ["source": "shakespeare"]
        #expect(scenarioError(json)?.path == "$.model.heads")
    }

    @Test("model, optimizer, data-file and target keys reload from the effective scenario")
    func effectiveReload() throws {
        let url = packageRoot.appendingPathComponent("Scenarios/shakespeare-quick.json")
        let s = try ScenarioLoader.load(contentsOf: url)
        #expect(s.model.kind == .charlm && s.model.sizes.dModel == 32 && s.training.optimizer.kind == .adamw)
        var reloaded = try ScenarioLoader.parse(ReportWriter.json(s.effectiveJSON))
        reloaded.sourceSHA256 = s.sourceSHA256
        reloaded.data.folder = s.data.folder  // loaded from the same folder
        #expect(reloaded == s)
        var csv = try scenario(csvScenario(path: "/tmp/x.csv"))
        csv.evaluation.target = MetricTarget(metric: .loss, value: 0.5)
        #expect(try ScenarioLoader.parse(ReportWriter.json(csv.effectiveJSON)) == csv)
    }

    @Test("a transformer run on a small text reports next-character accuracy, perplexity and bits per character")
    func languageModelRun() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("t.tsv")
        let verse = "to be or not to be that is the question "
        try (0 ..< 4).map { "c\($0)\t" + String(repeating: verse, count: 3) }.joined(separator: "\n")
            .write(to: text, atomically: true, encoding: .utf8)
        let json: [String: Any] = [
            "name": "tiny-lm", "seed": 1,
            "data": ["source": "text", "path": text.path],
            "model": ["kind": "charlm", "context": 8, "dModel": 8, "heads": 2, "layers": 1],
            "fleet": ["groups": [["profile": "phone", "count": 2], ["profile": "server", "count": 1]]],
            "training": ["devicesPerRound": 3, "learningRate": 0.01, "rounds": 2, "localSteps": 2, "batchSize": 4,
                         "optimizer": ["kind": "adamw"]],
            "evaluation": ["target": ["metric": "perplexity", "value": 2]],
            "baseline": ["epochs": 1, "maxSteps": 3],
        ]
        let report = try PreparedRun(try scenario(json)).run()
        let csv = ReportWriter.curveCSV(report.curve)
        #expect(csv.hasPrefix(ReportWriter.curveHeader + ",perplexity,bits_per_char\n"))
        let f = report.summary.federated
        // The definitions: perplexity e^loss, bits per character loss / ln 2.
        #expect(abs(try #require(f.finalPerplexity) - exp(f.finalLoss)) < 1e-9 * exp(f.finalLoss))
        #expect(abs(try #require(report.summary.baseline.finalBitsPerCharacter) - report.summary.baseline.finalLoss / log(2)) < 1e-12)
        #expect(report.summary.targetAccuracy == nil && report.summary.targetOn == "perplexity 2")
        // Before training the model predicts nearly uniformly over the V = 14 ids (the 13 characters
        // "t o b e r n h a i s q u" and space, plus the unknown symbol; GPT-2 initialisation), so the
        // first loss is close to ln 14.
        #expect(abs(report.federated.curve[0].loss - log(14)) < 0.1, "\(report.federated.curve[0].loss)")
        #expect(report.summary.text.contains("next-char accuracy") && report.summary.text.contains("final perplexity"))
    }
}
