import ArgumentParser
import FedSim

/// `fedsim schema`: hidden; prints the JSON Schema shipped as `Scenarios/fedsim.schema.json`.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of scenario files.",
        discussion: "Scenarios/fedsim.schema.json is this output; a test checks that they are equal.",
        shouldDisplay: false
    )

    func run() throws {
        print(try ScenarioSchema.text(), terminator: "")
    }
}
