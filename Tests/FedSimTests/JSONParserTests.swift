import Foundation
import Testing
@testable import FedSim

/// The strict reader of scenario files: every expected tree and message below is written out by
/// hand from RFC 8259 and the input text (lines and columns counted by hand, 1-based).
@Suite("Strict JSON: duplicate keys, non-finite numbers, depth, positions, escaped messages")
struct JSONParserTests {
    private func parse(_ text: String) throws(ScenarioError) -> JSONValue {
        try JSONValue.parse(Data(text.utf8))
    }

    private func error(_ text: String) -> ScenarioError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    @Test("a document with every kind of value gives the tree it spells")
    func everyKind() throws {
        let v = try parse(#"{"a": [1, -2.5e1, true, false, null], "b": {"c": "x\"\\\/\n\u00e9\ud83d\ude00"}}"#)
        let expected: JSONValue = .object([
            "a": .array([.number(1), .number(-25), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("x\"\\/\né😀")]),
        ])
        #expect(v == expected)
    }

    @Test("a byte order mark and surrounding white space are accepted")
    func byteOrderMark() throws {
        let v = try JSONValue.parse(Data([0xEF, 0xBB, 0xBF] + Array(" \r\n\t[ ]\n".utf8)))
        #expect(v == .array([]))
    }

    @Test("a repeated key is an error at its path with the line and column of the repeat")
    func duplicateKey() throws {
        let e = try #require(error("{\n  \"training\": {\"rounds\": 2,\n    \"rounds\": -5}\n}"))
        #expect(e == ScenarioError(path: "$.training.rounds", expected: "each key once per object",
                                   found: "\"rounds\" again at line 3, column 5"))
    }

    @Test("numbers beyond Double's range are errors, not infinity; the largest finite one is accepted")
    func nonFinite() throws {
        let e = try #require(error(#"{"x": -1e400}"#))
        #expect(e.path == "$.x")
        #expect(e.found == "-1e400")
        #expect(e.expected.hasPrefix("a finite number"))
        #expect(try parse("[1.7976931348623157e308]") == .array([.number(.greatestFiniteMagnitude)]))
        // Underflow is not an error: 1e-400 is 0 to the nearest Double.
        #expect(try parse("[1e-400]") == .array([.number(0)]))
    }

    @Test("numbers the JSON grammar forbids are named as written", arguments: ["01", "1.", ".5", "+1", "1e", "-", "0x10", "NaN", "Infinity"])
    func badNumbers(_ text: String) throws {
        let e = try #require(error("[\(text)]"))
        #expect(e.path == "$[0]")
    }

    @Test("syntax errors name the path being read, and the line and column")
    func positions() throws {
        // Line 3 is `  "b": [1 2]`: the stray `2` is its 11th character (two spaces, `"b"`, `:`, a space, `[1`, a space).
        let e = try #require(error("{\n  \"a\": 1,\n  \"b\": [1 2]\n}"))
        #expect(e == ScenarioError(path: "$.b[0]", expected: "',' or ']' after the element", found: "\"2]\" at line 3, column 11"))
        let comma = try #require(error(#"{"a": 1,}"#))
        #expect(comma == ScenarioError(path: "$", expected: "a key in double quotes", found: "\"}\" at line 1, column 9"))
        let end = try #require(error(#"{"a": "#))
        #expect(end == ScenarioError(path: "$.a", expected: "a value", found: "the end of the document at line 1, column 7"))
        let trailing = try #require(error("[] []"))
        #expect(trailing.found == "\"[]\" at line 1, column 4")
        // Columns count characters, not bytes: "é" is two bytes of UTF-8.
        let accented = try #require(error("{\"é\": tru}"))
        #expect(accented.found == "\"tru}\" at line 1, column 7")
    }

    @Test("nesting is allowed to the documented depth and refused one level deeper")
    func depth() throws {
        let n = JSONParser.maximumDepth
        let ok = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        #expect(throws: Never.self) { try parse(ok) }
        let deep = String(repeating: "[", count: n + 1) + String(repeating: "]", count: n + 1)
        let e = try #require(error(deep))
        #expect(e.expected == "arrays and objects nested at most \(n) deep")
        // A 20 KB document of nothing but open brackets fails at the same place, without recursion beyond the limit.
        let huge = try #require(error(String(repeating: #"{"a":"#, count: 4000)))
        #expect(huge.expected == e.expected)
    }

    @Test("raw control characters in strings are errors; escaped ones are echoed escaped")
    func controlCharacters() throws {
        let raw = try #require(error("[\"a\nb\"]"))
        #expect(raw.found == "the raw byte 0xa at line 1, column 4")
        let v = try parse(#"["\u001b[31mred\nline"]"#)
        guard case .array(let a) = v else { Issue.record("not an array"); return }
        #expect(a[0].summary == #""\u001b[31mred\nline""#)
        #expect(!a[0].summary.contains("\u{1B}"))
    }

    @Test("a scenario key with a control character is named escaped in the unknown-key message")
    func escapedUnknownKey() throws {
        let e = try #require(scenarioError(setting(smallScenarioJSON(), "bad\u{1B}key", 1)))
        #expect(e.path == "$.bad\\u001bkey")
        #expect(!e.description.contains("\u{1B}"))
    }

    @Test("invalid UTF-8 and lone surrogates are errors")
    func encoding() throws {
        #expect(error(#"["\ud800"]"#) != nil)
        #expect(error(#"["\udc00"]"#) != nil)
        let bytes: [UInt8] = Array("[\"".utf8) + [0xFF] + Array("\"]".utf8)
        #expect(throws: ScenarioError.self) { try JSONValue.parse(Data(bytes)) }
    }
}
