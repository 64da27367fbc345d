import FedSimEngine
import Foundation
import Testing
@testable import FedSim

/// Issue 13: ranges, the clock's end, progress, conservation in every ending, interruption and
/// outputs that depend only on scenario, seed and data.
@Suite("Reliability", .serialized)
struct ReliabilityTests {
    /// Every started task ends exactly once (README: conservation), and the curve's clock runs forward.
    func checkEnding(_ report: RunReport, _ label: String) {
        let c = report.federated.counters
        #expect(c.tasksStarted == c.tasksApplied + c.tasksDiscardedStale + c.tasksDroppedLate + c.tasksDroppedOffline + c.tasksInFlightAtEnd,
                "\(label): \(c)")
        #expect(report.federated.ledger.tasksStarted.reduce(0, +) == c.tasksStarted, "\(label)")
        let times = report.federated.curve.map(\.time)
        #expect(times.allSatisfy { $0 >= 0 && $0 <= SimTime.end.seconds } && times == times.sorted(), "\(label): \(times)")
    }

    @Test("numbers outside their documented range are scenario errors at their path", arguments: [
        ("fleet.groups.0.overrides.flops", 1e-308, "$.fleet.groups[0].overrides.flops"),
        ("fleet.groups.0.overrides.memoryGB", 1e300, "$.fleet.groups[0].overrides.memoryGB"),
        ("fleet.groups.0.overrides.uplinkMbps", 1e-300, "$.fleet.groups[0].overrides.uplinkMbps"),
        ("fleet.groups.0.overrides.latencyMs", 1e300, "$.fleet.groups[0].overrides.latencyMs"),
        ("fleet.groups.0.overrides.speedSigma", 1e10, "$.fleet.groups[0].overrides.speedSigma"),
        ("fleet.groups.0.overrides.jitterSigma", 50.0, "$.fleet.groups[0].overrides.jitterSigma"),
        ("fleet.groups.0.overrides.meanOnlineSeconds", 1e-308, "$.fleet.groups[0].overrides.meanOnlineSeconds"),
        ("fleet.groups.0.overrides.enclaveAttestationSeconds", 1e300, "$.fleet.groups[0].overrides.enclaveAttestationSeconds"),
        ("availability.dayLengthSeconds", 1e-300, "$.availability.dayLengthSeconds"),
        ("training.maxTimeSeconds", 1e300, "$.training.maxTimeSeconds"),
        ("training.deadlineSeconds", 1e300, "$.training.deadlineSeconds"),
        ("availability.failureProbability", 1.0, "$.availability.failureProbability"),
    ])
    func ranges(_ key: String, _ value: Double, _ path: String) throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), key, value)))
        #expect(e.path == path)
        #expect(e.expected.contains("..."), "\(e)")
    }

    @Test("names that would leave Results/ or cannot be a folder name are refused", arguments: ["..", ".", "a/b", ".hidden", String(repeating: "n", count: 300), "a\nb"])
    func names(_ name: String) throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "name", name)))
        #expect(e.path == "$.name")
    }

    @Test("synthetic data with 200,000 devices and a FedBuff buffer larger than the fleet are refused")
    func sizes() throws {
        var json = smallScenarioJSON()
        json["data"] = ["source": "synthetic"]
        json = setting(json, "fleet.groups.0.count", 200_000)
        #expect(scenarioError(json)?.path == "$.fleet.groups")
        var buff = smallScenarioJSON(devices: 10)
        buff["training"] = ["mode": "fedbuff", "concurrency": 2, "fedbuff": ["bufferSize": 11], "learningRate": 0.3, "rounds": 2]
        #expect(scenarioError(buff)?.path == "$.training.fedbuff.bufferSize")
    }

    @Test("a device so slow that the run outlives the clock stops at its end with a valid partial result")
    func clockEnd() throws {
        // 52,400 FLOP tasks at 1e3 FLOP/s slowed 1e6 times take about 5e7 s; 2^62 ns is 4.6e9 s.
        var json = smallScenarioJSON(devices: 4, perRound: 2, rounds: 1000)
        for g in 0 ..< 2 {
            json = setting(json, "fleet.groups.\(g).overrides", ["flops": 1e3, "enclaveSlowdown": 1e6, "speedSigma": 0, "jitterSigma": 0])
        }
        let report = try PreparedRun(try scenario(json)).run()
        #expect(report.federated.stopReason == .clockEnd)
        #expect(report.federated.endTime == SimTime.end.seconds)
        #expect(report.federated.rounds > 0 && report.federated.rounds < 1000)
        checkEnding(report, "clock end")
    }

    @Test("adaptive batches stay in minBatch...maxBatch when speeds differ by 1e15 and memory is huge")
    func adaptiveExtremes() throws {
        var json = smallScenarioJSON(devices: 4, perRound: 2, rounds: 2)
        // One fast device among three slow ones: the median is slow, the fast device's ratio 1e15 x 1e6 exceeds Int.
        json = setting(json, "fleet.groups", [["profile": "phone", "count": 1, "overrides": ["flops": 1e18, "memoryGB": 1e6]],
                                              ["profile": "phone", "count": 3, "overrides": ["flops": 1e3, "memoryGB": 1e6]]])
        json = setting(json, "training.adaptiveBatch", true)
        json = setting(json, "training.batchSize", 1_000_000)
        let report = try PreparedRun(try scenario(json)).run()
        checkEnding(report, "adaptive")
    }

    @Test("a FedBuff fleet whose every task is lost stops with a no-progress message")
    func noProgress() throws {
        // Online periods of about 1 ms against tasks of at least 50 s: no task can finish in practice.
        var json = smallScenarioJSON(devices: 4, perRound: 2, rounds: 5)
        json["training"] = ["mode": "fedbuff", "concurrency": 2, "learningRate": 0.3, "rounds": 5, "localEpochs": 1]
        json["availability"] = ["kind": "churn"]
        for g in 0 ..< 2 {
            json = setting(json, "fleet.groups.\(g).overrides", ["flops": 1e3, "meanOnlineSeconds": 1e-3, "meanOfflineSeconds": 1e-3])
        }
        let report = try PreparedRun(try scenario(json)).run()
        guard case .halted(let why) = report.federated.stopReason else {
            Issue.record("expected a halt, found \(report.federated.stopReason)")
            return
        }
        #expect(why.hasPrefix("no progress: \(ProgressWatch.limit) tasks in a row were lost"))
        #expect(report.federated.counters.tasksDroppedOffline >= ProgressWatch.limit)
        checkEnding(report, "no progress")
    }

    @Test("after a divergence inside a launch every started task is still accounted for")
    func divergence() throws {
        let json = setting(smallScenarioJSON(), "training.learningRate", 1e38)
        let report = try PreparedRun(try scenario(json)).run()
        #expect(report.summary.divergence != nil)
        checkEnding(report, "divergence")
    }

    @Test("an interrupted run ends before its next event, books its tasks and says it is incomplete")
    func interrupted() throws {
        let report = try PreparedRun(try scenario(smallScenarioJSON())).run(interrupted: { true })
        #expect(report.federated.stopReason == .interrupted)
        #expect(report.summary.complete == false)
        checkEnding(report, "interrupted")
        #expect(try PreparedRun(try scenario(smallScenarioJSON())).run().summary.complete == true)
    }

    @Test("replaying the effective scenario keeps the baseline profile when a custom profile is named server")
    func customServer() throws {
        var json = smallScenarioJSON()
        json = setting(json, "fleet.profiles", ["server": ["base": "phone", "flops": 1e3]])
        let s = try scenario(json)
        let again = try ScenarioLoader.parse(ReportWriter.json(s.effectiveJSON))
        #expect(again.baseline == s.baseline)
        #expect(s.baseline.profile.flops == 1e3)  // the fleet's "server", as "profile": "server" reads
    }

    @Test("digits with CRLF line ends or without a header keep every row")
    func digitsFormats() throws {
        // Oracle: the shipped file has 1797 data rows under one header line (scikit-learn's count).
        let text = try String(contentsOfFile: digitsPath, encoding: .utf8)
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let crlf = dir.appendingPathComponent("crlf.csv"), bare = dir.appendingPathComponent("bare.csv")
        try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: crlf)
        try Data(text.split(separator: "\n").dropFirst().joined(separator: "\n").utf8).write(to: bare)
        #expect(try Digits.load(path: digitsPath).count == 1797)
        #expect(try Digits.load(path: crlf.path).count == 1797)
        #expect(try Digits.load(path: bare.path).count == 1797)
    }

    @Test("an output set replaces a previous run's outputs whole, keeps other files, and refuses a folder in an output's place")
    func outputSet() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dest = dir.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dest.appendingPathComponent("summary.json"))
        try Data("old".utf8).write(to: dest.appendingPathComponent("curve.csv"))
        try Data("mine".utf8).write(to: dest.appendingPathComponent("notes.txt"))
        let set = try OutputSet(destination: dest)
        try Data("new".utf8).write(to: set.staging.appendingPathComponent("summary.json"))
        try Data("new".utf8).write(to: set.staging.appendingPathComponent("curve.csv"))
        try set.install()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dest.path).sorted() == ["curve.csv", "notes.txt", "summary.json"])
        #expect(try Data(contentsOf: dest.appendingPathComponent("curve.csv")) == Data("new".utf8))
        #expect(try Data(contentsOf: dest.appendingPathComponent("notes.txt")) == Data("mine".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["run"])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("other/curve.csv"), withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { try OutputSet(destination: dir.appendingPathComponent("other")) }
        #expect(throws: (any Error).self) { try OutputSet(destination: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) }
    }
}

@Suite("Reliability from the command line", .serialized)
struct ReliabilityCommandLineTests {
    /// A copy of a small scenario with a relative data path, in its own folder.
    func scenarioFolder() throws -> URL {
        let dir = try temporaryFolder()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: digitsPath, toPath: dir.appendingPathComponent("data/digits.csv").path)
        try jsonData(setting(smallScenarioJSON(), "data.path", "data/digits.csv")).write(to: dir.appendingPathComponent("s.json"))
        return dir
    }

    @Test("one scenario run from two folders writes the same bytes")
    func twoFolders() throws {
        let a = try scenarioFolder(), b = try scenarioFolder()
        defer { for d in [a, b] { try? FileManager.default.removeItem(at: d) } }
        for d in [a, b] {
            let r = try runFedsim(["run", d.appendingPathComponent("s.json").path, "--out", d.appendingPathComponent("out").path, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for file in ["summary.json", "curve.csv", "devices.csv"] {
            let x = try Data(contentsOf: a.appendingPathComponent("out/\(file)")), y = try Data(contentsOf: b.appendingPathComponent("out/\(file)"))
            #expect(x == y, "\(file)")
        }
        #expect(!(try String(contentsOf: a.appendingPathComponent("out/summary.json"), encoding: .utf8)).contains(a.path))
    }

    @Test("an unwritable output folder fails before training, with exit 1")
    func unwritable() throws {
        let dir = try scenarioFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Tasks failing with probability 0.9 waste most of the work, which `run` warns about after
        // training (RunWarnings.afterRun): the warning shows that training ran.
        try jsonData(setting(setting(smallScenarioJSON(), "data.path", "data/digits.csv"), "availability", ["failureProbability": 0.9]))
            .write(to: dir.appendingPathComponent("s.json"))
        let trained = try runFedsim(["run", dir.appendingPathComponent("s.json").path, "--out", dir.appendingPathComponent("out").path])
        #expect(trained.status == 0 && trained.stderr.contains("tasks did work the server never used"), "\(trained.stderr)")
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let r = try runFedsim(["run", dir.appendingPathComponent("s.json").path, "--out", blocker.appendingPathComponent("out").path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty && r.stderr.hasPrefix("error: cannot write results to"))
        #expect(r.stderr.split(separator: "\n").count == 1, "trained before failing: \(r.stderr)")
    }

    @Test("two runs with different seeds on one --out leave one seed's whole output set and no staging folder")
    func concurrentRuns() throws {
        let dir = try scenarioFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let scenarioPath = dir.appendingPathComponent("s.json").path
        // The oracle: each seed's files from a run alone (outputs depend only on scenario, seed and data).
        var solo: [[String: Data]] = []
        for seed in ["1", "2"] {
            let out = dir.appendingPathComponent("solo-\(seed)")
            let r = try runFedsim(["run", scenarioPath, "--seed", seed, "--out", out.path, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            solo.append(try files(in: out))
        }
        #expect(solo[0]["curve.csv"] != solo[1]["curve.csv"])
        let shared = dir.appendingPathComponent("shared")
        // Started together, the runs do about the same work, so their writes often overlap: with the
        // files written straight into the destination, about one trial in four mixed two runs' files.
        for trial in 0 ..< 8 {
            let runs = try ["1", "2"].map { seed in
                let p = Process()
                p.executableURL = try fedsimBinary()
                p.arguments = ["run", scenarioPath, "--seed", seed, "--out", shared.path, "--quiet"]
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                return p
            }
            for p in runs { try p.run() }
            for p in runs { p.waitUntilExit() }
            #expect(runs.map(\.terminationStatus) == [0, 0], "trial \(trial)")
            let found = try files(in: shared)
            #expect(found == solo[0] || found == solo[1],
                    "trial \(trial): files differing from seed 1: \(found.keys.filter { found[$0] != solo[0][$0] }.sorted()), from seed 2: \(found.keys.filter { found[$0] != solo[1][$0] }.sorted())")
            #expect(try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") } == [], "trial \(trial)")
        }
    }

    /// Every file of a folder by name.
    func files(in folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }

    @Test("SIGINT stops a run, writes its files marked incomplete and exits 130")
    func sigint() throws {
        let dir = try scenarioFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try jsonData(setting(setting(smallScenarioJSON(), "data.path", "data/digits.csv"), "training.rounds", 100_000_000))
            .write(to: dir.appendingPathComponent("s.json"))
        let process = Process()
        process.executableURL = try fedsimBinary()
        let out = dir.appendingPathComponent("out")
        process.arguments = ["run", dir.appendingPathComponent("s.json").path, "--out", out.path, "--quiet"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The staging folder appears before training starts; interrupt once it exists.
        while process.isRunning, !(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(where: { $0.contains(".partial-") }) {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.complete == false)
        let c = summary.counters
        #expect(c.tasksStarted == c.tasksApplied + c.tasksDiscardedStale + c.tasksDroppedLate + c.tasksDroppedOffline + c.tasksInFlightAtEnd)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains { $0.contains(".partial-") })
    }
}
