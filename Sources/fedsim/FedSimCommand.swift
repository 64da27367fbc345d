import ArgumentParser
import FedSim

@main
struct FedSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedsim",
        abstract: "Simulate federated learning on a virtual clock and compare it with centralized training.",
        discussion: """
            A scenario is a JSON file describing a fleet of devices, a data set and how it is split \
            among them, a model and a training mode. fedsim plays it as a discrete-event simulation, \
            doing the real gradient math, and reports convergence against a centralized baseline \
            trained on the pooled data. See README.md for the scenario format.
            """,
        version: RunSummary.fedsimVersion,
        subcommands: [Run.self, Validate.self, Sweep.self, Check.self, Plot.self, Compare.self, Privacy.self, BenchBLAS.self, BenchTraining.self,
                      Schema.self]
    )
}
