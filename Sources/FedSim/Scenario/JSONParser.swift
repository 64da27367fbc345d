/// A strict JSON reader (RFC 8259) for scenario files and the other JSON fedsim reads.
///
/// Stricter than `JSONDecoder` where a scenario needs it, and it says where a problem is:
/// - a syntax error names the JSON path of the value being read and its line and column;
/// - a key repeated within one object is an error at that key's path (JSON leaves duplicates
///   undefined; silently keeping one of them would run a scenario other than the one written);
/// - a number outside the range of a finite Double (`1e400`) is an error, not infinity;
/// - nesting deeper than ``maximumDepth`` is an error, found in time linear in the input;
/// - a byte order mark is skipped; anything after the document but white space is an error.
/// Parsing is one pass over the bytes, iterative over white space and recursive only in depth
/// (bounded by ``maximumDepth``), so no input traps or hangs.
struct JSONParser {
    /// Arrays and objects may nest this deep; a scenario needs fewer than ten levels.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3; lineStart = 3 }
    }

    /// Parses a whole document.
    static func parse(_ bytes: [UInt8]) throws(ScenarioError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhiteSpace()
        let value = try parser.value(path: "$", depth: 0)
        parser.skipWhiteSpace()
        guard parser.index == bytes.count else {
            throw parser.error(path: "$", expected: "the end of the document after its top-level value",
                               found: parser.foundHere())
        }
        return value
    }

    // MARK: values

    private mutating func value(path: String, depth: Int) throws(ScenarioError) -> JSONValue {
        guard index < bytes.count else { throw error(path: path, expected: "a value", found: "the end of the document") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(path: path, depth: depth + 1)
        case UInt8(ascii: "["): return try array(path: path, depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string(path: path))
        case UInt8(ascii: "t"): try literal("true", path: path); return .bool(true)
        case UInt8(ascii: "f"): try literal("false", path: path); return .bool(false)
        case UInt8(ascii: "n"): try literal("null", path: path); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try number(path: path))
        default: throw error(path: path, expected: "a value", found: foundHere())
        }
    }

    private mutating func object(path: String, depth: Int) throws(ScenarioError) -> JSONValue {
        try checkDepth(depth, path: path)
        index += 1
        var fields: [String: JSONValue] = [:]
        skipWhiteSpace()
        if peek(UInt8(ascii: "}")) { index += 1; return .object(fields) }
        while true {
            guard peek(UInt8(ascii: "\"")) else { throw error(path: path, expected: "a key in double quotes", found: foundHere()) }
            let keyLine = line, keyColumn = column
            let key = try string(path: path)
            let keyPath = "\(path).\(JSONValue.escaped(key))"
            skipWhiteSpace()
            guard peek(UInt8(ascii: ":")) else { throw error(path: keyPath, expected: "':' after the key", found: foundHere()) }
            index += 1
            skipWhiteSpace()
            let v = try value(path: keyPath, depth: depth)
            guard fields.updateValue(v, forKey: key) == nil else {
                throw ScenarioError(path: keyPath, expected: "each key once per object",
                                    found: "\"\(JSONValue.escaped(key))\" again at line \(keyLine), column \(keyColumn)")
            }
            skipWhiteSpace()
            if peek(UInt8(ascii: ",")) { index += 1; skipWhiteSpace(); continue }
            if peek(UInt8(ascii: "}")) { index += 1; return .object(fields) }
            throw error(path: keyPath, expected: "',' or '}' after the value", found: foundHere())
        }
    }

    private mutating func array(path: String, depth: Int) throws(ScenarioError) -> JSONValue {
        try checkDepth(depth, path: path)
        index += 1
        var elements: [JSONValue] = []
        skipWhiteSpace()
        if peek(UInt8(ascii: "]")) { index += 1; return .array(elements) }
        while true {
            let elementPath = "\(path)[\(elements.count)]"
            elements.append(try value(path: elementPath, depth: depth))
            skipWhiteSpace()
            if peek(UInt8(ascii: ",")) { index += 1; skipWhiteSpace(); continue }
            if peek(UInt8(ascii: "]")) { index += 1; return .array(elements) }
            throw error(path: elementPath, expected: "',' or ']' after the element", found: foundHere())
        }
    }

    private func checkDepth(_ depth: Int, path: String) throws(ScenarioError) {
        guard depth <= JSONParser.maximumDepth else {
            throw error(path: path, expected: "arrays and objects nested at most \(JSONParser.maximumDepth) deep",
                        found: "deeper nesting")
        }
    }

    private mutating func literal(_ word: String, path: String) throws(ScenarioError) {
        let w = Array(word.utf8)
        guard bytes.count - index >= w.count, bytes[index ..< index + w.count].elementsEqual(w) else {
            throw error(path: path, expected: "a value", found: foundHere())
        }
        index += w.count
    }

    /// A number by the JSON grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func number(path: String) throws(ScenarioError) -> Double {
        let start = index, startColumn = column
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if peek(UInt8(ascii: "-")) { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        var valid = integerDigits > 0 && !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0"))
        if valid, peek(UInt8(ascii: ".")) { index += 1; valid = digits() > 0 }
        if valid, peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            valid = digits() > 0
        }
        let text = String(decoding: bytes[start ..< index], as: UTF8.self)
        guard valid, let x = Double(text) else {
            throw ScenarioError(path: path, expected: "a number as JSON writes it (line \(line), column \(startColumn))",
                                found: "\"\(JSONValue.escaped(text))\"")
        }
        guard x.isFinite else {
            throw ScenarioError(path: path, expected: "a finite number (magnitude below 1.8e308; line \(line), column \(startColumn))",
                                found: text)
        }
        return x
    }

    /// A string; the opening quote is at `index`.
    private mutating func string(path: String) throws(ScenarioError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error(path: path, expected: "a closing '\"'", found: "the end of the document") }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw error(path: path, expected: "text in UTF-8", found: "a string with invalid UTF-8 bytes")
                }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &out, path: path)
            case 0 ..< 0x20:
                throw error(path: path, expected: "a control character written as an escape (such as \\n)",
                            found: "the raw byte 0x\(String(b, radix: 16))")
            default:
                out.append(b)
                index += 1
            }
        }
    }

    /// One escape sequence after a backslash, appended as UTF-8.
    private mutating func escape(into out: inout [UInt8], path: String) throws(ScenarioError) {
        guard index < bytes.count else { throw error(path: path, expected: "an escape sequence", found: "the end of the document") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(path: path)
            if (0xD800 ..< 0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error(path: path, expected: "a low surrogate \\uDC00-\\uDFFF after a high surrogate", found: foundHere())
                }
                index += 2
                let low = try hex4(path: path)
                guard (0xDC00 ..< 0xE000).contains(low) else {
                    throw error(path: path, expected: "a low surrogate \\uDC00-\\uDFFF", found: "\\u\(String(low, radix: 16))")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let u = Unicode.Scalar(scalar) else {
                throw error(path: path, expected: "a Unicode scalar value", found: "the lone surrogate \\u\(String(scalar, radix: 16))")
            }
            out.append(contentsOf: Array(String(Character(u)).utf8))
        default:
            index -= 1
            throw error(path: path, expected: "one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", found: "\\" + foundHere())
        }
    }

    private mutating func hex4(path: String) throws(ScenarioError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0 ..< 4 {
            guard index < bytes.count, let digit = Self.hexValue(bytes[index]) else {
                throw error(path: path, expected: "four hexadecimal digits after \\u", found: foundHere())
            }
            v = v << 4 | digit
            index += 1
        }
        return v
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    // MARK: position and messages

    private mutating func skipWhiteSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1; lineStart = index
            default: return
            }
        }
    }

    private func peek(_ b: UInt8) -> Bool { index < bytes.count && bytes[index] == b }

    /// 1-based column of `index` in characters (UTF-8 continuation bytes do not count).
    private var column: Int {
        1 + bytes[lineStart ..< min(index, bytes.count)].count { $0 & 0xC0 != 0x80 }
    }

    /// What stands at `index`, for a message: a few characters, escaped, or the end of the document.
    private func foundHere() -> String {
        guard index < bytes.count else { return "the end of the document" }
        let rest = bytes[index ..< min(bytes.count, index + 12)]
        let text = String(decoding: rest.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        return text.isEmpty ? "a line break" : "\"\(JSONValue.escaped(String(text.prefix(8))))\""
    }

    private func error(path: String, expected: String, found: String) -> ScenarioError {
        ScenarioError(path: path, expected: expected, found: "\(found) at line \(line), column \(column)")
    }
}

extension JSONValue {
    /// `s` with control characters, quotes and backslashes escaped as JSON writes them, so a
    /// message never carries a raw newline or terminal escape code.
    static func escaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || (0x7F ... 0x9F).contains(u.value):
                out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
