import FedMath

/// Assigns natural clients (for example Shakespeare's roles) to a fleet of a different size.
///
/// Input: client `c` holds samples `ranges[c]` of a stream's `starts` (contiguous, as
/// ``TextData`` lays them out). Output: a reordered `starts` and one range of it per device, so a
/// device still holds a single index range into the shared stream.
/// - devices <= clients: the clients are shuffled with the `partition` stream of the seed, and
///   device `d` takes the clients at shuffled positions d, d + D, d + 2D, ... (round-robin), whole.
/// - devices > clients: every client is one piece; each further piece goes to the client with the
///   most samples per piece (ties: lower client index), until there are D pieces. A client's
///   samples are cut into its pieces contiguously, sizes differing by at most one (earlier pieces
///   larger). Pieces are numbered client by client and dealt to devices in a seeded shuffle.
///   Needs at least D samples in all.
/// Either way every sample is assigned to exactly one device.
public enum ClientAssignment {
    public static func assign(starts: [Int32], ranges: [Range<Int>], devices: Int,
                              seed: UInt64) -> (starts: [Int32], shards: [Range<Int>]) {
        precondition(devices >= 1 && !ranges.isEmpty)
        let rng = RandomStream(seed: seed, purpose: .partition)
        if devices <= ranges.count {
            var order = Array(ranges.indices)
            rng.shuffle(&order)
            var reordered: [Int32] = []
            reordered.reserveCapacity(starts.count)
            var shards: [Range<Int>] = []
            for d in 0 ..< devices {
                let first = reordered.count
                for position in stride(from: d, to: order.count, by: devices) {
                    reordered.append(contentsOf: starts[ranges[order[position]]])
                }
                shards.append(first ..< reordered.count)
            }
            return (reordered, shards)
        }
        precondition(starts.count >= devices, "fewer samples than devices")
        var pieces = [Int](repeating: 1, count: ranges.count)
        for _ in ranges.count ..< devices {
            // Most samples per piece: compare n_a / p_a with n_b / p_b as n_a p_b > n_b p_a.
            var best = 0
            for c in ranges.indices.dropFirst()
            where ranges[c].count * pieces[best] > ranges[best].count * pieces[c] { best = c }
            pieces[best] += 1
        }
        var cuts: [Range<Int>] = []
        for (c, range) in ranges.enumerated() {
            let size = range.count / pieces[c], extra = range.count % pieces[c]
            var lower = range.lowerBound
            for k in 0 ..< pieces[c] {
                let upper = lower + size + (k < extra ? 1 : 0)
                cuts.append(lower ..< upper)
                lower = upper
            }
        }
        var deal = Array(cuts.indices)
        rng.shuffle(&deal)
        return (starts, deal.map { cuts[$0] })
    }
}
