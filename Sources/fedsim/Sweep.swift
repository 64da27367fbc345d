import ArgumentParser
import FedSim
import Foundation

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario over a grid of settings and seeds, locally or as a Slurm job array.",
        discussion: """
            SWEEP.json names a base scenario, a grid and/or explicit points over its JSON paths, \
            and seeds (README: "Sweeps"). Every point is validated first; an invalid point writes \
            nothing and exits with status 2. Each (point, seed) pair then runs as its own fedsim \
            process into OUT/point-<k>/seed-<s>/, which ends with a status file; a rerun skips the \
            pairs that finished, and a failed pair is reported without stopping the others. At the \
            end the results are merged into OUT/sweep-curves.csv, OUT/sweep-runs.csv and one SVG \
            chart per numeric swept path. Exit status: 0 when every pair finished, 1 when some \
            failed or could not be written.

            With --slurm the pairs left to run become a Slurm job array (OUT/sweep.sbatch, one task \
            per pair), submitted with sbatch; `fedsim sweep --collect OUT` merges the results once \
            the array is done, or --wait waits for it and merges.
            """
    )

    @Argument(help: "The sweep JSON file.", completion: .file(extensions: ["json"]))
    var sweep: String?

    @Option(name: .long, help: ArgumentHelp("The folder to write into. Defaults to Results/<sweep name>.", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("How many runs go at once, each a fedsim process.", valueName: "n"))
    var jobs: Int = 1

    @Option(name: .long, help: ArgumentHelp("Merge the results of the sweep in <dir> (its sweep.json) without running anything.",
                                            valueName: "dir"))
    var collect: String?

    @Flag(name: .long, help: "Submit the runs left as a Slurm job array instead of running them here.")
    var slurm = false

    @Option(name: .long, help: ArgumentHelp("The Slurm partition (sbatch --partition).", valueName: "name"))
    var partition: String?

    @Option(name: .long, help: ArgumentHelp("The Slurm time limit of each task (sbatch --time), e.g. 00:30:00.", valueName: "limit"))
    var time: String?

    @Flag(name: .long, help: "With --slurm: wait until the array is done (sbatch --wait), then merge.")
    var wait = false

    @Option(name: .long, help: ArgumentHelp("Run only the task with this index (what each Slurm array task does).", valueName: "k"))
    var task: Int?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if (sweep == nil) == (collect == nil) { throw ValidationError("give either a sweep file or --collect <dir>") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        if collect != nil && (slurm || task != nil) { throw ValidationError("--collect runs nothing: no --slurm or --task with it") }
        if !slurm && (partition != nil || time != nil || wait) { throw ValidationError("--partition, --time and --wait go with --slurm") }
        if slurm && task != nil { throw ValidationError("--task runs one task here: no --slurm with it") }
    }

    func run() throws {
        if let collect {
            let folder = URL(fileURLWithPath: collect)
            return try merge(loadSweep(folder.appendingPathComponent("sweep.json").path), in: folder)
        }
        let spec = try loadSweep(sweep!)
        let folder = URL(fileURLWithPath: out ?? "Results/\(spec.name)")
        let runner = SweepRunner(spec: spec, folder: folder, executable: fedsimExecutable())
        if let task {
            guard spec.tasks.indices.contains(task) else {
                throw failure("--task \(task): the sweep has tasks 0...\(spec.tasks.count - 1)", code: 64)
            }
            // An array task uses the CPUs Slurm gave it.
            let cpus = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0) }
            let status = runner.run(spec.tasks[task], threads: cpus ?? ProcessInfo.processInfo.activeProcessorCount)
            if !status.finished { throw ExitCode(1) }
            return
        }
        try prepareFolder(spec, folder)
        let left = spec.tasks.indices.filter { !SweepStatus(folder: folder.appendingPathComponent(spec.tasks[$0].folder)).finished }
        if !quiet && left.count < spec.tasks.count {
            print("\(spec.tasks.count - left.count) of \(spec.tasks.count) runs already finished in \(folder.path): skipped")
        }
        if slurm {
            let array = SlurmArray(script: SlurmScript(name: spec.name, folder: folder.standardizedFileURL.path,
                                                       executable: fedsimExecutable().path, partition: partition, time: time))
            guard !left.isEmpty else { return try merge(spec, in: folder) }
            let job = try array.submit(tasks: left, wait: wait)
            if !quiet { print("submitted Slurm job \(job): \(left.count) array tasks (\(array.file.path))") }
            if wait { try merge(spec, in: folder) } else if !quiet { print("when it is done: fedsim sweep --collect \(folder.path)") }
            return
        }
        let started = ContinuousClock.now
        runner.runAll(left, jobs: jobs, progress: !quiet && isatty(2) == 1)
        if !quiet { print("ran \(left.count) runs with --jobs \(jobs) in \(wallClock(since: started))") }
        try merge(spec, in: folder)
    }

    /// Validates every point (as `fedsim validate` would) before anything is written, then writes
    /// OUT/sweep.json; refuses a folder that holds another sweep.
    func prepareFolder(_ spec: SweepSpec, _ folder: URL) throws {
        for (k, point) in spec.points.enumerated() {
            let task = SweepTask(point: k, values: point, seed: spec.seeds[0])
            let what = "\(sweep!): point \(k) (\(task.setArguments.joined(separator: " ")))"
            do throws(ScenarioError) {
                _ = try PreparedRun(try ScenarioLoader.load(contentsOf: URL(fileURLWithPath: spec.scenario), overrides: task.overrides()))
            } catch {
                throw failure("\(what): \(error)", code: 2)
            }
        }
        let file = folder.appendingPathComponent("sweep.json")
        let text = try ReportWriter.json(spec.json)
        if let existing = try? Data(contentsOf: file), existing != text {
            throw failure("\(folder.path) holds another sweep (its sweep.json differs): choose another --out", code: 2)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ReportWriter.writeAtomically(text, to: file)
        } catch {
            throw failure("cannot write \(file.path): \(oneLine(error.localizedDescription))", code: 1)
        }
    }

    /// Writes the merged tables and charts; exit status 1 when some run did not finish.
    func merge(_ spec: SweepSpec, in folder: URL) throws {
        let results = SweepTables.read(spec, from: folder)
        var files: [(String, Data)] = [
            ("sweep-curves.csv", Data(SweepTables.curvesCSV(results, paths: spec.paths).utf8)),
            ("sweep-runs.csv", Data(SweepTables.runsCSV(results, paths: spec.paths).utf8)),
        ]
        files += SweepPlots.charts(spec, results: results).map { ($0.fileName, Data($0.svg.utf8)) }
        do {
            for (name, data) in files { try ReportWriter.writeAtomically(data, to: folder.appendingPathComponent(name)) }
        } catch {
            throw failure("cannot write results to \(folder.path): \(oneLine(error.localizedDescription))", code: 1)
        }
        let unfinished = results.filter { !$0.status.finished }
        if !quiet {
            let finished = results.count - unfinished.count
            print("merged \(finished) of \(results.count) runs into \(folder.path)/" + files.map(\.0).joined(separator: ", "))
        }
        guard unfinished.isEmpty else {
            let list = unfinished.prefix(10).map { "\($0.task.folder) (\($0.status.rawValue))" }.joined(separator: ", ")
            throw failure("\(unfinished.count) of \(results.count) runs did not finish: \(list)\(unfinished.count > 10 ? ", ..." : "") (each folder's run.log says why)", code: 1)
        }
    }

    func loadSweep(_ path: String) throws -> SweepSpec {
        do {
            return try SweepSpec.load(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw failure("\(path): \(error)", code: 2)
        }
    }

}

/// Wall-clock time since `start`, e.g. "2.65 secs".
func wallClock(since start: ContinuousClock.Instant) -> String {
    (ContinuousClock.now - start).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 2)))
}

/// This very fedsim binary, which the sweep runs for every task.
func fedsimExecutable() -> URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
}
