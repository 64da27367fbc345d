import FedMath

/// Character-level text split by client, for language models: the output of the `text` and
/// `shakespeare` loaders.
///
/// Rules (also in the README's data section):
/// - A client's text is its rows' texts in file order, joined by one `\n`; characters are
///   Unicode scalars.
/// - Clients whose rows hold fewer than `minCharacters` characters (the joining `\n`s not
///   counted), or whose training or held-out part is shorter than one window, are dropped; the
///   others keep their order of first appearance in the file.
/// - Each client's first floor(trainFraction L) characters (L its length) are training text, the
///   rest held-out text.
/// - The vocabulary is every character of the training text, in scalar order, as ids
///   1 ... V - 1; id 0 is the unknown symbol (held-out characters never seen in training).
/// - Samples are windows of `context + 1` characters at every position (stride 1) lying wholly
///   inside one client's training part (train stream) or held-out part (test stream); a window
///   never crosses a client or a train/held-out boundary. Both streams share one token buffer.
public struct TextData: Sendable {
    public let train: TokenStream
    public let test: TokenStream
    /// Client names, in client order.
    public let clients: [String]
    /// Client `c` holds samples `trainRanges[c]` of `train.starts` (and `testRanges[c]` of `test.starts`).
    public let trainRanges: [Range<Int>]
    public let testRanges: [Range<Int>]
    /// The character of token id `i + 1` (id 0 is the unknown symbol).
    public let vocabulary: [Unicode.Scalar]

    /// Splits, tokenises and windows the given clients' texts (`texts[c]` are client `c`'s rows,
    /// each a range into `bytes` holding valid UTF-8).
    static func build(bytes: [UInt8], clients: [String], texts: [[Range<Int>]], minCharacters: Int,
                      trainFraction: Double, context: Int) -> TextData {
        precondition(trainFraction > 0 && trainFraction < 1 && context >= 1)
        let window = context + 1
        var scalars: [UInt32] = []
        scalars.reserveCapacity(bytes.count)
        var kept: [String] = [], spans: [(start: Int, trainEnd: Int, end: Int)] = []
        for (c, rows) in texts.enumerated() {
            let start = scalars.count
            for (r, row) in rows.enumerated() {
                if r > 0 { scalars.append(UInt32(UInt8(ascii: "\n"))) }
                for s in String(decoding: bytes[row], as: UTF8.self).unicodeScalars { scalars.append(s.value) }
            }
            let length = scalars.count - start
            let trainLength = Int((Double(length) * trainFraction).rounded(.down))
            guard length - (rows.count - 1) >= minCharacters, trainLength >= window, length - trainLength >= window else {
                scalars.removeLast(length)
                continue
            }
            kept.append(clients[c])
            spans.append((start, start + trainLength, scalars.count))
        }
        // Token ids through a table indexed by scalar value (at most 0x110000 entries).
        var id = [UInt16](repeating: 0, count: Int(scalars.max() ?? 0) + 1)
        for span in spans { for i in span.start ..< span.trainEnd { id[Int(scalars[i])] = 1 } }
        var alphabet: [UInt32] = []
        for (scalar, used) in id.enumerated() where used != 0 {
            alphabet.append(UInt32(scalar))
            precondition(alphabet.count < Int(UInt16.max), "more characters than 16-bit token ids")
            id[scalar] = UInt16(alphabet.count)
        }
        let tokens = scalars.map { id[Int($0)] }
        var trainStarts: [Int32] = [], testStarts: [Int32] = []
        var trainRanges: [Range<Int>] = [], testRanges: [Range<Int>] = []
        for span in spans {
            let t = trainStarts.count, h = testStarts.count
            trainStarts.append(contentsOf: (span.start ... span.trainEnd - window).map { Int32($0) })
            testStarts.append(contentsOf: (span.trainEnd ... span.end - window).map { Int32($0) })
            trainRanges.append(t ..< trainStarts.count)
            testRanges.append(h ..< testStarts.count)
        }
        let vocabularySize = alphabet.count + 1
        return TextData(
            train: TokenStream(tokens: tokens, vocabularySize: vocabularySize, window: window, starts: trainStarts),
            test: TokenStream(tokens: tokens, vocabularySize: vocabularySize, window: window, starts: testStarts),
            clients: kept, trainRanges: trainRanges, testRanges: testRanges,
            vocabulary: alphabet.map { Unicode.Scalar($0)! })
    }

    /// Reads a tab-separated file (gzip-compressed or plain) whose rows hold `keyColumns` key
    /// fields and then the text; a client is one distinct key. With `header` the first non-empty
    /// line is skipped. Rows must be valid UTF-8 with exactly `keyColumns + 1` fields.
    static func loadRows(path: String, keyColumns: Int, header: Bool, minCharacters: Int,
                         trainFraction: Double, context: Int) throws(DataFileError) -> TextData {
        let bytes: [UInt8]
        do { bytes = try Gzip.read(path: path) } catch {
            throw DataFileError(file: path, expected: "a readable text file", found: error.reason)
        }
        let lines = DataBytes.lines(bytes).enumerated().filter { !$0.element.isEmpty }
        guard lines.count > (header ? 1 : 0) else {
            throw DataFileError(file: path, line: 1, column: 1, expected: "at least one row", found: bytes.isEmpty ? "an empty file" : "none")
        }
        var clients: [String] = [], index: [String: Int] = [:], texts: [[Range<Int>]] = []
        var fields: [Range<Int>] = []
        for (offset, line) in lines.dropFirst(header ? 1 : 0) {
            DataBytes.fields(bytes, line, separator: UInt8(ascii: "\t"), into: &fields)
            guard fields.count == keyColumns + 1 else {
                throw DataFileError(file: path, line: offset + 1, column: min(fields.count, keyColumns + 1) + 1,
                                    expected: "\(keyColumns + 1) tab-separated fields", found: "\(fields.count) fields")
            }
            for (c, f) in fields.enumerated() where DataBytes.string(bytes, f) == nil {
                throw DataFileError(file: path, line: offset + 1, column: c + 1, expected: "UTF-8 text",
                                    found: DataBytes.quoted(bytes, f))
            }
            let key = fields.prefix(keyColumns).map { DataBytes.string(bytes, $0)! }.joined(separator: "\t")
            let c: Int
            if let known = index[key] { c = known } else {
                c = clients.count
                index[key] = c
                clients.append(key)
                texts.append([])
            }
            texts[c].append(fields[keyColumns])
        }
        let data = build(bytes: bytes, clients: clients, texts: texts, minCharacters: minCharacters,
                         trainFraction: trainFraction, context: context)
        guard !data.clients.isEmpty else {
            throw DataFileError(file: path, expected: "a client with at least \(minCharacters) characters and a window of \(context + 1) in each part",
                                found: "none among \(clients.count) clients")
        }
        return data
    }

    /// The `text` format: a TSV of `client<TAB>text` rows, no header unless `header`.
    public static func loadText(path: String, header: Bool = false, minCharacters: Int = 1, trainFraction: Double = 0.8,
                                context: Int) throws(DataFileError) -> TextData {
        try loadRows(path: path, keyColumns: 1, header: header, minCharacters: minCharacters,
                     trainFraction: trainFraction, context: context)
    }
}

/// The shipped Shakespeare data (Scenarios/data/shakespeare.tsv.gz: `play<TAB>role<TAB>text`,
/// one row per speech, with a header): one client per (play, role), as in LEAF (Caldas et al.
/// 2018, "LEAF: A Benchmark for Federated Settings", arXiv 1812.01097), named `play<TAB>role`.
public enum Shakespeare {
    /// LEAF-like defaults: clients need 1,000 characters; 80% of each client's text trains.
    public static let defaultMinCharacters = 1000
    public static let defaultTrainFraction = 0.8

    public static func load(path: String, minCharacters: Int = defaultMinCharacters,
                            trainFraction: Double = defaultTrainFraction, context: Int) throws(DataFileError) -> TextData {
        try TextData.loadRows(path: path, keyColumns: 2, header: true, minCharacters: minCharacters,
                              trainFraction: trainFraction, context: context)
    }
}
