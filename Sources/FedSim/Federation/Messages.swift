/// Dense Float32 messages: the model sent to devices and, without compression, the updates sent
/// back. Encoded as a 1-byte tag followed by little-endian Float32 values (1 + 4d bytes), and
/// decoded by the receiver before use.
enum DenseMessage {
    static let tag: UInt8 = 0

    static func encode(_ values: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 1 + 4 * values.count)
        bytes[0] = tag
        bytes.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 1 + 4 * i, as: UInt32.self)
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8], count: Int) -> [Float]? {
        guard bytes.count == 1 + 4 * count, bytes.first == tag else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0 ..< count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 1 + 4 * $0, as: UInt32.self))) }
        }
    }
}
