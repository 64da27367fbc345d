/// Error feedback, the "memory" of Stich, Cordonnier, Jaggi 2018 ("Sparsified SGD with memory"),
/// also the mechanism of EF-signSGD (Karimireddy, Rebjock, Stich, Jaggi 2019): what compression
/// dropped stays on the device as a residual and is added to the next update before compressing.
///
/// Per call: v = update + residual; message = encode(v); decoded = decode(message);
/// residual = v - decoded. Hence, over any sequence of calls,
/// Σ decoded + residual = Σ update (up to float32 rounding): nothing is lost, only delayed.
///
/// The residual is allocated on the first `compress` (so devices that never participate cost
/// nothing); until then it is empty, which means all zeros.
public struct ErrorFeedback: Sendable {
    /// The number of floats in the updates this memory accumulates.
    public let dimension: Int

    /// What the server has not received yet: empty (meaning zero) before the first `compress`,
    /// then `dimension` floats.
    public private(set) var residual: [Float]

    public init(dimension: Int) {
        precondition(dimension >= 0, "negative dimension")
        self.dimension = dimension
        residual = []
    }

    /// Whether the residual has been allocated (a `compress` happened since creation or `reset`).
    public var isAllocated: Bool { residual.count == dimension && dimension > 0 }

    /// Forgets the residual (frees its memory).
    public mutating func reset() {
        residual = []
    }

    /// Compresses `update` plus the residual with `codec` and keeps the new residual.
    ///
    /// Returns the message; `decoded` receives exactly what the server will reconstruct from it
    /// (the message is decoded here with the same codec and context). `decoded` may be the same
    /// memory as `update`. Both must hold `dimension` floats.
    public mutating func compress(
        _ update: UnsafeBufferPointer<Float>, codec: UpdateCodec, context: CodecContext,
        decoded: UnsafeMutableBufferPointer<Float>
    ) -> [UInt8] {
        let d = dimension
        precondition(update.count == d, "update holds \(update.count) floats, dimension is \(d)")
        precondition(decoded.count == d, "decoded holds \(decoded.count) floats, dimension is \(d)")
        if residual.count != d {
            residual = [Float](repeating: 0, count: d)
        }
        return residual.withUnsafeMutableBufferPointer { memory in
            // v = update + residual, built in the residual's storage.
            for i in 0..<d { memory[i] += update[i] }
            let message = codec.encode(UnsafeBufferPointer(memory), context: context)
            do {
                try codec.decode(message, dimension: d, context: context, into: decoded)
            } catch {
                preconditionFailure("a codec failed to decode its own message: \(error)")
            }
            // residual = v - decoded
            for i in 0..<d { memory[i] -= decoded[i] }
            return message
        }
    }

    /// Array convenience: returns the message and the server's reconstruction.
    public mutating func compress(
        _ update: [Float], codec: UpdateCodec, context: CodecContext
    ) -> (message: [UInt8], decoded: [Float]) {
        var decoded = [Float](repeating: 0, count: update.count)
        let message = update.withUnsafeBufferPointer { input in
            decoded.withUnsafeMutableBufferPointer { output in
                compress(input, codec: codec, context: context, decoded: output)
            }
        }
        return (message, decoded)
    }
}
