import FedMath
import Foundation
import Testing
@testable import FedSim

@Suite("Text data")
struct TextDataTests {
    static let shakespearePath = packageRoot.appendingPathComponent("Scenarios/data/shakespeare.tsv.gz").path

    static func writeTemporary(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-text-\(getpid())-\(bytes.count).tsv")
        try Data(bytes).write(to: url)
        return url
    }

    @Test("gzip: the shipped file decompresses to the size zcat gives; plain files pass through; corrupt data is an error")
    func gzip() throws {
        let text = try Gzip.read(path: Self.shakespearePath)
        #expect(text.count == 5_007_134)  // `zcat shakespeare.tsv.gz | wc -c`
        #expect(text.prefix(15) == ArraySlice("play\trole\ttext\n".utf8))
        #expect(try Gzip.read(path: digitsPath) == Array(try Data(contentsOf: URL(fileURLWithPath: digitsPath))))
        let url = try Self.writeTemporary([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + Array(repeating: 0xFF, count: 40))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: Gzip.ReadError.self) { try Gzip.read(path: url.path) }
    }

    @Test("text TSV: hand-worked tokens, vocabulary, windows and per-client ranges")
    func handWorked() throws {
        // Client a: "abcde\nfgh" (9 characters), client b: "abcd" (4), client c: "x" (too short).
        let url = try Self.writeTemporary(Array("a\tabcde\nb\tabcd\r\nc\tx\na\tfgh\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try TextData.loadText(path: url.path, minCharacters: 4, trainFraction: 0.5, context: 1)
        #expect(data.clients == ["a", "b"])
        // Training text: a "abcd" (floor(4.5) = 4), b "ab": vocabulary a b c d -> ids 1...4.
        #expect(data.vocabulary == ["a", "b", "c", "d"])
        #expect(data.train.vocabularySize == 5)
        // Tokens: a = a b c d | e \n f g h (e, \n, f, g, h unknown), b = a b | c d.
        #expect(data.train.tokens == [1, 2, 3, 4, 0, 0, 0, 0, 0, 1, 2, 3, 4])
        #expect(data.train.window == 2)
        #expect(data.train.starts == [0, 1, 2, 9])   // a: 0..<4 ends at 4; b: 9..<11
        #expect(data.test.starts == [4, 5, 6, 7, 11])  // a: 4..<9; b: 11..<13
        #expect(data.trainRanges == [0 ..< 3, 3 ..< 4])
        #expect(data.testRanges == [0 ..< 4, 4 ..< 5])
    }

    @Test("text TSV errors name line and column")
    func malformed() throws {
        for (bytes, line, column) in [(Array("a\tok\nno tab here\n".utf8), 2, 2), (Array("a\tok\nb\t".utf8) + [0xC3, 0x28], 2, 2)] {
            let url = try Self.writeTemporary(bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            do throws(DataFileError) {
                _ = try TextData.loadText(path: url.path, context: 1)
                Issue.record("loaded a malformed file")
            } catch {
                #expect(error.line == line && error.column == column)
            }
        }
    }

    /// Expected figures: 641 clients with at least 1,000 characters is the count stated in
    /// data set's own README, which came with the file (its origin and licence are credited in this
    /// project's README under Data files); the vocabulary (81
    /// characters + unknown), window counts and the two unknown held-out characters were computed
    /// by an independent Python script over the same file and rules (speeches joined by "\n").
    @Test("Shakespeare: 641 roles of >= 1000 characters, 82 token ids, the 80/20 rule per role")
    func shakespeare() throws {
        let data = try Shakespeare.load(path: Self.shakespearePath, context: 80)
        #expect(data.clients.count == 641)
        #expect(data.train.vocabularySize == 82)
        #expect(data.train.count == 3_202_648)
        #expect(data.test.count == 762_516)
        #expect(data.test.starts.reduce(0) { n, s in n + (data.test.tokens[Int(s) + 80] == 0 ? 1 : 0) } <= 2)
        #expect(data.clients.first == "alls_well_that_ends_well\tCOUNTESS")
        let window = 81
        var previousEnd = 0
        for c in data.clients.indices {
            let train = data.trainRanges[c], test = data.testRanges[c]
            let start = Int(data.train.starts[train.lowerBound]), trainEnd = Int(data.train.starts[train.upperBound - 1]) + window
            let end = Int(data.test.starts[test.upperBound - 1]) + window
            #expect(start == previousEnd)                                        // clients laid out back to back
            #expect(Int(data.test.starts[test.lowerBound]) == trainEnd)          // held-out part follows the training part
            #expect(trainEnd - start == Int(Double(end - start) * 0.8))          // first 80% trains
            #expect(train.count == trainEnd - start - window + 1 && test.count == end - trainEnd - window + 1)
            previousEnd = end
        }
        #expect(previousEnd == data.train.tokens.count)
    }

    @Test("fewer devices than roles: whole roles, round-robin, every window exactly once")
    func fewerDevices() {
        let ranges = [0 ..< 4, 4 ..< 5, 5 ..< 9, 9 ..< 11, 11 ..< 12]
        let starts = (0 ..< 12).map { Int32($0 * 10) }
        let (reordered, shards) = ClientAssignment.assign(starts: starts, ranges: ranges, devices: 2, seed: 5)
        #expect(shards.count == 2 && shards[0].lowerBound == 0 && shards[0].upperBound == shards[1].lowerBound)
        #expect(reordered.sorted() == starts)
        var rolesPerDevice: [Int] = []
        for shard in shards {
            let held = Set(reordered[shard])
            let roles = ranges.filter { r in starts[r].contains { held.contains($0) } }
            #expect(roles.allSatisfy { r in starts[r].allSatisfy { held.contains($0) } })  // whole roles only
            rolesPerDevice.append(roles.count)
        }
        #expect(rolesPerDevice.sorted() == [2, 3])  // 5 roles dealt round-robin to 2 devices
    }

    @Test("more devices than roles: the largest roles are cut into near-equal contiguous pieces")
    func moreDevices() {
        // Sizes 10, 3, 1 over 5 devices: pieces go to 10 (10 > 3), then 10 again (5 > 3), giving
        // pieces 4 3 3 | 3 | 1.
        let ranges = [0 ..< 10, 10 ..< 13, 13 ..< 14]
        let starts = (0 ..< 14).map { Int32($0) }
        let (same, shards) = ClientAssignment.assign(starts: starts, ranges: ranges, devices: 5, seed: 5)
        #expect(same == starts)
        #expect(Set(shards) == [0 ..< 4, 4 ..< 7, 7 ..< 10, 10 ..< 13, 13 ..< 14])
        #expect(shards.flatMap { Array($0) }.sorted() == Array(0 ..< 14))
    }
}
