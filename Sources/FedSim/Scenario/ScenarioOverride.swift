import Foundation

/// One `--set PATH=VALUE` override: a value put into the scenario's JSON tree before validation,
/// so an overridden scenario is checked exactly like one written by hand.
///
/// PATH names object keys separated by dots and array elements by `[i]`
/// (`training.learningRate`, `fleet.groups[0].count`); a leading `$.` is allowed. VALUE is typed
/// by the JSON it parses as (`0.1` a number, `true` a boolean, `{"kind":"iid"}` an object, `"a"`
/// a string); text that is not JSON is taken as a string (`--set training.mode=fedbuff`).
public struct ScenarioOverride: Equatable, Sendable {
    /// One step of a path: an object key or an array index.
    public enum Step: Equatable, Sendable {
        case key(String)
        case index(Int)
    }

    public var steps: [Step]
    public var value: JSONValue

    public init(steps: [Step], value: JSONValue) {
        self.steps = steps
        self.value = value
    }

    /// The path in the notation of scenario errors: `$.fleet.groups[0].count`.
    public var path: String { ScenarioOverride.render(steps[...]) }

    /// Parses `PATH=VALUE`; a malformed path is a ``ScenarioError`` at `--set`.
    public init(_ text: String) throws(ScenarioError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ScenarioError(path: "--set", expected: "PATH=VALUE, for example training.learningRate=0.1", found: "\"\(text)\"")
        }
        steps = try ScenarioOverride.steps(String(text[..<equals]))
        let raw = String(text[text.index(after: equals)...])
        value = (try? JSONValue.parse(Data(raw.utf8))) ?? .string(raw)
    }

    /// Splits `a.b[2].c` into steps.
    public static func steps(_ path: String) throws(ScenarioError) -> [Step] {
        let fail = ScenarioError(path: "--set", expected: "a path of keys and [index] steps such as fleet.groups[0].count",
                                 found: "\"\(path)\"")
        var rest = Substring(path)
        if rest.hasPrefix("$.") { rest = rest.dropFirst(2) }
        var steps: [Step] = []
        for part in rest.split(separator: ".", omittingEmptySubsequences: false) {
            var part = part
            let key = part.prefix { $0 != "[" }
            guard !key.isEmpty else { throw fail }
            steps.append(.key(String(key)))
            part = part.dropFirst(key.count)
            while part.hasPrefix("[") {
                guard let close = part.firstIndex(of: "]"), let i = Int(part[part.index(after: part.startIndex) ..< close]), i >= 0
                else { throw fail }
                steps.append(.index(i))
                part = part[part.index(after: close)...]
            }
            guard part.isEmpty else { throw fail }
        }
        return steps
    }

    /// `document` with the value put at the path. Missing object keys are created (as objects on
    /// the way); an array index must name an existing element.
    public func applied(to document: JSONValue) throws(ScenarioError) -> JSONValue {
        try ScenarioOverride.put(value, at: steps[...], in: document, done: [])
    }

    private static func put(_ value: JSONValue, at steps: ArraySlice<Step>, in node: JSONValue,
                            done: [Step]) throws(ScenarioError) -> JSONValue {
        guard let step = steps.first else { return value }
        let here = done + [step]
        switch (step, node) {
        case (.key(let k), .object(var o)):
            o[k] = try put(value, at: steps.dropFirst(), in: o[k] ?? .object([:]), done: here)
            return .object(o)
        case (.index(let i), .array(var a)):
            guard i < a.count else {
                throw ScenarioError(path: render(here[...]), expected: "an element of an array of \(a.count)",
                                    found: "no element \(i)")
            }
            a[i] = try put(value, at: steps.dropFirst(), in: a[i], done: here)
            return .array(a)
        case (.key(let k), _):
            throw ScenarioError(path: render(done[...]), expected: "an object (to set its key \"\(k)\")", found: node.summary)
        case (.index(let i), _):
            throw ScenarioError(path: render(done[...]), expected: "an array (to set its element [\(i)])", found: node.summary)
        }
    }

    static func render(_ steps: ArraySlice<Step>) -> String {
        steps.reduce("$") { path, step in
            switch step {
            case .key(let k): return "\(path).\(k)"
            case .index(let i): return "\(path)[\(i)]"
            }
        }
    }
}
