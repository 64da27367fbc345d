import Foundation

/// A parsed JSON document, kept as a tree so that validation can name exact paths and reject
/// unknown keys (which `Codable` silently ignores).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `data` as strict JSON (``JSONParser``): a syntax error, a duplicate key, a number
    /// beyond Double's range or too deep a nesting becomes a ``ScenarioError`` naming the path,
    /// line and column.
    public static func parse(_ data: Data) throws(ScenarioError) -> JSONValue {
        try JSONParser.parse([UInt8](data))
    }

    /// A short description of the value for error messages: numbers and strings as written,
    /// containers by kind.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return JSONValue.format(x)
        case .string(let s): return s.count > 60 ? "\"\(JSONValue.escaped(String(s.prefix(57))))...\"" : "\"\(JSONValue.escaped(s))\""
        case .array(let a): return "an array of \(a.count)"
        case .object: return "an object"
        }
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

extension JSONValue: Decodable {  // Encodable: EffectiveScenario.swift
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }
}

/// One value of a scenario document with its path, and typed accessors that validate it.
struct JSONNode {
    let path: String
    let value: JSONValue

    func fail(_ expected: String) -> ScenarioError {
        ScenarioError(path: path, expected: expected, found: value.summary)
    }

    func string() throws(ScenarioError) -> String {
        guard case .string(let s) = value else { throw fail("a string") }
        return s
    }

    /// A string from a fixed vocabulary.
    func choice(_ options: [String]) throws(ScenarioError) -> String {
        let expected = "one of " + options.map { "\"\($0)\"" }.joined(separator: ", ")
        guard case .string(let s) = value, options.contains(s) else { throw fail(expected) }
        return s
    }

    func bool() throws(ScenarioError) -> Bool {
        guard case .bool(let b) = value else { throw fail("true or false") }
        return b
    }

    /// A finite number within `range`; `expected` describes the range for the message.
    func number(_ range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                expected: String = "a number") throws(ScenarioError) -> Double {
        guard case .number(let x) = value, x.isFinite, range.contains(x) else { throw fail(expected) }
        return x
    }

    /// A strictly positive finite number.
    func positive(_ what: String = "a positive number") throws(ScenarioError) -> Double {
        guard case .number(let x) = value, x.isFinite, x > 0 else { throw fail(what) }
        return x
    }

    /// A non-negative finite number.
    func nonNegative(_ what: String = "a number >= 0") throws(ScenarioError) -> Double {
        try number(0...Double.greatestFiniteMagnitude, expected: what)
    }

    /// A whole number >= `min` (and <= `max`).
    func integer(min: Int, max: Int = Int(Int32.max)) throws(ScenarioError) -> Int {
        let expected = max == Int(Int32.max) ? "an integer >= \(min)" : "an integer in \(min)...\(max)"
        guard case .number(let x) = value, x.isFinite, x == x.rounded(), x >= Double(min), x <= Double(max)
        else { throw fail(expected) }
        return Int(x)
    }

    func object() throws(ScenarioError) -> JSONObject {
        guard case .object(let o) = value else { throw fail("an object") }
        return JSONObject(path: path, fields: o)
    }

    func array() throws(ScenarioError) -> [JSONNode] {
        guard case .array(let a) = value else { throw fail("an array") }
        return a.enumerated().map { JSONNode(path: "\(path)[\($0.offset)]", value: $0.element) }
    }
}

/// A JSON object being read: remembers which keys were used so that the rest can be rejected.
final class JSONObject {
    let path: String
    let fields: [String: JSONValue]
    private var used: Set<String> = []

    init(path: String, fields: [String: JSONValue]) {
        self.path = path
        self.fields = fields
    }

    /// The node at `key`, or nil when absent (a JSON null counts as absent).
    func optional(_ key: String) -> JSONNode? {
        used.insert(key)
        guard let v = fields[key], v != .null else { return nil }
        return JSONNode(path: "\(path).\(key)", value: v)
    }

    /// The node at `key`; its absence is an error describing what was expected.
    func required(_ key: String, _ expected: String) throws(ScenarioError) -> JSONNode {
        guard let node = optional(key) else {
            throw ScenarioError(path: "\(path).\(key)", expected: expected, found: "nothing (the key is missing)")
        }
        return node
    }

    /// Rejects keys that were never read; `known` lists them all for the message.
    func rejectUnknownKeys() throws(ScenarioError) {
        let unknown = fields.keys.filter { !used.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let allowed = used.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        let name = JSONValue.escaped(first)
        throw ScenarioError(path: "\(path).\(name)", expected: "no unknown key (allowed here: \(allowed))",
                            found: "the unknown key \"\(name)\"")
    }
}
