/// How to read a user's `csv` or `text` file or the shipped `shakespeare` file.
public struct DataFileSpec: Codable, Equatable, Sendable {
    /// A csv column: by header name or by 0-based index.
    public enum Column: Codable, Equatable, Sendable {
        case name(String)
        case index(Int)
    }
    /// csv: the label column (default "label") and the optional client column.
    public var label: Column = .name("label")
    public var client: Column? = nil
    /// csv (default true) and text (default false): whether the first line names the columns.
    public var header = true
    /// csv: standardise features with the training rows' mean and standard deviation.
    public var standardize = false
    /// text, shakespeare: a client needs this many characters (text 1, shakespeare 1000).
    public var minCharacters = 1
    /// text, shakespeare: share of each client's characters that trains (the rest is held out).
    public var trainFraction = 0.8

    public init() {}
}
