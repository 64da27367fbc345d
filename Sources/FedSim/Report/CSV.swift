import Foundation

/// CSV fields as RFC 4180 (Shafranovich, 2005, "Common Format and MIME Type for CSV Files") writes
/// them: a field holding a comma, a double quote or a line break is enclosed in double quotes, with
/// each double quote inside doubled; so is one with leading or trailing white space, which some
/// readers would trim. Any other field is written as is.
public enum CSV {
    public static func field(_ text: String) -> String {
        let special = text.contains { $0 == "," || $0 == "\"" || $0.isNewline }
        let edgeSpace = text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard special || edgeSpace else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields quoted where needed, separated by commas, ended by LF.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}
