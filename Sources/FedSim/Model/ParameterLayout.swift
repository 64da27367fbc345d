/// What a segment of the parameter vector does in its layer.
public enum ParameterRole: String, Sendable, CaseIterable {
    /// A dense layer's matrix (fan-in x fan-out, row-major).
    case weight
    /// An additive bias, one per output.
    case bias
    /// A lookup table, one row per token (or position).
    case embedding
    /// A multiplicative per-feature scale (LayerNorm's gamma).
    case gain
}

/// One named, contiguous stretch of a model's flat parameter vector.
public struct ParameterSegment: Sendable, Equatable {
    /// Layer name, unique within the model ("block0.attention.qkv").
    public let layer: String
    public let role: ParameterRole
    /// Dimensions, outermost first; the segment is stored row-major.
    public let shape: [Int]
    /// Index of the segment's first entry in the parameter vector.
    public let offset: Int

    /// Entries in the segment: the product of `shape`.
    public var count: Int { shape.reduce(1, *) }
    /// The indices the segment covers.
    public var range: Range<Int> { offset ..< offset + count }
    /// `layer.role`, the segment's unique name.
    public var name: String { "\(layer).\(role.rawValue)" }
}

/// The public map of a flat parameter vector: named segments laid end to end, in order.
///
/// Features that address parts of a model (keep these layers local, send only these) name
/// segments through this layout; the vector itself stays one contiguous Float buffer.
public struct ParameterLayout: Sendable, Equatable {
    public private(set) var segments: [ParameterSegment] = []

    public init() {}

    /// Total parameter count.
    public var count: Int { segments.last.map { $0.offset + $0.count } ?? 0 }

    /// Appends a segment after the last one and returns its offset.
    @discardableResult
    public mutating func append(_ layer: String, _ role: ParameterRole, _ shape: Int...) -> Int {
        precondition(segment(named: "\(layer).\(role.rawValue)") == nil, "duplicate segment \(layer).\(role.rawValue)")
        let offset = count
        segments.append(ParameterSegment(layer: layer, role: role, shape: shape, offset: offset))
        return offset
    }

    /// The segment named `layer.role`, if any.
    public func segment(named name: String) -> ParameterSegment? { segments.first { $0.name == name } }

    /// Every segment of `layer`, in order.
    public func segments(layer: String) -> [ParameterSegment] { segments.filter { $0.layer == layer } }

    /// Every segment with `role`, in order.
    public func segments(role: ParameterRole) -> [ParameterSegment] { segments.filter { $0.role == role } }

    /// One line per segment, for `fedsim validate`: name, shape, offset and count.
    public var lines: [String] {
        segments.map { s in
            "\(s.name) [\(s.shape.map(String.init).joined(separator: " x "))] at \(s.offset), \(s.count) parameters"
        }
    }
}
