/// A scenario that cannot be run: names the JSON path, what was expected there and what was found.
///
/// The executable prints it as one line and exits with status 2, before any file is written.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A JSONPath-like location, for example `$.fleet.groups[2].count`.
    public let path: String
    /// What a valid scenario has at `path`.
    public let expected: String
    /// What this scenario has at `path`.
    public let found: String

    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String { "\(path): expected \(expected), found \(found)" }
}
