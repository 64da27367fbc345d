/// A data file that cannot be used: names the file, the line and column of the problem (1-based;
/// nil where the problem is the file as a whole), what was expected there and what was found.
///
/// The scenario loader turns it into a ``ScenarioError`` at the JSON path of the key that named
/// the file (``scenarioError(at:)``), so a bad file exits with status 2 like any bad scenario.
public struct DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    public let expected: String
    public let found: String

    public init(file: String, line: Int? = nil, column: Int? = nil, expected: String, found: String) {
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
    }

    /// `file`, `file:line` or `file:line:column`.
    public var location: String {
        [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
    }

    public var description: String { "\(location): expected \(expected), found \(found)" }

    /// The same problem reported at `jsonPath`, the scenario key that named the file.
    public func scenarioError(at jsonPath: String) -> ScenarioError {
        ScenarioError(path: jsonPath, expected: expected, found: "\(found) at \(location)")
    }
}

/// Byte-level helpers shared by the CSV and text loaders.
enum DataBytes {
    /// The lines of `bytes` as ranges, without their `\n` or `\r\n` ending; the last line may lack
    /// an ending. Line `i` of the result is line `i + 1` of the file.
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        bytes.withUnsafeBufferPointer { b in
            for i in 0 ..< b.count where b[i] == UInt8(ascii: "\n") {
                result.append(start ..< (i > start && b[i - 1] == UInt8(ascii: "\r") ? i - 1 : i))
                start = i + 1
            }
            if start < b.count {
                let end = b[b.count - 1] == UInt8(ascii: "\r") ? b.count - 1 : b.count
                result.append(start ..< end)
            }
        }
        return result
    }

    /// The fields of `line` split at `separator`, as ranges into `bytes`.
    static func fields(_ bytes: [UInt8], _ line: Range<Int>, separator: UInt8, into result: inout [Range<Int>]) {
        result.removeAll(keepingCapacity: true)
        var start = line.lowerBound
        for i in line where bytes[i] == separator {
            result.append(start ..< i)
            start = i + 1
        }
        result.append(start ..< line.upperBound)
    }

    /// The field as a String, or nil when it is not valid UTF-8.
    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        String(validating: bytes[range], as: UTF8.self)
    }

    /// The field for an error message: quoted, bytes that are not UTF-8 as `\xNN` (always >= 0x80,
    /// so two hex digits), cut after 40 bytes.
    static func quoted(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        let shown = range.lowerBound ..< min(range.upperBound, range.lowerBound + 40)
        var text = "", i = shown.lowerBound
        while i < shown.upperBound {
            let lead = bytes[i]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if i + length <= shown.upperBound, let character = String(validating: bytes[i ..< i + length], as: UTF8.self) {
                text += character
                i += length
            } else {
                text += "\\x" + String(lead, radix: 16, uppercase: true)
                i += 1
            }
        }
        return "\"" + text + (shown.upperBound < range.upperBound ? "..." : "") + "\""
    }

    /// The finite Float the field spells, or nil. Fields of up to 15 bytes become small (inline)
    /// strings, so parsing a number allocates nothing.
    static func float(_ bytes: [UInt8], _ range: Range<Int>) -> Float? {
        guard !range.isEmpty, let value = Float(String(decoding: bytes[range], as: UTF8.self)), value.isFinite else {
            return nil
        }
        return value
    }
}
