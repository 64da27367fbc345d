/// Wire-format constants and byte/bit helpers shared by the codecs. Internal.
enum CodecWire {
    /// The largest QSGD level count: levels then take at most 16 bits.
    static let maximumQSGDLevels = 65_535

    // MARK: Tags (first byte of every message; 0 is never used, so zero-filled buffers fail)

    static let tagDense: UInt8 = 0x01
    static let tagScaledSign: UInt8 = 0x02
    static let tagUniform8: UInt8 = 0x03
    static let tagQSGD: UInt8 = 0x04
    /// Top-k: 0x10 + value-coding code.
    static let tagTopKBase: UInt8 = 0x10
    /// Random-k: 0x20 + value-coding code.
    static let tagRandomKBase: UInt8 = 0x20

    /// Top-k index-block formats.
    static let indexFormatGaps: UInt8 = 0
    static let indexFormatBitmap: UInt8 = 1

    static func code(_ coding: ValueCoding) -> UInt8 {
        switch coding {
        case .float32: 0
        case .uniform8: 1
        case .qsgd: 2
        }
    }

    static func tag(_ spec: CodecSpec) -> UInt8 {
        switch spec {
        case .dense: tagDense
        case .scaledSign: tagScaledSign
        case .uniform8: tagUniform8
        case .qsgd: tagQSGD
        case .topK(_, let values): tagTopKBase + code(values)
        case .randomK(_, let values): tagRandomKBase + code(values)
        }
    }

    // MARK: Sizes

    /// Length of `value` as an unsigned LEB128 varint.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 significant bits, at least 1.
        let bits = max(1, UInt64.bitWidth - value.leadingZeroBitCount)
        return (bits + 6) / 7
    }

    /// b(s) = ceil(log2(s + 1)), the number of bits that hold 0...s.
    static func levelBits(_ levels: Int) -> Int {
        Int.bitWidth - levels.leadingZeroBitCount
    }

    /// V(c, n): bytes taken by n values under `coding`.
    static func valueBytes(_ coding: ValueCoding, count n: Int) -> Int {
        switch coding {
        case .float32: 4 * n
        case .uniform8: 8 + n
        case .qsgd(let levels): 4 + packedBytes(count: n, bitsEach: 1 + levelBits(levels))
        }
    }

    /// ceil(n · bitsEach / 8).
    static func packedBytes(count n: Int, bitsEach: Int) -> Int {
        (n * bitsEach + 7) / 8
    }

    static func bitmapBytes(_ d: Int) -> Int { (d + 7) / 8 }
}

/// Writes into a buffer whose exact size was computed beforehand. Internal.
struct CodecWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var position = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
        capacity = buffer.count
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        assert(position < capacity)
        base[position] = value
        position += 1
    }

    @inline(__always)
    mutating func float(_ value: Float) {
        assert(position + 4 <= capacity)
        UnsafeMutableRawPointer(base + position).storeBytes(of: value.bitPattern.littleEndian, as: UInt32.self)
        position += 4
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(truncatingIfNeeded: v))
    }

    mutating func zeros(_ count: Int) {
        assert(position + count <= capacity)
        (base + position).initialize(repeating: 0, count: count)
        position += count
    }

    /// A mutable view of the next `count` bytes, which the caller fills; advances past them.
    mutating func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        assert(position + count <= capacity)
        let start = base + position
        position += count
        return start
    }
}

/// Packs fixed-width fields least significant bit first. Fields are at most 32 bits. Internal.
struct CodecBitWriter {
    private var accumulator: UInt64 = 0
    private var bits = 0

    @inline(__always)
    mutating func put(_ value: UInt64, width: Int, into writer: inout CodecWriter) {
        accumulator |= value << UInt64(bits)
        bits += width
        while bits >= 8 {
            writer.byte(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            bits -= 8
        }
    }

    /// Writes the last partial byte, zero-padded.
    mutating func flush(into writer: inout CodecWriter) {
        if bits > 0 {
            writer.byte(UInt8(truncatingIfNeeded: accumulator))
            accumulator = 0
            bits = 0
        }
    }
}

/// Reads a message with bounds checks; every failure is a `CodecError`. Internal.
struct CodecReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    private(set) var position = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        count = buffer.count
    }

    var remaining: Int { count - position }

    func require(_ n: Int, _ what: @autoclosure () -> String) throws(CodecError) {
        guard n <= remaining else {
            throw .malformed("truncated \(what()): need \(n) bytes, \(remaining) left")
        }
    }

    /// Fails unless exactly `n` bytes remain.
    func requireExactly(_ n: Int, _ what: @autoclosure () -> String) throws(CodecError) {
        guard n == remaining else {
            throw .malformed(
                n > remaining
                    ? "truncated \(what()): need \(n) bytes, \(remaining) left"
                    : "\(remaining - n) trailing bytes after \(what())")
        }
    }

    mutating func byte(_ what: @autoclosure () -> String) throws(CodecError) -> UInt8 {
        try require(1, what())
        return uncheckedByte()
    }

    @inline(__always)
    mutating func uncheckedByte() -> UInt8 {
        let value = base[position]
        position += 1
        return value
    }

    /// A float32 without a bounds check: call `require` first.
    @inline(__always)
    mutating func uncheckedFloat() -> Float {
        let bits = UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self)
        position += 4
        return Float(bitPattern: UInt32(littleEndian: bits))
    }

    mutating func float(_ what: @autoclosure () -> String) throws(CodecError) -> Float {
        try require(4, what())
        return uncheckedFloat()
    }

    /// An unsigned LEB128 varint of at most 10 bytes whose value fits in 64 bits.
    mutating func varint(_ what: @autoclosure () -> String) throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < count else { throw .malformed("truncated varint in \(what())") }
            let b = uncheckedByte()
            let payload = UInt64(b & 0x7F)
            if shift == 63 && payload > 1 { throw .malformed("varint overflow in \(what())") }
            result |= payload << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformed("varint too long in \(what())") }
        }
    }

    /// Skips `n` bytes (already checked) and returns where they start.
    mutating func take(_ n: Int) -> UnsafePointer<UInt8> {
        assert(n <= remaining)
        let start = base + position
        position += n
        return start
    }
}

/// Unpacks fixed-width fields least significant bit first from a checked byte range. Internal.
struct CodecBitReader {
    private let bytes: UnsafePointer<UInt8>
    private var next = 0
    private var accumulator: UInt64 = 0
    private var bits = 0

    init(_ bytes: UnsafePointer<UInt8>) {
        self.bytes = bytes
    }

    /// The next `width`-bit field. The caller guarantees the range holds enough bytes.
    @inline(__always)
    mutating func take(width: Int) -> UInt64 {
        while bits < width {
            accumulator |= UInt64(bytes[next]) << UInt64(bits)
            next += 1
            bits += 8
        }
        let value = accumulator & ((1 << UInt64(width)) - 1)
        accumulator >>= UInt64(width)
        bits -= width
        return value
    }

    /// Whether the unread bits of the last byte are zero (canonical padding).
    var paddingIsZero: Bool { accumulator == 0 }
}
