import ArgumentParser
import FedSim
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a run's curve with a golden curve.",
        discussion: """
            Reads RUN_DIR/curve.csv and the golden curve (a curve.csv kept from an earlier run), \
            matches their checkpoints by run (federated, baseline) and round, and checks time, \
            samples, bytes, accuracy and loss at each, plus the final accuracy and loss. Prints the \
            comparisons outside tolerance, the largest deviation per metric and PASS or FAIL. \
            Exit status: 0 when every comparison is within tolerance, 1 when one is not, 2 when \
            an input cannot be read.

            Default tolerances: accuracy 0.02 and loss 5% at each checkpoint, final accuracy 0.01 \
            and final loss 2%, samples and bytes exact, time 1e-9 relative. A tolerance file is a \
            JSON object with any of the keys accuracyBand, lossBand, finalAccuracy, finalLoss \
            (numbers), samples, bytes (integers) and time (number); keys left out keep their default.
            """
    )

    @Argument(help: ArgumentHelp("The run's output folder (or its curve.csv).", valueName: "run-dir"),
              completion: .directory)
    var runDir: String

    @Option(name: .long, help: ArgumentHelp("The golden curve CSV to compare with.", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var golden: String

    @Option(name: .long, help: ArgumentHelp("A JSON file of tolerances replacing the defaults.", valueName: "file"),
            completion: .file(extensions: ["json"]))
    var tolerances: String?

    func run() throws {
        let curve = curvePath(in: runDir)
        let runCurve = try readCurve(URL(fileURLWithPath: curve))
        let goldenCurve = try readCurve(URL(fileURLWithPath: golden))
        let limits = try tolerances.map(readTolerances) ?? GoldenTolerances()
        let report = GoldenCheck.compare(run: runCurve, golden: goldenCurve, tolerances: limits)
        print("check \(curve) against \(golden)")
        print(report.table, terminator: "")
        if !report.passed { throw ExitCode(1) }
    }

    /// The keys a tolerance file may hold.
    static let toleranceKeys: Set<String> = ["accuracyBand", "lossBand", "finalAccuracy", "finalLoss", "samples", "bytes", "time"]

    /// Reads a tolerance file; unknown keys and values that are not limits >= 0 are errors (exit 2),
    /// so a typo never silently keeps a default.
    func readTolerances(_ path: String) throws -> GoldenTolerances {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw failure("\(path): cannot read the file (\(oneLine(error.localizedDescription)))", code: 2)
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw failure("\(path): \(oneLine(String(describing: error)))", code: 2)
        }
        guard case .object(let object) = document else {
            throw failure("\(path): expected a JSON object of tolerances, found \(document.summary)", code: 2)
        }
        var t = GoldenTolerances()
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            let integer = key == "samples" || key == "bytes"
            guard Check.toleranceKeys.contains(key) else {
                let allowed = Check.toleranceKeys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw failure("\(path): unknown key \"\(key)\" (allowed: \(allowed))", code: 2)
            }
            guard case .number(let x) = value, x >= 0, x.isFinite, !integer || (x == x.rounded() && x < 1e15) else {
                let expected = integer ? "an integer >= 0" : "a number >= 0"
                throw failure("\(path): \"\(key)\": expected \(expected), found \(value.summary)", code: 2)
            }
            switch key {
            case "accuracyBand": t.accuracyBand = x
            case "lossBand": t.lossBand = x
            case "finalAccuracy": t.finalAccuracy = x
            case "finalLoss": t.finalLoss = x
            case "samples": t.samples = Int(x)
            case "bytes": t.bytes = Int(x)
            default: t.time = x
            }
        }
        return t
    }
}

/// `curve.csv` inside a run folder, as a path relative where `runDir` is; a path that is itself a
/// file is taken as the curve.
func curvePath(in runDir: String) -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: runDir, isDirectory: &isDirectory), !isDirectory.boolValue {
        return runDir
    }
    return (runDir as NSString).appendingPathComponent("curve.csv")
}

/// Reads a curve file; an unreadable or malformed file is one line on stderr and exit status 2.
func readCurve(_ url: URL) throws -> [CurvePoint] {
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw failure("\(url.path): no such file", code: 2)
    }
    do {
        return try CurveFile.read(url)
    } catch let error as ReportFileError {
        var e = error
        e.problem = oneLine(e.problem)
        throw failure(e.description, code: 2)
    } catch {
        throw failure("\(url.path): \(oneLine(error.localizedDescription))", code: 2)
    }
}

/// Folds any line breaks in a message into spaces, so an error stays on one line.
func oneLine(_ message: String) -> String {
    message.split(whereSeparator: \.isNewline).joined(separator: " ")
}
