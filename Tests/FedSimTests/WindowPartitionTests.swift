@testable import FedSim
import Foundation
import Testing

// Oracle: the definition start_d = (d · size) mod (n − size + 1), computed by hand for the
// three training rows of the tiny digits data (TinyFleet.swift).
@Suite("Windows partition")
struct WindowPartitionTests {
    func tiny(devices: Int, size: Int) -> [String: Any] {
        var json = setting(tinyScenarioJSON(), "data.partition", ["kind": "windows", "size": size])
        json = setting(json, "fleet.groups", [["profile": "phone", "count": devices, "overrides": tinyProfile(flops: 1e6)]])
        return setting(json, "training.devicesPerRound", 2)
    }

    @Test("five devices of one row over three rows hold rows 0, 1, 2, 0, 1 of one shuffle of the training rows")
    func shards() throws {
        let s = try scenario(tiny(devices: 5, size: 1))
        let data = try DataBuilder.build(s.data, deviceCount: 5, seed: 1)
        #expect(data.shards == [0 ..< 1, 1 ..< 2, 2 ..< 3, 0 ..< 1, 1 ..< 2])
        // The three training rows of the tiny data, once each: labels are row numbers 0...3 minus the test row.
        #expect(data.train.count == 3)
        let train = try #require(data.train.table), test = try #require(data.test.table)
        #expect(Set(train.labels).count == 3 && !Set(train.labels).contains(test.labels[0]))
    }

    @Test("two-row windows over three rows: (d · 2) mod 2 = 0 for every device")
    func overlapping() throws {
        let s = try scenario(tiny(devices: 3, size: 2))
        #expect(try DataBuilder.build(s.data, deviceCount: 3, seed: 1).shards == [0 ..< 2, 0 ..< 2, 0 ..< 2])
    }

    @Test("a window larger than the training rows, a missing size and a size beside another kind are errors")
    func errors() throws {
        #expect(scenarioError(tiny(devices: 2, size: 4)) == ScenarioError(path: "$.data.partition.size", expected: "at most 3 (the training rows)", found: "4"))
        let missing = try #require(scenarioError(setting(tiny(devices: 2, size: 1), "data.partition", ["kind": "windows"])))
        #expect(missing.path == "$.data.partition.size")
        let beside = try #require(scenarioError(setting(tiny(devices: 2, size: 1), "data.partition", ["kind": "iid", "size": 2])))
        #expect(beside.path == "$.data.partition.size")
    }

    @Test("the effective scenario reloads to the same partition")
    func reloads() throws {
        let s = try scenario(tiny(devices: 5, size: 1))
        #expect(try ScenarioLoader.parse(try ReportWriter.json(s.effectiveJSON)).data == s.data)
    }
}
