/// The server side of an update, composed once from the scenario:
/// `[unmask] -> decode -> aggregate (weighted) -> [noise] -> optimizer step`.
/// Under secure aggregation the unmasking stage (``SecureUnmasking``) replaces decode and
/// aggregate for a synchronous round's cohort; central DP adds the noise stage. The modes decide
/// *when* updates are aggregated and applied; this decides *what* is applied.
struct ServerPipeline {
    let decoding: UpdateDecoding
    let noise: CentralNoise?
    var optimizer: any ServerOptimizer

    init(_ ctx: FederationContext, channel: UplinkChannel) {
        decoding = UpdateDecoding(channel: channel, dimension: ctx.model.parameterCount)
        noise = CentralNoise(ctx.scenario)
        optimizer = ServerOptimizers.make(ctx.training.server, dimension: ctx.model.parameterCount)
    }

    /// decode -> aggregate -> [noise]: the weighted average of `updates` (see
    /// ``WeightedAggregation``), noised under central DP, with the contributions booked in `ledger`
    /// and the release in `accountant`.
    func aggregate(_ updates: [(task: FederatedTask, factor: Double)], denominator: Double? = nil,
                   ledger: inout DeviceLedger, accountant: inout RunPrivacyAccountant?) -> [Float] {
        var (average, contributors, total) = WeightedAggregation.average(updates, denominator: denominator, decoding: decoding, ledger: &ledger)
        noise?.apply(&average, contributors: contributors, denominator: total, accountant: &accountant)
        return average
    }

    /// The optimizer step: moves `parameters` by the aggregated update.
    mutating func apply(_ delta: [Float], to parameters: inout [Float]) {
        optimizer.step(&parameters, delta: delta)
    }
}
