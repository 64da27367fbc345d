/// `evaluation.target`: a value of one metric that counts as "reached".
///
/// Accuracy is higher-is-better; loss (nats), perplexity and bits per character lower-is-better.
public struct MetricTarget: Codable, Equatable, Sendable {
    public enum Metric: String, Codable, Sendable, CaseIterable { case accuracy, loss, perplexity, bitsPerCharacter }
    public var metric: Metric
    public var value: Double

    public init(metric: Metric, value: Double) {
        self.metric = metric
        self.value = value
    }

    /// Whether larger values are better (accuracy only).
    public var higherIsBetter: Bool { metric == .accuracy }
}
