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
    /// theirs. Empty lines are skipped; the first non-empty line is the header.
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
        ScenarioError(path: "$.data.path", expected: "a digits CSV (header, then label,p0..p63 per row)", found: what)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Dataset, ScenarioError> {
        let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        let estimatedRows = bytes.count / (2 * (featureCount + 1)) + 1
        var features: [Float] = []
        features.reserveCapacity(estimatedRows * featureCount)
        var labels: [Int32] = []
        labels.reserveCapacity(estimatedRows)
        var lineNumber = 0
        var i = 0
        let end = bytes.count
        while i < end {
            if bytes[i] == newline { i += 1; continue }  // empty line
            lineNumber += 1
            if lineNumber == 1 {  // header
                while i < end && bytes[i] != newline { i += 1 }
                continue
            }
            var lineEnd = i, commas = 0
            while lineEnd < end && bytes[lineEnd] != newline {
                if bytes[lineEnd] == comma { commas += 1 }
                lineEnd += 1
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
