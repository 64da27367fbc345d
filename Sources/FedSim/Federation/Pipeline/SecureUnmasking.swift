import FedMath
import FedSimEngine

extension Coordinator {
    /// The [unmask] server-side stage of a synchronous round: secure aggregation (Bonawitz et
    /// al. 2017) of the accepted updates over the round's cohort:
    /// each survivor masks its weighted update (w_k / sum w) Delta_k on the coordinates and grid
    /// of ``SecureUplink``; devices of the cohort whose update was not accepted count as dropped
    /// after sharing keys, and their masks are removed with the survivors' Shamir shares. The
    /// masked input was charged when the update arrived; the protocol's other messages (keys,
    /// shares, unmasking) are added to the byte counts with their real sizes, and its setup and
    /// unmasking transfers and its cryptographic work (``SecureAggregationWork``, at the device's
    /// FLOP/s) delay the model update by the slowest survivor's total, plus the server's work.
    ///
    /// Returns the unmasked average (noised under central DP) and the time the protocol takes after
    /// the round closed; the average is nil when fewer than t devices survived.
    func secureAggregate(_ accepted: [FederatedTask], cohort: [Int], round: Int) -> (average: [Float]?, delay: SimTime) {
        let secure = serverSide.decoding.channel.secure!
        let config = secure.config(cohortSize: cohort.count)
        let dimension = ctx.model.parameterCount
        let coordinates = secure.coordinates(dimension: dimension, context: secure.context(scenarioSeed: ctx.scenario.seed, round: round))
        let total = accepted.reduce(0.0) { $0 + $1.weight }
        var inputs = [[Float]](repeating: [Float](repeating: 0, count: coordinates.count), count: cohort.count)
        var missing = Set(0 ..< cohort.count)
        var uploaded = [Int](repeating: 0, count: cohort.count)
        let position = Dictionary(uniqueKeysWithValues: cohort.enumerated().map { ($1, $0) })
        for task in accepted {
            let i = position[task.device]!
            let update = serverSide.decoding.decode(task)
            let share = Float(task.weight / total)
            inputs[i] = coordinates.map { share * update[$0] }
            server.counters.secureAggregationClipped += inputs[i].count { Double($0.magnitude) > config.clip }
            missing.remove(i)
            uploaded[i] = task.uploadBytes
            ledger.contribution[task.device] += task.weight / total
        }
        let result = SecureAggregation.run(inputs: inputs, config: config, dropAfterShareKeys: missing,
                                           seed: StreamSeed.derive(ctx.scenario.seed, purpose: .secureAggregation, ids: [UInt64(round)]))
        var delay = SimTime.zero
        for (i, d) in cohort.enumerated() {
            // The masked input was counted when it arrived; the protocol's other messages add to it.
            let up = result.cost.bytesUpPerDevice[i] - uploaded[i]
            let down = result.cost.bytesDownPerDevice[i]
            ledger.bytesUp[d] += up
            ledger.bytesDown[d] += down
            server.counters.bytesUp += up
            server.counters.bytesDown += down
            server.counters.secureAggregationBytes += up + down
            if !missing.contains(i) {
                // Three extra uploads (keys, shares, unmasking shares) and three downloads (key
                // list, routed shares, survivor list): six latencies plus the bytes.
                let p = ctx.fleet.profile(d)
                let compute = SimTime(seconds: SecureAggregationWork.units(result.cost.deviceOperationBreakdown(i), dimension: coordinates.count,
                                                                          threshold: config.threshold, ringBits: config.ringBits)
                                      / (p.flops * ctx.fleet.speedFactor[d]))
                let t = compute + ctx.fleet.uploadTime(bytes: max(0, up), device: d) + ctx.fleet.uploadTime(bytes: 0, device: d)
                    + ctx.fleet.uploadTime(bytes: 0, device: d)
                    + ctx.fleet.downloadTime(bytes: down, device: d) + ctx.fleet.downloadTime(bytes: 0, device: d)
                    + ctx.fleet.downloadTime(bytes: 0, device: d)
                delay = max(delay, t)
            }
        }
        delay += SimTime(seconds: SecureAggregationWork.units(result.cost.serverOperationBreakdown, dimension: coordinates.count,
                                                              threshold: config.threshold, ringBits: config.ringBits)
                                 / DeviceProfile.server.flops)
        guard let sum = result.sum else { return (nil, delay) }
        var average = [Float](repeating: 0, count: dimension)
        for (j, c) in coordinates.enumerated() { average[c] = Float(sum[j]) }
        serverSide.noise?.apply(&average, contributors: accepted.map(\.device), denominator: Double(accepted.count), accountant: &server.privacy)
        return (average, delay)
    }
}
