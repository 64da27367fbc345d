import FedMath

/// A user's own tabular data: a CSV file with a label column, feature columns and optionally a
/// client column that gives the natural partition (one client per distinct value).
///
/// Rules (also in the README's data section):
/// - Fields are separated by `separator` (`,`), without quoting; lines end in `\n` or `\r\n`;
///   empty lines are skipped. With `header` (default) the first line names the columns.
/// - Every column except the label and the client column is a feature and must hold a finite
///   number (anything `Float` parses: `3`, `-0.5`, `1e-3`).
/// - Labels: when every label is an integer >= 0 the class is that integer and there are
///   max + 1 classes; otherwise the classes are the distinct label texts in byte order.
/// - Held-out rows: each client's rows (all rows when there is no client column) are shuffled
///   with the `dataSplit` stream of (seed, client index) and the first round(testFraction n) of
///   them, at least one when n >= 2, are held out. Rows keep their file order otherwise.
/// - With `standardize`, every feature becomes (x - mean) / sd with the mean and population
///   standard deviation of the training rows (sd 0 leaves the feature centred, divided by 1).
/// - Training rows are grouped client by client, clients in order of first appearance, so that
///   client `c` holds rows `shards[c]` of `train`.
public enum CSVData {
    /// How to read a file.
    public struct Format: Sendable {
        public var labelColumn: Column
        public var clientColumn: Column?
        public var header: Bool
        public var separator: UInt8
        public var standardize: Bool
        public var testFraction: Double

        public init(labelColumn: Column, clientColumn: Column? = nil, header: Bool = true,
                    separator: UInt8 = UInt8(ascii: ","), standardize: Bool = false, testFraction: Double = 0.2) {
            self.labelColumn = labelColumn
            self.clientColumn = clientColumn
            self.header = header
            self.separator = separator
            self.standardize = standardize
            self.testFraction = testFraction
        }
    }

    /// A column by header name, or by 0-based position.
    public enum Column: Sendable, Equatable {
        case name(String)
        case index(Int)
    }

    /// What a file gives.
    public struct Loaded: Sendable {
        public let train: Dataset
        public let test: Dataset
        /// Client `c` holds `train` rows `shards[c]`; nil without a client column.
        public let shards: [Range<Int>]?
        /// The client column's values in shard order; empty without a client column.
        public let clients: [String]
        /// Feature names (header) or "column N" (1-based), in feature order.
        public let featureNames: [String]
        /// The class names: integers as text, or the label texts in byte order.
        public let classNames: [String]
    }

    /// Reads the file at `path`.
    public static func load(path: String, format: Format, seed: UInt64) throws(DataFileError) -> Loaded {
        let bytes: [UInt8]
        do { bytes = try Gzip.read(path: path) } catch {
            throw DataFileError(file: path, expected: "a readable CSV file", found: error.reason)
        }
        return try parse(bytes, file: path, format: format, seed: seed)
    }

    /// Parses CSV bytes; `file` names them in errors.
    public static func parse(_ bytes: [UInt8], file: String, format: Format, seed: UInt64) throws(DataFileError) -> Loaded {
        let lines = DataBytes.lines(bytes).enumerated().filter { !$0.element.isEmpty }
        guard let first = lines.first else {
            throw DataFileError(file: file, line: 1, column: 1, expected: format.header ? "a header line" : "a data row",
                                found: bytes.isEmpty ? "an empty file" : "only empty lines")
        }
        var fields: [Range<Int>] = []
        DataBytes.fields(bytes, first.element, separator: format.separator, into: &fields)
        let columnCount = fields.count
        var names: [String] = []
        if format.header {
            for (c, f) in fields.enumerated() {
                guard let name = DataBytes.string(bytes, f) else {
                    throw DataFileError(file: file, line: first.offset + 1, column: c + 1, expected: "a UTF-8 column name",
                                        found: DataBytes.quoted(bytes, f))
                }
                names.append(name)
            }
        } else {
            names = (1 ... columnCount).map { "column \($0)" }
        }
        func position(_ column: Column, _ role: String) throws(DataFileError) -> Int {
            switch column {
            case .index(let i):
                guard (0 ..< columnCount).contains(i) else {
                    throw DataFileError(file: file, line: first.offset + 1, expected: "a \(role) column index below \(columnCount)",
                                        found: "\(columnCount) columns")
                }
                return i
            case .name(let name):
                guard format.header, let i = names.firstIndex(of: name) else {
                    throw DataFileError(file: file, line: first.offset + 1,
                                        expected: format.header ? "a header naming the \(role) column \"\(name)\""
                                                                : "a column index (the file has no header)",
                                        found: format.header ? "the header " + names.prefix(8).map { "\"\($0)\"" }.joined(separator: ",")
                                                               + (names.count > 8 ? ",..." : "") : "a column name")
                }
                return i
            }
        }
        let labelAt = try position(format.labelColumn, "label")
        let clientAt = try format.clientColumn.map { c throws(DataFileError) in try position(c, "client") }
        guard clientAt != labelAt else {
            throw DataFileError(file: file, line: first.offset + 1, column: labelAt + 1,
                                expected: "different label and client columns", found: "the same column")
        }
        let featureColumns = (0 ..< columnCount).filter { $0 != labelAt && $0 != clientAt }
        guard !featureColumns.isEmpty else {
            throw DataFileError(file: file, line: first.offset + 1, expected: "at least one feature column", found: "\(columnCount) columns")
        }

        // One pass over the rows: features straight into one buffer, labels and clients as ids.
        let rows = format.header ? lines.dropFirst() : lines[...]
        var features: [Float] = []
        features.reserveCapacity(rows.count * featureColumns.count)
        var labelIds: [Int32] = []
        var labelTexts: [String] = [], labelIndex: [String: Int32] = [:]
        var clientIds: [Int32] = []
        var clientNames: [String] = [], clientIndex: [String: Int32] = [:]
        for (offset, line) in rows {
            DataBytes.fields(bytes, line, separator: format.separator, into: &fields)
            guard fields.count == columnCount else {
                throw DataFileError(file: file, line: offset + 1, column: min(fields.count, columnCount) + 1,
                                    expected: "\(columnCount) fields, as in line \(first.offset + 1)", found: "\(fields.count) fields")
            }
            for c in featureColumns {
                guard let v = DataBytes.float(bytes, fields[c]) else {
                    throw DataFileError(file: file, line: offset + 1, column: c + 1,
                                        expected: "a finite number in column \"\(names[c])\"", found: DataBytes.quoted(bytes, fields[c]))
                }
                features.append(v)
            }
            func id(_ c: Int, _ role: String, _ texts: inout [String], _ index: inout [String: Int32]) throws(DataFileError) -> Int32 {
                guard let text = DataBytes.string(bytes, fields[c]), !text.isEmpty else {
                    throw DataFileError(file: file, line: offset + 1, column: c + 1, expected: "a non-empty UTF-8 \(role)",
                                        found: DataBytes.quoted(bytes, fields[c]))
                }
                if let known = index[text] { return known }
                index[text] = Int32(texts.count)
                texts.append(text)
                return Int32(texts.count - 1)
            }
            labelIds.append(try id(labelAt, "label", &labelTexts, &labelIndex))
            if let clientAt { clientIds.append(try id(clientAt, "client", &clientNames, &clientIndex)) }
        }
        guard !labelIds.isEmpty else {
            throw DataFileError(file: file, line: first.offset + 2, expected: "at least one data row", found: "none")
        }

        let (classOf, classNames) = classes(labelTexts)
        let all = Dataset(features: features, labels: labelIds.map { classOf[Int($0)] },
                          featureCount: featureColumns.count, classCount: classNames.count)
        let groups = clientAt == nil ? [Int32](repeating: 0, count: all.count) : clientIds
        let (trainRows, testRows, shards) = split(groups: groups, groupCount: max(1, clientNames.count),
                                                  testFraction: format.testFraction, seed: seed)
        var train = all.subset(trainRows), test = all.subset(testRows)
        if format.standardize { standardize(&train, &test) }
        return Loaded(train: train, test: test, shards: clientAt == nil ? nil : shards, clients: clientNames,
                      featureNames: featureColumns.map { names[$0] }, classNames: classNames)
    }

    /// The class of each distinct label text and the class names: integer labels keep their value;
    /// otherwise the texts in byte order.
    static func classes(_ labelTexts: [String]) -> (classOf: [Int32], names: [String]) {
        let integers = labelTexts.map { Int32($0) }
        if integers.allSatisfy({ ($0 ?? -1) >= 0 }) {
            let classOf = integers.map { $0! }
            return (classOf, (0 ... Int(classOf.max()!)).map(String.init))
        }
        let names = labelTexts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let rank = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        return (labelTexts.map { rank[$0]! }, names)
    }

    /// Held-out rows group by group (`groups[row]` in 0 ..< groupCount), then the training rows
    /// grouped in group order; every list in file order.
    static func split(groups: [Int32], groupCount: Int, testFraction: Double,
                      seed: UInt64) -> (train: [Int], test: [Int], shards: [Range<Int>]) {
        var members = [[Int]](repeating: [], count: groupCount)
        for (row, g) in groups.enumerated() { members[Int(g)].append(row) }
        var train: [Int] = [], test: [Int] = [], shards: [Range<Int>] = []
        for (g, rows) in members.enumerated() {
            var order = rows
            RandomStream(seed: seed, purpose: .dataSplit, UInt64(g)).shuffle(&order)
            var held = Int((Double(order.count) * testFraction).rounded())
            if testFraction > 0, order.count >= 2 { held = max(1, held) }
            held = min(held, order.count - 1)
            test.append(contentsOf: order[..<held])
            let kept = order[held...].sorted()
            shards.append(train.count ..< train.count + kept.count)
            train.append(contentsOf: kept)
        }
        return (train, test.sorted(), shards)
    }

    /// Standardises both sets with the training rows' per-feature mean and population standard
    /// deviation (two passes in Double; a constant feature is only centred).
    static func standardize(_ train: inout Dataset, _ test: inout Dataset) {
        let d = train.featureCount, n = Double(max(train.count, 1))
        var mean = [Double](repeating: 0, count: d), spread = [Double](repeating: 0, count: d)
        for (i, x) in train.features.enumerated() { mean[i % d] += Double(x) }
        for j in 0 ..< d { mean[j] /= n }
        for (i, x) in train.features.enumerated() { spread[i % d] += (Double(x) - mean[i % d]) * (Double(x) - mean[i % d]) }
        let scale = spread.map { $0 > 0 ? 1 / ($0 / n).squareRoot() : 1 }
        func apply(_ set: Dataset) -> Dataset {
            var f = set.features
            for i in f.indices { f[i] = Float((Double(f[i]) - mean[i % d]) * scale[i % d]) }
            return Dataset(features: f, labels: set.labels, featureCount: d, classCount: set.classCount)
        }
        train = apply(train)
        test = apply(test)
    }
}
