import FedMath

/// The value codings (float32, uniform8, QSGD) and the scaled-sign payload, shared by the
/// whole-vector codecs and the sparsifiers. Layouts and sizes are documented on `ValueCoding` and
/// `CodecSpec`. Internal.
enum ValueCoder {
    // MARK: Dispatch

    /// Writes `values` under `coding`; exactly `CodecWire.valueBytes(coding, count:)` bytes.
    /// `stream` is used (and must be non-nil) only by the stochastic codings.
    static func write(
        _ values: UnsafeBufferPointer<Float>, coding: ValueCoding,
        into writer: inout CodecWriter, stream: RandomStream?
    ) {
        switch coding {
        case .float32:
            writeFloat32(values, into: &writer)
        case .uniform8:
            writeUniform8(values, into: &writer, stream: stream!)
        case .qsgd(let levels):
            writeQSGD(values, levels: levels, into: &writer, stream: stream!)
        }
    }

    /// Reads `output.count` values under `coding`. The caller checked that exactly
    /// `CodecWire.valueBytes(coding, count: output.count)` bytes remain.
    static func read(
        _ reader: inout CodecReader, coding: ValueCoding, into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        switch coding {
        case .float32:
            readFloat32(&reader, into: output)
        case .uniform8:
            try readUniform8(&reader, into: output)
        case .qsgd(let levels):
            try readQSGD(&reader, levels: levels, into: output)
        }
    }

    static func needsRandomness(_ coding: ValueCoding) -> Bool {
        coding != .float32
    }

    // MARK: float32 (4n bytes)

    /// Little-endian IEEE 754 words; on a little-endian host one block copy each way.
    static func writeFloat32(_ values: UnsafeBufferPointer<Float>, into writer: inout CodecWriter) {
        #if _endian(little)
        guard let source = values.baseAddress else { return }
        UnsafeMutableRawPointer(writer.reserve(4 * values.count)).copyMemory(from: source, byteCount: 4 * values.count)
        #else
        for x in values { writer.float(x) }
        #endif
    }

    static func readFloat32(_ reader: inout CodecReader, into output: UnsafeMutableBufferPointer<Float>) {
        #if _endian(little)
        guard let target = output.baseAddress else { return }
        UnsafeMutableRawPointer(target).copyMemory(from: reader.take(4 * output.count), byteCount: 4 * output.count)
        #else
        for i in output.indices { output[i] = reader.uncheckedFloat() }
        #endif
    }

    // MARK: uniform8 (8 + n bytes), stochastic rounding on a min-max grid (Gupta et al. 2015)

    static func writeUniform8(
        _ values: UnsafeBufferPointer<Float>, into writer: inout CodecWriter, stream: RandomStream
    ) {
        var lo = Float.infinity
        var hi = -Float.infinity
        var finite = true
        for x in values {
            if !x.isFinite { finite = false; break }
            if x < lo { lo = x }
            if x > hi { hi = x }
        }
        if values.isEmpty { lo = 0; hi = 0 }
        guard finite else {
            writer.float(.nan)
            writer.float(.nan)
            writer.zeros(values.count)
            return
        }
        writer.float(lo)
        writer.float(hi)
        let step = (Double(hi) - Double(lo)) / 255
        guard step > 0 else {
            writer.zeros(values.count)  // constant vector: lo is exact for every coordinate
            return
        }
        let low = Double(lo)
        for x in values {
            let r = min(255, max(0, (Double(x) - low) / step))
            let floor = r.rounded(.down)
            var q = Int(floor)
            let p = r - floor
            if p > 0, stream.uniform() < p { q += 1 }
            writer.byte(UInt8(min(q, 255)))
        }
    }

    static func readUniform8(
        _ reader: inout CodecReader, into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let lo = reader.uncheckedFloat()
        let hi = reader.uncheckedFloat()
        if lo.isNaN || hi.isNaN {
            _ = reader.take(output.count)
            output.initialize(repeating: .nan)
            return
        }
        guard lo <= hi else { throw .malformed("uniform8 range has min \(lo) > max \(hi)") }
        let low = Double(lo)
        let step = (Double(hi) - low) / 255
        let bytes = reader.take(output.count)
        for i in output.indices {
            output[i] = Float(low + Double(bytes[i]) * step)
        }
    }

    // MARK: QSGD (4 + ceil(n(1+b)/8) bytes), Alistarh et al. 2017

    static func writeQSGD(
        _ values: UnsafeBufferPointer<Float>, levels: Int, into writer: inout CodecWriter,
        stream: RandomStream
    ) {
        var sumSquares = 0.0
        for x in values {
            let y = Double(x)
            sumSquares += y * y
        }
        let norm = Float(sumSquares.squareRoot())
        let width = 1 + CodecWire.levelBits(levels)
        var bits = CodecBitWriter()
        guard norm.isFinite else {
            // NaN/∞ input or a norm beyond float32: decodes to NaN everywhere.
            writer.float(.nan)
            writer.zeros(CodecWire.packedBytes(count: values.count, bitsEach: width))
            return
        }
        writer.float(norm)
        guard norm > 0 else {
            writer.zeros(CodecWire.packedBytes(count: values.count, bitsEach: width))
            return
        }
        let s = Double(levels)
        let scale = s / Double(norm)
        for x in values {
            // |x| <= norm in exact arithmetic and the rounding is monotone, so r <= s; clamp anyway.
            let r = min(s, Double(x.magnitude) * scale)
            let floor = r.rounded(.down)
            var level = Int(floor)
            let p = r - floor
            if p > 0, stream.uniform() < p { level += 1 }
            level = min(level, levels)
            let sign: UInt64 = (x < 0 && level > 0) ? 1 : 0
            bits.put(sign | (UInt64(level) << 1), width: width, into: &writer)
        }
        bits.flush(into: &writer)
    }

    static func readQSGD(
        _ reader: inout CodecReader, levels: Int, into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let norm = reader.uncheckedFloat()
        guard !(norm < 0) else { throw .malformed("qsgd norm \(norm) is negative") }
        let width = 1 + CodecWire.levelBits(levels)
        let bytes = reader.take(CodecWire.packedBytes(count: output.count, bitsEach: width))
        var bits = CodecBitReader(bytes)
        let unit = Double(norm) / Double(levels)
        for i in output.indices {
            let field = bits.take(width: width)
            let level = field >> 1
            guard level <= UInt64(levels) else {
                throw .malformed("qsgd level \(level) exceeds \(levels) at coordinate \(i)")
            }
            let magnitude = Float(unit * Double(level))
            output[i] = field & 1 == 0 ? magnitude : -magnitude
        }
        guard bits.paddingIsZero else { throw .malformed("qsgd padding bits are not zero") }
    }

    // MARK: scaled sign (4 + ceil(n/8) bytes), Karimireddy et al. 2019

    static func writeScaledSign(_ values: UnsafeBufferPointer<Float>, into writer: inout CodecWriter) {
        var l1 = 0.0
        for x in values { l1 += Double(x.magnitude) }
        writer.float(values.isEmpty ? 0 : Float(l1 / Double(values.count)))
        let count = values.count
        let out = writer.reserve(CodecWire.bitmapBytes(count))
        var byteIndex = 0
        var i = 0
        while i < count {
            var byte: UInt8 = 0
            let end = min(i + 8, count)
            var bit: UInt8 = 1
            while i < end {
                if values[i] < 0 { byte |= bit }
                bit &<<= 1
                i += 1
            }
            out[byteIndex] = byte
            byteIndex += 1
        }
    }

    static func readScaledSign(
        _ reader: inout CodecReader, into output: UnsafeMutableBufferPointer<Float>
    ) throws(CodecError) {
        let scale = reader.uncheckedFloat()
        let count = output.count
        let bytes = reader.take(CodecWire.bitmapBytes(count))
        if count % 8 != 0, bytes[count / 8] >> UInt8(count % 8) != 0 {
            throw .malformed("scaledSign padding bits are not zero")
        }
        for i in 0..<count {
            let negative = (bytes[i >> 3] >> UInt8(i & 7)) & 1 == 1
            output[i] = negative ? -scale : scale
        }
    }
}
