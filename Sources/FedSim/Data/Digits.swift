import Foundation

/// Loader for the digits data set (UCI Optical Recognition of Handwritten Digits, Alpaydin and
/// Kaynak 1998, as bundled by scikit-learn): an optional header line (a first line whose first
/// field is not an integer), then `label,p0,...,p63` per row with pixel-block counts 0...16,
/// scaled here to [0, 1]; LF or CRLF line ends.
public enum Digits {
    public static let featureCount = 64
    public static let classCount = 10

    /// Reads the CSV at `path`; a malformed file is a ``ScenarioError`` at `$.data.path`.
    public static func load(path: String) throws(ScenarioError) -> Dataset {
        func bad(_ what: String) -> ScenarioError {
            ScenarioError(path: "$.data.path", expected: "a digits CSV (optional header, then label,p0..p63 per row)", found: what)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw bad("an unreadable file at \(path)")
        }
        var features: [Float] = []
        var labels: [Int32] = []
        var lineNumber = 0
        // Swift reads "\r\n" as one Character, a newline: LF and CRLF files split alike.
        for line in text.split(whereSeparator: \.isNewline) {
            lineNumber += 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // The first line is a header unless it starts with a label (a headerless file).
            if lineNumber == 1, Int32(fields[0]) == nil { continue }
            guard fields.count == featureCount + 1 else { throw bad("line \(lineNumber) with \(fields.count) columns") }
            guard let label = Int32(fields[0]), (0 ..< Int32(classCount)).contains(label) else {
                throw bad("line \(lineNumber) with label \"\(fields[0])\"")
            }
            labels.append(label)
            for f in fields.dropFirst() {
                guard let v = Float(f), v.isFinite else { throw bad("line \(lineNumber) with value \"\(f)\"") }
                features.append(v / 16)
            }
        }
        guard !labels.isEmpty else { throw bad("no data rows") }
        return Dataset(features: features, labels: labels, featureCount: featureCount, classCount: classCount)
    }
}
