import FedSim

/// An independent decoder of the wire layouts documented on `CodecSpec` and `ValueCoding`, written
/// from the documentation in the plainest way (byte by byte, bit by bit), sharing no code with
/// `UpdateCodec`. Tests compare `UpdateCodec.decode` with it on valid and corrupted messages.
///
/// Returns nil where the documentation makes a message impossible (wrong tag or length, k other
/// than `keptCount`, an index out of range, a bitmap with the wrong number of bits, non-zero padding,
/// a QSGD level above s or a negative norm, a uniform8 range with min > max), else the decoded vector.
/// Random-k needs the coordinates its seed selects, in transmission order: `randomIndices`.
struct ReferenceDecoder {
    let spec: CodecSpec
    let dimension: Int
    var randomIndices: [Int] = []

    func decode(_ m: [UInt8]) -> [Float]? {
        let d = dimension
        var r = ByteReader(bytes: m)
        guard let tag = r.byte(), tag == Self.tag(spec) else { return nil }
        switch spec {
        case .dense:
            return r.values(.float32, count: d, last: true)
        case .uniform8:
            return r.values(.uniform8, count: d, last: true)
        case .qsgd(let s):
            return r.values(.qsgd(levels: s), count: d, last: true)
        case .scaledSign:
            guard m.count == 1 + 4 + (d + 7) / 8, let scale = r.float() else { return nil }
            let bits = Array(m[5...])
            guard d % 8 == 0 || bits[d / 8] >> (d % 8) == 0 else { return nil }
            return (0 ..< d).map { (bits[$0 / 8] >> ($0 % 8)) & 1 == 1 ? -scale : scale }
        case .randomK(let f, let coding):
            guard let kept = r.values(coding, count: UpdateCodec.keptCount(fraction: f, dimension: d), last: true) else { return nil }
            return scatter(kept, at: randomIndices)
        case .topK(let f, let coding):
            let k = UpdateCodec.keptCount(fraction: f, dimension: d)
            guard let count = r.varint(), count == UInt64(k), let format = r.byte() else { return nil }
            var indices: [Int] = []
            if format == 0 {
                var previous = -1
                for _ in 0 ..< k {
                    guard let gap = r.varint(), gap < UInt64(d - previous - 1) else { return nil }
                    previous += 1 + Int(gap)
                    indices.append(previous)
                }
            } else if format == 1 {
                guard let slice = r.take((d + 7) / 8) else { return nil }
                let bitmap = Array(slice)
                indices = (0 ..< 8 * bitmap.count).filter { (bitmap[$0 / 8] >> ($0 % 8)) & 1 == 1 }
                guard indices.count == k, indices.allSatisfy({ $0 < d }) else { return nil }
            } else {
                return nil
            }
            guard let kept = r.values(coding, count: k, last: true) else { return nil }
            return scatter(kept, at: indices)
        }
    }

    private func scatter(_ kept: [Float], at indices: [Int]) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        for (value, i) in zip(kept, indices) { v[i] = value }
        return v
    }

    static func tag(_ spec: CodecSpec) -> UInt8 {
        func code(_ c: ValueCoding) -> UInt8 {
            switch c {
            case .float32: 0
            case .uniform8: 1
            case .qsgd: 2
            }
        }
        switch spec {
        case .dense: return 0x01
        case .scaledSign: return 0x02
        case .uniform8: return 0x03
        case .qsgd: return 0x04
        case .topK(_, let c): return 0x10 + code(c)
        case .randomK(_, let c): return 0x20 + code(c)
        }
    }
}

/// Reads fields front to back; every read returns nil past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, position + n <= bytes.count else { return nil }
        defer { position += n }
        return bytes[position ..< position + n]
    }

    mutating func byte() -> UInt8? { take(1)?.first }

    mutating func float() -> Float? {
        guard let b = take(4) else { return nil }
        let bits = b.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }  // little-endian
        return Float(bitPattern: bits)
    }

    /// LEB128, at most 10 bytes, the value within 64 bits.
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for i in 0 ..< 10 {
            guard let b = byte() else { return nil }
            let payload = UInt64(b & 0x7F)
            if i == 9 && payload > 1 { return nil }
            value |= payload << UInt64(7 * i)
            if b & 0x80 == 0 { return value }
        }
        return nil
    }

    /// `count` values under `coding`; with `last`, they must end the message exactly.
    mutating func values(_ coding: ValueCoding, count n: Int, last: Bool) -> [Float]? {
        let size: Int
        switch coding {
        case .float32: size = 4 * n
        case .uniform8: size = 8 + n
        case .qsgd(let s): size = 4 + (n * (1 + (Int.bitWidth - s.leadingZeroBitCount)) + 7) / 8
        }
        guard !last || bytes.count - position == size else { return nil }
        switch coding {
        case .float32:
            return (0 ..< n).map { _ in float()! }
        case .uniform8:
            let lo = float()!, hi = float()!
            let q = take(n)!
            if lo.isNaN || hi.isNaN { return [Float](repeating: .nan, count: n) }
            guard lo <= hi else { return nil }
            let step = (Double(hi) - Double(lo)) / 255
            return q.map { Float(Double(lo) + Double($0) * step) }
        case .qsgd(let s):
            let norm = float()!
            guard !(norm < 0) else { return nil }
            let width = 1 + (Int.bitWidth - s.leadingZeroBitCount)
            let packed = Array(take(size - 4)!)
            func bit(_ i: Int) -> UInt64 { UInt64((packed[i / 8] >> (i % 8)) & 1) }
            var out: [Float] = []
            for j in 0 ..< n {
                var field: UInt64 = 0
                for b in 0 ..< width { field |= bit(j * width + b) << UInt64(b) }
                let level = field >> 1
                guard level <= UInt64(s) else { return nil }
                let magnitude = Float(Double(norm) / Double(s) * Double(level))
                out.append(field & 1 == 1 ? -magnitude : magnitude)
            }
            guard (n * width ..< 8 * packed.count).allSatisfy({ bit($0) == 0 }) else { return nil }
            return out
        }
    }
}
