import ArgumentParser
import FedSim
import Foundation

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the summaries of several runs side by side.",
        discussion: """
            Reads summary.json in each RUN_DIR (a `run --seeds` folder stands for its seed-<k> \
            folders) and prints one row per run, named by its folder as given: federated final and best accuracy, baseline best accuracy, target, federated time \
            and samples to target, bytes, and each efficiency claim with its verdict ("-" where a \
            value does not exist). --csv also writes the same figures as CSV. Exit status: 0 on \
            success, 1 when the CSV cannot be written, 2 when a summary cannot be read.
            """
    )

    @Argument(help: ArgumentHelp("Run output folders, each holding a summary.json.", valueName: "run-dir"),
              completion: .directory)
    var runDirs: [String]

    @Option(name: .long, help: ArgumentHelp("Also write the comparison as CSV to this file.", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var csv: String?

    @Option(name: .long, help: "text (the table) or json (one record per run, keyed as the CSV's columns, null where a value does not exist).")
    var format: OutputFormat = .text

    func validate() throws {
        if runDirs.isEmpty { throw ValidationError("give at least one run folder") }
    }

    func run() throws {
        var runs: [(name: String, summary: RunSummary)] = []
        for dir in runDirs.flatMap(expandSeeds) {
            runs.append((name: displayName(dir), summary: try readSummary(dir)))
        }
        switch format {
        case .text: print(Comparison.table(runs), terminator: "")
        case .json: print(String(decoding: try ReportWriter.json(Comparison.records(runs)), as: UTF8.self), terminator: "")
        }
        if let csv {
            let url = URL(fileURLWithPath: csv)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try ReportWriter.writeAtomically(Data(Comparison.csv(runs).utf8), to: url)
            } catch {
                throw failure("cannot write \(csv): \(oneLine(error.localizedDescription))", code: 1)
            }
        }
    }

    /// The folder as given, without trailing slashes.
    func displayName(_ dir: String) -> String {
        var name = dir
        while name.count > 1 && name.hasSuffix("/") { name.removeLast() }
        return name
    }
}

/// `--format` of `validate` and `compare`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The run folders of `dir`: its seed folders (from seeds.json) when it is a `run --seeds` folder
/// without a summary.json of its own, else `dir` itself.
func expandSeeds(_ dir: String) -> [String] {
    let folder = URL(fileURLWithPath: dir)
    guard !FileManager.default.fileExists(atPath: folder.appendingPathComponent("summary.json").path),
          let data = try? Data(contentsOf: folder.appendingPathComponent("seeds.json")),
          let seeds = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let runs = seeds["runs"] as? [[String: Any]] else { return [dir] }
    let base = dir.hasSuffix("/") ? dir : dir + "/"
    return runs.compactMap { $0["folder"] as? String }.map { base + $0 }
}

/// Reads RUN_DIR/summary.json; a missing or malformed file is one line on stderr and exit status 2.
func readSummary(_ runDir: String) throws -> RunSummary {
    let url = URL(fileURLWithPath: runDir).appendingPathComponent("summary.json")
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw failure("\(url.path): no such file", code: 2)
    }
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw failure("\(url.path): cannot read the file (\(oneLine(error.localizedDescription)))", code: 2)
    }
    do {
        return try summaryDecoder().decode(RunSummary.self, from: data)
    } catch let error as DecodingError {
        throw failure("\(url.path): not a fedsim summary (\(describeDecoding(error)))", code: 2)
    } catch {
        throw failure("\(url.path): not a fedsim summary (\(oneLine(error.localizedDescription)))", code: 2)
    }
}

/// A one-line account of a JSON decoding error, naming the key path.
func describeDecoding(_ error: DecodingError) -> String {
    func path(_ c: DecodingError.Context) -> String {
        let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return "$" + p
    }
    switch error {
    case let .keyNotFound(key, c):
        return "\(path(c)): missing key \"\(key.stringValue)\""
    case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c):
        return c.codingPath.isEmpty ? oneLine(c.debugDescription) : "\(path(c)): \(oneLine(c.debugDescription))"
    @unknown default:
        return oneLine(String(describing: error))
    }
}

/// A decoder for `summary.json`, which writes non-finite numbers as "inf", "-inf" and "nan"
/// (a diverged run has them).
func summaryDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
}
