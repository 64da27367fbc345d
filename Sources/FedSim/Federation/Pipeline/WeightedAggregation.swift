import FedMath

/// The server-side aggregate stage of FedAvg (McMahan et al. 2017) and FedBuff (Nguyen et al.
/// 2022): sum_i (w_i s_i / W) * update_i, with w_i the task's weight (samples, FLOPs or 1), s_i its
/// staleness factor and W = sum_j w_j, or a fixed denominator (DP-FedAvg's qN for Poisson rounds
/// under central DP). Updates are summed in (device, task) order, so the result does not depend
/// on the order they arrived in.
enum WeightedAggregation {
    /// Returns the weighted average of the decoded `updates` and the devices that contributed,
    /// in summation order, and adds each coefficient to `ledger.contribution`.
    static func average(_ updates: [(task: FederatedTask, factor: Double)], denominator: Double?,
                        decoding: UpdateDecoding, ledger: inout DeviceLedger) -> (average: [Float], contributors: [Int], denominator: Double) {
        // Sorted as indices by their keys: moving the tasks themselves would copy their messages' references.
        let keys = updates.map { ($0.task.device, $0.task.deviceTaskIndex) }
        let ordered = updates.indices.sorted { keys[$0] < keys[$1] }
        let total = denominator ?? ordered.reduce(0.0) { $0 + updates[$1].task.weight }
        var sum = [Float](repeating: 0, count: decoding.dimension)
        for i in ordered {
            let (task, factor) = updates[i]
            let coefficient = task.weight * factor / total
            BLAS.axpy(Float(coefficient), decoding.decode(task), &sum)
            ledger.contribution[task.device] += coefficient
        }
        return (sum, ordered.map { keys[$0].0 }, total)
    }
}
