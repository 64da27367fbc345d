import Foundation
import Testing
@testable import FedSim

@Suite("Manifest and effective scenario")
struct ManifestTests {
    static let shipped = shippedScenarioNames(in: "Scenarios")

    @Test("the effective scenario loads back to the same scenario", arguments: shipped)
    func roundTrip(_ file: String) throws {
        var original = try ScenarioLoader.load(contentsOf: packageRoot.appendingPathComponent("Scenarios/\(file)"))
        #expect(original.sourceSHA256?.count == 64)
        original.sourceSHA256 = nil
        let encoded = try ReportWriter.json(original.effectiveJSON)
        var reloaded = try ScenarioLoader.parse(encoded)
        // Loading from the same folder resolves relative paths there, as the original was.
        reloaded.data.folder = original.data.folder
        #expect(reloaded == original)
    }

    @Test("summary.json carries the manifest, and a run of the effective scenario reproduces the curve")
    func reproduce() throws {
        var s = try scenario(smallScenarioJSON())
        s.sourceSHA256 = "abc"
        let report = try PreparedRun(s).run()
        #expect(report.summary.manifest.seeds == [3])
        #expect(report.summary.manifest.scenarioSHA256 == "abc")
        let again = try ScenarioLoader.parse(try ReportWriter.json(report.summary.manifest.effectiveScenario))
        let rerun = try PreparedRun(again).run()
        #expect(ReportWriter.curveCSV(rerun.curve) == ReportWriter.curveCSV(report.curve))
    }
}
