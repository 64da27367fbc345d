/// `training.optimizer` (the device optimizer) and `baseline.optimizer`: the update rule and its
/// hyperparameters; the learning rate is the section's own `learningRate`.
public struct OptimizerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adamw }
    public var kind: Kind = .sgd
    /// AdamW only (defaults of Loshchilov & Hutter 2019 and PyTorch).
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var weightDecay = 0.01
    /// Global gradient-norm clipping before the update (either rule); nil for none.
    public var clipNorm: Double? = nil
    /// The learning-rate schedule over the optimizer's updates (constant by default).
    public var schedule: LearningRateSchedule = .constant

    /// Plain SGD, no clipping: today's default.
    public static let sgd = OptimizerSpec()

    /// The ``Optimizer`` this spec describes at `learningRate`.
    public func optimizer(learningRate: Double) -> Optimizer {
        let clip = clipNorm.map { Float($0) }
        switch kind {
        case .sgd: return Optimizer(.sgd, learningRate: Float(learningRate), clipNorm: clip, schedule: schedule)
        case .adamw:
            return .adamW(learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2),
                          epsilon: Float(epsilon), weightDecay: Float(weightDecay), clipNorm: clip, schedule: schedule)
        }
    }
}
