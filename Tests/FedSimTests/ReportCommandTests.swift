import Foundation
import Testing
@testable import FedSim

/// The report commands of the command-line tool: check, plot, compare and run --seeds.
@Suite("Report commands", .serialized)
struct ReportCommandTests {
    static let chartNames = ["accuracy-vs-time.svg", "accuracy-vs-samples.svg", "accuracy-vs-bytes.svg"]

    /// Writes the small scenario (with `changes` applied) into `dir` and returns its path.
    func writeScenario(in dir: URL, name: String = "small.json", _ changes: [(String, Any?)] = []) throws -> String {
        var object = smallScenarioJSON()
        for (path, value) in changes { object = setting(object, path, value) }
        let file = dir.appendingPathComponent(name)
        try jsonData(object).write(to: file)
        return file.path
    }

    /// Runs the small scenario into `dir/name` and returns that folder.
    func smallRun(in dir: URL, name: String = "run", seed: Int = 3) throws -> URL {
        let scenario = try writeScenario(in: dir)
        let out = dir.appendingPathComponent(name)
        let r = try runFedsim(["run", scenario, "--out", out.path, "--seed", String(seed), "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test("run writes the three charts beside curve.csv and names them")
    func runWritesCharts() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try writeScenario(in: dir)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", scenario, "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        for name in Self.chartNames {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
            #expect(r.stdout.contains(name))
        }
        // Not a terminal: no progress line on stderr.
        #expect(r.stderr.isEmpty)
    }

    @Test("check passes against the run's own curve and fails, naming the round, after one accuracy changes")
    func check() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try smallRun(in: dir)
        let curve = run.appendingPathComponent("curve.csv")

        let same = try runFedsim(["check", run.path, "--golden", curve.path])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("PASS"))

        // A golden copy with the accuracy of federated round 3 moved by 0.1.
        var lines = try String(contentsOf: curve, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func fieldsOf(_ line: String) -> [String] { line.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = fieldsOf(lines[0])
        let (runColumn, roundColumn, accuracyColumn) = try (#require(header.firstIndex(of: "run")),
                                                           #require(header.firstIndex(of: "round")),
                                                           #require(header.firstIndex(of: "accuracy")))
        let row = try #require(lines.firstIndex {
            let f = fieldsOf($0)
            return f.count == header.count && f[runColumn] == "federated" && f[roundColumn] == "3"
        })
        var fields = fieldsOf(lines[row])
        let accuracy = try #require(Double(fields[accuracyColumn]))
        fields[accuracyColumn] = Format.fixed(accuracy > 0.5 ? accuracy - 0.1 : accuracy + 0.1, 6)
        lines[row] = fields.joined(separator: ",")
        let golden = dir.appendingPathComponent("golden.csv")
        try lines.joined(separator: "\n").write(to: golden, atomically: true, encoding: .utf8)

        let changed = try runFedsim(["check", run.path, "--golden", golden.path])
        #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains(/federated\s+3\s+accuracy/))
        #expect(changed.stdout.contains("federated round 3"))
        #expect(changed.stdout.contains("FAIL: 1 of"))

        // A wide enough tolerance file lets it pass; an unknown key is an input error.
        let loose = dir.appendingPathComponent("loose.json")
        try Data(#"{"accuracyBand": 0.2}"#.utf8).write(to: loose)
        let tolerated = try runFedsim(["check", run.path, "--golden", golden.path, "--tolerances", loose.path])
        #expect(tolerated.status == 0, "\(tolerated.stdout)\(tolerated.stderr)")
        try Data(#"{"acuracyBand": 0.2}"#.utf8).write(to: loose)
        let typo = try runFedsim(["check", run.path, "--golden", golden.path, "--tolerances", loose.path])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown key \"acuracyBand\""))
    }

    @Test("check exits 2 with one line when an input cannot be read")
    func checkUnreadable() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try smallRun(in: dir)
        let missing = try runFedsim(["check", dir.appendingPathComponent("nowhere").path, "--golden", run.appendingPathComponent("curve.csv").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere/curve.csv: no such file"))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let bad = dir.appendingPathComponent("bad.csv")
        try Data("run,time_s\nfederated,0\n".utf8).write(to: bad)
        let malformed = try runFedsim(["check", run.path, "--golden", bad.path])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("bad.csv:1: header lacks columns"))
        #expect(malformed.stderr.split(separator: "\n").count == 1)
    }

    @Test("plot writes the three SVG charts into the run folder and lists them")
    func plot() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try smallRun(in: dir)
        for name in Self.chartNames { try FileManager.default.removeItem(at: run.appendingPathComponent(name)) }
        let r = try runFedsim(["plot", run.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 3)
        for name in Self.chartNames {
            let svg = try String(contentsOf: run.appendingPathComponent(name), encoding: .utf8)
            #expect(svg.contains("<svg"), "\(name)")
            #expect(svg.contains("small: accuracy vs"), "\(name) is titled with the scenario name")
            #expect(r.stdout.contains(name))
        }
        let missing = try runFedsim(["plot", dir.appendingPathComponent("nowhere").path])
        #expect(missing.status == 2)
    }

    @Test("compare prints one row per run and writes the CSV")
    func compare() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try smallRun(in: dir, name: "run-a", seed: 3)
        let b = try smallRun(in: dir, name: "run-b", seed: 4)
        let csv = dir.appendingPathComponent("tables/compare.csv")
        let r = try runFedsim(["compare", a.path, b.path + "/", "--csv", csv.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("run") == true)
        #expect(lines.filter { $0.hasPrefix(a.path + " ") }.count == 1)
        #expect(lines.filter { $0.hasPrefix(b.path + " ") }.count == 1)

        let text = try String(contentsOf: csv, encoding: .utf8)
        let rows = text.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("run,federated_final_accuracy,"))
        #expect(rows[1].hasPrefix(a.path + ","))
        #expect(rows[2].hasPrefix(b.path + ","))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: a.appendingPathComponent("summary.json")))
        #expect(rows[1].contains(Format.fixed(summary.federated.finalAccuracy, 6)))

        let missing = try runFedsim(["compare", a.path, dir.appendingPathComponent("nowhere").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere/summary.json: no such file"))
    }

    @Test("run --seeds 3 writes seed-0...seed-2 and seeds.json with an interval and verdict per ratio")
    func seeds() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try writeScenario(in: dir)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", scenario, "--out", out.path, "--seeds", "3", "--seed", "20"])
        #expect(r.status == 0, "\(r.stderr)")
        for k in 0 ..< 3 {
            let folder = out.appendingPathComponent("seed-\(k)")
            for name in ["curve.csv", "summary.json", "devices.csv"] + Self.chartNames {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "seed-\(k)/\(name)")
            }
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json")))
            #expect(summary.seed == UInt64(20 + k))
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("seed-3").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("curve.csv").path))

        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("seeds.json"))) as? [String: Any])
        #expect(json["seeds"] as? [Int] == [20, 21, 22])
        let claims = try #require(json["claims"] as? [String: Any])
        for name in ["computeUtilisation", "workBySamples", "workByFLOPs", "lossAtEqualSamples", "timeAtEqualCompute"] {
            let ratio = try #require(claims[name] as? [String: Any], "\(name)")
            let values = try #require(ratio["values"] as? [Double])
            #expect(values.count + (ratio["notReached"] as? [Int] ?? []).count == 3)
            guard !values.isEmpty else {  // reached on no seed: no interval, so no verdict but undecided
                #expect(ratio["verdict"] as? String == "undecided")
                continue
            }
            let interval = try #require(ratio["interval"] as? [String: Any])
            let mean = try #require(interval["mean"] as? Double)
            let low = try #require(interval["low"] as? Double)
            let high = try #require(interval["high"] as? Double)
            #expect(interval["n"] as? Int == values.count)
            #expect(abs(mean - values.reduce(0, +) / Double(values.count)) < 1e-12)
            #expect(low <= mean && mean <= high)
            // The Student-t interval by its definition: mean ± t(0.975, n - 1) s / √n, with the
            // tabulated t(0.975, 1) = 12.706205 and t(0.975, 2) = 4.302653; one value: zero width.
            let n = Double(values.count)
            let s = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
            let t = [1: 0.0, 2: 12.706205, 3: 4.302653][values.count]!
            #expect(abs((high - mean) - t * s / n.squareRoot()) <= 1e-6 * max(1, abs(mean)))
            #expect(abs((mean - low) - t * s / n.squareRoot()) <= 1e-6 * max(1, abs(mean)))
            // Holds when the whole interval is at or above 0.85, fails when wholly below, else undecided.
            let verdict = values.count < 2 ? "undecided" : low >= 0.85 ? "holds" : high < 0.85 ? "fails" : "undecided"
            #expect(ratio["verdict"] as? String == verdict)
        }
        #expect(r.stdout.contains("95% interval"))
        #expect(r.stdout.contains("work efficiency by samples"))
    }

    @Test("run --seeds reports runs that never reached the target as not reached k of n, never as 0")
    func seedsNotReached() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try writeScenario(in: dir, [("evaluation", ["targetAccuracy": 1.0])])
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", scenario, "--out", out.path, "--seeds", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("work efficiency by samples: not reached 2 of 2 (seeds 3, 4)"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("seeds.json"))) as? [String: Any])
        let bySamples = try #require((json["claims"] as? [String: Any])?["workBySamples"] as? [String: Any])
        #expect(bySamples["values"] as? [Double] == [])
        #expect(bySamples["notReached"] as? [Int] == [3, 4])
        // No seed has a value, so there is no interval and the verdict can only be undecided.
        #expect(bySamples["verdict"] as? String == "undecided")
    }

    @Test("run --seeds with a bad scenario exits 2 and writes nothing; --seeds 0 is refused")
    func seedsBadScenario() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try writeScenario(in: dir, name: "bad.json", [("training.learningRate", -1)])
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", bad, "--out", out.path, "--seeds", "3"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("$.training.learningRate"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let good = try writeScenario(in: dir)
        let zero = try runFedsim(["run", good, "--out", out.path, "--seeds", "0"])
        #expect(zero.status != 0)
        #expect(zero.stderr.contains("--seeds must be at least 1"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
