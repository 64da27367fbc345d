import FedMath

/// The optional server-side noise stage of central DP-FedAvg (McMahan, Ramage, Talwar, Zhang
/// 2018): on one aggregation of the clipped updates of `contributors`, averaged with weight
/// 1/`denominator` (their number, or the fixed qN of a Poisson round), adds N(0, (z C /
/// denominator)^2) per coordinate, the Gaussian mechanism on the sum, and books the release with
/// the run's accountant. An aggregation of nobody is noised only in a Poisson round (fixed
/// denominator). Exists only under `privacy.mode: central`.
struct CentralNoise: Sendable {
    let privacy: PrivacySpec
    let seed: UInt64
    let poisson: Bool

    /// Present for central DP only.
    init?(_ scenario: Scenario) {
        guard let p = scenario.privacy, p.mode == .central else { return nil }
        privacy = p
        seed = scenario.seed
        poisson = scenario.training.selection == .poisson
    }

    func apply(_ average: inout [Float], contributors: [Int], denominator: Double, accountant: inout RunPrivacyAccountant?) {
        guard !contributors.isEmpty || poisson else { return }
        let rng = RandomStream(seed: seed, purpose: .privacyNoise, UInt64.max, UInt64(accountant!.noiseDraws))
        DPFedAvg.addNoise(&average, sigma: privacy.noiseMultiplier * privacy.clip / denominator, rng: rng)
        accountant!.recordAggregation(devices: contributors)
    }
}
