/// A subset of 0 ..< n kept as a bitmap of 64-bit words and a Fenwick tree of the words' member
/// counts (Fenwick 1994, "A new data structure for cumulative frequency tables"): membership costs
/// O(1), insertion and removal O(log(n/64)), and the member of a given rank (the k-th smallest) is
/// found in O(log(n/64)) by descending the tree to its word, then six halvings of the word.
/// Memory: 3/16 byte per element of the universe (a bit, and a 4-byte node per 64 elements), so a
/// million-device fleet's set (184 KB) stays in the cache.
struct RankedSet {
    /// Bit i % 64 of words[i / 64] is set when i is a member.
    private var words: [UInt64]
    /// 1-based Fenwick nodes over the words: tree[w] counts the members of words (w - lowbit(w), w].
    private var tree: [Int32]
    /// Number of members.
    private(set) var count = 0
    /// The largest power of two <= the number of words (0 when there are none), where the rank descent starts.
    private let topStep: Int

    /// An empty set over 0 ..< n.
    init(universe n: Int) {
        let wordCount = (n + 63) / 64
        words = [UInt64](repeating: 0, count: wordCount)
        tree = [Int32](repeating: 0, count: wordCount + 1)
        var step = 1
        while step * 2 <= wordCount { step *= 2 }
        topStep = wordCount == 0 ? 0 : step
    }

    /// Whether `i` is a member.
    func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }

    /// Adds `i`; it must not be a member.
    mutating func insert(_ i: Int) {
        precondition(!contains(i), "RankedSet.insert: \(i) is already a member")
        words[i >> 6] |= 1 << UInt64(i & 63)
        add(word: i >> 6, 1)
    }

    /// Removes `i`; it must be a member.
    mutating func remove(_ i: Int) {
        precondition(contains(i), "RankedSet.remove: \(i) is not a member")
        words[i >> 6] &= ~(1 << UInt64(i & 63))
        add(word: i >> 6, -1)
    }

    /// The member with `rank` smaller members (0 ≤ rank < count).
    func element(rank: Int) -> Int {
        precondition(rank >= 0 && rank < count, "RankedSet.element: rank \(rank) outside 0 ..< \(count)")
        // Descend to the last node whose prefix holds at most `rank` members: the next word holds the member.
        var position = 0
        var remaining = Int32(rank)
        var step = topStep
        while step > 0 {
            let next = position + step
            if next < tree.count && tree[next] <= remaining {
                position = next
                remaining -= tree[next]
            }
            step /= 2
        }
        // Word `position` (0-based) holds it, with `remaining` smaller members before it in the word:
        // halve the word six times, skipping the lower half when the member is above it.
        var bits = words[position]
        var offset = 0
        var width: UInt64 = 32
        while width > 0 {
            let lower = bits & ((1 << width) - 1)
            let below = Int32(lower.nonzeroBitCount)
            if remaining >= below {
                remaining -= below
                bits >>= width
                offset += Int(width)
            } else {
                bits = lower
            }
            width /= 2
        }
        return position * 64 + offset
    }

    private mutating func add(word w: Int, _ delta: Int32) {
        count += Int(delta)
        var node = w + 1
        while node < tree.count {
            tree[node] += delta
            node += node & -node
        }
    }
}
