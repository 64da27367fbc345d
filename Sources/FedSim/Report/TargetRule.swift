import Foundation

/// What counts as "reached": a value of one metric of a curve point (`evaluation.target`, or
/// `targetAccuracy`, or by default 95% of the baseline's best accuracy).
///
/// Accuracy is reached at or above the value; loss (nats), perplexity (e^loss) and bits per
/// character (loss / ln 2) at or below it. ``score(_:)`` turns either into higher-is-better, the
/// form the engine's stop-at-target test and ``EfficiencyRules/firstSustained(_:target:consecutive:)`` use.
public struct TargetRule: Sendable, Equatable {
    public var metric: MetricTarget.Metric
    public var value: Double

    public init(metric: MetricTarget.Metric, value: Double) {
        self.metric = metric
        self.value = value
    }

    /// The scenario's target: `evaluation.target`, else `targetAccuracy`, else 95% of the best
    /// accuracy on `baseline`.
    public init(_ spec: EvaluationSpec, baseline: [CurvePoint]) {
        if let t = spec.target {
            self.init(metric: t.metric, value: t.value)
        } else {
            self.init(metric: .accuracy, value: spec.targetAccuracy ?? 0.95 * (baseline.map(\.accuracy).max() ?? 0))
        }
    }

    /// The metric's value at `p`.
    public func value(of p: CurvePoint) -> Double {
        switch metric {
        case .accuracy: p.accuracy
        case .loss: p.loss
        case .perplexity: exp(p.loss)
        case .bitsPerCharacter: p.loss / log(2)
        }
    }

    /// Higher-is-better: the value for accuracy, its negation for the others.
    public func score(_ p: CurvePoint) -> Double { metric == .accuracy ? value(of: p) : -value(of: p) }

    /// The score at the target value.
    public var threshold: Double { metric == .accuracy ? value : -value }

    /// The first evaluation of `curve` from which the target holds for `consecutive` evaluations.
    public func firstSustained(_ curve: [CurvePoint], consecutive: Int) -> Int? {
        EfficiencyRules.firstSustained(curve.map(score), target: threshold, consecutive: consecutive)
    }

    /// How the summary names it: "accuracy 33.77%" or "perplexity 9.5".
    public var description: String {
        metric == .accuracy ? "accuracy \(Format.fixed(100 * value, 2))%" : "\(metric.rawValue) \(Format.significant(value, 4))"
    }
}
