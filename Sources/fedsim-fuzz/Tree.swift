/// A JSON document as the fuzzer edits it: object members keep their order and may repeat, and a
/// number keeps its text, so mutants can hold what a JSON library would refuse to write
/// (duplicate keys, `1e400`, `-0`).
/// An object member.
struct Member {
    var key: String
    var value: Tree
}

indirect enum Tree {
    case number(String)
    case string(String)
    case bool(Bool)
    case null
    case array([Tree])
    case object([Member])

    /// Compact JSON text; strings escape only `"` and `\` (control characters pass through raw,
    /// which a strict reader must refuse).
    var text: String {
        switch self {
        case .number(let t): return t
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.map { Tree.string($0.key).text + ":" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    /// Parses well-formed JSON (the shipped scenarios); nil on anything else.
    static func parse(_ text: String) -> Tree? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let tree = reader.value() else { return nil }
        reader.skipSpace()
        return reader.at == reader.bytes.count ? tree : nil
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
        }

        mutating func value() -> Tree? {
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [Member] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard case .string(let key)? = value() else { return nil }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
                    at += 1
                    guard let v = value() else { return nil }
                    members.append(Member(key: key, value: v))
                    skipSpace()
                    guard at < bytes.count else { return nil }
                    at += 1
                    if bytes[at - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[at - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [Tree] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    guard let v = value() else { return nil }
                    items.append(v)
                    skipSpace()
                    guard at < bytes.count else { return nil }
                    at += 1
                    if bytes[at - 1] == UInt8(ascii: "]") { return .array(items) }
                    guard bytes[at - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "\""):
                at += 1
                var out: [UInt8] = []
                while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
                    if bytes[at] == UInt8(ascii: "\\") { at += 1 }  // the shipped files escape only quotes and backslashes
                    out.append(bytes[at])
                    at += 1
                }
                at += 1
                return .string(String(decoding: out, as: UTF8.self))
            default:
                let start = at
                while at < bytes.count, !",]} \n\r\t".utf8.contains(bytes[at]) { at += 1 }
                let word = String(decoding: bytes[start ..< at], as: UTF8.self)
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default: return word.isEmpty ? nil : .number(word)
                }
            }
        }
    }
}
