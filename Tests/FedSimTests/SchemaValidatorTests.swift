import Foundation
import Testing
@testable import FedSim

/// The test validator against hand-written schemas and the verdicts the 2020-12 specification gives.
@Suite("JSON Schema validator (test subset)")
struct SchemaValidatorTests {
    func valid(_ schema: String, _ instance: String) throws -> Bool {
        let validator = SchemaValidator(root: try JSONValue.parse(Data(schema.utf8)))
        return validator.violation(try JSONValue.parse(Data(instance.utf8))) == nil
    }

    @Test("type, including integer as a number without fraction and type lists")
    func types() throws {
        #expect(try valid(#"{"type": "integer"}"#, "3"))
        #expect(try valid(#"{"type": "integer"}"#, "3.0"))
        #expect(try !valid(#"{"type": "integer"}"#, "3.5"))
        #expect(try valid(#"{"type": "number"}"#, "3.5"))
        #expect(try !valid(#"{"type": "number"}"#, "\"3\""))
        #expect(try valid(#"{"type": ["string", "null"]}"#, "null"))
        #expect(try !valid(#"{"type": ["string", "null"]}"#, "false"))
        #expect(try valid(#"{"type": "boolean"}"#, "false"))
        #expect(try !valid(#"{"type": "object"}"#, "[]"))
    }

    @Test("enum, const, ranges and pattern")
    func values() throws {
        #expect(try valid(#"{"enum": ["a", null]}"#, "null"))
        #expect(try !valid(#"{"enum": ["a", null]}"#, "\"b\""))
        #expect(try valid(#"{"const": "a"}"#, "\"a\""))
        #expect(try !valid(#"{"const": "a"}"#, "1"))
        #expect(try valid(#"{"minimum": 1, "maximum": 2}"#, "2"))
        #expect(try !valid(#"{"minimum": 1, "maximum": 2}"#, "2.5"))
        #expect(try !valid(#"{"exclusiveMinimum": 0}"#, "0"))
        #expect(try valid(#"{"exclusiveMinimum": 0}"#, "1e-300"))
        #expect(try valid(#"{"minimum": 1}"#, "\"not a number\""))  // range keywords ignore other types
        #expect(try valid(#"{"pattern": "^[^/]+$"}"#, "\"ab\""))
        #expect(try !valid(#"{"pattern": "^[^/]+$"}"#, "\"a/b\""))
        #expect(try !valid(#"{"pattern": "^[^/]+$"}"#, "\"\""))
    }

    @Test("objects: properties, required (null counts as present), additionalProperties; arrays: items, minItems")
    func containers() throws {
        let schema = #"{"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}, "additionalProperties": false}"#
        #expect(try valid(schema, #"{"a": 1}"#))
        #expect(try !valid(schema, #"{}"#))
        #expect(try !valid(schema, #"{"a": null}"#))
        #expect(try !valid(schema, #"{"a": 1, "b": 2}"#))
        #expect(try valid(#"{"additionalProperties": {"type": "number"}}"#, #"{"x": 1, "y": 2}"#))
        #expect(try !valid(#"{"additionalProperties": {"type": "number"}}"#, #"{"x": "1"}"#))
        #expect(try valid(#"{"required": ["a"]}"#, "3"))  // object keywords ignore other types
        #expect(try !valid(#"{"properties": {"a": false}}"#, #"{"a": null}"#))
        #expect(try valid(#"{"properties": {"a": false}}"#, #"{}"#))
        #expect(try valid(#"{"minItems": 1, "items": {"type": "string"}}"#, #"["x"]"#))
        #expect(try !valid(#"{"minItems": 1, "items": {"type": "string"}}"#, "[]"))
        #expect(try !valid(#"{"minItems": 1, "items": {"type": "string"}}"#, #"["x", 1]"#))
    }

    @Test("allOf needs every subschema, anyOf one; unknown keywords are refused")
    func combinators() throws {
        #expect(try valid(#"{"allOf": [{"minimum": 1}, {"maximum": 3}]}"#, "2"))
        #expect(try !valid(#"{"allOf": [{"minimum": 1}, {"maximum": 3}]}"#, "4"))
        #expect(try valid(#"{"anyOf": [{"const": 1}, {"const": 2}]}"#, "2"))
        #expect(try !valid(#"{"anyOf": [{"const": 1}, {"const": 2}]}"#, "3"))
        #expect(try !valid(#"{"oneOf": [true]}"#, "1"))
        #expect(try !valid("false", "1"))
        #expect(try valid("true", "1"))
    }
}
