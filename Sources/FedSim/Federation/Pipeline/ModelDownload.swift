import FedMath

/// The first device-side stage: the server model as a device receives it. The downlink codec
/// encodes the whole model, or in delta mode (`compression.downlinkDelta`) its difference from the
/// copy the device already holds, which the device then moves by what it decoded. A lossless
/// codec's message is only counted, not built (see ``UpdateCodec/losslessSize(dimension:)``).
struct ModelDownload {
    let codec: UpdateCodec
    let delta: Bool
    let seed: UInt64
    /// Delta mode: each participating device's copy of the model (created from the initial model).
    var deviceCopies: [Int: [Float]] = [:]

    init(spec: CodecSpec, delta: Bool, seed: UInt64) {
        codec = UpdateCodec(spec)
        self.delta = delta
        self.seed = seed
    }

    /// The randomness the downlink encoder and decoder share: the ones-complement device id keeps
    /// it apart from the uplink's.
    func context(device d: Int, task: UInt64) -> CodecContext {
        CodecContext(scenarioSeed: seed, device: ~UInt64(d), task: task)
    }

    /// Sends `model` to device `d` and returns the message's size in bytes and the model the device
    /// then holds; `initial` gives a device's copy before its first download in delta mode (an
    /// autoclosure: evaluated only then, and capturing nothing when it is not).
    mutating func send(_ model: [Float], to d: Int, task: UInt64, initial: @autoclosure () -> [Float]) -> (bytes: Int, model: [Float]) {
        let context = context(device: d, task: task)
        guard delta else {
            let (bytes, decoded) = transmit(model, context: context)
            return (bytes, decoded)
        }
        var copy = deviceCopies[d] ?? initial()
        var difference = model
        BLAS.axpy(-1, copy, &difference)
        let (bytes, decoded) = transmit(difference, context: context)
        BLAS.axpy(1, decoded, &copy)
        deviceCopies[d] = copy
        return (bytes, copy)
    }

    /// The size of `values`' message and what the device decodes from it.
    private func transmit(_ values: [Float], context: CodecContext) -> (bytes: Int, decoded: [Float]) {
        if let bytes = codec.losslessSize(dimension: values.count) { return (bytes, values) }
        let message = codec.encode(values, context: context)
        return (message.count, (try? codec.decode(message, dimension: values.count, context: context)) ?? values)
    }
}
