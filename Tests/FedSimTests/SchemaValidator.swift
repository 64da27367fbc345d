import Foundation
@testable import FedSim

/// A JSON Schema (draft 2020-12) validator for the subset ``ScenarioSchema`` uses: boolean schemas,
/// `type`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `pattern`, `minItems`, `items`, `properties`, `required`, `additionalProperties`, `allOf`,
/// and `anyOf`. Any other keyword is a test failure (``unsupported``), so
/// the schema cannot silently use more than this checks. Written from the specification
/// (json-schema.org/draft/2020-12/json-schema-validation), not from the code under test.
struct SchemaValidator {
    let root: JSONValue
    static let supported: Set<String> = [
        "$schema", "title", "description", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "pattern", "minItems", "items", "properties", "required", "additionalProperties", "allOf", "anyOf",
    ]

    /// The first violation found, as "path: keyword", or nil when `value` is valid.
    func violation(_ value: JSONValue) -> String? { violation(value, root, "$") }

    private func violation(_ value: JSONValue, _ schema: JSONValue, _ path: String) -> String? {
        switch schema {
        case .bool(let b): return b ? nil : "\(path): false"
        case .object(let s): return violation(value, s, path)
        default: return "\(path): a schema that is neither an object nor a boolean"
        }
    }

    private func violation(_ value: JSONValue, _ s: [String: JSONValue], _ path: String) -> String? {
        if let unknown = s.keys.first(where: { !Self.supported.contains($0) }) { return "unsupported keyword \(unknown)" }
        if let type = s["type"] {
            let types: [JSONValue] = if case .array(let a) = type { a } else { [type] }
            guard types.contains(where: { if case .string(let t) = $0 { Self.has(value, type: t) } else { false } }) else { return "\(path): type" }
        }
        if case .array(let options)? = s["enum"], !options.contains(value) { return "\(path): enum" }
        if let c = s["const"], c != value { return "\(path): const" }
        if case .number(let x) = value {
            if case .number(let m)? = s["minimum"], x < m { return "\(path): minimum" }
            if case .number(let m)? = s["maximum"], x > m { return "\(path): maximum" }
            if case .number(let m)? = s["exclusiveMinimum"], x <= m { return "\(path): exclusiveMinimum" }
            if case .number(let m)? = s["exclusiveMaximum"], x >= m { return "\(path): exclusiveMaximum" }
        }
        if case .string(let text) = value, case .string(let pattern)? = s["pattern"] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return "bad pattern \(pattern)" }
            if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil { return "\(path): pattern" }
        }
        if case .array(let items) = value {
            if case .number(let m)? = s["minItems"], Double(items.count) < m { return "\(path): minItems" }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() {
                    if let v = violation(item, itemSchema, "\(path)[\(i)]") { return v }
                }
            }
        }
        if case .object(let fields) = value {
            if case .array(let required)? = s["required"] {
                for case .string(let key) in required where fields[key] == nil { return "\(path).\(key): required" }
            }
            let properties: [String: JSONValue] = if case .object(let p)? = s["properties"] { p } else { [:] }
            for key in fields.keys.sorted() {
                let sub = properties[key] ?? s["additionalProperties"]
                if let sub, let v = violation(fields[key]!, sub, "\(path).\(key)") { return v }
            }
        }
        if case .array(let all)? = s["allOf"] {
            for sub in all { if let v = violation(value, sub, path) { return v } }
        }
        if case .array(let any)? = s["anyOf"], !any.contains(where: { violation(value, $0, path) == nil }) {
            return "\(path): anyOf (\(any.compactMap { violation(value, $0, path) }.joined(separator: " | ")))"
        }
        return nil
    }

    /// JSON types: a number with no fractional part is also an integer.
    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): true
        case (.number(let x), "integer"): x == x.rounded()
        default: false
        }
    }
}
