import Foundation

/// CSV fields as RFC 4180 (Shafranovich, 2005, "Common Format and MIME Type for CSV Files") writes
/// them: a field holding a comma, a double quote, CR or LF is enclosed in double quotes, with each
/// double quote inside doubled; any other field is written as is.
public enum CSV {
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields quoted where needed, separated by commas, ended by LF.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}
