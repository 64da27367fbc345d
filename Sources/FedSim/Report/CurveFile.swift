import Foundation

/// A problem found while reading a report file: which file (when known), which line, and what is wrong.
public struct ReportFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Path of the file, or nil when parsing text that did not come from a file.
    public var file: String?
    /// 1-based line number in the text; 0 when the problem concerns the whole file.
    public var line: Int
    /// What is wrong, e.g. `column "samples": expected an integer, found "1.5"`.
    public var problem: String

    /// An error at `line` of `file` (nil when the text has no file).
    public init(file: String? = nil, line: Int, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `path:line: problem`, or `line N: problem` without a file (the line is left out when 0).
    public var description: String {
        switch (file, line) {
        case let (file?, 0): return "\(file): \(problem)"
        case let (file?, line): return "\(file):\(line): \(problem)"
        case (nil, 0): return problem
        case let (nil, line): return "line \(line): \(problem)"
        }
    }
}

/// Reads `curve.csv` files as written by `ReportWriter.curveCSV`.
///
/// Columns are found by header name, so their order does not matter and extra columns (for
/// example a column added by a later version) are ignored. The eight columns of
/// `ReportWriter.curveHeader` except the optional `epsilon` and `train_loss` are required; an empty
/// `train_loss` reads as nil. Fields are plain (not quoted); lines end in LF or CRLF; blank lines are skipped;
/// `nan`, `inf` and `-inf` are accepted for the real-valued columns (a diverged run writes them).
public enum CurveFile {
    /// The columns every curve file must have.
    static let requiredColumns = ["run", "time_s", "round", "samples", "bytes_up", "bytes_down", "accuracy", "loss"]

    /// Parses the text of a curve file into its rows, in file order.
    /// Throws `ReportFileError` naming the first bad line.
    public static func parse(_ text: String) throws -> [CurvePoint] {
        // "\r\n" is one Character in Swift, so split on any line break rather than on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        func fields(_ line: Substring) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }

        // The header is the first non-blank line.
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw ReportFileError(line: 1, problem: "empty file: expected the header \"\(ReportWriter.curveHeader)\"")
        }
        let header = fields(lines[headerIndex])
        var column: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            if column[name] != nil {
                throw ReportFileError(line: headerIndex + 1, problem: "duplicate column \"\(name)\" in the header")
            }
            column[name] = i
        }
        let missing = requiredColumns.filter { column[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            throw ReportFileError(line: headerIndex + 1, problem: "header lacks column\(missing.count > 1 ? "s" : "") \(list)")
        }

        var points: [CurvePoint] = []
        for index in lines.indices where index > headerIndex {
            let lineNumber = index + 1
            guard !lines[index].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            let row = fields(lines[index])
            guard row.count == header.count else {
                throw ReportFileError(line: lineNumber, problem: "expected \(header.count) fields, found \(row.count)")
            }
            func field(_ name: String) -> String { row[column[name]!] }
            func real(_ name: String) throws -> Double {
                guard let v = Double(field(name)) else {
                    throw ReportFileError(line: lineNumber, problem: "column \"\(name)\": expected a number, found \"\(field(name))\"")
                }
                return v
            }
            func count(_ name: String) throws -> Int {
                guard let v = Int(field(name)), v >= 0 else {
                    throw ReportFileError(line: lineNumber, problem: "column \"\(name)\": expected an integer >= 0, found \"\(field(name))\"")
                }
                return v
            }
            guard let run = RunKind(rawValue: field("run")) else {
                throw ReportFileError(line: lineNumber, problem: "column \"run\": expected \"federated\" or \"baseline\", found \"\(field("run"))\"")
            }
            points.append(CurvePoint(run: run, time: try real("time_s"), round: try real("round"),
                                     samples: try count("samples"), bytesUp: try count("bytes_up"),
                                     bytesDown: try count("bytes_down"), accuracy: try real("accuracy"),
                                     loss: try real("loss"),
                                     trainLoss: column["train_loss"] == nil || field("train_loss").isEmpty ? nil : try real("train_loss")))
        }
        return points
    }

    /// Reads and parses the curve file at `url`; errors name the file's path.
    public static func read(_ url: URL) throws -> [CurvePoint] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ReportFileError(file: url.path, line: 0, problem: "cannot read the file (\(error.localizedDescription))")
        }
        do {
            return try parse(text)
        } catch var e as ReportFileError {
            e.file = url.path
            throw e
        }
    }
}
