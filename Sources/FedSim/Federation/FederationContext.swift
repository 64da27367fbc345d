import FedMath
import FedSimEngine

/// Everything a training mode needs that does not change during a run.
struct FederationContext: Sendable {
    let scenario: Scenario
    let data: FederatedData
    let fleet: Fleet
    let trainer: LocalTrainer
    /// Threads used to train the devices of one dispatch in parallel.
    let threads: Int
    /// What counts as "reached"; used to stop early when the scenario asks for it.
    let target: TargetRule
    /// Called after every evaluation of the federated model; never changes the run.
    var progress: (@Sendable (RunProgress) -> Void)? = nil
    /// Asked before every event; true stops the run at once (SIGINT, SIGTERM).
    var interrupted: (@Sendable () -> Bool)? = nil

    var model: AnyModel { trainer.model }

    /// The model every run starts from: the model's initialisation from the stream (seed, modelInit).
    func initialParameters() -> [Float] { model.initialParameters(seed: scenario.seed) }
    var training: TrainingSpec { scenario.training }

    /// Run limits: the round and time limits, and the target when the scenario stops there.
    var limits: RunLimits {
        RunLimits(maxTime: training.maxTimeSeconds.map { SimTime(seconds: $0) },
                  maxRounds: training.rounds,
                  targetMetric: scenario.evaluation.stopAtTarget ? target.threshold : nil, interrupted: interrupted)
    }
}

/// How a federated run ended and what it recorded.
public struct FederatedOutcome: Sendable {
    public var curve: [CurvePoint]
    public var counters: FederatedCounters
    public var stopReason: StopReason
    /// Server model versions produced (aggregations applied).
    public var modelVersions: Int
    /// Rounds closed (synchronous mode), including failed ones.
    public var rounds: Int
    /// Virtual time at the end, in seconds.
    public var endTime: Double
    /// Set when the run stopped because a value became NaN or infinite.
    public var divergence: String?
    public var finalParameters: [Float]
    public var ledger: DeviceLedger
    /// Staleness of every update that reached the server, in arrival order.
    public var staleness: [Int]
    /// Which privacy accounting the epsilons follow, with its steps at the end; nil without DP.
    public var privacyAccounting: PrivacyAccounting? = nil
    /// Bytes of state the server optimizer holds at the end (momentum, moments).
    public var serverOptimizerStateBytes = 0
    /// Devices holding a kept optimizer state at the end (`persistentOptimizerState`).
    public var devicesWithOptimizerState = 0
}

/// The evaluation bookkeeping every mode shares: the server model, its version and the curve.
struct ServerState {
    var parameters: [Float]
    var version = 0
    var lastEvaluatedVersion = -1
    var counters = FederatedCounters()
    var curve: [CurvePoint] = []
    var divergence: String?
    private var workspace: AnyModel.Workspace?
    /// DP bookkeeping (nil without DP).
    var privacy: RunPrivacyAccountant?

    /// Epsilon spent so far at the scenario's delta, or nil without DP.
    func epsilon(_ ctx: FederationContext) -> Double? { privacy?.epsilon }

    init(parameters: [Float], privacy: RunPrivacyAccountant?) {
        self.parameters = parameters
        self.privacy = privacy
    }

    /// Evaluates the server model on the test set and appends a curve point; returns the
    /// target's score (``TargetRule/score(_:)``), or nil (after recording a divergence) when the loss is not finite.
    mutating func evaluate(_ ctx: FederationContext, time: SimTime, round: Int) -> Double? {
        let ws = workspace ?? ctx.model.makeWorkspace()
        workspace = ws
        let m = ctx.model.evaluate(parameters, on: ctx.data.test, workspace: ws)
        let (acc, loss) = (m.accuracy, m.loss)
        lastEvaluatedVersion = version
        curve.append(CurvePoint(run: .federated, time: time.seconds, round: Double(round), samples: counters.samples,
                                bytesUp: counters.bytesUp, bytesDown: counters.bytesDown, accuracy: acc, loss: loss,
                                trainLoss: ctx.model.evaluate(parameters, on: ctx.data.trainLossRows, workspace: ws).loss,
                                epsilon: epsilon(ctx), flops: counters.flops, isLanguageModel: ctx.model.isLanguageModel))
        guard loss.isFinite else {
            divergence = "diverged: test loss is \(loss) after round \(round) (try a smaller learning rate)"
            return nil
        }
        return ctx.target.score(curve.last!)
    }
}
