/// The privacy bookkeeping of one run, following its ``PrivacyAccounting``: a ledger of
/// subsampled-Gaussian steps (one per noised aggregation), or per device the releases that
/// contained its update. Orders: ``RDPAccountant/fineOrders``; conversion: the improved one.
struct RunPrivacyAccountant: Sendable {
    private(set) var accounting: PrivacyAccounting
    let noiseMultiplier: Double
    let delta: Double
    /// Local DP: devices noise their own updates, the server adds none.
    let local: Bool
    private var ledger = PrivacyLedger(orders: RDPAccountant.fineOrders)
    /// Per device: unit Gaussian steps of the releases that contained its updates.
    private var releases: [Int]
    /// Central DP noise draws so far (keys the server's noise stream).
    private(set) var noiseDraws = 0

    init?(scenario: Scenario) {
        guard let accounting = PrivacyAccounting.choose(for: scenario), let p = scenario.privacy else { return nil }
        self.accounting = accounting
        noiseMultiplier = p.noiseMultiplier
        delta = p.delta
        local = p.mode == .local
        releases = [Int](repeating: 0, count: scenario.fleet.deviceCount)
    }

    /// Central DP: one noised aggregation of the updates of `devices` (possibly none).
    mutating func recordAggregation(devices: [Int]) {
        noiseDraws += 1
        switch accounting.method {
        case .poissonSubsampled:
            ledger.compose(q: accounting.samplingRate!, sigma: noiseMultiplier)
        case .withoutReplacement:
            ledger.compose(q: accounting.samplingRate!, sigma: noiseMultiplier, sampling: .withoutReplacement)
        case .perDevice:
            // A device with c updates in one sum (FedBuff can buffer two of one device) moves it
            // by up to cC: RDP c^2 alpha / (2 z^2), i.e. c^2 unit Gaussian steps.
            var counts: [Int: Int] = [:]
            for d in devices { counts[d, default: 0] += 1 }
            for d in counts.keys.sorted() { release(d, steps: counts[d]! * counts[d]!) }
        }
        if accounting.method != .perDevice { accounting.steps = ledger.steps }
    }

    /// Local DP: `device`'s noised update reached the server.
    mutating func recordUpload(device: Int) {
        if local { release(device, steps: 1) }
    }

    /// Books `steps` unit Gaussian steps (noise multiplier z, sensitivity C) on device `d`.
    private mutating func release(_ d: Int, steps: Int) {
        releases[d] += steps
        if releases[d] > accounting.steps || (releases[d] == accounting.steps && d < accounting.worstDevice!) {
            accounting.steps = releases[d]
            accounting.worstDevice = d
        }
    }

    /// Epsilon spent so far at `delta`: the ledger's, or the unsampled Gaussian over the worst
    /// device's releases (0 before any step).
    var epsilon: Double {
        switch accounting.method {
        case .poissonSubsampled, .withoutReplacement:
            return ledger.epsilon(delta: delta)
        case .perDevice:
            return RDPAccountant.epsilon(q: 1, sigma: noiseMultiplier, steps: accounting.steps, delta: delta,
                                         orders: RDPAccountant.fineOrders).epsilon
        }
    }
}
