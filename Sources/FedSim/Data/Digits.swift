import Foundation

/// Loader for the digits data set (UCI Optical Recognition of Handwritten Digits, Alpaydin and
/// Kaynak 1998, as bundled by scikit-learn): a header line, then `label,p0,...,p63` per row with
/// pixel-block counts 0...16, scaled here to [0, 1].
public enum Digits {
    public static let featureCount = 64
    public static let classCount = 10

    /// Reads the CSV at `path`; a malformed file is a ``ScenarioError`` at `$.data.path`.
    public static func load(path: String) throws(ScenarioError) -> Dataset {
        func bad(_ what: String) -> ScenarioError {
            ScenarioError(path: "$.data.path", expected: "a digits CSV (header, then label,p0..p63 per row)", found: what)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw bad("an unreadable file at \(path)")
        }
        var features: [Float] = []
        var labels: [Int32] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            lineNumber += 1
            if lineNumber == 1 { continue }  // header
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
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
