import FedMath
import FedSimEngine

/// Every device of a scenario, stored column-wise so that a million devices stay small: a group
/// index (which names the profile), a speed factor and a data shard per device.
public struct Fleet: Sendable {
    public let groups: [DeviceGroup]
    /// Group of each device.
    public let groupIndex: [Int32]
    /// Per-device lognormal speed factor exp(N(0, sigma^2)); multiplies the profile's FLOP/s.
    public let speedFactor: [Double]
    /// Rows of the shared training matrix each device holds.
    public let shards: [Range<Int>]
    let seed: UInt64

    /// Builds the fleet: devices are numbered group by group in scenario order; each device's
    /// speed factor comes from its own stream (seed, deviceSpeed, id).
    public init(spec: FleetSpec, shards: [Range<Int>], seed: UInt64) {
        precondition(shards.count == spec.deviceCount)
        groups = spec.groups
        var gi: [Int32] = []
        var speed: [Double] = []
        gi.reserveCapacity(spec.deviceCount)
        speed.reserveCapacity(spec.deviceCount)
        for (g, group) in spec.groups.enumerated() {
            for _ in 0 ..< group.count {
                let id = UInt64(gi.count)
                let sigma = group.profile.speedSigma
                speed.append(sigma > 0 ? RandomStream(seed: seed, purpose: .deviceSpeed, id).lognormal(mu: 0, sigma: sigma) : 1)
                gi.append(Int32(g))
            }
        }
        groupIndex = gi
        speedFactor = speed
        self.shards = shards
        self.seed = seed
    }

    /// Number of devices.
    public var count: Int { groupIndex.count }

    /// The profile of device `d`.
    public func profile(_ d: Int) -> DeviceProfile { groups[Int(groupIndex[d])].profile }

    /// The profile name of device `d`.
    public func profileName(_ d: Int) -> String { groups[Int(groupIndex[d])].profileName }

    /// Virtual time for device `d` to do `flops` of training in its task number `task`:
    /// flops / (profile FLOP/s x speed factor) x enclave slowdown x jitter, jitter = exp(N(0, jitterSigma^2)) drawn
    /// from the stream (seed, taskJitter, d, task).
    public func computeTime(flops: Double, device d: Int, task: UInt64) -> SimTime {
        let p = profile(d)
        var seconds = flops / (p.flops * speedFactor[d]) * p.enclaveSlowdown
        if p.jitterSigma > 0 {
            seconds *= RandomStream(seed: StreamSeed.derive(seed, purpose: .taskJitter, UInt64(d), task)).lognormal(mu: 0, sigma: p.jitterSigma)
        }
        return SimTime(seconds: seconds)
    }

    /// Virtual time to move `bytes` to device `d`: latency + bytes / downlink bandwidth.
    public func downloadTime(bytes: Int, device d: Int) -> SimTime {
        Fleet.transferTime(bytes: bytes, mbps: profile(d).downlinkMbps, latencyMs: profile(d).latencyMs)
    }

    /// Virtual time to move `bytes` from device `d`: latency + bytes / uplink bandwidth.
    public func uploadTime(bytes: Int, device d: Int) -> SimTime {
        Fleet.transferTime(bytes: bytes, mbps: profile(d).uplinkMbps, latencyMs: profile(d).latencyMs)
    }

    /// latency + 8 * bytes / (Mbit/s * 10^6), in virtual time.
    public static func transferTime(bytes: Int, mbps: Double, latencyMs: Double) -> SimTime {
        SimTime(seconds: latencyMs / 1000 + Double(bytes) * 8 / (mbps * 1e6))
    }
}
