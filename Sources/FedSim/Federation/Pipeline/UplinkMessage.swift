/// An update on its way to the server: the bytes the uplink codec encoded, or, when the codec is
/// lossless with a data-independent size (``UpdateCodec/losslessSize(dimension:)``: `dense`, or a
/// sparsifier keeping every coordinate as float32), the update itself with the exact size of the
/// message it would have been. Decoding that message gives the update back bit for bit, so the
/// server receives the same floats and the clock charges the same bytes without the copy in and out.
enum UplinkMessage: Sendable {
    case encoded([UInt8])
    case lossless([Float], bytes: Int)

    /// A task lost before it finished training sends nothing.
    static let none = UplinkMessage.encoded([])

    /// The message's size in bytes.
    var byteCount: Int {
        switch self {
        case .encoded(let bytes): bytes.count
        case .lossless(_, let bytes): bytes
        }
    }
}
