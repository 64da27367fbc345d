import FedMath

/// The optional device-side privacy stage of DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018,
/// "Learning Differentially Private Recurrent Language Models"): every update is clipped to L2
/// norm `clip`; with local DP the device also adds N(0, (z C)^2) per coordinate before anything
/// leaves it, from the stream (seed, privacyNoise, device, task). Central DP noises on the server
/// (``CentralNoise``). Exists only when the scenario has a `privacy` section.
struct DeviceClipping: Sendable {
    let privacy: PrivacySpec
    let seed: UInt64

    func apply(_ update: inout [Float], device: Int, task: UInt64) {
        DPFedAvg.clip(&update, to: privacy.clip)
        guard privacy.mode == .local else { return }
        let rng = RandomStream(seed: seed, purpose: .privacyNoise, UInt64(device), task)
        DPFedAvg.addNoise(&update, sigma: privacy.noiseMultiplier * privacy.clip, rng: rng)
    }
}
