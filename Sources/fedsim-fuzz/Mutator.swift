/// SplitMix64 (Steele, Lea, Flood 2014): the fuzzer's own seeded generator, so a campaign is
/// reproducible from its seed.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

/// Mutates scenario documents. Each mutant applies 1 or 2 operators; the text operator has weight
/// 1, the others 3 each:
/// - **boundary number**: a number leaf becomes a value from ``boundaries`` (0, -1, denormals,
///   1e308, 1e400, 2^31, 2^53 + 1, 2^63, ...);
/// - **scale**: a number leaf is multiplied by 10^k, k in -12...12 (kept as text);
/// - **retype**: a leaf becomes a string, null, boolean, empty array or empty object;
/// - **delete**: an object member is removed;
/// - **duplicate**: an object member is repeated with a boundary value (duplicate key);
/// - **graft**: a known key from ``grafts`` (any scenario key with a stressing value) is added to
///   a random object, so sections appear where they do not belong and rarely used keys get values;
/// - **text**: the serialized document is cut short, gets a random byte, a raw control character
///   in a string, or is wrapped in 20 to 200 levels of arrays.
struct Mutator {
    var rng: SplitMix64

    static let boundaries = ["0", "-1", "1", "-0", "0.5", "1e-308", "5e-324", "1e-12", "1e308", "1e400", "-1e400",
                             "2147483647", "2147483648", "9007199254740993", "9223372036854775808", "1e18", "1e9",
                             "200000", "3.5", "0.999999", "1e-6", "86400", "1e6", "12345678901234567890123"]

    static let grafts: [(String, String)] = [
        ("failureProbability", "1"), ("failureProbability", "0.9"), ("bufferSize", "1000"), ("bufferSize", "1"),
        ("maxTimeSeconds", "1e9"), ("maxTimeSeconds", "0.001"), ("deadlineSeconds", "1e-6"), ("flops", "1e3"),
        ("flops", "1e18"), ("uplinkMbps", "1e-3"), ("latencyMs", "3.6e6"), ("speedSigma", "3"), ("jitterSigma", "3"),
        ("meanOnlineSeconds", "1e-3"), ("meanOfflineSeconds", "1e9"), ("dayLengthSeconds", "1"),
        ("enclaveAttestationSeconds", "1e6"), ("enclaveSlowdown", "1e6"), ("memoryGB", "1e6"), ("adaptiveBatch", "true"),
        ("localSteps", "7"), ("overSelection", "10"), ("kind", "\"churn\""), ("kind", "\"diurnal\""), ("mode", "\"fedbuff\""),
        ("mode", "\"fedasync\""), ("concurrency", "3"), ("errorFeedback", "true"), ("name", "\"..\""), ("name", "\"a/b\""),
        ("learningRate", "1e30"), ("selection", "\"poisson\""), ("samplingRate", "1e-12"), ("count", "200000"),
        ("stopAtTarget", "true"), ("targetAccuracy", "0"), ("maxStaleness", "0"), ("threshold", "1"), ("ringBits", "8"),
    ]

    /// One mutant of `base`, as text.
    mutating func mutate(_ base: Tree) -> String {
        var tree = base
        var textual = false
        for _ in 0 ..< 1 + rng.below(2) {
            switch rng.below(19) / 3 {
            case 0: edit(&tree, leaf: true) { m, _ in .number(m.rng.pick(Mutator.boundaries)) }
            case 1: edit(&tree, leaf: true) { m, old in
                guard case .number(let t) = old, let x = Double(t) else { return old }
                return .number("\(x * pow10(m.rng.below(25) - 12))")
            }
            case 2: edit(&tree, leaf: true) { m, _ in m.rng.pick([.string("x\u{1B}[31m\n"), .null, .bool(true), .array([]), .object([])]) }
            case 3: editObject(&tree) { m, members in if !members.isEmpty { members.remove(at: m.rng.below(members.count)) } }
            case 4: editObject(&tree) { m, members in
                if let member = members.isEmpty ? nil : m.rng.pick(members) { members.append(Member(key: member.key, value: .number(m.rng.pick(Mutator.boundaries)))) }
            }
            case 5: editObject(&tree) { m, members in let (k, v) = m.rng.pick(Mutator.grafts); members.append(Member(key: k, value: .number(v))) }
            default: textual = true
            }
        }
        var text = tree.text
        guard textual else { return text }
        var bytes = Array(text.utf8)
        switch rng.below(4) {
        case 0: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 1: bytes.insert(UInt8(rng.below(256)), at: rng.below(bytes.count + 1))
        case 2: if let q = bytes.firstIndex(of: UInt8(ascii: "\"")) { bytes.insert(UInt8(rng.below(32)), at: q + 1) }
        default:
            let depth = 20 + rng.below(181)
            text = String(repeating: "[", count: depth) + text + String(repeating: "]", count: depth)
            return text
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces one node (a leaf when `leaf`) chosen uniformly among all of them.
    mutating func edit(_ tree: inout Tree, leaf: Bool, _ f: (inout Mutator, Tree) -> Tree) {
        let count = Mutator.nodes(tree, leaf: leaf)
        guard count > 0 else { return }
        var target = rng.below(count)
        tree = rewrite(tree, leaf: leaf, &target, f)
    }

    /// Edits the members of one object chosen uniformly.
    mutating func editObject(_ tree: inout Tree, _ f: (inout Mutator, inout [Member]) -> Void) {
        edit(&tree, leaf: false) { m, node in
            guard case .object(var members) = node else { return node }
            f(&m, &members)
            return .object(members)
        }
    }

    static func nodes(_ t: Tree, leaf: Bool) -> Int {
        switch t {
        case .array(let a): return a.reduce(0) { $0 + nodes($1, leaf: leaf) }
        case .object(let o): return (leaf ? 0 : 1) + o.reduce(0) { $0 + nodes($1.value, leaf: leaf) }
        default: return leaf ? 1 : 0
        }
    }

    private mutating func rewrite(_ t: Tree, leaf: Bool, _ target: inout Int, _ f: (inout Mutator, Tree) -> Tree) -> Tree {
        switch t {
        case .array(let a):
            return .array(a.map { rewrite($0, leaf: leaf, &target, f) })
        case .object(let o):
            if !leaf {
                if target == 0 { target = -1; return f(&self, t) }
                target -= 1
            }
            return .object(o.map { Member(key: $0.key, value: rewrite($0.value, leaf: leaf, &target, f)) })
        default:
            guard leaf else { return t }
            if target == 0 { target = -1; return f(&self, t) }
            target -= 1
            return t
        }
    }
}

func pow10(_ k: Int) -> Double {
    var x = 1.0
    for _ in 0 ..< abs(k) { x *= 10 }
    return k < 0 ? 1 / x : x
}
