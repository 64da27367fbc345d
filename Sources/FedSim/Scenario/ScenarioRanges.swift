/// The documented range of every number a scenario can hold (README: "Ranges").
///
/// The bounds are chosen so that the simulation's arithmetic stays finite and inside the
/// integer-nanosecond clock: a transfer or a compute time is at most a product of a few bounded
/// factors, so it is finite, and a time past the clock's end saturates there (``SimTime/end``)
/// and stops the run with a partial result instead of wrapping. Lower bounds keep divisions away
/// from denormal numbers.
enum ScenarioRange {
    /// A profile field's range and the unit it is named with in messages.
    static let profile: [String: (range: ClosedRange<Double>, unit: String)] = [
        "flops": (1e3...1e18, "FLOP/s"),
        "memoryGB": (1e-3...1e6, "GB"),
        "uplinkMbps": (1e-3...1e6, "Mbit/s"),
        "downlinkMbps": (1e-3...1e6, "Mbit/s"),
        "latencyMs": (0...3.6e6, "ms"),
        "speedSigma": (0...3, "lognormal sigma"),
        "jitterSigma": (0...3, "lognormal sigma"),
        "meanOnlineSeconds": (1e-3...1e9, "seconds"),
        "meanOfflineSeconds": (0...1e9, "seconds; 0 means never offline"),
        "windowStart": (0...1, "fraction of a day"),
        "windowEnd": (0...1, "fraction of a day"),
        "enclaveAttestationSeconds": (0...1e6, "seconds"),
        "enclaveSlowdown": (1...1e6, "slowdown factor"),
        "enclaveMemoryGB": (0...1e6, "GB; 0 means no cap"),
    ]
    /// Virtual-time limits and spans in seconds (maxTimeSeconds, deadlineSeconds, dayLengthSeconds).
    static let seconds: ClosedRange<Double> = 1e-6...1e9
    /// Length of a diurnal day, seconds.
    static let dayLength: ClosedRange<Double> = 1...1e9
    /// Clipping norms and bounds (learning rates only need to be positive: a huge one diverges,
    /// which the run detects).
    static let clip: ClosedRange<Double> = 1e-12...1e12
    /// Weights and factors that may be 0: l2, noise multiplier, staleness a and b.
    static let factor: ClosedRange<Double> = 0...1e6
    /// Synthetic(alpha, beta) variances.
    static let syntheticVariance: ClosedRange<Double> = 0...1e3
    /// Dirichlet concentration.
    static let dirichletAlpha: ClosedRange<Double> = 1e-3...1e3
    /// Devices with synthetic data (each generates about 50 to 20,050 rows of 60 features).
    static let syntheticDevices = 10_000
    /// Warmup and total updates of a learning-rate schedule.
    static let scheduleSteps = 100_000_000
    /// The longest scenario name, in UTF-8 bytes (a folder name with room for temporary suffixes).
    static let nameBytes = 100
}

extension JSONNode {
    /// A finite number in `range`, named with its `unit` in the message.
    func number(in range: ClosedRange<Double>, unit: String) throws(ScenarioError) -> Double {
        try number(range, expected: "a number in \(JSONValue.format(range.lowerBound))...\(JSONValue.format(range.upperBound)) (\(unit))")
    }
}
