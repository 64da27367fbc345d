import FedMath
import FedSimEngine

/// A task as planned at dispatch, before any training: what the device trains, when it computes
/// on the virtual clock, and when (if ever) it is lost. The clock needs only the analytic work
/// (``TrainingWork/planned(samples:epochs:batchSize:maxSteps:)``), so every time is fixed here and
/// training, run afterwards in parallel, only has to produce the update.
struct TaskPlan: Sendable {
    var task: LocalTask
    var work: TrainingWork
    /// The FLOPs the clock charges for `work`.
    var flops: Double
    /// The download (and a first task's attestation) ends and compute begins.
    var computeStart: SimTime
    var computeEnd: SimTime
    var computeSeconds: Double
    /// When the device goes offline or fails, if it does; nil when it stays for good.
    var lossAt: SimTime?
    /// The model the device starts from.
    var start: [Float]
    /// The device's error-feedback memory, when the codec keeps one.
    var memory: ErrorFeedback?

    /// Whether the device trains at all: it is not lost before its compute ends.
    var trains: Bool { lossAt.map { $0 >= computeEnd } ?? true }

    /// The share of the planned compute done by `end`, for a task lost before it finished
    /// computing: the part of [computeStart, computeEnd] before `end`, in [0, 1].
    func doneFraction(lostAt end: SimTime) -> Double {
        guard computeSeconds > 0 else { return 0 }
        let computeStart = computeEnd.seconds - computeSeconds
        return min(1, max(0, (end.seconds - computeStart) / computeSeconds))
    }

    /// Local epochs that hold `steps` steps on `n` samples in batches of `batch`: ceil(steps /
    /// steps per epoch), at least 1 (1 for no samples; the last epoch is cut at `steps` by the training loop).
    static func epochs(forSteps steps: Int, samples n: Int, batchSize batch: Int) -> Int {
        let perEpoch = (n + batch - 1) / batch
        guard perEpoch > 0 else { return 1 }
        return max(1, (steps + perEpoch - 1) / perEpoch)
    }
}

extension TrainingSpec.Weighting {
    /// An update's aggregation weight before staleness: the samples its device holds, the FLOPs
    /// of its work, or 1.
    func weight(samples: Int, flops: Double) -> Double {
        switch self {
        case .samples: return Double(samples)
        case .flops: return flops
        case .uniform: return 1
        }
    }
}
