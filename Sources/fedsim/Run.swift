import ArgumentParser
import FedSim
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its curves and summary.",
        discussion: """
            Trains the centralized baseline and then the federated model, writes curve.csv and \
            summary.json into the output folder and prints a summary. Exit status: 0 on success, \
            2 when the scenario is invalid (nothing is written), 3 when training diverged (the \
            files are written and say so).
            """
    )

    @Argument(help: "The scenario JSON file to run.", completion: .file(extensions: ["json"]))
    var scenario: String

    @Option(name: .long, help: ArgumentHelp(
        "The folder to write results into. Defaults to Results/<scenario name> under the current folder.",
        valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp(
        "Replaces the scenario's seed, so the same fleet and data can be replayed with other random draws.",
        valueName: "n"))
    var seed: UInt32?

    @Option(name: .long, help: ArgumentHelp(
        "How many threads train devices in parallel. Changes only the speed, never the results. Defaults to the number of cores.",
        valueName: "n"))
    var threads: Int?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
    }

    func run() throws {
        let started = ContinuousClock.now
        var loaded = try loadScenario(scenario)
        if let seed { loaded.seed = UInt64(seed) }
        let prepared = try prepare(loaded, file: scenario)
        let report = prepared.run(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let folder = URL(fileURLWithPath: out ?? "Results/\(loaded.name)")
        do {
            try ReportWriter.write(report, to: folder)
        } catch {
            throw failure("cannot write results to \(folder.path): \(error.localizedDescription)", code: 1)
        }
        if !quiet {
            let elapsed = ContinuousClock.now - started
            print(report.summary.text)
            print("")
            print("wrote \(folder.path)/curve.csv and summary.json (wall clock \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 2)))))")
        }
        if let divergence = report.summary.divergence {
            throw failure(divergence, code: 3)
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario without running it.",
        discussion: """
            Parses the scenario, fills in defaults, loads and partitions its data, and reports the \
            first problem with its JSON path. Exit status 0 when valid, 2 otherwise. Writes nothing.
            """
    )

    @Argument(help: "The scenario JSON file to check.", completion: .file(extensions: ["json"]))
    var scenario: String

    func run() throws {
        let loaded = try loadScenario(scenario)
        let prepared = try prepare(loaded, file: scenario)
        let sizes = prepared.data.shards.map(\.count)
        print("\(scenario): valid: \(loaded.fleet.deviceCount) devices, \(prepared.data.train.count) training and \(prepared.data.test.count) test samples, \(sizes.min() ?? 0)...\(sizes.max() ?? 0) samples per device")
    }
}

/// Loads a scenario, turning a scenario error into one line on stderr and exit status 2.
func loadScenario(_ path: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw failure("\(path): \(error)", code: 2)
    }
}

/// Loads the scenario's data and builds its fleet; data problems are scenario errors too.
func prepare(_ scenario: Scenario, file: String) throws -> PreparedRun {
    do {
        return try PreparedRun(scenario)
    } catch {
        throw failure("\(file): \(error)", code: 2)
    }
}

/// Prints `message` as an error on stderr and returns an exit with `code`.
func failure(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}
