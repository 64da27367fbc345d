import Foundation
import Testing
@testable import FedSim

@Suite("CSV data")
struct CSVDataTests {
    /// Header `client,x1..x10,label,x11..x20`; row r (0-based) has feature j (1-based) = 100 r + j,
    /// label r % 3, clients a b a c b a, CRLF line endings.
    static func twentyFeatureFile() -> [UInt8] {
        let header = ["client"] + (1 ... 10).map { "x\($0)" } + ["label"] + (11 ... 20).map { "x\($0)" }
        var lines = [header.joined(separator: ",")]
        for (r, client) in ["a", "b", "a", "c", "b", "a"].enumerated() {
            let f = (1 ... 20).map { String(100 * r + $0) }
            lines.append(([client] + f[0 ..< 10] + [String(r % 3)] + f[10 ..< 20]).joined(separator: ","))
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func load(_ text: String, _ format: CSVData.Format = .init(labelColumn: .name("label"), testFraction: 0)) throws(DataFileError) -> CSVData.Loaded {
        try CSVData.parse(Array(text.utf8), file: "t.csv", format: format, seed: 1)
    }

    static func error(_ bytes: [UInt8], _ format: CSVData.Format = .init(labelColumn: .name("label"))) -> DataFileError? {
        do throws(DataFileError) {
            _ = try CSVData.parse(bytes, file: "t.csv", format: format, seed: 1)
            return nil
        } catch { return error }
    }

    @Test("20 features and a client column: rows grouped client by client, in order of first appearance")
    func twentyFeatures() throws {
        let format = CSVData.Format(labelColumn: .name("label"), clientColumn: .name("client"), testFraction: 0)
        let data = try CSVData.parse(Self.twentyFeatureFile(), file: "t.csv", format: format, seed: 1)
        #expect(data.clients == ["a", "b", "c"])
        #expect(data.shards == [0 ..< 3, 3 ..< 5, 5 ..< 6])
        #expect(data.train.featureCount == 20 && data.train.count == 6 && data.test.count == 0)
        #expect(data.featureNames == (1 ... 20).map { "x\($0)" })
        let fileRows = [0, 2, 5, 1, 4, 3]  // a a a b b c
        #expect(data.train.labels == fileRows.map { Int32($0 % 3) })
        #expect(data.train.classCount == 3)
        for (i, r) in fileRows.enumerated() {
            #expect(Array(data.train.features[i * 20 ..< (i + 1) * 20]) == (1 ... 20).map { Float(100 * r + $0) })
        }
    }

    @Test("held-out rows: each client keeps at least one, train and test partition the rows")
    func split() throws {
        let format = CSVData.Format(labelColumn: .name("label"), clientColumn: .name("client"), testFraction: 0.4)
        let data = try CSVData.parse(Self.twentyFeatureFile(), file: "t.csv", format: format, seed: 1)
        // a has 3 rows: round(1.2) = 1 held out; b has 2: round(0.8) = 1; c has 1: nothing to hold out.
        #expect(data.shards!.map(\.count) == [2, 1, 1])
        #expect(data.test.count == 2)
        let firstFeature = (0 ..< data.train.count).map { data.train.features[$0 * 20] }
            + (0 ..< data.test.count).map { data.test.features[$0 * 20] }
        #expect(firstFeature.sorted() == [1, 101, 201, 301, 401, 501])
    }

    @Test("standardisation: training features get mean 0 and population sd 1; test rows use the training statistics")
    func standardize() throws {
        let text = "label,x,y\n0,1,5\n1,2,5\n0,3,5\n1,4,5\n"
        let plain = try Self.load(text, .init(labelColumn: .name("label"), testFraction: 0.25))
        let scaled = try Self.load(text, .init(labelColumn: .name("label"), standardize: true, testFraction: 0.25))
        let xs = (0 ..< 3).map { Double(plain.train.features[$0 * 2]) }
        let mean = xs.reduce(0, +) / 3
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        for r in 0 ..< 3 {
            #expect(abs(Double(scaled.train.features[r * 2]) - (xs[r] - mean) / sd) < 1e-6)
            #expect(scaled.train.features[r * 2 + 1] == 0)  // constant column: centred only
        }
        #expect(abs(Double(scaled.test.features[0]) - (Double(plain.test.features[0]) - mean) / sd) < 1e-6)
    }

    @Test("labels that are not all integers become classes in byte order; a file without header uses indices")
    func labels() throws {
        let named = try Self.load("label,x\ndog,1\ncat,2\nant,3\ncat,4\n")
        #expect(named.classNames == ["ant", "cat", "dog"])
        #expect(named.train.labels == [2, 1, 0, 1])
        let bare = try Self.load("1.5,4\n2,7\n", .init(labelColumn: .index(1), header: false, testFraction: 0))
        #expect(bare.train.labels == [4, 7] && bare.train.classCount == 8)
        #expect(bare.train.features == [1.5, 2])
    }

    @Test("malformed files name the line and column, the expected and the found")
    func malformed() {
        let ragged = Self.error(Array("label,x,y\n1,2,3\n1,2\n".utf8))
        #expect(ragged?.line == 3 && ragged?.column == 3 && ragged?.found == "2 fields")
        let word = Self.error(Array("label,x,y\r\n1,2,3\r\n\r\n0,4,abc\r\n".utf8))
        #expect(word?.line == 4 && word?.column == 3 && word?.found == "\"abc\"")
        #expect(word?.expected == "a finite number in column \"y\"")
        let empty = Self.error([])
        #expect(empty?.line == 1 && empty?.found == "an empty file")
        let noHeader = Self.error(Array("1,2,3\n0,4,5\n".utf8))
        #expect(noHeader?.line == 1 && noHeader?.expected == "a header naming the label column \"label\"")
        let latin1 = Self.error(Array("label,x\n1,".utf8) + [0xE9] + Array("\n".utf8))
        #expect(latin1?.line == 2 && latin1?.column == 2 && latin1?.found == "\"\\xE9\"")
        let mixed = Self.error(Array("label,x\n1,\u{E9}".utf8) + [0xFF] + Array("\n".utf8))
        #expect(mixed?.found == "\"\u{E9}\\xFF\"")  // valid UTF-8 kept, the stray byte escaped
        let badClient = Self.error(Array("label,c,x\n1,".utf8) + [0xFF] + Array(",2\n".utf8),
                                   .init(labelColumn: .name("label"), clientColumn: .name("c")))
        #expect(badClient?.column == 2 && badClient?.expected == "a non-empty UTF-8 client")
        let infinite = Self.error(Array("label,x\n1,inf\n".utf8))
        #expect(infinite?.line == 2 && infinite?.column == 2)
        let headerOnly = Self.error(Array("label,x\n".utf8))
        #expect(headerOnly?.expected == "at least one data row")
    }

    @Test("a bad file becomes a scenario error at the key that named it, with file, line and column")
    func scenarioError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-csv-\(getpid()).csv")
        try Data("label,x\n1,2\n1,two\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do throws(DataFileError) {
            _ = try CSVData.load(path: url.path, format: .init(labelColumn: .name("label")), seed: 1)
            Issue.record("a malformed file loaded")
        } catch {
            #expect(error.scenarioError(at: "$.data.path").description
                    == "$.data.path: expected a finite number in column \"x\", found \"two\" at \(url.path):3:2")
        }
        let missing = Self.missingFileError()
        #expect(missing?.found == "no such file or not readable" && missing?.line == nil)
    }

    static func missingFileError() -> DataFileError? {
        do throws(DataFileError) {
            _ = try CSVData.load(path: "/nonexistent/x.csv", format: .init(labelColumn: .index(0)), seed: 1)
            return nil
        } catch { return error }
    }
}
