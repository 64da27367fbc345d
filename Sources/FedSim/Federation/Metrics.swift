import Foundation

/// Which training a curve point belongs to.
public enum RunKind: String, Codable, Sendable {
    case federated, baseline
}

/// One evaluation of a model on the test set: a row of `curve.csv`.
public struct CurvePoint: Codable, Equatable, Sendable {
    public var run: RunKind
    /// Virtual time in seconds.
    public var time: Double
    /// Federated: server model version (round). Baseline: epochs completed (may be fractional).
    public var round: Double
    /// Training samples processed so far (by all devices, counting repeats and discarded work).
    public var samples: Int
    /// Bytes sent device to server so far.
    public var bytesUp: Int
    /// Bytes sent server to device so far.
    public var bytesDown: Int
    public var accuracy: Double
    public var loss: Double
    /// Mean softmax cross-entropy on the training rows of `FederatedData.trainLossRows`; nil when
    /// read from a curve file without a `train_loss` column.
    public var trainLoss: Double? = nil
    /// Differential privacy spent so far (epsilon at the scenario's delta); nil without DP.
    public var epsilon: Double? = nil
    /// Training FLOPs done so far (not a column of curve.csv; 0 when read back from it).
    public var flops: Double = 0
    /// Whether a language model made it: curve.csv then adds perplexity and bits per character.
    public var isLanguageModel = false

    /// e^loss (language models: perplexity per character).
    public var perplexity: Double { exp(loss) }
    /// loss / ln 2 (language models: bits per character).
    public var bitsPerCharacter: Double { loss / log(2) }
}

/// Running totals of a federated run.
public struct FederatedCounters: Codable, Equatable, Sendable {
    public var tasksStarted = 0
    /// Updates aggregated into the server model.
    public var tasksApplied = 0
    /// Updates that arrived after their round had closed (over-selection or deadline).
    public var tasksDroppedLate = 0
    /// Tasks lost because the device went offline or the task failed.
    public var tasksDroppedOffline = 0
    /// Updates discarded for exceeding the maximum staleness.
    public var tasksDiscardedStale = 0
    /// Tasks still training or uploading, or updates buffered but not applied, when the run stopped.
    public var tasksInFlightAtEnd = 0
    /// Rounds that closed with no update to aggregate (deadline with no arrival).
    public var failedRounds = 0
    public var samples = 0
    public var flops = 0.0
    public var bytesUp = 0
    public var bytesDown = 0
    /// Secure aggregation: bytes its protocol added beyond the masked inputs, both directions.
    public var secureAggregationBytes = 0
    /// Secure aggregation: rounds that failed because fewer than t devices survived.
    public var secureAggregationFailures = 0
    /// Secure aggregation: coordinates of weighted updates outside [-clip, clip], clipped before
    /// encoding (a `clip` too small for the updates biases them).
    public var secureAggregationClipped = 0
    /// Model messages sent to devices.
    public var downloads = 0
    /// Update messages that reached the server.
    public var uploads = 0

    public init() {}
}
