import FedMath
import FedSim
import Testing

// Tests of Sources/FedSim/Compression: round trips, the statistical properties the papers state
// (QSGD: Alistarh et al. 2017, Lemma 3.1; error feedback: Stich et al. 2018), exact message sizes
// and rejection of malformed messages.

// MARK: - Helpers

private func gaussianVector(_ d: Int, seed: UInt64, sigma: Double = 1) -> [Float] {
    let stream = RandomStream(seed: seed)
    return (0..<d).map { _ in Float(stream.gaussian(sigma: sigma)) }
}

/// A vector with no zero coordinates and distinct magnitudes (so kept positions are visible).
private func distinctVector(_ d: Int, seed: UInt64) -> [Float] {
    let stream = RandomStream(seed: seed)
    var v = (0..<d).map { i in Float(i + 1) * (stream.bernoulli(0.5) ? 1 : -1) }
    stream.shuffle(&v)
    return v
}

private func varintLength(_ n: Int) -> Int {
    var length = 1
    var x = n >> 7
    while x > 0 {
        length += 1
        x >>= 7
    }
    return length
}

private func levelBits(_ s: Int) -> Int {
    var bits = 0
    while (1 << bits) < s + 1 { bits += 1 }  // ceil(log2(s + 1))
    return bits
}

private func valueBytes(_ coding: ValueCoding, _ n: Int) -> Int {
    switch coding {
    case .float32: 4 * n
    case .uniform8: 8 + n
    case .qsgd(let s): 4 + (n * (1 + levelBits(s)) + 7) / 8
    }
}

private func roundTrip(_ spec: CodecSpec, _ v: [Float], seed: UInt64 = 7) throws -> (message: [UInt8], decoded: [Float]) {
    let codec = UpdateCodec(spec)
    let context = CodecContext(seed: seed)
    let message = codec.encode(v, context: context)
    let decoded = try codec.decode(message, dimension: v.count, context: context)
    return (message, decoded)
}

private func throwsMalformed(_ spec: CodecSpec, _ message: [UInt8], dimension: Int, seed: UInt64 = 7) -> Bool {
    let codec = UpdateCodec(spec)
    do {
        _ = try codec.decode(message, dimension: dimension, context: CodecContext(seed: seed))
        return false
    } catch {
        return true
    }
}

/// Equal, with NaN equal to NaN.
private func sameValues(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

/// The coordinates random-k with `fraction` sends under `context`, in transmission order, read off
/// a float32 message of a vector whose entries are all distinct (value j of the message is v[index j]).
private func randomKIndices(fraction: Double, dimension d: Int, context: CodecContext) -> [Int] {
    let v = distinctVector(d, seed: 99)
    let message = UpdateCodec(.randomK(fraction: fraction, values: .float32)).encode(v, context: context)
    let values = ReferenceDecoder(spec: .dense, dimension: (message.count - 1) / 4).decode([0x01] + message.dropFirst())!
    return values.map { x in v.firstIndex(of: x)! }
}

/// The reference decoder for `spec` at dimension `d` and `context`.
private func reference(_ spec: CodecSpec, _ d: Int, _ context: CodecContext) -> ReferenceDecoder {
    var decoder = ReferenceDecoder(spec: spec, dimension: d)
    if case .randomK(let f, _) = spec { decoder.randomIndices = randomKIndices(fraction: f, dimension: d, context: context) }
    return decoder
}

private let allSpecs: [CodecSpec] = [
    .dense,
    .topK(fraction: 0.1, values: .float32),
    .topK(fraction: 0.1, values: .uniform8),
    .topK(fraction: 0.1, values: .qsgd(levels: 4)),
    .topK(fraction: 0.6, values: .float32),
    .randomK(fraction: 0.1, values: .float32),
    .randomK(fraction: 0.1, values: .uniform8),
    .randomK(fraction: 0.25, values: .qsgd(levels: 15)),
    .qsgd(levels: 1),
    .qsgd(levels: 4),
    .qsgd(levels: 255),
    .uniform8,
    .scaledSign,
]

@Suite("Compression codecs")
struct CompressionTests {
    // MARK: - keptCount

    @Test func keptCountRule() {
        #expect(UpdateCodec.keptCount(fraction: 0.01, dimension: 10_000) == 100)
        #expect(UpdateCodec.keptCount(fraction: 0.07, dimension: 100) == 7)  // 0.07 * 100 = 7.000000000000001
        #expect(UpdateCodec.keptCount(fraction: 0.011, dimension: 100) == 2)  // ceil(1.1)
        #expect(UpdateCodec.keptCount(fraction: 0.001, dimension: 10) == 1)  // at least one
        #expect(UpdateCodec.keptCount(fraction: 1, dimension: 10) == 10)
        #expect(UpdateCodec.keptCount(fraction: 0.5, dimension: 0) == 0)
        #expect(UpdateCodec.keptCount(fraction: 0.5, dimension: 1) == 1)
        #expect(UpdateCodec.keptCount(fraction: .nan, dimension: 10) == 1)
        #expect(UpdateCodec.keptCount(fraction: 3, dimension: 10) == 10)
        #expect(CodecSpec.topK(fraction: 0, values: .float32).configurationError != nil)
        #expect(CodecSpec.topK(fraction: 1.5, values: .float32).configurationError != nil)
        #expect(CodecSpec.qsgd(levels: 0).configurationError != nil)
        #expect(CodecSpec.randomK(fraction: 0.5, values: .qsgd(levels: 70_000)).configurationError != nil)
        #expect(CodecSpec.topK(fraction: 1, values: .uniform8).configurationError == nil)
    }

    // MARK: - Round trips

    @Test(arguments: [0, 1, 7, 1000])
    func denseIsExact(d: Int) throws {
        let v = gaussianVector(d, seed: 1)
        let (message, decoded) = try roundTrip(.dense, v)
        #expect(decoded == v)
        #expect(message.count == 1 + 4 * d)
    }

    @Test func topKKeepsTheLargestExactly() throws {
        let d = 1000
        let v = gaussianVector(d, seed: 2)
        let spec = CodecSpec.topK(fraction: 0.05, values: .float32)
        let k = UpdateCodec.keptCount(fraction: 0.05, dimension: d)
        let (_, decoded) = try roundTrip(spec, v)
        let kept = (0..<d).filter { decoded[$0] != 0 }
        #expect(kept.count == k)
        for i in kept { #expect(decoded[i] == v[i]) }
        let smallestKept = kept.map { abs(v[$0]) }.min()!
        let largestDropped = (0..<d).filter { decoded[$0] == 0 }.map { abs(v[$0]) }.max()!
        #expect(smallestKept >= largestDropped)
    }

    @Test func topKBreaksTiesByLowerIndex() throws {
        let v: [Float] = [1, -3, 3, 2, -3, 3, 0.5, 3]
        let (_, decoded) = try roundTrip(.topK(fraction: 0.375, values: .float32), v)  // k = 3
        #expect(decoded == [0, -3, 3, 0, -3, 0, 0, 0])
    }

    /// Top-k against a reference: sort by (magnitude descending, index ascending), keep the first k.
    @Test func topKMatchesAReferenceSelectionWithHeavyTies() throws {
        let stream = RandomStream(seed: 22)
        for trial in 0..<200 {
            let d = 1 + stream.uniformInt(300)
            let fraction = stream.uniform() * 0.9 + 0.01
            let k = UpdateCodec.keptCount(fraction: fraction, dimension: d)
            // Few distinct magnitudes, both signs, some NaN and infinities: ties everywhere.
            let v: [Float] = (0..<d).map { _ in
                switch stream.uniformInt(20) {
                case 0: return .nan
                case 1: return -.infinity
                case 2: return .leastNonzeroMagnitude * 7  // subnormal
                default: return Float(stream.uniformInt(7) - 3) * 0.5
                }
            }
            func rank(_ x: Float) -> Float { x.isNaN ? .infinity : abs(x) }
            let order = (0..<d).sorted { a, b in
                rank(v[a]) != rank(v[b]) ? rank(v[a]) > rank(v[b]) : a < b
            }
            var expected = [Float](repeating: 0, count: d)
            for i in order.prefix(k) { expected[i] = v[i] }
            let decoded = try roundTrip(.topK(fraction: fraction, values: .float32), v).decoded
            let same = zip(decoded, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            #expect(same, "trial \(trial): d=\(d) k=\(k)")
        }
    }

    @Test(arguments: [1, 2, 50, 999])
    func sparsifiersWithKEqualDAreExact(d: Int) throws {
        let v = gaussianVector(d, seed: 3)
        #expect(try roundTrip(.topK(fraction: 1, values: .float32), v).decoded == v)
        #expect(try roundTrip(.randomK(fraction: 1, values: .float32), v).decoded == v)
        #expect(CodecSpec.topK(fraction: 1, values: .float32).isLossless)
    }

    @Test func topKWithQuantizedValuesKeepsTheSamePositions() throws {
        let d = 2000
        let v = distinctVector(d, seed: 4)
        let exact = try roundTrip(.topK(fraction: 0.02, values: .float32), v).decoded
        let positions = Set((0..<d).filter { exact[$0] != 0 })
        let u8 = try roundTrip(.topK(fraction: 0.02, values: .uniform8), v).decoded
        // Kept values are all large (>= 1961 in magnitude): uniform8 on them never rounds to zero.
        #expect(Set((0..<d).filter { u8[$0] != 0 }) == positions)
        let q = try roundTrip(.topK(fraction: 0.02, values: .qsgd(levels: 255)), v).decoded
        #expect(Set((0..<d).filter { q[$0] != 0 }).isSubset(of: positions))
    }

    @Test(arguments: [1, 2, 17, 1000])
    func uniform8ErrorIsAtMostOneStep(d: Int) throws {
        let v = gaussianVector(d, seed: 5, sigma: 3)
        let (message, decoded) = try roundTrip(.uniform8, v)
        #expect(message.count == 1 + 8 + d)
        let lo = v.min()!, hi = v.max()!
        let step = (Double(hi) - Double(lo)) / 255
        for i in 0..<d {
            let error = abs(Double(decoded[i]) - Double(v[i]))
            #expect(error <= step + 1e-6 * Double(max(abs(lo), abs(hi))))
        }
    }

    @Test func uniform8ConstantVectorIsExact() throws {
        let v = [Float](repeating: -2.5, count: 33)
        #expect(try roundTrip(.uniform8, v).decoded == v)
        #expect(try roundTrip(.uniform8, [Float](repeating: 0, count: 33)).decoded == [Float](repeating: 0, count: 33))
    }

    @Test(arguments: [1, 8, 9, 1001])
    func scaledSignDecodesToPlusMinusScale(d: Int) throws {
        var v = gaussianVector(d, seed: 6)
        if d > 3 { v[3] = 0 }
        let (message, decoded) = try roundTrip(.scaledSign, v)
        #expect(message.count == 1 + 4 + (d + 7) / 8)
        let scale = Float(v.reduce(0.0) { $0 + Double(abs($1)) } / Double(d))
        for i in 0..<d {
            #expect(decoded[i] == (v[i] < 0 ? -scale : scale))
        }
    }

    @Test func qsgdRoundTripIsOnTheGrid() throws {
        let d = 300
        let s = 8
        let v = gaussianVector(d, seed: 8)
        let (_, decoded) = try roundTrip(.qsgd(levels: s), v)
        let norm = Float(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
        for i in 0..<d {
            let level = Double(abs(decoded[i])) / Double(norm) * Double(s)
            #expect(abs(level - level.rounded()) < 1e-4)  // a multiple of norm / s
            let exact = Double(abs(v[i])) / Double(norm) * Double(s)
            #expect(abs(level - exact) < 1 + 1e-4)  // one of the two neighbouring levels
            #expect(decoded[i] == 0 || (decoded[i] < 0) == (v[i] < 0))
        }
    }

    // MARK: - Unbiasedness and variance (Alistarh et al. 2017, Lemma 3.1)

    @Test(arguments: [1, 2, 4, 16])
    func qsgdIsUnbiasedWithBoundedVariance(levels s: Int) throws {
        let d = 256
        let trials = 2000
        let v = gaussianVector(d, seed: 9)
        let codec = UpdateCodec(.qsgd(levels: s))
        let normSquared = v.reduce(0.0) { $0 + Double($1) * Double($1) }
        var mean = [Double](repeating: 0, count: d)
        var meanSquaredError = 0.0
        for trial in 0..<trials {
            let context = CodecContext(scenarioSeed: 42, device: UInt64(s), task: UInt64(trial))
            let q = try codec.decode(codec.encode(v, context: context), dimension: d, context: context)
            var squaredError = 0.0
            for i in 0..<d {
                mean[i] += Double(q[i]) / Double(trials)
                let e = Double(q[i]) - Double(v[i])
                squaredError += e * e
            }
            meanSquaredError += squaredError / Double(trials)
        }
        // Each coordinate is norm/s times a Bernoulli: standard deviation <= norm / (2s).
        let sigmaOfMean = normSquared.squareRoot() / (2 * Double(s)) / Double(trials).squareRoot()
        for i in 0..<d {
            #expect(abs(mean[i] - Double(v[i])) <= 5 * sigmaOfMean + 1e-6)
        }
        let bound = min(Double(d) / Double(s * s), Double(d).squareRoot() / Double(s)) * normSquared
        #expect(meanSquaredError <= bound)
    }

    @Test func uniform8IsUnbiased() throws {
        let d = 64
        let trials = 2000
        let v = gaussianVector(d, seed: 10, sigma: 2)
        let codec = UpdateCodec(.uniform8)
        var mean = [Double](repeating: 0, count: d)
        for trial in 0..<trials {
            let context = CodecContext(seed: UInt64(1000 + trial))
            let q = try codec.decode(codec.encode(v, context: context), dimension: d, context: context)
            for i in 0..<d { mean[i] += Double(q[i]) / Double(trials) }
        }
        let step = (Double(v.max()!) - Double(v.min()!)) / 255
        let sigmaOfMean = step / 2 / Double(trials).squareRoot()
        var biasedOnAverage = 0.0
        for i in 0..<d {
            #expect(abs(mean[i] - Double(v[i])) <= 5 * sigmaOfMean + 1e-6)
            biasedOnAverage += abs(mean[i] - Double(v[i])) / Double(d)
        }
        // Deterministic rounding would leave an average bias of about step/4; stochastic leaves noise.
        #expect(biasedOnAverage < step / 10)
    }

    // MARK: - Error feedback (Stich, Cordonnier, Jaggi 2018)

    @Test(arguments: [
        CodecSpec.topK(fraction: 0.01, values: .float32),
        .topK(fraction: 0.05, values: .uniform8),
        .randomK(fraction: 0.05, values: .float32),
        .randomK(fraction: 0.1, values: .qsgd(levels: 4)),
        .scaledSign,
        .qsgd(levels: 2),
        .uniform8,
        .dense,
    ])
    func errorFeedbackConservesTheSum(spec: CodecSpec) throws {
        let d = 500
        let codec = UpdateCodec(spec)
        var memory = ErrorFeedback(dimension: d)
        #expect(memory.residual.isEmpty)
        var sumUpdates = [Double](repeating: 0, count: d)
        var sumDecoded = [Double](repeating: 0, count: d)
        // Float rounding bound: each step computes v = r + u and r' = v - decoded in Float, each
        // with relative error at most 2^-24 of its result (IEEE 754 round to nearest).
        var bound = [Double](repeating: 0, count: d)
        let unit = 0x1p-24
        for step in 0..<50 {
            let update = gaussianVector(d, seed: UInt64(500 + step), sigma: 0.1)
            let before = memory.residual.isEmpty ? [Float](repeating: 0, count: d) : memory.residual
            let context = CodecContext(scenarioSeed: 3, device: 17, task: UInt64(step))
            let (message, decoded) = memory.compress(update, codec: codec, context: context)
            // The server's reconstruction is what `compress` reported.
            #expect(try codec.decode(message, dimension: d, context: context) == decoded)
            for i in 0..<d {
                sumUpdates[i] += Double(update[i])
                sumDecoded[i] += Double(decoded[i])
                let v = abs(Double(before[i]) + Double(update[i])) * (1 + 2 * unit)
                bound[i] += unit * (v + abs(Double(memory.residual[i])))
            }
        }
        #expect(memory.residual.count == d)
        // sum of decoded + final residual = sum of updates, up to the rounding of each step.
        for i in 0..<d {
            let e = sumDecoded[i] + Double(memory.residual[i]) - sumUpdates[i]
            #expect(abs(e) <= bound[i] * (1 + 1e-9), "coordinate \(i): \(e) beyond the rounding bound \(bound[i])")
        }
        if spec == .dense { #expect(memory.residual.allSatisfy { $0 == 0 }) }
    }

    @Test func errorFeedbackAllowsDecodingInPlace() {
        let d = 100
        var memory = ErrorFeedback(dimension: d)
        var buffer = gaussianVector(d, seed: 11)
        let original = buffer
        let codec = UpdateCodec(.topK(fraction: 0.1, values: .float32))
        _ = buffer.withUnsafeMutableBufferPointer { b in
            memory.compress(UnsafeBufferPointer(b), codec: codec, context: CodecContext(seed: 1), decoded: b)
        }
        for i in 0..<d {
            #expect(buffer[i] + memory.residual[i] == original[i])
        }
    }

    // MARK: - Sizes

    @Test(arguments: [0, 1, 2, 7, 8, 9, 100, 1001])
    func fixedSizesMatchTheFormulas(d: Int) {
        let v = gaussianVector(d, seed: 12)
        let context = CodecContext(seed: 3)
        for spec in allSpecs {
            let codec = UpdateCodec(spec)
            let size = codec.encode(v, context: context).count
            let expected: Int? = switch spec {
            case .dense: 1 + 4 * d
            case .randomK(let f, let c): 1 + valueBytes(c, UpdateCodec.keptCount(fraction: f, dimension: d))
            case .qsgd(let s): 1 + 4 + (d * (1 + levelBits(s)) + 7) / 8
            case .uniform8: 1 + 8 + d
            case .scaledSign: 1 + 4 + (d + 7) / 8
            case .topK: nil
            }
            #expect(codec.predictedSize(dimension: d) == expected, "\(spec)")
            if let expected { #expect(size == expected, "\(spec) d=\(d)") }
            #expect(size <= codec.maximumSize(dimension: d), "\(spec) d=\(d)")
        }
    }

    /// Checks the top-k layout: tag, varint(k), flag, index block (the smaller form), values.
    private func checkTopKSize(d: Int, fraction: Double, values: ValueCoding, expectBitmap: Bool) throws {
        let v = distinctVector(d, seed: UInt64(d))
        let k = UpdateCodec.keptCount(fraction: fraction, dimension: d)
        let (message, _) = try roundTrip(.topK(fraction: fraction, values: values), v)
        let exact = try roundTrip(.topK(fraction: fraction, values: .float32), v).decoded
        let kept = (0..<d).filter { exact[$0] != 0 }
        #expect(kept.count == k)
        var gapBytes = 0
        var previous = -1
        for i in kept {
            gapBytes += varintLength(i - previous - 1)
            previous = i
        }
        let bitmapBytes = (d + 7) / 8
        let usesBitmap = !(gapBytes < bitmapBytes)
        #expect(usesBitmap == expectBitmap)
        #expect(message[1 + varintLength(k)] == (usesBitmap ? 1 : 0))
        let expected = 1 + varintLength(k) + 1 + min(gapBytes, bitmapBytes) + valueBytes(values, k)
        #expect(message.count == expected)
    }

    @Test func topKChoosesGapsWhenSmaller() throws {
        try checkTopKSize(d: 10_000, fraction: 0.01, values: .float32, expectBitmap: false)
        try checkTopKSize(d: 10_000, fraction: 0.01, values: .uniform8, expectBitmap: false)
        try checkTopKSize(d: 3000, fraction: 0.02, values: .qsgd(levels: 7), expectBitmap: false)
    }

    @Test func topKChoosesBitmapWhenSmaller() throws {
        try checkTopKSize(d: 1000, fraction: 0.5, values: .float32, expectBitmap: true)
        try checkTopKSize(d: 1003, fraction: 0.3, values: .uniform8, expectBitmap: true)
        try checkTopKSize(d: 8, fraction: 0.1, values: .float32, expectBitmap: true)  // tie: 1 byte each
    }

    @Test func compressionFactorOfTopK() throws {
        let d = 10_000
        let v = gaussianVector(d, seed: 13)
        let dense = UpdateCodec(.dense).encode(v, context: CodecContext(seed: 1)).count
        let float32 = try roundTrip(.topK(fraction: 0.01, values: .float32), v).message.count
        let uniform8 = try roundTrip(.topK(fraction: 0.01, values: .uniform8), v).message.count
        #expect(dense >= 50 * float32)
        #expect(dense >= 100 * uniform8)
    }

    // MARK: - Random-k shared randomness

    @Test func randomKRegeneratesIndicesFromTheSeed() throws {
        let d = 1000
        let v = distinctVector(d, seed: 14)
        let codec = UpdateCodec(.randomK(fraction: 0.05, values: .float32))
        let context = CodecContext(scenarioSeed: 9, device: 2, task: 5)
        let message = codec.encode(v, context: context)
        #expect(message.count == 1 + 4 * 50)
        let decoded = try codec.decode(message, dimension: d, context: context)
        let kept = (0..<d).filter { decoded[$0] != 0 }
        #expect(kept.count == 50)
        for i in kept { #expect(decoded[i] == v[i]) }  // the decoder found the encoder's indices

        // Deterministic: same seed, same message.
        #expect(codec.encode(v, context: context) == message)

        // Another seed picks other coordinates, and decoding with the wrong seed misplaces the values.
        let other = CodecContext(scenarioSeed: 9, device: 3, task: 5)
        let otherDecoded = try codec.decode(codec.encode(v, context: other), dimension: d, context: other)
        #expect(Set((0..<d).filter { otherDecoded[$0] != 0 }) != Set(kept))
        let misread = try codec.decode(message, dimension: d, context: other)
        #expect(misread != decoded)
        #expect((0..<d).filter { misread[$0] != 0 && misread[$0] != v[$0] }.count > 0)
    }

    @Test func randomKSeedsDifferingOnlyInHighBitsDiffer() throws {
        let v = distinctVector(500, seed: 15)
        let codec = UpdateCodec(.randomK(fraction: 0.1, values: .float32))
        let a = codec.encode(v, context: CodecContext(seed: 5))
        let b = codec.encode(v, context: CodecContext(seed: 5 | (1 << 40)))
        #expect(a != b)
    }

    // MARK: - Edge cases

    @Test func edgeDimensionsRoundTrip() throws {
        for spec in allSpecs {
            for d in [0, 1, 2] {
                let v = gaussianVector(d, seed: 16)
                let (message, decoded) = try roundTrip(spec, v)
                #expect(decoded.count == d)
                #expect(decoded.allSatisfy { $0.isFinite }, "\(spec) d=\(d)")
                #expect(sameValues(decoded, reference(spec, d, CodecContext(seed: 7)).decode(message) ?? [.nan]), "\(spec) d=\(d)")
            }
        }
    }

    @Test func zeroVectorsDecodeToZeros() throws {
        let v = [Float](repeating: 0, count: 123)
        for spec in allSpecs {
            #expect(try roundTrip(spec, v).decoded == v, "\(spec)")
        }
    }

    /// NaN and +∞ in an update reach the server as the `UpdateCodec` documentation says, with and
    /// without error feedback, for every codec. Expected values by hand from the documented rules:
    /// float32 values travel unchanged; top-k ranks NaN, then +∞, above every finite magnitude, so
    /// both are among the kept; a non-finite value among those a quantizer codes (the whole vector,
    /// or a sparsifier's kept values) makes its header NaN and all of them decode to NaN; the scaled
    /// sign's scale ||v||₁/d is NaN. Error feedback keeps v - decoded (Stich et al. 2018) in Float.
    @Test func nonFiniteInputGivesTheDocumentedOutcome() throws {
        let d = 200
        var v = gaussianVector(d, seed: 17)
        v[10] = .nan
        v[20] = .infinity
        let context = CodecContext(seed: 7)
        // Top-k's kept set: 10 and 20, then the largest finite magnitudes (ties impossible here).
        func topKSet(_ k: Int) -> Set<Int> {
            Set([10, 20] + (0 ..< d).filter { $0 != 10 && $0 != 20 }.sorted { abs(v[$0]) > abs(v[$1]) }.prefix(k - 2))
        }
        for spec in allSpecs {
            let decoded = try roundTrip(spec, v).decoded
            // The coordinates sent, and whether their values travel exactly (float32) or under a header.
            let kept: Set<Int>
            let exact: Bool
            switch spec {
            case .dense: (kept, exact) = (Set(0 ..< d), true)
            case .qsgd, .uniform8, .scaledSign: (kept, exact) = (Set(0 ..< d), false)
            case .topK(let f, let c): (kept, exact) = (topKSet(UpdateCodec.keptCount(fraction: f, dimension: d)), c == .float32)
            case .randomK(let f, let c): (kept, exact) = (Set(randomKIndices(fraction: f, dimension: d, context: context)), c == .float32)
            }
            let keptNonFinite = kept.contains(10) || kept.contains(20)
            for i in 0 ..< d {
                if !kept.contains(i) {
                    #expect(decoded[i] == 0, "\(spec) coordinate \(i) not sent")
                } else if exact {
                    #expect(sameValues([decoded[i]], [v[i]]), "\(spec) coordinate \(i) sent exactly")
                } else if keptNonFinite {
                    #expect(decoded[i].isNaN, "\(spec) coordinate \(i) under a NaN header")
                } else {
                    #expect(decoded[i].isFinite, "\(spec) coordinate \(i) quantized among finite values")
                }
            }
            if case .topK = spec { #expect(keptNonFinite) }

            // With error feedback (empty memory): the same message, and the residual v - decoded.
            var memory = ErrorFeedback(dimension: d)
            let (message, efDecoded) = memory.compress(v, codec: UpdateCodec(spec), context: context)
            #expect(message == UpdateCodec(spec).encode(v, context: context), "\(spec)")
            #expect(sameValues(efDecoded, decoded), "\(spec)")
            for i in 0 ..< d {
                let residual = memory.residual[i]
                if !kept.contains(i) {
                    #expect(sameValues([residual], [v[i]]), "\(spec) residual \(i) keeps the unsent value")
                } else if i == 10 || i == 20 || decoded[i].isNaN {
                    #expect(residual.isNaN, "\(spec) residual \(i): NaN - x, ∞ - ∞ or x - NaN")  // ∞ - ∞ = NaN
                } else if exact {
                    #expect(residual == 0, "\(spec) residual \(i) of an exact value")
                } else {
                    #expect(residual.isFinite, "\(spec) residual \(i) of a quantized value")
                }
            }
        }
    }

    // MARK: - Malformed messages

    @Test func malformedMessagesThrow() {
        let d = 100
        let v = gaussianVector(d, seed: 18)
        let context = CodecContext(seed: 19)
        for spec in allSpecs {
            let message = UpdateCodec(spec).encode(v, context: context)
            #expect(throwsMalformed(spec, [], dimension: d), "\(spec) empty")
            #expect(throwsMalformed(spec, Array(message.dropLast()), dimension: d), "\(spec) truncated")
            #expect(throwsMalformed(spec, Array(message.prefix(1)), dimension: d), "\(spec) tag only")
            #expect(throwsMalformed(spec, message + [0], dimension: d), "\(spec) trailing byte")
            #expect(throwsMalformed(spec, message, dimension: d + 8), "\(spec) wrong dimension")
            var wrongTag = message
            wrongTag[0] ^= 0x40
            #expect(throwsMalformed(spec, wrongTag, dimension: d), "\(spec) wrong tag")
            for other in allSpecs where other != spec {
                let sameTagAndSize: Bool = {
                    // Specs differing only in a parameter that keeps the tag and size cannot be told apart.
                    switch (spec, other) {
                    case (.qsgd(let a), .qsgd(let b)): return levelBits(a) == levelBits(b)
                    default: return false
                    }
                }()
                if !sameTagAndSize {
                    #expect(throwsMalformed(other, message, dimension: d), "\(spec) read as \(other)")
                }
            }
        }
    }

    @Test func impossibleFieldsThrow() {
        // QSGD level above s: s = 2 takes 1 + 2 bits; the field 0b111 holds level 3.
        var qsgd = UpdateCodec(.qsgd(levels: 2)).encode([1, 2, 3, 4, 5, 6, 7, 8], context: CodecContext(seed: 1))
        for i in 5..<qsgd.count { qsgd[i] = 0xFF }
        #expect(throwsMalformed(.qsgd(levels: 2), qsgd, dimension: 8))
        // QSGD negative norm.
        var negative = UpdateCodec(.qsgd(levels: 2)).encode([1, 2, 3, 4, 5, 6, 7, 8], context: CodecContext(seed: 1))
        negative[4] |= 0x80
        #expect(throwsMalformed(.qsgd(levels: 2), negative, dimension: 8))

        // Non-zero padding in scaledSign (d = 3 leaves 5 padding bits).
        var sign = UpdateCodec(.scaledSign).encode([1, -1, 1], context: CodecContext(seed: 1))
        sign[5] |= 0x80
        #expect(throwsMalformed(.scaledSign, sign, dimension: 3))

        // uniform8 with min > max.
        var u8 = UpdateCodec(.uniform8).encode([1, 2, 3], context: CodecContext(seed: 1))
        u8.swapAt(1, 5); u8.swapAt(2, 6); u8.swapAt(3, 7); u8.swapAt(4, 8)
        #expect(throwsMalformed(.uniform8, u8, dimension: 3))

        // Top-k: wrong k, unknown index format, index out of range, bitmap with a wrong count.
        let spec = CodecSpec.topK(fraction: 0.1, values: .float32)  // d = 20: k = 2
        let v: [Float] = (0..<20).map { Float($0) }  // keeps 18 and 19
        let message = UpdateCodec(spec).encode(v, context: CodecContext(seed: 1))
        #expect(message[0] == 0x10 && message[1] == 2 && message[2] == 0)  // tag, k, gap format
        #expect(message[3] == 18 && message[4] == 0)  // gaps
        var wrongK = message; wrongK[1] = 3
        #expect(throwsMalformed(spec, wrongK, dimension: 20))
        var badFormat = message; badFormat[2] = 7
        #expect(throwsMalformed(spec, badFormat, dimension: 20))
        var outOfRange = message; outOfRange[4] = 1  // 18 then 20
        #expect(throwsMalformed(spec, outOfRange, dimension: 20))
        let hugeGap: [UInt8] = [0x10, 2, 0] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0] + [UInt8](repeating: 0, count: 8)
        #expect(throwsMalformed(spec, hugeGap, dimension: 20))
        let overlongVarint: [UInt8] = [0x10, 2, 0] + [UInt8](repeating: 0x80, count: 12) + [0] + [UInt8](repeating: 0, count: 8)
        #expect(throwsMalformed(spec, overlongVarint, dimension: 20))
        let bitmapThreeBits: [UInt8] = [0x10, 2, 1, 0b0000_0111, 0, 0] + [UInt8](repeating: 0, count: 8)
        #expect(throwsMalformed(spec, bitmapThreeBits, dimension: 20))
        let bitmapPadding: [UInt8] = [0x10, 2, 1, 0b0000_0001, 0, 0b1000_0000] + [UInt8](repeating: 0, count: 8)
        #expect(throwsMalformed(spec, bitmapPadding, dimension: 20))
        let bitmapValid: [UInt8] = [0x10, 2, 1, 0b0000_0001, 0, 0b0000_1000] + [UInt8](repeating: 0, count: 8)
        #expect(!throwsMalformed(spec, bitmapValid, dimension: 20))
    }

    /// Corrupted messages decode to exactly what the documented layout spells, or throw exactly
    /// where the layout makes them impossible (oracle: `ReferenceDecoder`, written from the docs).
    @Test func randomGarbageDecodesAsTheLayoutSaysOrThrows() {
        let stream = RandomStream(seed: 20)
        let context = CodecContext(seed: 2)
        for spec in allSpecs {
            let codec = UpdateCodec(spec)
            let d = 37  // not a multiple of 8: sign and bitmap padding bits exist
            let oracle = reference(spec, d, context)
            let valid = codec.encode(gaussianVector(d, seed: 21), context: context)
            let validDecoded = try? codec.decode(valid, dimension: d, context: context)
            #expect(validDecoded != nil && sameValues(validDecoded!, oracle.decode(valid) ?? []), "\(spec) valid message")
            var decodedCount = 0, rejectedCount = 0
            for trial in 0 ..< 300 {
                var message = valid
                // Overwrite a few random bytes after the tag, sometimes also change the length.
                for _ in 0 ..< (1 + stream.uniformInt(4)) {
                    let i = 1 + stream.uniformInt(max(1, message.count - 1))
                    if i < message.count { message[i] = UInt8(stream.uniformInt(256)) }
                }
                switch stream.uniformInt(4) {
                case 0: message.removeLast(min(message.count - 1, stream.uniformInt(4)))
                case 1: message += (0 ..< stream.uniformInt(4)).map { _ in UInt8(stream.uniformInt(256)) }
                default: break
                }
                var output = [Float](repeating: 0, count: d)
                let accepted = output.withUnsafeMutableBufferPointer { buffer in
                    (try? codec.decode(message, dimension: d, context: context, into: buffer)) != nil
                }
                let expected = oracle.decode(message)
                #expect(accepted == (expected != nil), "\(spec) trial \(trial): \(message)")
                if accepted, let expected {
                    #expect(sameValues(output, expected), "\(spec) trial \(trial): \(message)")
                    decodedCount += 1
                } else {
                    rejectedCount += 1
                }
            }
            // Both outcomes occur, so the comparison exercised the decoder and the rejections.
            #expect(decodedCount > 0 && rejectedCount > 0, "\(spec): \(decodedCount) decoded, \(rejectedCount) rejected")
        }
    }

    /// Every length change is impossible for every codec (all sizes are fixed by d, k and the index block).
    @Test func everyLengthChangeThrows() {
        let d = 37
        let context = CodecContext(seed: 2)
        for spec in allSpecs {
            let valid = UpdateCodec(spec).encode(gaussianVector(d, seed: 23), context: context)
            for cut in 1 ... 3 { #expect(throwsMalformed(spec, Array(valid.dropLast(cut)), dimension: d, seed: 2), "\(spec) -\(cut)") }
            for extra in 1 ... 3 { #expect(throwsMalformed(spec, valid + [UInt8](repeating: 0, count: extra), dimension: d, seed: 2), "\(spec) +\(extra)") }
        }
    }
}
