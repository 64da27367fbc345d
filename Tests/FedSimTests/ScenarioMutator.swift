import FedMath
@testable import FedSim

/// Seeded single mutations of a scenario document: drop a key, add a key (one the schema names
/// somewhere, or an unknown one), change a value's type, put a number at a range boundary or past
/// it, or swap a string for another of the schema's vocabulary.
struct ScenarioMutator {
    enum Step: CustomStringConvertible {
        case key(String), index(Int)
        var description: String { switch self { case .key(let k): ".\(k)"; case .index(let i): "[\(i)]" } }
    }

    let random = RandomStream(seed: 15)
    /// Every property name and every enum or const string of the schema.
    let keyNames: [String]
    let words: [String]
    let numbers: [Double] = [-1, 0, 1e-13, 1e-9, 1e-7, 0.005, 0.5, 0.95, 1, 1.5, 3, 7, 8, 10.5, 62, 63, 64, 65,
                             1000, 1001, 65_535, 65_536, 100_001, 1e6 + 1, 2_147_483_648, 4_294_967_296, 1e12]
    let values: [JSONValue] = [.string("x"), .number(3), .number(0.5), .bool(true), .array([]), .object([:]), .null]

    init(schema: JSONValue) {
        var keys: Set<String> = ["unknownKey"], words: Set<String> = ["bogus"]
        func collect(_ value: JSONValue, underProperties: Bool) {
            switch value {
            case .object(let o):
                for (key, sub) in o {
                    if underProperties { keys.insert(key) }
                    if key == "enum" || key == "const" {
                        for case .string(let w) in (sub.arrayValue ?? [sub]) { words.insert(w) }
                    }
                    collect(sub, underProperties: key == "properties")
                }
            case .array(let a): a.forEach { collect($0, underProperties: false) }
            default: break
            }
        }
        collect(schema, underProperties: false)
        keyNames = keys.sorted()
        self.words = words.sorted()
    }

    /// One mutation of `document`: its description and the mutated document.
    func mutate(_ document: JSONValue) -> (String, JSONValue) {
        let locations = Self.locations(document, [])
        while true {
            let kind = random.uniformInt(5)
            let candidates: [([Step], JSONValue)] = switch kind {
            case 0: locations.filter { if case .key? = $0.0.last { true } else { false } }
            case 1: locations.filter { if case .object = $0.1 { true } else { false } }
            case 2: locations.filter { !$0.0.isEmpty }
            case 3: locations.filter { if case .number = $0.1 { true } else { false } }
            default: locations.filter { if case .string = $0.1 { true } else { false } }
            }
            guard !candidates.isEmpty else { continue }
            let (path, value) = candidates[random.uniformInt(candidates.count)]
            let at = path.map(\.description).joined()
            switch kind {
            case 0:
                return ("drop $\(at)", Self.replacing(document, path[...], with: nil))
            case 1:
                let key = keyNames[random.uniformInt(keyNames.count)], added = values[random.uniformInt(values.count)]
                return ("add $\(at).\(key) = \(added.summary)", Self.replacing(document, (path + [.key(key)])[...], with: added))
            case 2:
                let others = values.filter { !Self.sameType($0, value) }
                let new = others[random.uniformInt(others.count)]
                return ("retype $\(at) = \(new.summary)", Self.replacing(document, path[...], with: new))
            case 3:
                let new = JSONValue.number(numbers[random.uniformInt(numbers.count)])
                return ("number $\(at) = \(new.summary)", Self.replacing(document, path[...], with: new))
            default:
                let new = JSONValue.string(words[random.uniformInt(words.count)])
                return ("word $\(at) = \(new.summary)", Self.replacing(document, path[...], with: new))
            }
        }
    }

    /// Every node with its path, the root first, children in key order.
    static func locations(_ value: JSONValue, _ path: [Step]) -> [([Step], JSONValue)] {
        var all = [(path, value)]
        switch value {
        case .object(let o): for key in o.keys.sorted() { all += locations(o[key]!, path + [.key(key)]) }
        case .array(let a): for (i, item) in a.enumerated() { all += locations(item, path + [.index(i)]) }
        default: break
        }
        return all
    }

    /// `document` with the node at `path` replaced (nil: removed; a missing last key is added).
    static func replacing(_ document: JSONValue, _ path: ArraySlice<Step>, with new: JSONValue?) -> JSONValue {
        guard let step = path.first else { return new ?? .null }
        switch (document, step) {
        case (.object(var o), .key(let key)):
            if path.count == 1, new == nil { o[key] = nil } else { o[key] = replacing(o[key] ?? .null, path.dropFirst(), with: new) }
            return .object(o)
        case (.array(var a), .index(let i)):
            if path.count == 1, new == nil { a.remove(at: i) } else { a[i] = replacing(a[i], path.dropFirst(), with: new) }
            return .array(a)
        default:
            return document
        }
    }

    static func sameType(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null), (.bool, .bool), (.number, .number), (.string, .string), (.array, .array), (.object, .object): true
        default: false
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}
