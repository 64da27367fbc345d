import Foundation
import Testing
@testable import FedSim

@Suite("Sweeps", .serialized)
struct SweepTests {
    static func spec(_ object: [String: Any]) throws -> SweepSpec {
        try SweepSpec.parse(JSONValue.parse(jsonData(object)))
    }

    @Test("grid points come first, the first path varying slowest, then the explicit points; tasks are point-major")
    func expansion() throws {
        let s = try Self.spec([
            "scenario": "base.json",
            "grid": [["path": "training.learningRate", "values": [0.1, 0.3]], ["path": "fleet.groups[0].count", "values": [5, 10, 20]]],
            "points": [["training.learningRate": 1, "training.mode": "fedbuff"]],
            "seeds": [4, 2],
        ])
        let lr = "training.learningRate", count = "fleet.groups[0].count"
        let expected: [SweepSpec.Point] = [
            [lr: .number(0.1), count: .number(5)], [lr: .number(0.1), count: .number(10)], [lr: .number(0.1), count: .number(20)],
            [lr: .number(0.3), count: .number(5)], [lr: .number(0.3), count: .number(10)], [lr: .number(0.3), count: .number(20)],
            [lr: .number(1), "training.mode": .string("fedbuff")],
        ]
        #expect(s.points == expected)
        #expect(s.paths == [lr, count, "training.mode"])
        #expect(s.tasks.count == 14)
        #expect(s.tasks.prefix(3).map(\.folder) == ["point-0/seed-4", "point-0/seed-2", "point-1/seed-4"])
        #expect(s.tasks[13].setArguments == ["training.learningRate=1", "training.mode=\"fedbuff\""])
        #expect(s.figure == "final_accuracy")
        #expect(s.seeds == [4, 2])
        // The normalized form reads back to the same sweep.
        #expect(try SweepSpec.parse(s.json) == s)
    }

    @Test("a bad sweep file names the JSON path")
    func errors() throws {
        let base: [String: Any] = ["scenario": "base.json", "grid": [["path": "training.rounds", "values": [1, 2]]]]
        func error(_ object: [String: Any]) -> ScenarioError? {
            do throws(ScenarioError) { _ = try SweepSpec.parse(JSONValue.parse(jsonData(object))); return nil } catch { return error }
        }
        #expect(error(base) == nil)
        #expect(error(setting(base, "grid", [["path": "training.rounds", "values": [Int]()]]))?.path == "$.grid[0].values")
        #expect(error(setting(base, "grid", [["path": "a..b", "values": [1]]]))?.path == "$.grid[0].path")
        #expect(error(setting(base, "grid", [["path": "a", "values": [1]], ["path": "a", "values": [2]]]))?.path == "$.grid[1].path")
        #expect(error(setting(base, "grid", [["path": "a", "values": [1], "value": 2]]))?.path == "$.grid[0].value")
        #expect(error(setting(base, "seeds", [1, 1]))?.path == "$.seeds")
        #expect(error(setting(base, "figure", "final_accuracy_verdict"))?.path == "$.figure")
        #expect(error(setting(base, "grid", nil)) == ScenarioError(path: "$.grid", expected: "a grid or explicit points (at least one)", found: "neither"))
        #expect(error(setting(base, "scenario", nil))?.path == "$.scenario")
        #expect(error(setting(base, "extra", 1))?.path == "$.extra")
    }

    @Test("the Slurm array lists the tasks left as ranges and runs each as fedsim sweep --task")
    func slurmScript() {
        #expect(SlurmScript.ranges([0, 1, 2, 3, 7, 9, 10]) == "0-3,7,9-10")
        #expect(SlurmScript.ranges([5]) == "5")
        #expect(SlurmScript.ranges([4, 2, 3]) == "2-4")
        #expect(SlurmScript.quoted("it's") == #"'it'\''s'"#)
        let text = SlurmScript(name: "g", folder: "/r/g", executable: "/bin/fedsim", partition: "short", time: "00:10:00").text(tasks: [1, 3, 4])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        #expect(lines.contains("#SBATCH --array=1,3-4"))
        #expect(lines.contains("#SBATCH --partition=short"))
        #expect(lines.contains("#SBATCH --time=00:10:00"))
        #expect(lines.contains("#SBATCH --output=/r/g/slurm/%a.out"))
        #expect(lines.last == #"exec '/bin/fedsim' sweep '/r/g/sweep.json' --out '/r/g' --task "$SLURM_ARRAY_TASK_ID" --quiet"#)
    }

    /// Oracles: each task's own curve.csv and summary.json (written by `fedsim run`, not by the merge).
    @Test("fedsim sweep runs every point and seed, merges tidy tables, reports a failed run without stopping the others, and resumes")
    func endToEnd() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try jsonData(setting(smallScenarioJSON(rounds: 2), "fleet.profiles", ["phone, old": ["base": "phone"]])).write(to: dir.appendingPathComponent("base.json"))
        let sweepFile = dir.appendingPathComponent("sweep.json")
        try jsonData(["scenario": "base.json", "seeds": [1, 2],
                      "grid": [["path": "training.learningRate", "values": [0.1, 0.3]]],
                      "points": [["training.learningRate": 0.2, "fleet.groups[0].profile": "phone, old"]]]).write(to: sweepFile)
        let out = dir.appendingPathComponent("out")
        // Sabotage one run: a folder where its curve.csv goes makes `fedsim run` fail to write.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("point-1/seed-2/curve.csv"), withIntermediateDirectories: true)
        let first = try runFedsim(["sweep", sweepFile.path, "--out", out.path, "--jobs", "2"])
        #expect(first.status == 1)
        #expect(first.stderr.contains("1 of 6 runs did not finish: point-1/seed-2 (failed)"))
        #expect(try String(contentsOf: out.appendingPathComponent("point-1/seed-2/status"), encoding: .utf8) == "failed\n")

        try FileManager.default.removeItem(at: out.appendingPathComponent("point-1/seed-2/curve.csv"))
        let second = try runFedsim(["sweep", sweepFile.path, "--out", out.path, "--jobs", "2"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("5 of 6 runs already finished"))
        #expect(second.stdout.contains("ran 1 runs"))

        // Columns: the grid's path, then the explicit points' other paths.
        let keys: [(point: Int, seed: Int, values: [String])] = [
            (0, 1, ["0.1", ""]), (0, 2, ["0.1", ""]), (1, 1, ["0.3", ""]), (1, 2, ["0.3", ""]),
            (2, 1, ["0.2", "\"phone, old\""]), (2, 2, ["0.2", "\"phone, old\""]),
        ]
        var expectedCurves = "point,training.learningRate,fleet.groups[0].profile,seed," + ReportWriter.curveHeader + "\n"
        var finalAccuracies: [String] = []
        for k in keys {
            let task = out.appendingPathComponent("point-\(k.point)/seed-\(k.seed)")
            let curve = try String(contentsOf: task.appendingPathComponent("curve.csv"), encoding: .utf8)
            for line in curve.split(separator: "\n").dropFirst() {
                expectedCurves += "\(k.point),\(k.values.joined(separator: ",")),\(k.seed),\(line)\n"
            }
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: task.appendingPathComponent("summary.json")))
            #expect(summary.seed == UInt64(k.seed))
            finalAccuracies.append(Format.compact(summary.federated.finalAccuracy, 9))
        }
        let curves = try String(contentsOf: out.appendingPathComponent("sweep-curves.csv"), encoding: .utf8)
        #expect(curves == expectedCurves)
        let runs = try String(contentsOf: out.appendingPathComponent("sweep-runs.csv"), encoding: .utf8).split(separator: "\n")
        #expect(runs.first?.hasPrefix("point,training.learningRate,fleet.groups[0].profile,seed,status,final_accuracy,") == true)
        #expect(runs.count == 7)
        for (k, row) in zip(keys, runs.dropFirst()) {
            #expect(row.hasPrefix("\(k.point),\(k.values.joined(separator: ",")),\(k.seed),ok,\(finalAccuracies.removeFirst()),"))
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("final_accuracy-vs-training_learningRate.svg").path))
        // The profile name with a comma is quoted in devices.csv (RFC 4180).
        let devices = try String(contentsOf: out.appendingPathComponent("point-2/seed-1/devices.csv"), encoding: .utf8)
        #expect(devices.split(separator: "\n")[1].hasPrefix("0,\"phone, old\","))

        // One process at a time gives the same merged bytes.
        let serial = dir.appendingPathComponent("serial")
        let third = try runFedsim(["sweep", sweepFile.path, "--out", serial.path, "--jobs", "1", "--quiet"])
        #expect(third.status == 0, "\(third.stderr)")
        for name in ["sweep-curves.csv", "sweep-runs.csv"] {
            #expect(try Data(contentsOf: serial.appendingPathComponent(name)) == Data(contentsOf: out.appendingPathComponent(name)))
        }
        // --collect merges again from the folders alone, to the same bytes.
        try FileManager.default.removeItem(at: serial.appendingPathComponent("sweep-runs.csv"))
        #expect(try runFedsim(["sweep", "--collect", serial.path, "--quiet"]).status == 0)
        #expect(try Data(contentsOf: serial.appendingPathComponent("sweep-runs.csv")) == Data(contentsOf: out.appendingPathComponent("sweep-runs.csv")))
    }

    @Test("an invalid point stops the sweep before anything is written")
    func invalidPoint() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try jsonData(smallScenarioJSON(rounds: 2)).write(to: dir.appendingPathComponent("base.json"))
        let sweepFile = dir.appendingPathComponent("sweep.json")
        try jsonData(["scenario": "base.json", "grid": [["path": "training.learningRate", "values": [0.1, -1]]]]).write(to: sweepFile)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["sweep", sweepFile.path, "--out", out.path])
        #expect(r.status == 2)
        #expect(r.stderr == "error: \(sweepFile.path): point 1 (training.learningRate=-1): $.training.learningRate: expected a positive number, found -1\n")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
