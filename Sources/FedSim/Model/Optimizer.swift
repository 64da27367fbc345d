import FedMath
import Foundation

/// How a device turns a gradient into a parameter update: the rule and its hyperparameters.
public struct Optimizer: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Plain SGD: p -= lr g.
        case sgd
        /// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2):
        /// Adam's moments with the bias correction of Kingma & Ba 2015 ("Adam: A Method for Stochastic
        /// Optimization"), and weight decay applied to the parameters, not added to the gradient:
        ///
        ///     m = beta1 m + (1 - beta1) g          v = beta2 v + (1 - beta2) g^2
        ///     p -= lr (m / (1 - beta1^t) / (sqrt(v / (1 - beta2^t)) + epsilon) + weightDecay p)
        ///
        /// This is the paper's update with schedule multiplier eta_t = lr and alpha = 1 (the
        /// convention of PyTorch's AdamW), so the decay is scaled by the learning rate.
        case adamW(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)
    }

    public var rule: Rule
    public var learningRate: Float
    /// If set, the gradient is rescaled to this global L2 norm when its norm is larger
    /// (Pascanu, Mikolov, Bengio 2013, "On the difficulty of training recurrent neural networks").
    public var clipNorm: Float?
    /// Multiplies `learningRate` at each update, by the state's step count (constant by default).
    public var schedule: LearningRateSchedule

    public init(_ rule: Rule = .sgd, learningRate: Float, clipNorm: Float? = nil, schedule: LearningRateSchedule = .constant) {
        self.rule = rule
        self.learningRate = learningRate
        self.clipNorm = clipNorm
        self.schedule = schedule
    }

    /// AdamW with the defaults of Loshchilov & Hutter's experiments and PyTorch: beta1 0.9,
    /// beta2 0.999, epsilon 1e-8, weight decay 0.01.
    public static func adamW(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                             weightDecay: Float = 0.01, clipNorm: Float? = nil, schedule: LearningRateSchedule = .constant) -> Optimizer {
        Optimizer(.adamW(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay),
                  learningRate: learningRate, clipNorm: clipNorm, schedule: schedule)
    }

    /// Bytes of state an ``OptimizerState`` keeps for `parameterCount` parameters: the step count
    /// (8, the schedule's position) and, for AdamW, its two float32 moments (8P).
    public func stateBytes(parameterCount: Int) -> Int {
        switch rule {
        case .sgd: 8
        case .adamW: 8 * parameterCount + 8
        }
    }

    /// Analytic FLOPs of one update of `parameterCount` parameters: SGD's axpy 2P; AdamW's moments,
    /// bias correction, division, square root and decay about 12P; clipping's norm and scaling 3P.
    public func flopsPerStep(parameterCount: Int) -> Double {
        let p = Double(parameterCount)
        let update: Double = switch rule {
        case .sgd: 2 * p
        case .adamW: 12 * p
        }
        return update + (clipNorm == nil ? 0 : 3 * p)
    }
}

/// The values an optimizer carries from one update to the next: the step count and AdamW's two
/// moment buffers (empty for SGD). A value, so that a device can keep it between tasks
/// (`training.persistentOptimizerState`).
public struct OptimizerMoments: Sendable, Equatable {
    /// Updates taken so far (t in the AdamW update and in the schedule).
    public var steps = 0
    public var m: [Float] = []
    public var v: [Float] = []

    /// The state before the first update of `optimizer` on `parameterCount` parameters.
    public init(_ optimizer: Optimizer, parameterCount: Int) {
        if case .adamW = optimizer.rule {
            m = [Float](repeating: 0, count: parameterCount)
            v = m
        }
    }

    public init(steps: Int, m: [Float], v: [Float]) {
        (self.steps, self.m, self.v) = (steps, m, v)
    }
}

/// An optimizer's running state for one parameter vector: AdamW's two moment buffers and step count.
///
/// State lives in flat Float buffers of the parameter vector's length; SGD keeps none.
public final class OptimizerState {
    public let optimizer: Optimizer
    /// Steps taken so far (t in the AdamW update).
    public private(set) var steps: Int
    private var m: [Float]
    private var v: [Float]

    /// A fresh state (step 0, moments at zero), or `resuming` one kept from earlier updates.
    public init(_ optimizer: Optimizer, parameterCount: Int, resuming: OptimizerMoments? = nil) {
        self.optimizer = optimizer
        let start = resuming ?? OptimizerMoments(optimizer, parameterCount: parameterCount)
        (steps, m, v) = (start.steps, start.m, start.v)
    }

    /// The step count and moments, as they stand after the updates applied so far.
    public var moments: OptimizerMoments { OptimizerMoments(steps: steps, m: m, v: v) }

    /// Applies one update to `parameters` from `gradient` (both `count` entries). Clipping, if
    /// configured, rescales `gradient` in place first; the schedule scales the learning rate by
    /// its factor at this update's step number.
    public func apply(gradient g: UnsafeMutablePointer<Float>, to p: UnsafeMutablePointer<Float>, count n: Int) {
        steps += 1
        let lr = optimizer.learningRate * optimizer.schedule.factor(step: steps)
        if let clip = optimizer.clipNorm {
            let norm = BLAS.nrm2(count: n, x: g)
            if norm > clip { BLAS.scal(count: n, alpha: clip / norm, x: g) }
        }
        switch optimizer.rule {
        case .sgd:
            BLAS.axpy(count: n, alpha: -lr, x: g, y: p)
        case let .adamW(beta1, beta2, epsilon, weightDecay):
            precondition(m.count == n, "optimizer state made for \(m.count) parameters, applied to \(n)")
            let c1 = 1 / (1 - Float(pow(Double(beta1), Double(steps))))
            let c2 = 1 / (1 - Float(pow(Double(beta2), Double(steps))))
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    for i in 0 ..< n {
                        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                        p[i] -= lr * (m[i] * c1 / ((v[i] * c2).squareRoot() + epsilon) + weightDecay * p[i])
                    }
                }
            }
        }
    }
}
