import FedMath

/// Encodes a Float update into a byte message and decodes it back, under one `CodecSpec`.
///
/// Messages are self-describing enough to be decoded knowing the spec, the dimension and the
/// context: they start with a one-byte tag (see `CodecSpec` for layouts and exact sizes). Encoding
/// allocates the message and at most a few scratch buffers per call (never per element); random
/// draws come from one `RandomStream` per message seeded from `CodecContext.seed`, on the encoder
/// side only, except random-k whose decoder regenerates the index draws.
///
/// NaN or ±∞ in the input never trap. Float32 value codings carry them through unchanged; top-k
/// ranks NaN as the largest magnitude (so it is sent); qsgd, uniform8 and scaledSign produce a
/// non-finite header (norm, range or scale) that decodes to NaN (±scale for scaledSign) in every
/// coordinate they cover, so the server's NaN detection sees it.
public struct UpdateCodec: Sendable {
    public let spec: CodecSpec

    /// A codec for `spec`. Traps on an invalid spec (see `CodecSpec.configurationError`).
    public init(_ spec: CodecSpec) {
        if let problem = spec.configurationError { preconditionFailure(problem) }
        self.spec = spec
    }

    // MARK: Sizes

    /// The number of coordinates a sparsifier keeps out of `dimension`:
    /// k = min(d, max(1, ceil(fraction · d))) for d > 0, and 0 for d = 0.
    ///
    /// The product is shrunk by a relative 1e-12 before rounding up, so that binary rounding of the
    /// fraction does not add a coordinate (0.07 · 100 = 7.000000000000001 gives 7, not 8). Total
    /// for any input: a NaN or non-positive fraction gives 1, a fraction >= 1 gives d.
    public static func keptCount(fraction: Double, dimension d: Int) -> Int {
        guard d > 0 else { return 0 }
        guard fraction > 0 else { return 1 }
        guard fraction < 1 else { return d }
        let product = fraction * Double(d) * (1 - 1e-12)
        return min(d, max(1, Int(product.rounded(.up))))
    }

    /// The number of coordinates this codec transmits for `dimension`: k for sparsifiers, d otherwise.
    public func keptCount(dimension d: Int) -> Int {
        switch spec {
        case .topK(let fraction, _), .randomK(let fraction, _):
            Self.keptCount(fraction: fraction, dimension: d)
        case .dense, .qsgd, .uniform8, .scaledSign:
            d
        }
    }

    /// The exact encoded size in bytes for `dimension` floats, or nil for top-k, whose index block
    /// depends on the data (see `maximumSize(dimension:)`). Formulas on `CodecSpec`.
    public func predictedSize(dimension d: Int) -> Int? {
        switch spec {
        case .topK:
            nil
        default:
            maximumSize(dimension: d)
        }
    }

    /// The size of every message of `dimension` floats when decoding reproduces the input bit for
    /// bit (``CodecSpec/isLossless``) and the size does not depend on the data; nil otherwise. Then
    /// the message need not be built to know what the receiver gets (the input) and what it costs.
    public func losslessSize(dimension d: Int) -> Int? {
        spec.isLossless ? predictedSize(dimension: d) : nil
    }

    /// An upper bound on the encoded size, exact for every codec but top-k. For top-k it is
    /// 1 + varint(k) + 1 + ceil(d/8) + V(values, k), the size with a bitmap index block (the gap
    /// form is used only when smaller).
    public func maximumSize(dimension d: Int) -> Int {
        switch spec {
        case .dense:
            return 1 + 4 * d
        case .topK(let fraction, let values):
            let k = Self.keptCount(fraction: fraction, dimension: d)
            return 1 + CodecWire.varintSize(UInt64(k)) + 1 + CodecWire.bitmapBytes(d)
                + CodecWire.valueBytes(values, count: k)
        case .randomK(let fraction, let values):
            let k = Self.keptCount(fraction: fraction, dimension: d)
            return 1 + CodecWire.valueBytes(values, count: k)
        case .qsgd(let levels):
            return 1 + CodecWire.valueBytes(.qsgd(levels: levels), count: d)
        case .uniform8:
            return 1 + CodecWire.valueBytes(.uniform8, count: d)
        case .scaledSign:
            return 1 + 4 + CodecWire.bitmapBytes(d)
        }
    }

    // MARK: Encoding

    /// Encodes `update` (d = update.count) into a message; layouts and sizes on `CodecSpec`.
    public func encode(_ update: UnsafeBufferPointer<Float>, context: CodecContext) -> [UInt8] {
        let d = update.count
        let tag = CodecWire.tag(spec)
        switch spec {
        case .dense:
            return Self.message(size: 1 + 4 * d) { w in
                w.byte(tag)
                ValueCoder.writeFloat32(update, into: &w)
            }
        case .scaledSign:
            return Self.message(size: maximumSize(dimension: d)) { w in
                w.byte(tag)
                ValueCoder.writeScaledSign(update, into: &w)
            }
        case .uniform8:
            let stream = context.makeStream()
            return Self.message(size: maximumSize(dimension: d)) { w in
                w.byte(tag)
                ValueCoder.writeUniform8(update, into: &w, stream: stream)
            }
        case .qsgd(let levels):
            let stream = context.makeStream()
            return Self.message(size: maximumSize(dimension: d)) { w in
                w.byte(tag)
                ValueCoder.writeQSGD(update, levels: levels, into: &w, stream: stream)
            }
        case .topK(let fraction, let values):
            return Self.encodeTopK(update, k: Self.keptCount(fraction: fraction, dimension: d),
                                   values: values, tag: tag, context: context)
        case .randomK(let fraction, let values):
            return Self.encodeRandomK(update, k: Self.keptCount(fraction: fraction, dimension: d),
                                      values: values, tag: tag, context: context)
        }
    }

    /// Encodes an array.
    public func encode(_ update: [Float], context: CodecContext) -> [UInt8] {
        update.withUnsafeBufferPointer { encode($0, context: context) }
    }

    /// A message of exactly `size` bytes filled by `body`.
    private static func message(size: Int, _ body: (inout CodecWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = CodecWriter(buffer)
            body(&writer)
            precondition(writer.position == size, "codec wrote \(writer.position) bytes, expected \(size)")
            initialized = size
        }
    }

    private static func encodeTopK(
        _ update: UnsafeBufferPointer<Float>, k: Int, values coding: ValueCoding, tag: UInt8,
        context: CodecContext
    ) -> [UInt8] {
        let d = update.count
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { indices in
            CoordinateSelection.topK(update, into: indices)
            var gapBytes = 0
            var previous = -1
            for index in indices {
                gapBytes += CodecWire.varintSize(UInt64(index - previous - 1))
                previous = index
            }
            let bitmapBytes = CodecWire.bitmapBytes(d)
            let useGaps = gapBytes < bitmapBytes
            let size = 1 + CodecWire.varintSize(UInt64(k)) + 1 + (useGaps ? gapBytes : bitmapBytes)
                + CodecWire.valueBytes(coding, count: k)
            let stream = ValueCoder.needsRandomness(coding) ? context.makeStream() : nil
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { kept in
                for j in 0..<k { kept[j] = update[indices[j]] }
                return message(size: size) { w in
                    w.byte(tag)
                    w.varint(UInt64(k))
                    if useGaps {
                        w.byte(CodecWire.indexFormatGaps)
                        var previous = -1
                        for index in indices {
                            w.varint(UInt64(index - previous - 1))
                            previous = index
                        }
                    } else {
                        w.byte(CodecWire.indexFormatBitmap)
                        let bitmap = w.reserve(bitmapBytes)
                        bitmap.initialize(repeating: 0, count: bitmapBytes)
                        for index in indices {
                            bitmap[index >> 3] |= 1 << UInt8(index & 7)
                        }
                    }
                    ValueCoder.write(UnsafeBufferPointer(kept), coding: coding, into: &w, stream: stream)
                }
            }
        }
    }

    private static func encodeRandomK(
        _ update: UnsafeBufferPointer<Float>, k: Int, values coding: ValueCoding, tag: UInt8,
        context: CodecContext
    ) -> [UInt8] {
        let stream = context.makeStream()
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { indices in
            CoordinateSelection.randomK(dimension: update.count, stream: stream, into: indices)
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { kept in
                for j in 0..<k { kept[j] = update[indices[j]] }
                return message(size: 1 + CodecWire.valueBytes(coding, count: k)) { w in
                    w.byte(tag)
                    ValueCoder.write(UnsafeBufferPointer(kept), coding: coding, into: &w, stream: stream)
                }
            }
        }
    }

    // MARK: Decoding

    /// Decodes `message` for a vector of `dimension` floats into `output`, overwriting every
    /// coordinate (coordinates a sparsifier did not send become 0).
    ///
    /// Throws `CodecError.malformed` for a wrong tag, a truncated or over-long message, or an
    /// impossible field (k different from `keptCount`, an index out of range, a bitmap with the wrong
    /// number of bits, a QSGD level above s, non-zero padding bits, an inverted uniform8 range...).
    /// Never traps on message content; on error `output` holds unspecified values. Traps only if
    /// `output.count != dimension` (a caller bug).
    public func decode(
        _ message: [UInt8], dimension d: Int, context: CodecContext,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        precondition(output.count == d, "decode output holds \(output.count) floats, dimension is \(d)")
        let result: Result<Void, CodecError> = message.withUnsafeBufferPointer { bytes in
            do throws(CodecError) {
                var reader = CodecReader(bytes)
                try decode(&reader, dimension: d, context: context, into: output)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Decodes into a new array of `dimension` floats.
    public func decode(_ message: [UInt8], dimension d: Int, context: CodecContext) throws(CodecError) -> [Float] {
        var output = [Float](repeating: 0, count: d)
        try output.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
            try decode(message, dimension: d, context: context, into: buffer)
        }
        return output
    }

    private func decode(
        _ reader: inout CodecReader, dimension d: Int, context: CodecContext,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let expectedTag = CodecWire.tag(spec)
        let tag = try reader.byte("tag")
        guard tag == expectedTag else {
            throw .malformed("tag 0x\(String(tag, radix: 16)) does not match \(spec) (0x\(String(expectedTag, radix: 16)))")
        }
        switch spec {
        case .dense:
            try reader.requireExactly(4 * d, "dense values")
            ValueCoder.readFloat32(&reader, into: output)
        case .scaledSign:
            try reader.requireExactly(4 + CodecWire.bitmapBytes(d), "scaledSign payload")
            try ValueCoder.readScaledSign(&reader, into: output)
        case .uniform8:
            try reader.requireExactly(CodecWire.valueBytes(.uniform8, count: d), "uniform8 payload")
            try ValueCoder.readUniform8(&reader, into: output)
        case .qsgd(let levels):
            try reader.requireExactly(CodecWire.valueBytes(.qsgd(levels: levels), count: d), "qsgd payload")
            try ValueCoder.readQSGD(&reader, levels: levels, into: output)
        case .topK(let fraction, let coding):
            try Self.decodeTopK(&reader, k: Self.keptCount(fraction: fraction, dimension: d),
                                coding: coding, into: output)
        case .randomK(let fraction, let coding):
            let k = Self.keptCount(fraction: fraction, dimension: d)
            try reader.requireExactly(CodecWire.valueBytes(coding, count: k), "random-k values")
            let stream = context.makeStream()
            try withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { (indices) throws(CodecError) in
                CoordinateSelection.randomK(dimension: d, stream: stream, into: indices)
                try Self.readScattered(&reader, coding: coding, indices: UnsafeBufferPointer(indices), into: output)
            }
        }
    }

    private static func decodeTopK(
        _ reader: inout CodecReader, k expectedK: Int, coding: ValueCoding,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let d = output.count
        let k = try reader.varint("top-k count")
        guard k == UInt64(expectedK) else {
            throw .malformed("top-k message keeps \(k) coordinates, expected \(expectedK) of \(d)")
        }
        let format = try reader.byte("top-k index format")
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: expectedK) { (indices) throws(CodecError) in
            switch format {
            case CodecWire.indexFormatGaps:
                var previous = -1
                for j in 0..<expectedK {
                    let gap = try reader.varint("top-k index gap")
                    // previous + 1 + gap < d  without overflow
                    guard gap < UInt64(d - previous - 1) else {
                        throw .malformed("top-k index gap \(gap) after \(previous) leaves 0..<\(d)")
                    }
                    previous += 1 + Int(gap)
                    indices[j] = previous
                }
            case CodecWire.indexFormatBitmap:
                let bytes = CodecWire.bitmapBytes(d)
                try reader.require(bytes, "top-k bitmap")
                let bitmap = reader.take(bytes)
                var count = 0
                for b in 0..<bytes { count += bitmap[b].nonzeroBitCount }
                guard count == expectedK else {
                    throw .malformed("top-k bitmap has \(count) bits set, expected \(expectedK)")
                }
                if d % 8 != 0, bitmap[d / 8] >> UInt8(d % 8) != 0 {
                    throw .malformed("top-k bitmap padding bits are not zero")
                }
                var j = 0
                for b in 0..<bytes {
                    var word = bitmap[b]
                    while word != 0 {
                        indices[j] = b * 8 + word.trailingZeroBitCount
                        j += 1
                        word &= word - 1
                    }
                }
            default:
                throw .malformed("unknown top-k index format \(format)")
            }
            try reader.requireExactly(CodecWire.valueBytes(coding, count: expectedK), "top-k values")
            try readScattered(&reader, coding: coding, indices: UnsafeBufferPointer(indices), into: output)
        }
    }

    /// Reads indices.count values and writes them at `indices`, zeroing every other coordinate.
    private static func readScattered(
        _ reader: inout CodecReader, coding: ValueCoding, indices: UnsafeBufferPointer<Int>,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let k = indices.count
        try withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { (kept) throws(CodecError) in
            try ValueCoder.read(&reader, coding: coding, into: kept)
            output.update(repeating: 0)
            for j in 0..<k { output[indices[j]] = kept[j] }
        }
    }
}
