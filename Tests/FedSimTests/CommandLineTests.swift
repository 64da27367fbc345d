import Foundation
import Testing
@testable import FedSim

/// The built fedsim binary the end-to-end tests run (debug first, as `swift test` builds it).
func fedsimBinary() throws -> URL {
    let candidates = ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)/fedsim") }
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "no built fedsim binary")
}

/// Runs the built `fedsim` executable.
func runFedsim(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try fedsimBinary()
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite("Command line", .serialized)
struct CommandLineTests {
    @Test("a bad scenario exits 2 with one line naming the path, and writes nothing")
    func badScenario() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.json")
        try jsonData(setting(smallScenarioJSON(), "fleet.groups.0.count", -1)).write(to: file)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", file.path, "--out", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("$.fleet.groups[0].count: expected an integer >= 1, found -1"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let v = try runFedsim(["validate", file.path])
        #expect(v.status == 2)
    }

    @Test("a good scenario writes curve.csv and summary.json and prints the verdicts")
    func goodScenario() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("good.json")
        try jsonData(smallScenarioJSON()).write(to: file)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", file.path, "--out", out.path, "--seed", "11"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("efficiency vs centralized"))
        let csv = try String(contentsOf: out.appendingPathComponent("curve.csv"), encoding: .utf8)
        #expect(csv.hasPrefix(ReportWriter.curveHeader + "\n"))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.seed == 11)
        let quiet = try runFedsim(["run", file.path, "--out", out.path, "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty)
        let v = try runFedsim(["validate", file.path])
        #expect(v.status == 0 && v.stdout.contains("valid"))
        // Digits: 64 features x 10 classes + 10 biases = 650 parameters, W first.
        #expect(v.stdout.contains("model: softmax, 650 parameters in 2 segments"))
        #expect(v.stdout.contains("linear.weight [64 x 10] at 0, 640 parameters"))
        #expect(v.stdout.contains("linear.bias [10] at 640, 10 parameters"))
    }

    @Test("privacy prints the accountant's epsilon without a simulation")
    func privacy() throws {
        // Opacus's published test value over Opacus's orders.
        let r = try runFedsim(["privacy", "--q", "0.04", "--sigma", "1.5", "--steps", "2250", "--delta", "1e-5", "--orders", "opacus"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("epsilon 7.32911 "))
        // Its optimal order 3.9 is also on the fine grid (the default), so the value is the same.
        #expect(try runFedsim(["privacy", "--q", "0.04", "--sigma", "1.5", "--steps", "2250", "--delta", "1e-5"]).stdout.hasPrefix("epsilon 7.32911 "))
        #expect(try runFedsim(["privacy", "--q", "0.1", "--sigma", "1", "--steps", "1", "--orders", "tf"]).status != 0)
        #expect(try runFedsim(["privacy", "--q", "2", "--sigma", "1", "--steps", "1"]).status != 0)
    }

    @Test("help explains the options in prose")
    func help() throws {
        let r = try runFedsim(["run", "--help"])
        #expect(r.stdout.contains("--seed"))
        #expect(r.stdout.contains("only the speed, never the results"))
    }
}
