import FedMath

/// The first device-side stage: the server model as a device receives it. The downlink codec
/// encodes the whole model, or in delta mode (`compression.downlinkDelta`) its difference from the
/// copy the device already holds, which the device then moves by what it decoded.
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

    /// Encodes `model` for device `d` and returns the message and the model the device then holds;
    /// `initial` gives a device's copy before its first download in delta mode.
    mutating func send(_ model: [Float], to d: Int, task: UInt64, initial: () -> [Float]) -> (message: [UInt8], model: [Float]) {
        let context = context(device: d, task: task)
        guard delta else {
            let message = codec.encode(model, context: context)
            return (message, (try? codec.decode(message, dimension: model.count, context: context)) ?? model)
        }
        var copy = deviceCopies[d] ?? initial()
        var difference = model
        BLAS.axpy(-1, copy, &difference)
        let message = codec.encode(difference, context: context)
        let decoded = (try? codec.decode(message, dimension: model.count, context: context)) ?? difference
        BLAS.axpy(1, decoded, &copy)
        deviceCopies[d] = copy
        return (message, copy)
    }
}
