import FedMath
import FedSimEngine

/// A scenario made ready to run: data loaded and partitioned, fleet built.
///
/// Preparing checks everything that depends on the data (for example more devices than
/// samples), so that a run which starts does not fail on its input.
public struct PreparedRun: Sendable {
    public let scenario: Scenario
    public let data: FederatedData
    public let fleet: Fleet
    public let model: AnyModel

    public init(_ scenario: Scenario) throws(ScenarioError) {
        self.scenario = scenario
        data = try DataBuilder.build(scenario.data, deviceCount: scenario.fleet.deviceCount, seed: scenario.seed,
                                     context: scenario.model.sizes.context, maxTestSamples: scenario.evaluation.maxSamples)
        fleet = Fleet(spec: scenario.fleet, shards: data.shards, seed: scenario.seed)
        model = ModelFactory.make(scenario.model, for: data.train)
    }

    /// Trains the baseline, then the federated model, and summarises both.
    /// `threads` only changes how fast it runs, never what it computes; `interrupted` is asked
    /// before every federated event and stops the run when it answers true.
    public func run(threads: Int = 1, progress: (@Sendable (RunProgress) -> Void)? = nil,
                    interrupted: (@Sendable () -> Bool)? = nil) -> RunReport {
        let baseline = CentralizedBaseline(scenario: scenario, data: data, model: model).run()
        let target = TargetRule(scenario.evaluation, baseline: baseline.curve)
        let ctx = FederationContext(
            scenario: scenario, data: data, fleet: fleet,
            trainer: LocalTrainer(model: model, data: data, optimizer: scenario.training.deviceOptimizer, seed: scenario.seed,
                                  proximalMu: Float(scenario.training.proximalMu),
                                  persistentState: scenario.training.persistentOptimizerState),
            threads: max(1, threads), target: target, progress: progress, interrupted: interrupted)
        let coordinator: Coordinator
        switch scenario.training.mode {
        case .fedavg: coordinator = SynchronousFedAvg(ctx)
        case .fedasync: coordinator = FedAsync(ctx)
        case .fedbuff: coordinator = FedBuff(ctx)
        }
        let federated = coordinator.run()
        let summary = RunSummary(scenario: scenario, model: model, data: data.train, fleet: fleet, baseline: baseline.curve,
                                 baselineDivergence: baseline.divergence, federated: federated, target: target)
        return RunReport(baseline: baseline.curve, federated: federated, summary: summary, fleet: fleet)
    }
}

/// Where a federated run stands, reported after every evaluation (for a progress line).
public struct RunProgress: Sendable {
    /// Virtual time in seconds.
    public var time: Double
    /// Round (synchronous) or model version (asynchronous).
    public var round: Int
    public var accuracy: Double
    /// Share of the run done, by rounds or by virtual time, whichever limit is nearer.
    public var fractionDone: Double
}

/// Everything a run produced.
public struct RunReport: Sendable {
    public let baseline: [CurvePoint]
    public let federated: FederatedOutcome
    public let summary: RunSummary
    public let fleet: Fleet

    /// Both curves, federated first, as written to `curve.csv`.
    public var curve: [CurvePoint] { federated.curve + baseline }
}
