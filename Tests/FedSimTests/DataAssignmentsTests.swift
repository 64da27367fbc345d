import FedMath
import Foundation
import Testing
@testable import FedSim

/// A folder with a 6-row digits file whose row r has label r and every pixel r, and an
/// assignments file with the given text; removed by the caller.
private func fixture(_ assignments: String) throws -> (folder: URL, digits: String, assignments: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-assign-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var csv = "label," + (0 ..< 64).map { "p\($0)" }.joined(separator: ",") + "\n"
    for r in 0 ..< 6 { csv += "\(r)," + Array(repeating: "\(r)", count: 64).joined(separator: ",") + "\n" }
    let digits = folder.appendingPathComponent("digits.csv")
    try Data(csv.utf8).write(to: digits)
    let file = folder.appendingPathComponent("assign.csv")
    try Data(assignments.utf8).write(to: file)
    return (folder, digits.path, file.path)
}

@Suite("Row assignments file")
struct DataAssignmentsTests {
    func build(_ text: String, devices: Int = 2) throws -> FederatedData {
        let f = try fixture(text)
        defer { try? FileManager.default.removeItem(at: f.folder) }
        var spec = DataSpec(source: .digits, path: f.digits, testFraction: 0.2, alpha: nil, beta: nil,
                            partition: PartitionSpec(kind: .iid, alpha: nil))
        spec.assignments = f.assignments
        return try DataBuilder.build(spec, deviceCount: devices, seed: 1)
    }

    func error(_ text: String, devices: Int = 2) throws -> String? {
        let f = try fixture(text)
        defer { try? FileManager.default.removeItem(at: f.folder) }
        var spec = DataSpec(source: .digits, path: f.digits, testFraction: 0.2, alpha: nil, beta: nil,
                            partition: PartitionSpec(kind: .iid, alpha: nil))
        spec.assignments = f.assignments
        do throws(ScenarioError) {
            _ = try DataBuilder.build(spec, deviceCount: devices, seed: 1)
            return nil
        } catch {
            return error.description.replacingOccurrences(of: f.assignments, with: "FILE")
        }
    }

    @Test("a hand-written file gives exactly the named rows, in file order")
    func exactRows() throws {
        let fd = try build("1\ntest\n0\n1\r\ntest\n1\n")
        // Rows (= labels) 1 and 4 are test; device 0 holds row 2, device 1 rows 0, 3, 5.
        #expect(fd.test.table?.labels == [1, 4])
        #expect(fd.shards == [0 ..< 1, 1 ..< 4])
        #expect(fd.train.table?.labels == [2, 0, 3, 5])
        #expect(fd.train.table?.features[64 * 3] == Float(5) / 16)
    }

    @Test("bad files name the key, file, line and column, the expected and the found value")
    func badFiles() throws {
        let device = "expected \"test\" or a device index 0...1"
        #expect(try error("0\ntest\n1x\n0\n1\n1\n") == "$.data.assignments: \(device), found \"1x\" at FILE:3:2")
        #expect(try error("0\ntest\n2\n0\n1\n1\n") == "$.data.assignments: \(device), found \"2\" at FILE:3:1")
        #expect(try error("0\ntest\n\n0\n1\n1\n") == "$.data.assignments: \(device), found an empty line at FILE:3:1")
        #expect(try error("0\ntest\n1\n") ==
            "$.data.assignments: expected one line per data row (6 rows), found the end of the file after 3 lines at FILE:4:1")
        #expect(try error("0\ntest\n1\n0\n1\n1\ntest\n") ==
            "$.data.assignments: expected one line per data row (6 rows), found the extra line \"test\" at FILE:7:1")
        #expect(try error("0\n0\n1\n0\n1\n1\n") == "$.data.assignments: expected at least one \"test\" row, found none in FILE")
        #expect(try error("0\ntest\n0\n0\n1\n1\n", devices: 3) ==
            "$.data.assignments: expected at least one row for every device 0...2, found no row for device 2 in FILE")
    }

    @Test("the scenario key is resolved against the scenario's folder and excludes partition and testFraction")
    func scenarioKey() throws {
        let f = try fixture("1\ntest\n0\n1\ntest\n1\n")
        defer { try? FileManager.default.removeItem(at: f.folder) }
        var json = smallScenarioJSON(devices: 2, perRound: 1)
        json["data"] = ["source": "digits", "path": "digits.csv", "assignments": "assign.csv"]
        let url = f.folder.appendingPathComponent("s.json")
        try jsonData(json).write(to: url)
        let s = try ScenarioLoader.load(contentsOf: url)
        #expect(s.data.assignments == "assign.csv" && s.data.resolved("assign.csv") == f.assignments)
        #expect(try PreparedRun(s).data.test.table?.labels == [1, 4])
        // The effective scenario reloads to the same scenario.
        var again = try ScenarioLoader.parse(ReportWriter.json(s.effectiveJSON))
        again.data.folder = s.data.folder
        #expect(again.data == s.data)

        json["data"] = ["source": "digits", "path": "digits.csv", "assignments": "assign.csv", "testFraction": 0.3]
        #expect(scenarioError(json)?.path == "$.data.testFraction")
        json["data"] = ["source": "digits", "path": "digits.csv", "assignments": "nowhere.csv"]
        try jsonData(json).write(to: url)
        do {
            _ = try ScenarioLoader.load(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "$.data.assignments")
        }
    }
}
