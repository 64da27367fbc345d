import Foundation
import Testing
@testable import FedSim

@Suite("Bad scenarios get one clear error naming the JSON path")
struct ScenarioErrorTests {
    @Test("the small scenario used below is valid")
    func valid() {
        #expect(scenarioError(smallScenarioJSON()) == nil)
    }

    @Test("an unknown key is named with the keys allowed there")
    func unknownKey() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.learningRat", 0.1)))
        #expect(e.path == "$.training.learningRat")
        #expect(e.found == "the unknown key \"learningRat\"")
        #expect(e.expected.contains("\"learningRate\""))
    }

    @Test("an unknown top-level key is rejected")
    func unknownTopLevel() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "colour", "blue")))
        #expect(e.path == "$.colour")
    }

    @Test("a wrong type names expected and found")
    func wrongType() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups.0.count", "ten")))
        #expect(e == ScenarioError(path: "$.fleet.groups[0].count", expected: "an integer >= 1", found: "\"ten\""))
    }

    @Test("negative and zero counts are rejected", arguments: [-3, 0])
    func badCount(_ count: Int) throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups.1.count", count)))
        #expect(e == ScenarioError(path: "$.fleet.groups[1].count", expected: "an integer >= 1", found: "\(count)"))
    }

    @Test("a fractional count is rejected")
    func fractionalCount() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups.0.count", 2.5)))
        #expect(e.found == "2.5")
    }

    @Test("an empty fleet is rejected")
    func emptyFleet() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups", [Any]())))
        #expect(e == ScenarioError(path: "$.fleet.groups", expected: "a non-empty array of device groups", found: "an array of 0"))
    }

    @Test("more devices per round than exist is rejected")
    func tooManyPerRound() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(devices: 20), "training.devicesPerRound", 21)))
        #expect(e == ScenarioError(path: "$.training.devicesPerRound", expected: "devices per round <= the fleet size 20", found: "21"))
    }

    @Test("over-selection beyond the fleet is rejected")
    func overSelection() throws {
        let e = try #require(scenarioError(setting(setting(smallScenarioJSON(devices: 20), "training.devicesPerRound", 15), "training.overSelection", 0.5)))
        #expect(e.path == "$.training.overSelection")
    }

    @Test("a missing data file is rejected by the loader")
    func missingDataFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try jsonData(setting(smallScenarioJSON(), "data.path", "nowhere/digits.csv")).write(to: file)
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(contentsOf: file) }
        do {
            _ = try ScenarioLoader.load(contentsOf: file)
        } catch {
            #expect(error.path == "$.data.path")
            #expect(error.found.hasPrefix("\"nowhere/digits.csv\""))
        }
    }

    @Test("a learning rate that is not a positive number is rejected", arguments: [0.0, -0.1])
    func badLearningRate(_ lr: Double) throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.learningRate", lr)))
        #expect(e == ScenarioError(path: "$.training.learningRate", expected: "a positive number", found: JSONValue.format(lr)))
    }

    @Test("a learning rate given as a string is rejected")
    func learningRateString() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.learningRate", "fast")))
        #expect(e.found == "\"fast\"")
    }

    @Test("a missing required key says it is missing")
    func missingKey() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "training.learningRate", nil)))
        #expect(e.path == "$.training.learningRate")
        #expect(e.found == "nothing (the key is missing)")
    }

    @Test("an unknown profile name lists the known ones")
    func unknownProfile() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups.0.profile", "toaster")))
        #expect(e.path == "$.fleet.groups[0].profile")
        #expect(e.expected.contains("\"phone\""))
    }

    @Test("more devices than training samples is rejected")
    func moreDevicesThanSamples() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.groups.0.count", 5000)))
        #expect(e.path == "$.fleet.groups")
    }

    @Test("invalid JSON is reported at the root")
    func invalidJSON() {
        #expect(throws: ScenarioError.self) { try ScenarioLoader.parse(Data("{\"name\": ".utf8)) }
    }

    @Test("a custom profile without a base must give every figure")
    func customProfile() throws {
        let custom: [String: Any] = ["flops": 1e9, "memoryGB": 2]
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "fleet.profiles", ["tablet": custom])))
        #expect(e.path == "$.fleet.profiles.tablet.uplinkMbps")
        let based: [String: Any] = ["base": "phone", "flops": 1e9]
        var ok = setting(smallScenarioJSON(), "fleet.profiles", ["tablet": based])
        ok = setting(ok, "fleet.groups.0.profile", "tablet")
        let s = try scenario(ok)
        #expect(s.fleet.groups[0].profile.flops == 1e9)
        #expect(s.fleet.groups[0].profile.uplinkMbps == DeviceProfile.phone.uplinkMbps)
    }
}
