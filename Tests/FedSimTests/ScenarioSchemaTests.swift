import FedMath
import Foundation
import Testing
@testable import FedSim

/// `Scenarios/fedsim.schema.json` against the scenario loader: the shipped file is the generated
/// schema, every shipped scenario is valid, and on mutated scenarios the schema and the loader
/// reach the same verdict except for the constraints a schema cannot express.
@Suite("Scenario JSON Schema")
struct ScenarioSchemaTests {
    static let schemaURL = packageRoot.appendingPathComponent("Scenarios/fedsim.schema.json")

    /// Every shipped scenario: Scenarios/*.json (not the schema itself) and bench/*.json.
    static var shippedScenarios: [URL] {
        ["Scenarios", "bench"].flatMap { folder in
            shippedScenarioNames(in: folder).map { packageRoot.appendingPathComponent(folder).appendingPathComponent($0) }
        }
    }

    static func validator() throws -> SchemaValidator {
        SchemaValidator(root: try JSONValue.parse(Data(contentsOf: schemaURL)))
    }

    @Test("the shipped schema file is what fedsim schema prints")
    func shippedFileIsGenerated() throws {
        let shipped = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(shipped == (try ScenarioSchema.text()), "regenerate with: fedsim schema > Scenarios/fedsim.schema.json")
    }

    @Test("the schema declares draft 2020-12 and uses only the keywords the validator implements")
    func draft() throws {
        guard case .object(let root) = try JSONValue.parse(Data(contentsOf: Self.schemaURL)) else { Issue.record("not an object"); return }
        #expect(root["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        func keywords(_ schema: JSONValue, _ into: inout Set<String>) {
            guard case .object(let o) = schema else { return }
            for (key, sub) in o {
                into.insert(key)
                switch (key, sub) {
                case ("properties", .object(let properties)): properties.values.forEach { keywords($0, &into) }
                case ("additionalProperties", _), ("items", _): keywords(sub, &into)
                case ("allOf", .array(let subs)), ("anyOf", .array(let subs)): subs.forEach { keywords($0, &into) }
                default: break
                }
            }
        }
        var used: Set<String> = []
        keywords(.object(root), &used)
        #expect(used.isSubset(of: SchemaValidator.supported), "\(used.subtracting(SchemaValidator.supported))")
    }

    @Test("every shipped scenario validates against the schema (and loads)", arguments: shippedScenarios)
    func shippedScenarioIsValid(_ url: URL) throws {
        let document = try JSONValue.parse(Data(contentsOf: url))
        #expect(try Self.validator().violation(document) == nil)
        #expect(throws: Never.self) { try ScenarioLoader.parse(document) }
    }

    @Test("the shipped scenarios are all found")
    func shippedScenariosFound() {
        #expect(Self.shippedScenarios.count >= 30)
        #expect(Self.shippedScenarios.contains { $0.lastPathComponent == "quickstart.json" })
        #expect(!Self.shippedScenarios.contains { $0.path.contains("/sweeps/") })
    }

    @Test("on 600 seeded mutations of the shipped scenarios, the schema and the loader agree (but for what a schema cannot express)")
    func mutationsAgree() throws {
        let validator = try Self.validator()
        let bases = try Self.shippedScenarios.map { try JSONValue.parse(Data(contentsOf: $0)) }
        let mutator = ScenarioMutator(schema: validator.root)
        var accepted = 0, rejected = 0, excused: [String: Int] = [:]
        for i in 0..<600 {
            let (mutation, document) = mutator.mutate(bases[i % bases.count])
            let schemaSays = validator.violation(document)
            var loaderSays: ScenarioError?
            do throws(ScenarioError) { _ = try ScenarioLoader.parse(document) } catch { loaderSays = error }
            switch (schemaSays, loaderSays) {
            case (nil, nil): accepted += 1
            case (.some, .some): rejected += 1
            case (nil, .some(let error)):
                if let reason = SchemaLimits.reason(error, document: document) {
                    excused[reason, default: 0] += 1
                } else {
                    Issue.record("schema accepts, loader rejects: \(mutation) -> \(error)")
                }
            case (.some(let violation), nil):
                Issue.record("schema rejects, loader accepts: \(mutation) -> \(violation)")
            }
        }
        // Both verdicts occur often, so the agreement is not that of a schema accepting everything.
        #expect(accepted >= 100 && rejected >= 300, "accepted \(accepted), rejected \(rejected), excused \(excused)")
    }

    @Test("a null custom profile counts as absent, as every null key does (it crashed the loader before)")
    func nullProfile() throws {
        let base = smallScenarioJSON()
        let withNull = setting(base, "fleet.profiles", ["slow": NSNull()])
        #expect(try scenario(withNull) == scenario(base))
        #expect(try Self.validator().violation(JSONValue.parse(jsonData(withNull))) == nil)
    }

    @Test("the excused cases are real loader rules the schema cannot express")
    func limits() throws {
        var quickstart = try JSONValue.parse(Data(contentsOf: packageRoot.appendingPathComponent("Scenarios/quickstart.json")))
        quickstart = try ScenarioOverride("training.devicesPerRound=101").applied(to: quickstart)
        let validator = try Self.validator()
        #expect(validator.violation(quickstart) == nil)
        #expect(throws: ScenarioError.self) { try ScenarioLoader.parse(quickstart) }
        do throws(ScenarioError) { _ = try ScenarioLoader.parse(quickstart) } catch {
            #expect(SchemaLimits.reason(error) == "fleet-size bound")
        }
        #expect(SchemaLimits.reason(ScenarioError(path: "$.training.learningRate", expected: "a positive number", found: "0")) == nil)
        // A name of 60 two-byte characters: within the schema's pattern, past the loader's 100 bytes.
        let longName = try ScenarioOverride("name=" + String(repeating: "é", count: 60)).applied(to: quickstart)
        #expect(validator.violation(longName) == nil)
        do throws(ScenarioError) { _ = try ScenarioLoader.parse(longName); Issue.record("a 120-byte name loads") } catch {
            #expect(SchemaLimits.reason(error, document: longName) == "name bytes")
        }
        // Names the pattern rejects, as the loader does.
        for bad in [".hidden", "a/b", "tab\there", ""] {
            let document = try ScenarioOverride("name=\"\(bad)\"").applied(to: quickstart)
            #expect(validator.violation(document) != nil, "\(bad)")
            #expect(throws: ScenarioError.self, "\(bad)") { try ScenarioLoader.parse(document) }
        }
    }
}

/// The loader rules that a JSON Schema cannot state (README: Scenarios, "What the schema cannot
/// check"), recognised by the error the loader raises for them.
enum SchemaLimits {
    /// The rule `error` (raised on `document`) reports, or nil when it is one the schema states.
    static func reason(_ error: ScenarioError, document: JSONValue? = nil) -> String? {
        let groupProfile = error.path.hasPrefix("$.fleet.groups[") && error.path.hasSuffix("].profile")
        if (groupProfile || error.path == "$.baseline.profile"), error.expected.hasPrefix("one of ") { return "profile name" }
        if error.expected.contains("the fleet size") { return "fleet-size bound" }
        if error.path == "$.training.fedbuff.bufferSize", error.expected.hasPrefix("an integer in 1...") { return "fleet-size bound" }
        if error.expected.hasPrefix("at most 10000000 devices") { return "devices in all" }
        if error.expected.hasSuffix("devices with synthetic data (each generates its own rows)") { return "synthetic devices in all" }
        if error.path == "$.name", error.expected.hasPrefix("a folder name of 1 to"),
           case .object(let root)? = document, case .string(let name)? = root["name"], name.utf8.count > ScenarioRange.nameBytes {
            return "name bytes"
        }
        if error.expected.hasPrefix("a maxBatch >= minBatch") { return "maxBatch >= minBatch" }
        if error.expected.hasPrefix("heads dividing dModel") { return "heads divide dModel" }
        if error.expected.hasPrefix("a totalSteps > warmupSteps") { return "schedule totalSteps > warmupSteps" }
        if error.expected.hasPrefix("a window end different from its start") { return "windowStart != windowEnd" }
        if error.expected.hasPrefix("settings that hold a cohort") { return "secure-aggregation cohort" }
        return nil
    }
}
