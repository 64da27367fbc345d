/// Builders for the JSON Schema (draft 2020-12) fragments that ``ScenarioSchema`` is written in.
///
/// Only this subset is used: `type`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `pattern`, `minItems`, `items`, `properties`, `required`, `additionalProperties`, `allOf`,
/// `anyOf` and the boolean schema `false`. A key the loader reads with `optional` treats JSON
/// null as absent, so ``SchemaVocabulary/object(_:required:properties:rules:)`` lets every
/// optional property be null as well.
enum SchemaVocabulary {
    /// A key that must not appear at all (the loader never reads it here, so even null is rejected).
    static let absent = JSONValue.bool(false)
    /// A key that may be absent or null but nothing else (the loader rejects any other value).
    static let nullOnly = JSONValue.object(["type": .string("null")])

    static func string(_ description: String, pattern: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["type": .string("string"), "description": .string(description)]
        if let pattern { o["pattern"] = .string(pattern) }
        return .object(o)
    }

    static func bool(_ description: String) -> JSONValue {
        .object(["type": .string("boolean"), "description": .string(description)])
    }

    /// A string from a fixed vocabulary.
    static func choice(_ description: String, _ options: [String]) -> JSONValue {
        .object(["type": .string("string"), "enum": .array(options.map(JSONValue.string)), "description": .string(description)])
    }

    /// A number in `minimum...maximum` (either bound optional; `exclusiveMinimum` for "> bound").
    static func number(_ description: String, minimum: Double? = nil, exclusiveMinimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["type": .string("number"), "description": .string(description)]
        if let minimum { o["minimum"] = .number(minimum) }
        if let exclusiveMinimum { o["exclusiveMinimum"] = .number(exclusiveMinimum) }
        if let maximum { o["maximum"] = .number(maximum) }
        return .object(o)
    }

    /// A number in `range` (the loader's `number(in:unit:)`).
    static func number(_ description: String, in range: ClosedRange<Double>) -> JSONValue {
        number(description, minimum: range.lowerBound, maximum: range.upperBound)
    }

    /// "lower ... upper", as the README writes a range.
    static func format(_ range: ClosedRange<Double>) -> String {
        "\(JSONValue.format(range.lowerBound)) ... \(JSONValue.format(range.upperBound))"
    }

    /// A number >= 0 (the loader's `nonNegative`).
    static func nonNegative(_ description: String) -> JSONValue { number(description, minimum: 0) }

    /// Bounds on a number (when it is one), for an alternative of a rule.
    static func bounds(minimum: Double? = nil, exclusiveMinimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
        var o: [String: JSONValue] = [:]
        if let minimum { o["minimum"] = .number(minimum) }
        if let exclusiveMinimum { o["exclusiveMinimum"] = .number(exclusiveMinimum) }
        if let maximum { o["maximum"] = .number(maximum) }
        return .object(o)
    }

    /// A number > 0 (the loader's `positive`).
    static func positive(_ description: String) -> JSONValue { number(description, exclusiveMinimum: 0) }

    /// A whole number in `minimum...maximum`; the loader's `integer` caps at Int32.max by default.
    static func integer(_ description: String, minimum: Int, maximum: Int = Int(Int32.max)) -> JSONValue {
        .object(["type": .string("integer"), "minimum": .number(Double(minimum)), "maximum": .number(Double(maximum)),
                 "description": .string(description)])
    }

    /// An array of at least `minItems` items, each valid against `items`.
    static func array(_ description: String, minItems: Int, items: JSONValue) -> JSONValue {
        .object(["type": .string("array"), "minItems": .number(Double(minItems)), "items": items, "description": .string(description)])
    }

    /// An object with exactly these `properties` (no others), of which `required` must be present
    /// and not null; the others may be null. `rules` are further constraints that must all hold
    /// (an `allOf` of ``when(_:required:)`` alternatives, typically).
    static func object(_ description: String, required: [String] = [], properties: [String: JSONValue],
                       rules: [JSONValue] = []) -> JSONValue {
        var props: [String: JSONValue] = [:]
        for (key, schema) in properties { props[key] = required.contains(key) ? schema : nullable(schema) }
        var o: [String: JSONValue] = ["type": .string("object"), "description": .string(description),
                                      "properties": .object(props), "additionalProperties": .bool(false)]
        if !required.isEmpty { o["required"] = .array(required.sorted().map(JSONValue.string)) }
        if !rules.isEmpty { o["allOf"] = .array(rules) }
        return .object(o)
    }

    /// An object whose keys are free names, each value valid against `values`.
    static func map(_ description: String, values: JSONValue) -> JSONValue {
        .object(["type": .string("object"), "additionalProperties": values, "description": .string(description)])
    }

    /// `schema` or JSON null: null added to its `type` (and to its `enum`); the boolean schema
    /// `false` is left as it is.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var o) = schema else { return schema }
        switch o["type"] {
        case .string(let type)?: o["type"] = .array([.string(type), .string("null")])
        case .array(let types)?: o["type"] = .array(types + [.string("null")])
        default: break
        }
        if case .array(let options)? = o["enum"] { o["enum"] = .array(options + [.null]) }
        return .object(o)
    }

    /// One alternative of a rule: these properties (when present) satisfy these schemas, the
    /// `required` keys are present, and the further `rules` hold.
    static func when(_ properties: [String: JSONValue], required: [String] = [], rules: [JSONValue] = []) -> JSONValue {
        var o: [String: JSONValue] = ["properties": .object(properties)]
        if !required.isEmpty { o["required"] = .array(required.sorted().map(JSONValue.string)) }
        if !rules.isEmpty { o["allOf"] = .array(rules) }
        return .object(o)
    }

    /// Any value of JSON type `type` (to say that a required key of an alternative is not null).
    static func present(_ type: String) -> JSONValue { .object(["type": .string(type)]) }

    /// A rule that holds when at least one alternative does.
    static func anyOf(_ alternatives: [JSONValue]) -> JSONValue { .object(["anyOf": .array(alternatives)]) }

    /// Exactly `value` (when present).
    static func const(_ value: String) -> JSONValue { .object(["const": .string(value)]) }

    /// One of `values` (when present).
    static func among(_ values: [String]) -> JSONValue { .object(["enum": .array(values.map(JSONValue.string))]) }

    /// One of `values`, or null (when present).
    static func amongOrNull(_ values: [String]) -> JSONValue { .object(["enum": .array(values.map(JSONValue.string) + [.null])]) }
}
