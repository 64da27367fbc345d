import Foundation

/// A file of row assignments: the test split and the partition given explicitly, so that a run
/// can use exactly the split of another tool.
///
/// Format: UTF-8 text, one line per row of the data file in its order (the digits header not
/// counted), each line either `test` or a device index 0 ... N-1 (N the fleet size); LF or CRLF
/// line ends, one final line end optional. Every device must receive at least one row and at
/// least one row must be `test`.
public struct Assignments: Equatable, Sendable {
    /// Rows held out for testing, in file order.
    public var test: [Int]
    /// Rows of each device, in file order.
    public var devices: [[Int]]

    /// Parses the file at `path` for `rowCount` data rows and `deviceCount` devices. A problem is
    /// a ``ScenarioError`` at `$.data.assignments` whose found value names the file, line and column.
    public static func load(path: String, rowCount: Int, deviceCount: Int) throws(ScenarioError) -> Assignments {
        let device = "\"test\" or a device index 0...\(deviceCount - 1)"
        func bad(_ expected: String, _ found: String, line: Int, column: Int) -> ScenarioError {
            ScenarioError(path: "$.data.assignments", expected: expected, found: "\(found) at \(path):\(line):\(column)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScenarioError(path: "$.data.assignments", expected: "a readable UTF-8 assignments file", found: "an unreadable file at \(path)")
        }
        // "\r\n" is one Character, so split on any line break rather than on "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last == "" { lines.removeLast() }
        var result = Assignments(test: [], devices: [[Int]](repeating: [], count: deviceCount))
        for (row, field) in lines.enumerated() {
            let line = row + 1
            guard row < rowCount else {
                throw bad("one line per data row (\(rowCount) rows)", "the extra line \"\(field)\"", line: line, column: 1)
            }
            if field == "test" {
                result.test.append(row)
                continue
            }
            if let offset = field.firstIndex(where: { !("0"..."9").contains($0) }) {
                let column = field.distance(from: field.startIndex, to: offset) + 1
                throw bad(device, "\"\(field)\"", line: line, column: column)
            }
            guard let d = Int(field), d < deviceCount else {
                throw bad(device, field.isEmpty ? "an empty line" : "\"\(field)\"", line: line, column: 1)
            }
            result.devices[d].append(row)
        }
        guard lines.count == rowCount else {
            throw bad("one line per data row (\(rowCount) rows)", "the end of the file after \(lines.count) lines",
                      line: lines.count + 1, column: 1)
        }
        guard !result.test.isEmpty else {
            throw ScenarioError(path: "$.data.assignments", expected: "at least one \"test\" row", found: "none in \(path)")
        }
        if let empty = result.devices.firstIndex(where: \.isEmpty) {
            throw ScenarioError(path: "$.data.assignments", expected: "at least one row for every device 0...\(deviceCount - 1)",
                                found: "no row for device \(empty) in \(path)")
        }
        return result
    }
}
