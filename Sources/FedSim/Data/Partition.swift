import FedMath

/// Assigns training samples to devices. Each partitioner returns one list of sample indices per
/// device; ``DataBuilder`` then reorders the shared matrix so every list becomes a contiguous range.
public enum Partitioner {
    /// IID: a seeded shuffle cut into `devices` nearly equal parts (sizes differ by at most one).
    public static func iid(count: Int, devices: Int, rng: RandomStream) -> [[Int]] {
        var order = Array(0 ..< count)
        rng.shuffle(&order)
        return equalCuts(count: count, parts: devices).map { Array(order[$0]) }
    }

    /// Dirichlet label skew of Hsu, Qi, Brown 2019 ("Measuring the Effects of Non-Identical Data
    /// Distribution for Federated Visual Classification", arXiv 1909.06335): every device gets the same number of
    /// samples (up to one), and its class mix q ~ Dir(alpha * p), where p is the overall class
    /// distribution. Each of a device's samples is drawn from class c with probability q_c, taking
    /// the next unused sample of that class; a class that runs out is removed and q renormalised.
    /// Smaller alpha means more skew; alpha -> infinity approaches IID.
    public static func hsuDirichlet(labels: [Int32], classCount: Int, devices: Int, alpha: Double,
                                    rng: RandomStream) -> [[Int]] {
        var pools = [[Int]](repeating: [], count: classCount)
        for (i, y) in labels.enumerated() { pools[Int(y)].append(i) }
        for c in 0 ..< classCount { rng.shuffle(&pools[c]) }
        let prior = pools.map { Double($0.count) / Double(labels.count) }
        var next = [Int](repeating: 0, count: classCount)
        let sizes = equalCuts(count: labels.count, parts: devices).map(\.count)
        var result: [[Int]] = []
        result.reserveCapacity(devices)
        var q = [Double](repeating: 0, count: classCount)
        for size in sizes {
            let params = prior.map { max(alpha * $0, 1e-300) }
            q = rng.dirichlet(params)
            var mine: [Int] = []
            mine.reserveCapacity(size)
            for _ in 0 ..< size {
                var total = 0.0
                for c in 0 ..< classCount where next[c] < pools[c].count { total += q[c].isFinite ? q[c] : 0 }
                var c = -1
                if total > 0 {
                    var u = rng.uniform() * total
                    for k in 0 ..< classCount where next[k] < pools[k].count && q[k].isFinite && q[k] > 0 {
                        c = k
                        u -= q[k]
                        if u < 0 { break }
                    }
                }
                if c < 0 {
                    // Every class this device favours is exhausted: take from the largest remaining pool.
                    c = (0 ..< classCount).max { (pools[$0].count - next[$0], $1) < (pools[$1].count - next[$1], $0) }!
                }
                mine.append(pools[c][next[c]])
                next[c] += 1
            }
            result.append(mine)
        }
        return result
    }

    /// The smallest shard NIID-Bench's reference code accepts (`min_require_size`).
    public static let niidBenchMinimumShard = 10
    /// Draws ``niidBenchDirichlet`` tries before giving up.
    public static let niidBenchAttempts = 1000

    /// Dirichlet label skew of Li, Diao, Chen, He 2022 ("Federated Learning on Non-IID Data Silos:
    /// An Experimental Study", arXiv 2102.02079, NIID-Bench's `noniid-labeldir`): for each class c
    /// in turn, shares p ~ Dir_N(alpha) over the N devices; devices that already hold at least
    /// count / N samples get share 0, the rest are renormalised, and the shuffled samples of c are
    /// cut at floor(cumsum(p) * n_c). The whole draw is repeated until every device holds at least
    /// `minimumShard` samples (NIID-Bench: 10); each device's list is then shuffled. Shard sizes vary.
    ///
    /// Returns nil when `attempts` draws all leave a shard too small (always when
    /// count < minimumShard * N).
    public static func niidBenchDirichlet(labels: [Int32], classCount: Int, devices: Int, alpha: Double,
                                          minimumShard: Int, rng: RandomStream, attempts: Int = niidBenchAttempts) -> [[Int]]? {
        guard labels.count >= minimumShard * devices else { return nil }
        var pools = [[Int]](repeating: [], count: classCount)
        for (i, y) in labels.enumerated() { pools[Int(y)].append(i) }
        let fullShare = Double(labels.count) / Double(devices)
        let params = [Double](repeating: alpha, count: devices)
        for _ in 0 ..< attempts {
            var result = [[Int]](repeating: [], count: devices)
            for c in 0 ..< classCount {
                rng.shuffle(&pools[c])
                var p = rng.dirichlet(params)
                for j in 0 ..< devices where Double(result[j].count) >= fullShare { p[j] = 0 }
                let total = p.reduce(0, +)
                var cumulative = 0.0, start = 0
                for j in 0 ..< devices {
                    cumulative += p[j] / total
                    let end = j == devices - 1 ? pools[c].count : min(pools[c].count, Int(cumulative * Double(pools[c].count)))
                    if end > start { result[j].append(contentsOf: pools[c][start ..< end]) }
                    start = max(start, end)
                }
            }
            if result.allSatisfy({ $0.count >= minimumShard }) {
                for j in 0 ..< devices { rng.shuffle(&result[j]) }
                return result
            }
        }
        return nil
    }

    /// `count` items cut into `parts` consecutive ranges whose sizes differ by at most one.
    public static func equalCuts(count: Int, parts: Int) -> [Range<Int>] {
        let base = count / parts, extra = count % parts
        var start = 0
        return (0 ..< parts).map { i in
            let size = base + (i < extra ? 1 : 0)
            defer { start += size }
            return start ..< start + size
        }
    }
}
