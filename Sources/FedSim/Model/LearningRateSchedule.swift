import Foundation

/// A learning-rate schedule: the factor by which an optimizer multiplies its learning rate at its
/// t-th update (t = 1, 2, ...), as `schedule` of `training.optimizer`, `baseline.optimizer` and
/// `training.server` (README: DiLoCo).
///
/// Linear warmup over the first W updates (Goyal et al. 2017, "Accurate, Large Minibatch SGD:
/// Training ImageNet in 1 Hour", arXiv 1706.02677), then either a constant factor 1 or a cosine
/// decay to `minFactor` at update T (Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient Descent
/// with Warm Restarts", arXiv 1608.03983, eq. 5, one period without restart), DiLoCo's inner
/// schedule (Douillard et al. 2023, arXiv 2311.08105):
///
///     t <= W:       t / W
///     W < t <= T:   minFactor + (1 - minFactor) (1 + cos(pi (t - W) / (T - W))) / 2     (cosine)
///     t > T:        minFactor                                                            (cosine)
///     t > W:        1                                                                    (constant)
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case constant, cosine }
    public var kind: Kind = .constant
    /// W, updates of linear warmup (0 for none).
    public var warmupSteps = 0
    /// T, the update at which the cosine reaches `minFactor` (cosine only; T > W).
    public var totalSteps = 0
    /// The cosine's final factor (cosine only), in [0, 1].
    public var minFactor = 0.0

    /// Factor 1 at every update: the learning rate as given.
    public static let constant = LearningRateSchedule()

    /// Whether the factor is 1 at every update.
    public var isConstant: Bool { kind == .constant && warmupSteps == 0 }

    /// The factor at update `t` (1-based).
    public func factor(step t: Int) -> Float {
        if t <= warmupSteps { return Float(Double(t) / Double(warmupSteps)) }
        guard kind == .cosine else { return 1 }
        guard t < totalSteps else { return Float(minFactor) }
        let progress = Double(t - warmupSteps) / Double(totalSteps - warmupSteps)
        return Float(minFactor + (1 - minFactor) * (1 + cos(Double.pi * progress)) / 2)
    }
}
