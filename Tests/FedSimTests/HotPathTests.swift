@testable import FedSim
import FedMath
import Testing

// The hot path's shortcuts against the long way round they replace: a lossless message that is
// counted instead of built must cost the bytes `encode` produces and deliver what `decode` gives
// back, bit for bit; a restarted stream must draw what a new one draws; the one-pass update must equal the element-wise difference and its
// finiteness the definition (Float.isFinite of every entry).

/// Values that a byte copy must keep: signed zeros, a subnormal, infinities, NaN payloads, extremes.
private let awkward: [Float] = [0, -0.0, 1, -2.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, .infinity,
                                Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFFA0_0000), 3.25e-20, -7e30]

@Suite("Hot path")
struct HotPathTests {
    @Test("a lossless codec's size without the message is encode's size, and decode returns the input bit for bit",
          arguments: [CodecSpec.dense, .randomK(fraction: 1, values: .float32)])
    func losslessSize(spec: CodecSpec) throws {
        let codec = UpdateCodec(spec)
        let context = CodecContext(scenarioSeed: 5, device: 3, task: 2)
        for values in [awkward, [], Array(awkward.reversed()) + awkward] {
            let message = codec.encode(values, context: context)
            #expect(codec.losslessSize(dimension: values.count) == message.count)
            let decoded = try codec.decode(message, dimension: values.count, context: context)
            #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
        }
    }

    @Test("lossy codecs, and top-k whose size depends on the data, are always encoded",
          arguments: [CodecSpec.topK(fraction: 1, values: .float32), .topK(fraction: 0.5, values: .float32),
                      .randomK(fraction: 0.5, values: .float32), .qsgd(levels: 4), .uniform8, .scaledSign])
    func notLossless(spec: CodecSpec) {
        #expect(UpdateCodec(spec).losslessSize(dimension: 12) == nil)
    }

    @Test("a dense download sends the model itself and counts 1 + 4d bytes, in full and in delta mode")
    func denseDownload() {
        let model: [Float] = [1, -2, 0.5, 3]
        var full = ModelDownload(spec: .dense, delta: false, seed: 1)
        let (bytes, received) = full.send(model, to: 0, task: 0, initial: [0, 0, 0, 0])
        #expect(bytes == 1 + 4 * 4 && received == model)
        var delta = ModelDownload(spec: .dense, delta: true, seed: 1)
        let initial: [Float] = [1, 1, 1, 1]
        let first = delta.send(model, to: 7, task: 0, initial: initial)
        // The copy moves by the exact difference: 1 + (x - 1) is x again for these values.
        #expect(first.bytes == 17 && first.model == model && delta.deviceCopies[7] == model)
    }

    @Test("a restarted stream draws what a new stream of the same purpose and ids draws")
    func restartedStream() {
        let reused = RandomStream(seed: 0)
        for (a, b) in [(0, 0), (3, 1), (UInt64.max, 7), (3, 1)] as [(UInt64, UInt64)] {
            _ = reused.uniform()  // a stream part-way through its words
            reused.restart(seed: 9, purpose: .availability, a, b)
            let fresh = RandomStream(seed: 9, purpose: .availability, a, b)
            #expect((0 ..< 9).map { _ in reused.next32() } == (0 ..< 9).map { _ in fresh.next32() })
            #expect(StreamSeed.derive(9, purpose: .availability, a, b) == StreamSeed.derive(9, purpose: .availability, ids: [a, b]))
        }
    }

    @Test("the update and its finiteness in one pass equal the element-wise difference and Float.isFinite")
    func subtract() {
        let start: [Float] = [1, 2, -3, 0.5]
        var trained: [Float] = [1.5, 2, 1, -0.25]
        #expect(LocalTrainer.subtract(start, from: &trained))
        #expect(trained == [0.5, 0, 4, -0.75])
        // Finite inputs whose difference overflows, then an infinity and a NaN among finite values.
        for (s, t) in [([-3e38], [3e38]), ([0, 0, 0], [1, .infinity, 2]), ([1, 2], [.nan, 2]), ([], [])] as [([Float], [Float])] {
            var update = t
            let finite = LocalTrainer.subtract(s, from: &update)
            #expect(finite == zip(t, s).allSatisfy { ($0 - $1).isFinite })
            #expect(update.map(\.bitPattern) == zip(t, s).map { ($0 - $1).bitPattern })
        }
        // Every entry, in a vector long enough for the vectorised loop and its tail.
        let n = 1001
        let a = (0 ..< n).map { Float($0) * 0.37 - 100 }
        for bad in [0, 500, n - 1] {
            var b = a.map { $0 * 2 }
            b[bad] = .infinity
            #expect(!LocalTrainer.subtract(a, from: &b))
        }
    }
}
