/// What the two ends of the uplink share: the codec devices apply to their updates (under secure
/// aggregation the one applied before masking, ``SecureUplink/deviceCodec``) and the randomness
/// its encoder and decoder draw (random-k indices, stochastic rounding).
struct UplinkChannel: Sendable {
    let codec: UpdateCodec
    /// How updates are masked when the scenario uses secure aggregation.
    let secure: SecureUplink?
    let seed: UInt64

    init(_ scenario: Scenario) {
        secure = scenario.secureAggregation.map { SecureUplink(spec: $0, uplink: scenario.compression.uplink.spec) }
        codec = UpdateCodec(secure?.deviceCodec ?? scenario.compression.uplink.spec)
        seed = scenario.seed
    }

    /// The context of the update of `device`'s task `task` in `round`: its own, or under secure
    /// aggregation the round's (so that random-k picks the same coordinates across the cohort).
    func context(device: Int, task: UInt64, round: Int) -> CodecContext {
        secure?.context(scenarioSeed: seed, round: round) ?? CodecContext(scenarioSeed: seed, device: UInt64(device), task: task)
    }
}
