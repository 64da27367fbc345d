import FedMath

/// Chooses the coordinates kept by the sparsifiers. Internal.
enum CoordinateSelection {
    /// The ranking key of a coordinate: the bit pattern of its magnitude. Non-negative floats are
    /// ordered like their bit patterns read as unsigned integers, so keys compare like magnitudes.
    /// NaN is ranked as +∞, so a NaN is always transmitted (and detected by the server) rather than
    /// silently dropped.
    @inline(__always)
    static func key(_ x: Float) -> UInt32 {
        let m = x.magnitude
        return m.isNaN ? Float.infinity.bitPattern : m.bitPattern
    }

    /// Writes into `indices` (count k, 0 <= k <= d) the indices of the k coordinates of `values`
    /// with the largest magnitude, in ascending order. Ties go to the lower index. Deterministic.
    ///
    /// Radix selection on the keys, O(d) time with 2 KB of scratch: four histogram passes over
    /// 8-bit digits (most significant first) find T, the k-th largest key, and how many of the
    /// coordinates equal to T are needed; a last scan in index order keeps every coordinate above T
    /// and the lowest-indexed ones equal to T. The result is therefore sorted with no extra sort.
    static func topK(_ values: UnsafeBufferPointer<Float>, into indices: UnsafeMutableBufferPointer<Int>) {
        let d = values.count
        let k = indices.count
        precondition(k <= d)
        if k == 0 { return }
        if k == d {
            for i in 0..<d { indices[i] = i }
            return
        }
        // Invariant: `needed` of the k are still to be found among the keys matching `prefix` on
        // the bits of `mask`; every key above that range is kept.
        var prefix: UInt32 = 0
        var mask: UInt32 = 0
        var needed = k
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { histogram in
            for shift: UInt32 in [24, 16, 8, 0] {
                histogram.initialize(repeating: 0)
                for x in values {
                    let key = key(x)
                    if key & mask == prefix { histogram[Int((key >> shift) & 0xFF)] += 1 }
                }
                var digit = 255
                while digit > 0, histogram[digit] < needed {
                    needed -= histogram[digit]
                    digit -= 1
                }
                prefix |= UInt32(digit) << shift
                mask |= 0xFF << shift
            }
        }
        let threshold = prefix
        var ties = needed  // how many coordinates equal to the threshold to keep
        var j = 0
        for i in 0..<d {
            let key = key(values[i])
            if key > threshold || (key == threshold && ties > 0) {
                if key == threshold { ties -= 1 }
                indices[j] = i
                j += 1
            }
        }
        assert(j == k)
    }

    /// Writes into `indices` (count k, 0 <= k <= d) the first k entries of a partial Fisher-Yates
    /// shuffle of 0..<d driven by `stream`: for j in 0..<k, swap entries j and j + uniformInt(d - j).
    /// k draws, O(d) temporary memory. When k == d, writes 0..<d and draws nothing.
    static func randomK(dimension d: Int, stream: RandomStream, into indices: UnsafeMutableBufferPointer<Int>) {
        let k = indices.count
        precondition(k <= d)
        if k == d {
            for i in 0..<d { indices[i] = i }
            return
        }
        precondition(d <= Int(UInt32.max), "random-k supports at most 2^32 - 1 coordinates")
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: d) { permutation in
            for i in 0..<d { permutation[i] = UInt32(truncatingIfNeeded: i) }
            for j in 0..<k {
                let r = j + stream.uniformInt(d - j)
                permutation.swapAt(j, r)
                indices[j] = Int(permutation[j])
            }
        }
    }
}
