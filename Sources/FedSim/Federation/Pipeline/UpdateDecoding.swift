/// The server-side decode stage: the update the server reconstructs from a task's message with
/// the uplink codec and the context its encoder used (a lossless message, ``UplinkMessage``, is
/// the update itself). A message that does not decode (it never happens with the shipped codecs)
/// becomes NaNs, which the divergence check then reports.
struct UpdateDecoding: Sendable {
    let channel: UplinkChannel
    let dimension: Int

    func decode(_ task: FederatedTask) -> [Float] {
        switch task.message {
        case .lossless(let update, _):
            return update
        case .encoded(let bytes):
            let context = channel.context(device: task.device, task: task.deviceTaskIndex, round: task.round)
            return (try? channel.codec.decode(bytes, dimension: dimension, context: context)) ?? [Float](repeating: .nan, count: dimension)
        }
    }
}
