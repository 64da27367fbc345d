/// The device side of a task, composed once from the scenario:
/// `download -> train -> [clip, noise] -> encode (+ error feedback) -> [mask]`.
/// The download (``ModelDownload``) runs on the coordinator, since it reads the server model and
/// the devices' copies; the rest runs here, on any thread, and depends only on its inputs and the
/// task's own streams, so results do not depend on the thread count. Each bracketed stage is
/// present only when the scenario asks for it.
struct DevicePipeline: Sendable {
    /// Local training: the one place a task's model is trained (see ``LocalTrainer``).
    let train: LocalTrainer
    /// DP clipping, and local DP noise (scenarios with `privacy`).
    let clipping: DeviceClipping?
    let encoding: UplinkEncoding
    /// Secure aggregation's masked upload (scenarios with `secureAggregation`).
    let mask: MaskedUpload?
    /// Floats in an update.
    let dimension: Int

    init(_ ctx: FederationContext, channel: UplinkChannel) {
        train = ctx.trainer
        clipping = ctx.scenario.privacy.map { DeviceClipping(privacy: $0, seed: ctx.scenario.seed) }
        encoding = UplinkEncoding(channel: channel)
        mask = channel.secure.map { MaskedUpload(secure: $0) }
        dimension = ctx.model.parameterCount
    }

    /// What a device sends: its training result, the encoded update, and its error-feedback
    /// memory after encoding (nil without error feedback).
    struct Output: Sendable {
        var result: LocalResult
        var message: UplinkMessage
        var memory: ErrorFeedback?
    }

    /// Trains `task` from the model the device decoded, then clips (and noises) and encodes the update.
    func run(_ task: LocalTask, from start: [Float], memory: ErrorFeedback?, round: Int) -> Output {
        var result = train.run(task, from: start)
        clipping?.apply(&result.update, device: task.device, task: task.deviceTaskIndex)
        var memory = memory
        let message = encoding.encode(result.update, memory: &memory, device: task.device, task: task.deviceTaskIndex, round: round)
        return Output(result: result, message: message, memory: memory)
    }

    /// The bytes that carry an update to the server: the message, or the masked input that
    /// replaces it on the wire.
    func uploadBytes(_ message: UplinkMessage) -> Int {
        mask?.uploadBytes(dimension: dimension) ?? message.byteCount
    }
}
