/// A subset of 0 ..< n kept as a Fenwick tree of 0/1 counts (Fenwick 1994, "A new data structure
/// for cumulative frequency tables"), so that membership, insertion and removal cost O(log n) and the
/// member of a given rank (the k-th smallest) is found in O(log n) by descending the tree. Memory:
/// 5 bytes per element of the universe (a 4-byte tree node and a membership flag).
struct RankedSet {
    /// 1-based Fenwick nodes: tree[i] counts the members in (i - lowbit(i), i].
    private var tree: [Int32]
    private var member: [Bool]
    /// Number of members.
    private(set) var count = 0
    /// The largest power of two <= n (0 when n = 0), where the rank descent starts.
    private let topStep: Int

    /// An empty set over 0 ..< n.
    init(universe n: Int) {
        tree = [Int32](repeating: 0, count: n + 1)
        member = [Bool](repeating: false, count: n)
        var step = 1
        while step * 2 <= n { step *= 2 }
        topStep = n == 0 ? 0 : step
    }

    /// Whether `i` is a member.
    func contains(_ i: Int) -> Bool { member[i] }

    /// Adds `i`; it must not be a member.
    mutating func insert(_ i: Int) {
        precondition(!member[i], "RankedSet.insert: \(i) is already a member")
        member[i] = true
        add(i, 1)
    }

    /// Removes `i`; it must be a member.
    mutating func remove(_ i: Int) {
        precondition(member[i], "RankedSet.remove: \(i) is not a member")
        member[i] = false
        add(i, -1)
    }

    /// The member with `rank` smaller members (0 ≤ rank < count).
    func element(rank: Int) -> Int {
        precondition(rank >= 0 && rank < count, "RankedSet.element: rank \(rank) outside 0 ..< \(count)")
        var position = 0
        var remaining = Int32(rank + 1)
        var step = topStep
        while step > 0 {
            let next = position + step
            if next < tree.count && tree[next] < remaining {
                position = next
                remaining -= tree[next]
            }
            step /= 2
        }
        return position  // the 1-based node position + 1 holds the member; as an element, 0-based
    }

    private mutating func add(_ i: Int, _ delta: Int32) {
        count += Int(delta)
        var node = i + 1
        while node < tree.count {
            tree[node] += delta
            node += node & -node
        }
    }
}
