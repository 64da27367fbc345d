/// What a kind of device can do: the figures that turn work and bytes into virtual time.
///
/// The built-in defaults are justified, figure by figure, in the README ("Device profiles").
public struct DeviceProfile: Codable, Equatable, Sendable {
    /// Effective training throughput in FLOP/s (sustained, not peak).
    public var flops: Double
    /// Memory available to training, in GB.
    public var memoryGB: Double
    /// Uplink bandwidth in Mbit/s (device to server).
    public var uplinkMbps: Double
    /// Downlink bandwidth in Mbit/s (server to device).
    public var downlinkMbps: Double
    /// Round-trip latency added to every transfer, in milliseconds.
    public var latencyMs: Double
    /// Sigma of the lognormal per-device speed factor exp(N(0, sigma^2)) (0: all devices equal).
    public var speedSigma: Double
    /// Sigma of the lognormal per-task jitter on compute time (0: none).
    public var jitterSigma: Double
    /// Churn availability: mean length of an online period, seconds (exponential).
    public var meanOnlineSeconds: Double
    /// Churn availability: mean length of an offline period, seconds (exponential); 0: never offline.
    public var meanOfflineSeconds: Double
    /// Diurnal availability: the daily window in which the device is online, as fractions of a day
    /// in the device's local time ([0, 1] means always; a window may wrap past midnight).
    public var windowStart: Double
    public var windowEnd: Double
    /// Enclave cost model (not an enclave): seconds of remote attestation before the device's first
    /// task; 0 means the device does not train in a trusted execution environment.
    public var enclaveAttestationSeconds: Double = 0
    /// Enclave cost model: compute time is multiplied by this factor (>= 1).
    public var enclaveSlowdown: Double = 1
    /// Enclave cost model: memory usable inside the enclave, GB (0: no cap beyond `memoryGB`).
    public var enclaveMemoryGB: Double = 0

    /// Memory available to a training batch: the enclave's cap when it has one.
    public var usableMemoryGB: Double { enclaveMemoryGB > 0 ? min(memoryGB, enclaveMemoryGB) : memoryGB }

    public init(flops: Double, memoryGB: Double, uplinkMbps: Double, downlinkMbps: Double,
                latencyMs: Double, speedSigma: Double, jitterSigma: Double,
                meanOnlineSeconds: Double = 3600, meanOfflineSeconds: Double = 0,
                windowStart: Double = 0, windowEnd: Double = 1) {
        self.flops = flops
        self.memoryGB = memoryGB
        self.uplinkMbps = uplinkMbps
        self.downlinkMbps = downlinkMbps
        self.latencyMs = latencyMs
        self.speedSigma = speedSigma
        self.jitterSigma = jitterSigma
        self.meanOnlineSeconds = meanOnlineSeconds
        self.meanOfflineSeconds = meanOfflineSeconds
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// A mid-range smartphone training on its CPU over a cellular link.
    public static let phone = DeviceProfile(
        flops: 2e9, memoryGB: 4, uplinkMbps: 10, downlinkMbps: 40, latencyMs: 50,
        speedSigma: 0.5, jitterSigma: 0.2, meanOnlineSeconds: 1800, meanOfflineSeconds: 3600,
        windowStart: 22.0 / 24, windowEnd: 7.0 / 24)
    /// A desktop workstation on a fixed broadband line.
    public static let workstation = DeviceProfile(
        flops: 5e10, memoryGB: 32, uplinkMbps: 40, downlinkMbps: 100, latencyMs: 20,
        speedSigma: 0.3, jitterSigma: 0.1, meanOnlineSeconds: 7200, meanOfflineSeconds: 1800,
        windowStart: 8.0 / 24, windowEnd: 19.0 / 24)
    /// A data-centre server on a 1 Gbit/s link.
    public static let server = DeviceProfile(
        flops: 2e11, memoryGB: 256, uplinkMbps: 1000, downlinkMbps: 1000, latencyMs: 5,
        speedSigma: 0.1, jitterSigma: 0.05)

    /// The built-in profiles by name, in a fixed order.
    public static let builtIn: [(name: String, profile: DeviceProfile)] = [
        ("phone", .phone), ("workstation", .workstation), ("server", .server),
    ]

    /// The JSON keys of a profile and the fields they set, in declaration order.
    static let fields: [(key: String, path: any WritableKeyPath<DeviceProfile, Double> & Sendable)] = [
        ("flops", \.flops), ("memoryGB", \.memoryGB), ("uplinkMbps", \.uplinkMbps), ("downlinkMbps", \.downlinkMbps),
        ("latencyMs", \.latencyMs), ("speedSigma", \.speedSigma), ("jitterSigma", \.jitterSigma),
        ("meanOnlineSeconds", \.meanOnlineSeconds), ("meanOfflineSeconds", \.meanOfflineSeconds),
        ("windowStart", \.windowStart), ("windowEnd", \.windowEnd),
        ("enclaveAttestationSeconds", \.enclaveAttestationSeconds), ("enclaveSlowdown", \.enclaveSlowdown),
        ("enclaveMemoryGB", \.enclaveMemoryGB),
    ]

    /// The JSON keys of a profile, in declaration order.
    static let keys = fields.map(\.key)

    subscript(key: String) -> Double {
        get { self[keyPath: DeviceProfile.fields.first { $0.key == key }!.path] }
        set { self[keyPath: DeviceProfile.fields.first { $0.key == key }!.path] = newValue }
    }
}
