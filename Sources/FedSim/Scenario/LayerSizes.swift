/// The sizes of an `mlp` or `charlm` model (`model.hidden`, `architecture`, `context`, `embedding`,
/// `dModel`, `heads`, `layers`); each key applies only to the models the README lists it for.
public struct LayerSizes: Codable, Equatable, Sendable {
    public enum Architecture: String, Codable, Sendable, CaseIterable { case mlp, transformer }
    /// mlp, charlm mlp: hidden layer widths.
    public var hidden: [Int] = [64]
    /// charlm: Bengio et al.'s MLP or the transformer.
    public var architecture: Architecture = .transformer
    /// charlm: characters of context (the window is context + 1).
    public var context = 64
    /// charlm mlp: embedding width per character.
    public var embedding = 16
    /// charlm transformer.
    public var dModel = 64
    public var heads = 4
    public var layers = 2

    public init() {}
}
