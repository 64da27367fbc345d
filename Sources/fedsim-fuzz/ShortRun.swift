/// A valid mutant made short to run, whatever the mutation did, so that a `run` that exceeds the
/// fuzzer's timeout is a hang and not a legitimately long simulation. Time-related values
/// (latencies, deadlines, time limits, FLOP/s) are kept, so the mutated keys are still exercised.
///
/// Every number under a key of ``caps``, wherever it stands (an array under the key counts
/// element by element), is lowered to its cap: at most 3 rounds or versions, 2 local epochs of
/// at most 20 steps of batches of at most 64, 30 devices per group, a model of at most 2 layers,
/// width 64, context 64 and hidden layers of 256, evaluations on at most 300 samples, and a
/// baseline of 1 epoch of at most 200 steps with 2 evaluations.
///
/// Keys whose defaults exceed their caps are written out when absent: `training.rounds` (default
/// 100) as 3 and `baseline.epochs` (default 20) as 1. On text data (`shakespeare`, `text`) an epoch
/// is tens of thousands of windows per device, so local work is given in steps (`localEpochs`
/// becomes `"localSteps": 20`, which is also added when neither is given), and `baseline.maxSteps`
/// and `evaluation.maxSamples` are added when absent.
enum ShortRun {
    static let caps: [String: Int] = [
        "rounds": 3, "localEpochs": 2, "localSteps": 20, "count": 30, "epochs": 1, "maxSteps": 200,
        "evaluationsPerEpoch": 2, "batchSize": 64, "minBatch": 64, "maxBatch": 64, "maxSamples": 300,
        "context": 64, "dModel": 64, "layers": 2, "embedding": 64, "hidden": 256,
    ]

    static func apply(_ t: Tree) -> Tree {
        let capped = cap(t, under: nil)
        guard case .object(var root) = capped else { return capped }
        let text = isTextData(root)
        edit(&root, "training") { o in
            add(&o, "rounds", 3)
            if text {
                o.removeAll { $0.key == "localEpochs" }
                add(&o, "localSteps", 20)
            }
        }
        edit(&root, "baseline", adding: true) { o in
            add(&o, "epochs", 1)
            if text { add(&o, "maxSteps", 200) }
        }
        if text { edit(&root, "evaluation", adding: true) { add(&$0, "maxSamples", 300) } }
        return .object(root)
    }

    /// Adds `key: value` to the members of an object that has no member `key`.
    private static func add(_ o: inout [Member], _ key: String, _ value: Int) {
        if !o.contains(where: { $0.key == key }) { o.append(Member(key: key, value: .number(String(value)))) }
    }

    /// Lowers every number above its key's cap; `key` is the member the node stands under.
    private static func cap(_ t: Tree, under key: String?) -> Tree {
        switch t {
        case .array(let a): return .array(a.map { cap($0, under: key) })
        case .object(let o): return .object(o.map { Member(key: $0.key, value: cap($0.value, under: $0.key)) })
        case .number(let text):
            guard let key, let limit = caps[key], let x = Double(text), x > Double(limit) else { return t }
            return .number(String(limit))
        default: return t
        }
    }

    private static func isTextData(_ root: [Member]) -> Bool {
        guard case .object(let data)? = root.first(where: { $0.key == "data" })?.value,
              case .string(let source)? = data.first(where: { $0.key == "source" })?.value else { return false }
        return source == "shakespeare" || source == "text"
    }

    /// Edits every member `key` of `root` that is an object; with `adding`, adds an empty one when
    /// `root` has none.
    private static func edit(_ root: inout [Member], _ key: String, adding: Bool = false, _ f: (inout [Member]) -> Void) {
        if adding && !root.contains(where: { $0.key == key }) { root.append(Member(key: key, value: .object([]))) }
        for i in root.indices where root[i].key == key {
            guard case .object(var o) = root[i].value else { continue }
            f(&o)
            root[i].value = .object(o)
        }
    }
}
