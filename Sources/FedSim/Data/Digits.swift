import Foundation

/// Loader for the digits data set (UCI Optical Recognition of Handwritten Digits, Alpaydin and
/// Kaynak 1998, as bundled by scikit-learn): a header line, then `label,p0,...,p63` per row with
/// pixel-block counts 0...16, scaled here to [0, 1].
public enum Digits {
    public static let featureCount = 64
    public static let classCount = 10

    /// Reads the CSV at `path`; a malformed file is a ``ScenarioError`` at `$.data.path`.
    ///
    /// One pass over the file's bytes, writing features and labels straight into the arrays the
    /// ``Dataset`` keeps: fields of plain decimal digits are parsed in place (no `String` per
    /// field); any other field goes through `Float(_:)` / `Int32(_:)`, so the accepted syntax is
    /// theirs. LF or CRLF line ends; empty lines are skipped; the first non-empty line is a header
    /// unless its first field is an integer (a file without a header keeps every row).
    public static func load(path: String) throws(ScenarioError) -> Dataset {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw bad("an unreadable file at \(path)")
        }
        let parsed = bytes.withUnsafeBytes { parse($0.bindMemory(to: UInt8.self)) }
        switch parsed {
        case .success(let data): return data
        case .failure(let error): throw error
        }
    }

    private static func bad(_ what: String) -> ScenarioError {
        ScenarioError(path: "$.data.path", expected: "a digits CSV (optional header, then label,p0..p63 per row)", found: what)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Dataset, ScenarioError> {
        let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        let estimatedRows = bytes.count / (2 * (featureCount + 1)) + 1
        var features: [Float] = []
        features.reserveCapacity(estimatedRows * featureCount)
        var labels: [Int32] = []
        labels.reserveCapacity(estimatedRows)
        var lineNumber = 0
        var i = 0
        let end = bytes.count
        while i < end {
            if bytes[i] == newline || bytes[i] == carriageReturn { i += 1; continue }  // empty line
            lineNumber += 1
            var next = i, commas = 0
            while next < end && bytes[next] != newline {
                if bytes[next] == comma { commas += 1 }
                next += 1
            }
            // A CRLF line ends before its carriage return.
            let lineEnd = next > i && bytes[next - 1] == carriageReturn ? next - 1 : next
            if lineNumber == 1 {
                var firstEnd = i
                while firstEnd < lineEnd && bytes[firstEnd] != comma { firstEnd += 1 }
                let first = UnsafeBufferPointer(rebasing: bytes[i ..< firstEnd])
                if integer(first) == nil && Int32(text(first)) == nil {  // a header
                    i = next
                    continue
                }
            }
            guard commas == featureCount else { return .failure(bad("line \(lineNumber) with \(commas + 1) columns")) }
            for column in 0 ... featureCount {
                let start = i
                while i < lineEnd && bytes[i] != comma { i += 1 }
                let field = UnsafeBufferPointer(rebasing: bytes[start ..< i])
                i += 1  // past the comma, or the line end
                if column == 0 {
                    guard let label = integer(field).map(Int32.init) ?? Int32(text(field)), (0 ..< Int32(classCount)).contains(label) else {
                        return .failure(bad("line \(lineNumber) with label \"\(text(field))\""))
                    }
                    labels.append(label)
                } else {
                    guard let v = integer(field).map(Float.init) ?? Float(text(field)), v.isFinite else {
                        return .failure(bad("line \(lineNumber) with value \"\(text(field))\""))
                    }
                    features.append(v / 16)
                }
            }
        }
        guard !labels.isEmpty else { return .failure(bad("no data rows")) }
        return .success(Dataset(features: features, labels: labels, featureCount: featureCount, classCount: classCount))
    }

    /// The value of a field of 1 to 7 decimal digits (exact as a Float), else nil.
    @inline(__always)
    private static func integer(_ field: UnsafeBufferPointer<UInt8>) -> Int? {
        guard (1 ... 7).contains(field.count) else { return nil }
        var value = 0
        for b in field {
            let digit = Int(b) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func text(_ field: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: field, as: UTF8.self)
    }
}
