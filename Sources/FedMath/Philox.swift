/// The Philox4x32-10 counter-based generator: a keyed bijection of 128-bit counters.
///
/// Salmon, Moraes, Dror, Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3" (SC'11,
/// doi:10.1145/2063384.2063405). Each of the 10 rounds multiplies two counter words by the
/// constants M0, M1, swaps the halves of the 64-bit products into a Feistel-like mix with the key,
/// and bumps the key by the Weyl constants W0, W1 between rounds. A block costs 20 32x32->64-bit
/// multiplications; there is no state to warm up, so a stream is set up in O(1).
public enum Philox4x32 {
    /// Four 32-bit words: a counter or an output block.
    public typealias Block = (UInt32, UInt32, UInt32, UInt32)

    @usableFromInline static let m0: UInt64 = 0xD251_1F53
    @usableFromInline static let m1: UInt64 = 0xCD9E_8D57
    @usableFromInline static let w0: UInt32 = 0x9E37_79B9
    @usableFromInline static let w1: UInt32 = 0xBB67_AE85

    /// The output block for `counter` under `key` (10 rounds).
    @inlinable public static func block(_ counter: Block, key: (UInt32, UInt32)) -> Block {
        var c = counter
        var k0 = key.0, k1 = key.1
        for round in 0 ..< 10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = m0 &* UInt64(c.0)
            let p1 = m1 &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}

/// A Philox4x32-10 stream: key = a 64-bit stream seed, counter = (block index low, high, 0, 0);
/// words are returned in order w0, w1, w2, w3 of each block, blocks in counter order.
///
/// The layout is plain data so that GSL can own it as a `gsl_rng` state (see ``RandomStream``).
@usableFromInline struct PhiloxState {
    var key: (UInt32, UInt32)
    var blockIndex: UInt64
    var words: Philox4x32.Block
    /// How many words of `words` were returned; 4 means the next call computes a new block.
    var used: Int

    init(seed: UInt64) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        blockIndex = 0
        words = (0, 0, 0, 0)
        used = 4
    }

    /// The next 32-bit word of the stream.
    @inline(__always) mutating func next() -> UInt32 {
        if used == 4 {
            words = Philox4x32.block((UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32), 0, 0), key: key)
            blockIndex &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }
}
