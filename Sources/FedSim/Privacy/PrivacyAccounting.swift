/// Which RDP accounting a run's epsilon uses and why (README: "Privacy accounting"). Amplification
/// by subsampling is claimed only where devices really are a fresh secret random sample:
///
/// - ``Method/poissonSubsampled``: synchronous rounds with `selection: "poisson"`, each online
///   device joining independently with probability q (McMahan, Ramage, Talwar, Zhang 2018,
///   DP-FedAvg). The sampled Gaussian of Mironov, Talwar, Zhang 2019 (``RDPAccountant``),
///   add/remove-one-device adjacency, sensitivity C; one step per round, empty rounds included.
/// - ``Method/withoutReplacement``: synchronous uniform cohorts of exactly K of N devices with no
///   over-selection, no deadline, `always` availability and no task failures, so every cohort is a
///   uniform K-subset and all its updates are applied: Wang, Balle, Kasiviswanathan 2019, Theorem 9
///   (``WithoutReplacementRDP``), replace-one adjacency, sensitivity 2C, ratio K/N.
/// - ``Method/perDevice``: everything else (over-selection, deadlines, churn, diurnal availability,
///   failures, FedAsync, FedBuff, local DP). No amplification: each device composes the unsampled
///   Gaussian (noise multiplier z, sensitivity C, add/remove adjacency with the number of
///   contributors public) once per release that contained its update (c^2 times for a release
///   holding c of its updates, the sensitivity then being cC), and the run reports the worst
///   device's epsilon.
public struct PrivacyAccounting: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable {
        case poissonSubsampled = "poisson-subsampled-gaussian"
        case withoutReplacement = "without-replacement-subsampled-gaussian"
        case perDevice = "per-device-unsampled-gaussian"
    }

    public var method: Method
    /// Why this method applies to the scenario, in words.
    public var reason: String
    /// The sampling rate q (Poisson) or ratio K/N (without replacement); nil per device.
    @NullWhenAbsent public var samplingRate: Double?
    /// "add/remove one device" or "replace one device".
    public var adjacency: String
    /// L2 sensitivity of the noised sum, in units of the clipping norm C.
    public var sensitivity: Double
    /// Steps composed by the end of the run: rounds (subsampled methods) or the worst device's
    /// unit Gaussian steps (its releases, a release of c of its updates counting c^2).
    public var steps: Int = 0
    /// Per device: the device with the most releases (the lowest id on ties); nil otherwise.
    @NullWhenAbsent public var worstDevice: Int?

    /// The accounting that applies to `scenario`, or nil without DP.
    public static func choose(for scenario: Scenario) -> PrivacyAccounting? {
        guard let p = scenario.privacy else { return nil }
        let t = scenario.training
        func perDevice(_ reason: String) -> PrivacyAccounting {
            PrivacyAccounting(method: .perDevice, reason: reason + "; no amplification by subsampling is claimed",
                              adjacency: "add/remove one device", sensitivity: 1)
        }
        if p.mode == .local { return perDevice("local DP: each device noises its own update before it leaves") }
        guard t.mode == .fedavg else {
            return perDevice("\(t.mode.rawValue): the schedule, not a secret random sample, decides who contributes")
        }
        if t.selection == .poisson {
            return PrivacyAccounting(method: .poissonSubsampled,
                                     reason: "selection poisson: each online device joins a round independently with probability q",
                                     samplingRate: t.samplingRate, adjacency: "add/remove one device", sensitivity: 1)
        }
        var breaks: [String] = []
        if t.overSelection > 0 { breaks.append("over-selection keeps the first K updates to arrive, so fast devices contribute more often than K/N") }
        if t.deadlineSeconds != nil { breaks.append("a deadline drops slow devices' updates") }
        if scenario.availability.kind != .always { breaks.append("\(scenario.availability.kind.rawValue) availability: only online devices can be chosen") }
        if scenario.availability.failureProbability > 0 { breaks.append("task failures drop updates") }
        guard breaks.isEmpty else { return perDevice(breaks.joined(separator: "; ")) }
        let n = scenario.fleet.deviceCount
        return PrivacyAccounting(method: .withoutReplacement,
                                 reason: "a uniform cohort of exactly \(t.devicesPerRound) of \(n) always-online devices, every update applied: sampling without replacement",
                                 samplingRate: Double(t.devicesPerRound) / Double(n), adjacency: "replace one device", sensitivity: 2)
    }
}
