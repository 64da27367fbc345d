/// The device-side encode stage: the update becomes the bytes of its message with the uplink
/// codec; with error feedback (Stich, Cordonnier, Jaggi 2018, see ``ErrorFeedback``) the device's
/// residual is added first and what the codec dropped is kept for the next task. Without error
/// feedback a lossless codec's message is not built (see ``UplinkMessage``).
struct UplinkEncoding: Sendable {
    let channel: UplinkChannel

    /// Encodes `update`; `memory` is the device's residual (nil without error feedback).
    func encode(_ update: [Float], memory: inout ErrorFeedback?, device: Int, task: UInt64, round: Int) -> UplinkMessage {
        let context = channel.context(device: device, task: task, round: round)
        guard var residual = memory else {
            if let bytes = channel.codec.losslessSize(dimension: update.count) { return .lossless(update, bytes: bytes) }
            return .encoded(channel.codec.encode(update, context: context))
        }
        let message = residual.compress(update, codec: channel.codec, context: context).message
        memory = residual
        return .encoded(message)
    }
}
