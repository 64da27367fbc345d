/// The server-side decode stage: the update the server reconstructs from a task's message with
/// the uplink codec and the context its encoder used. A message that does not decode (it never
/// happens with the shipped codecs) becomes NaNs, which the divergence check then reports.
struct UpdateDecoding: Sendable {
    let channel: UplinkChannel
    let dimension: Int

    func decode(_ task: FederatedTask) -> [Float] {
        (try? channel.codec.decode(task.message, dimension: dimension,
                                   context: channel.context(device: task.device, task: task.deviceTaskIndex, round: task.round)))
            ?? [Float](repeating: .nan, count: dimension)
    }
}
