import ArgumentParser
import FedMath
import FedSim
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its curves, summary and charts.",
        discussion: """
            Trains the centralized baseline and then the federated model, writes curve.csv, \
            summary.json, devices.csv and three SVG charts (accuracy vs time, samples and bytes) into \
            the output folder and prints a summary. Exit status: 0 on success, 1 when the results \
            cannot be written (checked before training), 2 when the scenario is invalid (nothing is \
            written), 3 when training stopped early (divergence, no progress possible, or the \
            clock's end; the files are written and say so), 130 or 143 when SIGINT or SIGTERM \
            stopped it (the files hold the run so far and summary.json says "complete": false). \
            The files are written into a private folder beside the output folder and moved into \
            place together.

            With --seeds N the scenario runs N times, with seeds s, s+1, ..., s+N-1 (s the \
            scenario's seed or --seed), the k-th into OUT/seed-<k>/ with all the files of a normal \
            run. Then it writes OUT/seeds-curve.csv (every seed's curve rows led by a seed column) \
            and prints, and writes to OUT/seeds.json, the mean of each efficiency claim \
            over the seeds with its 95% Student-t interval, median and range, and a verdict on the \
            85% claim: "holds" when the whole interval is >= 0.85, "fails" when it is wholly below, \
            "undecided" otherwise (and always for one seed). Runs that never reached the target are \
            reported as "not reached k of n" and left out, never counted as 0 (and a claim cannot \
            hold then). Seeds are prepared one at a time, each just before it trains; every finished \
            seed is kept when a later one is invalid or the run is interrupted.
            """
    )

    @Argument(help: "The scenario JSON file to run.", completion: .file(extensions: ["json"]))
    var scenario: String

    @Option(name: .long, help: ArgumentHelp(
        "The folder to write results into. Defaults to Results/<scenario name> under the current folder.",
        valueName: "dir"))
    var out: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Puts a value at a path of the scenario before it is validated, e.g. training.learningRate=0.1 or fleet.groups[0].count=500 (repeatable; the value is typed by the JSON it parses as, else a string).",
        valueName: "path=value"))
    var overrides: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Replaces the scenario's seed, so the same fleet and data can be replayed with other random draws.",
        valueName: "n"))
    var seed: UInt32?

    @Option(name: .long, help: ArgumentHelp(
        "Run the scenario with n consecutive seeds, each into <dir>/seed-<k>, and summarise the efficiency claims over them.",
        valueName: "n"))
    var seeds: Int?

    @Option(name: .long, help: ArgumentHelp(
        "How many threads train devices in parallel. Changes only the speed, never the results. Defaults to the number of cores.",
        valueName: "n"))
    var threads: Int?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1, found \(seeds)") }
    }

    func run() throws {
        Interruption.install()
        if let seeds { return try runSeeds(seeds) }
        let started = ContinuousClock.now
        var loaded = try loadScenario(scenario, overrides: overrides)
        if let seed { loaded.seed = UInt64(seed) }
        let prepared = try prepare(loaded, file: scenario)
        if !quiet { warn(RunWarnings.beforeRun(prepared)) }
        let folder = out ?? "Results/\(loaded.name)"
        let output = try stage(folder)
        let report = train(prepared, what: "\(loaded.name) (seed \(loaded.seed))")
        if !quiet { warn(RunWarnings.afterRun(report.summary, scenario: loaded)) }
        let files = try write(report, to: output, as: folder)
        if !quiet {
            print(report.summary.text)
            if let a = report.summary.privacyAccounting { print("privacy accounting    \(a.method.rawValue), \(a.steps) steps: \(a.reason)") }
            print("")
            print("wrote \(describe(files, in: folder)) (wall clock \(seconds(since: started)))")
        }
        if BLASClock.enabled {  // make bench's share of time in BLAS (README: Benchmark)
            let (nanoseconds, calls) = BLASClock.reading
            FileHandle.standardError.write(Data("blas clock: \(nanoseconds) ns in \(calls) calls\n".utf8))
        }
        if let code = endStatus(report, folder: folder) { throw code }
    }

    /// The exit for a run that did not end normally, its message printed: an interruption
    /// (130/143), a divergence, no progress or the clock's end (3); nil otherwise.
    func endStatus(_ report: RunReport, folder: String) -> ExitCode? {
        if let signal = Interruption.received {
            return failure("interrupted by \(Interruption.name(signal)): the run so far is in \(folder) (summary.json: \"complete\": false)",
                           code: Interruption.exitStatus(signal))
        }
        if let divergence = report.summary.divergence { return failure(divergence, code: 3) }
        switch report.federated.stopReason {
        case .clockEnd, .halted: return failure("\(report.federated.stopReason); the partial run is in \(folder)", code: 3)
        default: return nil
        }
    }

    /// The output folder's staging area, created now so that an unwritable folder fails before training.
    func stage(_ folder: String) throws -> OutputSet {
        do {
            return try OutputSet(destination: URL(fileURLWithPath: folder))
        } catch {
            throw failure("cannot write results to \(folder): \(oneLine(error.localizedDescription))", code: 1)
        }
    }

    /// `--seeds n`: each seed is prepared (and so validated) just before it trains, then written;
    /// then the statistics over the finished seeds are printed and written to seeds.json. An
    /// interruption stops after writing the seed in progress (marked incomplete, left out of the statistics).
    func runSeeds(_ count: Int) throws {
        let started = ContinuousClock.now
        let loaded = try loadScenario(scenario, overrides: overrides)
        let first = seed.map(UInt64.init) ?? loaded.seed
        let last = first + UInt64(count) - 1
        guard last <= UInt64(UInt32.max) else {
            throw failure("--seeds \(count) from seed \(first) would reach seed \(last), above the largest seed \(UInt32.max)", code: 2)
        }
        let folder = out ?? "Results/\(loaded.name)"

        var results: [SeedRun] = []
        var curves: [(seed: UInt64, curve: [CurvePoint])] = []
        for (k, s) in (first ... last).enumerated() {
            var variant = loaded
            variant.seed = s
            let prepared = try prepare(variant, file: scenario)
            if !quiet && k == 0 { warn(RunWarnings.beforeRun(prepared)) }
            let runStarted = ContinuousClock.now
            let subfolder = "\(folder)/seed-\(k)"
            let output = try stage(subfolder)
            let report = train(prepared, what: "\(loaded.name), seed \(s) (\(k + 1) of \(count))")
            let files = try write(report, to: output, as: subfolder)
            if !quiet {
                print("seed \(s): wrote \(files.count) files to \(subfolder) (wall clock \(seconds(since: runStarted)))")
            }
            guard Interruption.received == nil else { break }
            results.append(SeedRun(folder: "seed-\(k)", summary: report.summary))
            curves.append((s, report.curve))
        }

        let statistics = SeedSummary(scenario: loaded.name, runs: results)
        let file = "\(folder)/seeds.json"
        do {
            try ReportWriter.writeAtomically(ReportWriter.json(statistics), to: URL(fileURLWithPath: file))
            try ReportWriter.writeAtomically(Data(ReportWriter.seedsCurveCSV(curves).utf8),
                                             to: URL(fileURLWithPath: "\(folder)/seeds-curve.csv"))
        } catch {
            throw failure("cannot write results to \(file): \(oneLine(error.localizedDescription))", code: 1)
        }
        if !quiet {
            print("")
            print(Comparison.table(results.map { (name: "\($0.folder) (seed \($0.summary.seed))", summary: $0.summary) }))
            print(statistics.text)
            print("")
            print("wrote \(file) (wall clock \(seconds(since: started)))")
        }
        if let signal = Interruption.received {
            throw failure("interrupted by \(Interruption.name(signal)) after \(results.count) finished seed(s), kept in \(folder); the seed in progress is in \(folder)/seed-\(results.count) (\"complete\": false)",
                          code: Interruption.exitStatus(signal))
        }
        let diverged = results.filter { $0.summary.divergence != nil }
        if !diverged.isEmpty {
            let list = diverged.map { "seed \($0.summary.seed) (\($0.folder)): \($0.summary.divergence!)" }
            throw failure("\(diverged.count) of \(count) runs diverged: " + list.joined(separator: "; "), code: 3)
        }
    }

    /// Trains one prepared run, showing what is training on stderr while it does when stderr is a terminal.
    func train(_ prepared: PreparedRun, what: String) -> RunReport {
        let progress = !quiet && isatty(2) == 1
        if progress { FileHandle.standardError.write(Data("training \(what)\u{2026}".utf8)) }
        let label = what
        let started = ContinuousClock.now
        let show: @Sendable (RunProgress) -> Void = { p in
            // One line, rewritten in place: virtual time, round, latest accuracy, estimated time left.
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let left = p.fractionDone > 0 ? seconds * (1 - p.fractionDone) / p.fractionDone : 0
            let line = "\r\u{1B}[Ktraining \(label): virtual \(Format.significant(p.time, 4)) s, round \(p.round), "
                + "accuracy \(Format.fixed(100 * p.accuracy, 2))%, about \(Format.fixed(left, 1)) s left"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let report = prepared.run(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                  progress: progress ? show : nil, interrupted: Interruption.check)
        // Carriage return and erase-line: the progress line disappears once the run is done.
        if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return report
    }

    /// Writes a run's files and its charts into the staging folder of `output` and moves them
    /// into place as one; returns their names. `folder` is the destination as the user wrote it.
    func write(_ report: RunReport, to output: OutputSet, as folder: String) throws -> [String] {
        do {
            let files = try ReportWriter.write(report, to: output.staging)
                + (try Plots.write(curve: report.curve, title: report.summary.scenario, to: output.staging))
            try output.install()
            return files.map(\.lastPathComponent)
        } catch {
            output.discard()
            throw failure("cannot write results to \(folder): \(oneLine(error.localizedDescription))", code: 1)
        }
    }

    /// "DIR/curve.csv, summary.json, ... and accuracy-vs-bytes.svg".
    func describe(_ names: [String], in folder: String) -> String {
        guard let lastName = names.last else { return folder }
        let list = names.count == 1 ? lastName : names.dropLast().joined(separator: ", ") + " and " + lastName
        return "\(folder)/" + list
    }

    func seconds(since start: ContinuousClock.Instant) -> String { wallClock(since: start) }
}

/// One run of `--seeds`: its folder (relative to the output folder) and summary.
struct SeedRun {
    var folder: String
    var summary: RunSummary
}

/// What `--seeds` writes to seeds.json: each efficiency claim's values over the seeds where it
/// exists, their mean with a 95% Student-t interval, median and range, the seeds where it does not
/// exist ("not reached k of n", never counted as 0), and the verdict on the claim.
struct SeedSummary: Encodable {
    struct Entry: Encodable {
        var seed: UInt64
        var folder: String
        var diverged: Bool
    }

    struct ClaimStatistics: Encodable {
        /// The definition tested, as in each run's summary.
        var definition: String
        /// The values of the seeds where the figure exists, in seed order.
        var values: [Double]
        /// Seeds where the figure does not exist (for cost ratios: a side never reached the target).
        var notReached: [UInt64]
        /// Over `values` only.
        var interval: Interval
        var median: Double?
        var min: Double?
        var max: Double?
        /// `SeedStatistics.verdict` of the interval, except that a claim missing on some seed
        /// cannot hold: `holds` becomes `undecided` then.
        var verdict: Verdict
    }

    struct Claims: Encodable {
        var computeUtilisation: ClaimStatistics
        var workBySamples: ClaimStatistics
        var workByFLOPs: ClaimStatistics
        var lossAtEqualSamples: ClaimStatistics
        var timeAtEqualCompute: ClaimStatistics
    }

    var scenario: String
    var seeds: [UInt64]
    var runs: [Entry]
    var confidence: Double
    var threshold: Double
    var claims: Claims

    init(scenario: String, runs: [SeedRun], confidence: Double = 0.95) {
        self.scenario = scenario
        seeds = runs.map(\.summary.seed)
        self.runs = runs.map { Entry(seed: $0.summary.seed, folder: $0.folder, diverged: $0.summary.divergence != nil) }
        self.confidence = confidence
        threshold = RunSummary.claimThreshold
        func statistics(_ claim: (RunSummary.Efficiency) -> Claim) -> ClaimStatistics {
            var values: [Double] = [], notReached: [UInt64] = []
            for run in runs {
                if let v = claim(run.summary.efficiency).value { values.append(v) } else { notReached.append(run.summary.seed) }
            }
            let interval = SeedStatistics.interval(values, confidence: confidence)
            var verdict = SeedStatistics.verdict(interval, threshold: RunSummary.claimThreshold)
            if verdict == .holds && !notReached.isEmpty { verdict = .undecided }
            return ClaimStatistics(definition: runs.first.map { claim($0.summary.efficiency).definition } ?? "",
                                   values: values, notReached: notReached, interval: interval,
                                   median: SeedStatistics.median(values), min: values.min(), max: values.max(), verdict: verdict)
        }
        claims = Claims(computeUtilisation: statistics(\.computeUtilisation), workBySamples: statistics(\.workBySamples),
                        workByFLOPs: statistics(\.workByFLOPs), lossAtEqualSamples: statistics(\.lossAtEqualSamples),
                        timeAtEqualCompute: statistics(\.timeAtEqualCompute))
    }

    /// The table printed at the end of `--seeds`.
    var text: String {
        let percent = Format.compact(100 * confidence, 1)
        func g(_ x: Double?) -> String { x.map { Format.significant($0, 3) } ?? "-" }
        var rows: [[String]] = [["claim", "mean", "\(percent)% interval", "median", "range", "verdict", "not reached"]]
        let all = [claims.computeUtilisation, claims.workBySamples, claims.workByFLOPs, claims.lossAtEqualSamples,
                   claims.timeAtEqualCompute]
        for s in all {
            let i = s.interval
            rows.append([s.definition, g(i.n > 0 ? i.mean : nil), i.n > 0 ? "[\(g(i.low)), \(g(i.high))]" : "-",
                         g(s.median), "[\(g(s.min)), \(g(s.max))]", s.verdict.rawValue, "\(s.notReached.count) of \(seeds.count)"])
        }
        var lines = ["efficiency over \(seeds.count) seed\(seeds.count == 1 ? "" : "s") (\(seedList)), claim: value >= \(Format.compact(threshold, 2))"]
        lines += alignColumns(rows)
        for s in all where !s.notReached.isEmpty {
            lines.append("note: \(s.definition): not reached \(s.notReached.count) of \(seeds.count) (seed\(s.notReached.count == 1 ? "" : "s") \(list(s.notReached))); left out of mean, interval, median and range")
        }
        if seeds.count < 2 { lines.append("note: one seed gives no interval; the verdict is undecided") }
        return lines.joined(separator: "\n")
    }

    private var seedList: String {
        seeds.count > 1 ? "seeds \(seeds.first!) to \(seeds.last!)" : "seed \(seeds.first.map(String.init) ?? "-")"
    }

    private func list(_ seeds: [UInt64]) -> String { seeds.map(String.init).joined(separator: ", ") }
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

    @Option(name: .customLong("set"), help: ArgumentHelp("As for run: puts a value at a path of the scenario first (repeatable).",
                                                         valueName: "path=value"))
    var overrides: [String] = []

    @Option(name: .long, help: "text, or json: one object on stdout, {\"valid\": true, ...figures, \"warnings\": [...]} or {\"valid\": false, \"error\": {\"path\", \"expected\", \"found\"}}.")
    var format: OutputFormat = .text

    func run() throws {
        if format == .json { return try runJSON() }
        let loaded = try loadScenario(scenario, overrides: overrides)
        let prepared = try prepare(loaded, file: scenario)
        warn(RunWarnings.beforeRun(prepared))
        let sizes = prepared.data.shards.map(\.count)
        print("\(scenario): valid: \(loaded.fleet.deviceCount) devices, \(prepared.data.train.count) training and \(prepared.data.test.count) test samples, \(sizes.min() ?? 0)...\(sizes.max() ?? 0) samples per device")
        let layout = prepared.model.layout
        print("model: \(loaded.model.kind.rawValue), \(layout.count) parameters in \(layout.segments.count) segments")
        for line in layout.lines { print("  \(line)") }
    }
}

extension Validate {
    /// `--format json`: the verdict as one JSON object on stdout; exit status 2 when invalid.
    func runJSON() throws {
        let result: JSONValue
        var valid = true
        do throws(ScenarioError) {
            let parsed = try overrides.map { text throws(ScenarioError) in try ScenarioOverride(text) }
            let prepared = try PreparedRun(try ScenarioLoader.load(contentsOf: URL(fileURLWithPath: scenario), overrides: parsed))
            let sizes = prepared.data.shards.map(\.count)
            result = .object([
                "valid": .bool(true), "devices": .number(Double(prepared.scenario.fleet.deviceCount)),
                "trainingSamples": .number(Double(prepared.data.train.count)), "testSamples": .number(Double(prepared.data.test.count)),
                "samplesPerDevice": .object(["min": .number(Double(sizes.min() ?? 0)), "max": .number(Double(sizes.max() ?? 0))]),
                "warnings": .array(RunWarnings.beforeRun(prepared).map(JSONValue.string)),
            ])
        } catch {
            valid = false
            result = .object(["valid": .bool(false),
                              "error": .object(["path": .string(error.path), "expected": .string(error.expected), "found": .string(error.found)])])
        }
        print(String(decoding: try ReportWriter.json(result), as: UTF8.self), terminator: "")
        if !valid { throw ExitCode(2) }
    }
}

/// Left-aligned columns padded to their widest cell and separated by two spaces, trailing spaces dropped.
func alignColumns(_ rows: [[String]]) -> [String] {
    var width: [Int] = []
    for row in rows {
        for (i, cell) in row.enumerated() {
            if i == width.count { width.append(0) }
            width[i] = max(width[i], cell.count)
        }
    }
    return rows.map { row in
        var line = ""
        for (i, cell) in row.enumerated() {
            line += i == row.count - 1 ? cell : cell + String(repeating: " ", count: width[i] - cell.count + 2)
        }
        return line
    }
}

/// Loads a scenario with its `--set` overrides, turning a scenario error into one line on stderr
/// and exit status 2.
func loadScenario(_ path: String, overrides: [String] = []) throws -> Scenario {
    do throws(ScenarioError) {
        let parsed = try overrides.map { text throws(ScenarioError) in try ScenarioOverride(text) }
        return try ScenarioLoader.load(contentsOf: URL(fileURLWithPath: path), overrides: parsed)
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

/// Prints each message as a warning on stderr.
func warn(_ messages: [String]) {
    for m in messages { FileHandle.standardError.write(Data("warning: \(m)\n".utf8)) }
}

/// Prints `message` as an error on stderr and returns an exit with `code`.
func failure(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}
