/// Text for language models: one shared buffer of token ids and the samples drawn from it.
///
/// A sample is a window of `window` consecutive tokens (`context` inputs and one more, so that
/// every input position has its next token as target): sample `i` reads
/// `tokens[starts[i] ..< starts[i] + window]`. Windows never cross the boundary between two
/// clients' texts. The train and test streams of a run share one `tokens` buffer (arrays are
/// copy-on-write, so nothing is copied); a device holds an index range into `starts`, never a copy.
public struct TokenStream: Sendable {
    /// Every client's text, concatenated, as token ids in 0 ..< vocabularySize.
    public let tokens: [UInt16]
    /// Number of distinct token ids (id 0 is the unknown symbol).
    public let vocabularySize: Int
    /// Tokens read per sample: the model's context plus one.
    public let window: Int
    /// First token of each sample.
    public let starts: [Int32]

    public init(tokens: [UInt16], vocabularySize: Int, window: Int, starts: [Int32]) {
        precondition(window >= 2, "a window holds at least one input and its target")
        self.tokens = tokens
        self.vocabularySize = vocabularySize
        self.window = window
        self.starts = starts
    }

    /// Number of samples.
    public var count: Int { starts.count }

    /// The model's context: input tokens per sample.
    public var context: Int { window - 1 }
}
