import Foundation
@testable import FedSim

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped digits CSV.
let digitsPath = packageRoot.appendingPathComponent("Scenarios/data/digits.csv").path

/// A small valid digits scenario as a JSON object, for tests to modify.
func smallScenarioJSON(devices: Int = 20, perRound: Int = 5, rounds: Int = 5) -> [String: Any] {
    [
        "name": "small",
        "seed": 3,
        "data": ["source": "digits", "path": digitsPath, "partition": ["kind": "dirichlet", "alpha": 0.5]],
        "fleet": ["groups": [["profile": "phone", "count": devices / 2], ["profile": "workstation", "count": devices - devices / 2]]],
        "training": ["devicesPerRound": perRound, "learningRate": 0.3, "rounds": rounds, "localEpochs": 1, "batchSize": 10],
        "baseline": ["epochs": 2],
    ]
}

func jsonData(_ object: Any) -> Data {
    try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
}

/// Parses a scenario given as a JSON object.
func scenario(_ object: [String: Any]) throws -> Scenario {
    try ScenarioLoader.parse(jsonData(object))
}

/// The ScenarioError that parsing (and preparing) `object` raises, or nil if it is valid.
func scenarioError(_ object: [String: Any]) -> ScenarioError? {
    do throws(ScenarioError) {
        _ = try PreparedRun(try ScenarioLoader.parse(jsonData(object)))
        return nil
    } catch {
        return error
    }
}

/// Sets `value` at a key path inside nested JSON objects/arrays ("training.rounds", "fleet.groups.0.count").
func setting(_ object: [String: Any], _ path: String, _ value: Any?) -> [String: Any] {
    func set(_ node: Any, _ keys: ArraySlice<String>) -> Any? {
        guard let key = keys.first else { return value }
        if var dict = node as? [String: Any] {
            if keys.count == 1 { dict[key] = value } else { dict[key] = set(dict[key] ?? [String: Any](), keys.dropFirst()) }
            return dict
        }
        if var array = node as? [Any], let i = Int(key) {
            if keys.count == 1 { if let value { array[i] = value } else { array.remove(at: i) } } else { array[i] = set(array[i], keys.dropFirst())! }
            return array
        }
        return node
    }
    return set(object, ArraySlice(path.split(separator: ".").map(String.init))) as! [String: Any]
}

/// The scenario files shipped in `folder` of the package ("Scenarios", "bench"): its *.json files
/// except the JSON Schema `fedsim.schema.json` (sweep files live in Scenarios/sweeps, not listed).
func shippedScenarioNames(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(folder).path)) ?? [])
        .filter { $0.hasSuffix(".json") && $0 != "fedsim.schema.json" }.sorted()
}
