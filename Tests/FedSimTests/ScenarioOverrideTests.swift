import Foundation
import Testing
@testable import FedSim

@Suite("--set overrides")
struct ScenarioOverrideTests {
    @Test("a path splits into keys and indices; a leading $. is allowed")
    func paths() throws {
        #expect(try ScenarioOverride.steps("fleet.groups[0].count") == [.key("fleet"), .key("groups"), .index(0), .key("count")])
        #expect(try ScenarioOverride.steps("$.training.learningRate") == [.key("training"), .key("learningRate")])
        #expect(try ScenarioOverride.steps("a[1][2]") == [.key("a"), .index(1), .index(2)])
        for bad in ["", "a..b", "a[", "a[x]", "a[-1]", "[0]", "a[0]b"] {
            #expect(throws: ScenarioError.self, "\(bad)") { try ScenarioOverride.steps(bad) }
        }
    }

    @Test("values are typed by the JSON they parse as, else taken as strings")
    func typing() throws {
        #expect(try ScenarioOverride("x=0.1").value == .number(0.1))
        #expect(try ScenarioOverride("x=500").value == .number(500))
        #expect(try ScenarioOverride("x=true").value == .bool(true))
        #expect(try ScenarioOverride("x=null").value == .null)
        #expect(try ScenarioOverride("x=fedbuff").value == .string("fedbuff"))
        #expect(try ScenarioOverride("x=\"0.1\"").value == .string("0.1"))
        #expect(try ScenarioOverride("x={\"kind\":\"iid\"}").value == .object(["kind": .string("iid")]))
        #expect(try ScenarioOverride("x=a=b").value == .string("a=b"))  // only the first "=" separates
        #expect(throws: ScenarioError(path: "--set", expected: "PATH=VALUE, for example training.learningRate=0.1",
                                      found: "\"training.rounds\"")) { try ScenarioOverride("training.rounds") }
    }

    /// Oracle: the same scenario edited by hand (the test helper `setting`, on Foundation's JSON objects).
    @Test("an overridden scenario equals the scenario edited by hand")
    func equivalence() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try jsonData(smallScenarioJSON()).write(to: file)
        let overrides = try ["training.learningRate=0.1", "fleet.groups[0].count=7", "evaluation.every=2",
                             "data.partition={\"kind\":\"iid\"}"].map { try ScenarioOverride($0) }
        let overridden = try ScenarioLoader.load(contentsOf: file, overrides: overrides)
        var edited = setting(smallScenarioJSON(), "training.learningRate", 0.1)
        edited = setting(edited, "fleet.groups.0.count", 7)
        edited = setting(edited, "evaluation", ["every": 2])
        edited = setting(edited, "data.partition", ["kind": "iid"])
        let editedFile = dir.appendingPathComponent("s-edited.json")
        try jsonData(edited).write(to: editedFile)
        var byHand = try ScenarioLoader.load(contentsOf: editedFile)
        byHand.name = overridden.name
        byHand.sourceSHA256 = overridden.sourceSHA256
        #expect(overridden == byHand)
        #expect(overridden.training.learningRate == 0.1 && overridden.fleet.groups[0].count == 7)
    }

    @Test("override errors name the JSON path; overridden values are validated like written ones")
    func errors() throws {
        let document = try JSONValue.parse(jsonData(smallScenarioJSON()))
        #expect(throws: ScenarioError(path: "$.fleet.groups[5]", expected: "an element of an array of 2", found: "no element 5")) {
            try ScenarioOverride("fleet.groups[5].count=1").applied(to: document)
        }
        #expect(throws: ScenarioError(path: "$.seed", expected: "an object (to set its key \"x\")", found: "3")) {
            try ScenarioOverride("seed.x=1").applied(to: document)
        }
        #expect(throws: ScenarioError(path: "$.fleet", expected: "an array (to set its element [0])", found: "an object")) {
            try ScenarioOverride("fleet[0]=1").applied(to: document)
        }
        let bad = try ScenarioOverride("training.learningRate=fast").applied(to: document)
        #expect(throws: ScenarioError(path: "$.training.learningRate", expected: "a positive number", found: "\"fast\"")) {
            try ScenarioLoader.parse(bad)
        }
        let unknown = try ScenarioOverride("training.learningrate=0.1").applied(to: document)
        do throws(ScenarioError) {
            _ = try ScenarioLoader.parse(unknown)
            Issue.record("an unknown key set by --set was accepted")
        } catch {
            #expect(error.path == "$.training.learningrate")
        }
    }

    @Test("a top-level $schema key is accepted and changes nothing")
    func schemaKey() throws {
        var object = smallScenarioJSON()
        object["$schema"] = "../Scenarios/fedsim.schema.json"
        #expect(try scenario(object) == scenario(smallScenarioJSON()))
        object["$schema"] = 3
        #expect(throws: ScenarioError(path: "$.$schema", expected: "a string", found: "3")) { try scenario(object) }
    }

    @Test("fedsim run --set changes the run; a bad --set exits 2 naming the path and writes nothing")
    func commandLine() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try jsonData(smallScenarioJSON()).write(to: file)
        let out = dir.appendingPathComponent("out")
        let r = try runFedsim(["run", file.path, "--out", out.path, "--quiet", "--set", "training.rounds=2", "--set", "fleet.groups[1].count=4"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.rounds == 2)
        #expect(summary.devices == 14)  // 10 phones + the 4 workstations set
        let bad = dir.appendingPathComponent("bad")
        let b = try runFedsim(["run", file.path, "--out", bad.path, "--set", "fleet.groups[1].count=-4"])
        #expect(b.status == 2)
        #expect(b.stderr == "error: \(file.path): $.fleet.groups[1].count: expected an integer >= 1, found -4\n")
        #expect(!FileManager.default.fileExists(atPath: bad.path))
    }
}
