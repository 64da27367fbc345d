import FedMath
import Foundation

/// Multinomial logistic regression: p(y | x) = softmax(x W + b), trained with softmax cross-entropy
/// and optional L2 (l2/2 * ||W||^2, biases not penalised).
///
/// Parameters live in one flat Float vector: W (featureCount x classCount, row-major), then b.
/// Forward and backward passes are two SGEMMs per minibatch through CBLAS.
public struct SoftmaxRegression: Sendable, Equatable {
    public let featureCount: Int
    public let classCount: Int
    public let l2: Float

    public init(featureCount: Int, classCount: Int, l2: Float = 0) {
        self.featureCount = featureCount
        self.classCount = classCount
        self.l2 = l2
    }

    /// Length of the flat parameter vector.
    public var parameterCount: Int { featureCount * classCount + classCount }

    /// Initial parameters: all zero (the loss is convex, so no symmetry needs breaking).
    public func initialParameters() -> [Float] { [Float](repeating: 0, count: parameterCount) }

    /// Analytic FLOPs of one training sample: forward logits 2dC + bias C, softmax 3C, error C,
    /// weight gradient 2dC, bias gradient C.
    public var trainingFLOPsPerSample: Double {
        let d = Double(featureCount), c = Double(classCount)
        return 4 * d * c + 6 * c
    }

    /// Analytic FLOPs of one SGD step's parameter update (gradient scaling and axpy, plus L2).
    public var updateFLOPsPerStep: Double { Double(parameterCount) * (l2 > 0 ? 4 : 2) }

    /// Analytic FLOPs of `steps` minibatch steps over `samples` samples in total.
    public func trainingFLOPs(samples: Int, steps: Int) -> Double {
        Double(samples) * trainingFLOPsPerSample + Double(steps) * updateFLOPsPerStep
    }
}

/// Reusable buffers for training and evaluation, so the hot loop never allocates.
///
/// One workspace per thread; it grows to the largest batch it has seen.
public final class ModelWorkspace {
    var batchX: [Float] = []
    var logits: [Float] = []
    var gradient: [Float] = []
    var order: [Int32] = []

    public init() {}

    func reserve(model: SoftmaxRegression, batch: Int, samples: Int) {
        if batchX.count < batch * model.featureCount { batchX = [Float](repeating: 0, count: batch * model.featureCount) }
        if logits.count < batch * model.classCount { logits = [Float](repeating: 0, count: batch * model.classCount) }
        if gradient.count != model.parameterCount { gradient = [Float](repeating: 0, count: model.parameterCount) }
        if order.count < samples { order = [Int32](repeating: 0, count: samples) }
    }
}

extension SoftmaxRegression {
    /// Runs minibatch SGD on rows `rows` of `data`, updating `parameters` in place.
    ///
    /// Each epoch visits the rows in a fresh order from `rng`; the last batch of an epoch may be
    /// smaller. `maxSteps` (if given) stops early, which is how step-based local work is expressed.
    public func train(
        _ parameters: inout [Float], on data: Dataset, rows: Range<Int>, epochs: Int, batchSize: Int,
        learningRate: Float, rng: RandomStream, workspace ws: ModelWorkspace, maxSteps: Int? = nil
    ) -> TrainingWork {
        let n = rows.count
        guard n > 0 else { return TrainingWork(samples: 0, steps: 0) }
        ws.reserve(model: self, batch: min(batchSize, n), samples: n)
        var order = ws.order
        ws.order = []  // take the buffer so the loop below can lend it out
        defer { ws.order = order }
        var work = TrainingWork(samples: 0, steps: 0)
        for _ in 0 ..< epochs {
            if let maxSteps, work.steps >= maxSteps { break }
            order.withUnsafeMutableBufferPointer { o in
                for i in 0 ..< n { o[i] = Int32(rows.lowerBound + i) }
                let mine = UnsafeMutableBufferPointer(rebasing: o[0 ..< n])
                rng.shuffle(mine)
                let done = train(&parameters, on: data, order: UnsafeBufferPointer(mine), batchSize: batchSize,
                                 learningRate: learningRate, workspace: ws,
                                 maxSteps: maxSteps.map { $0 - work.steps })
                work.samples += done.samples
                work.steps += done.steps
            }
        }
        return work
    }

    /// Runs minibatch SGD over the rows listed in `order`, in that order, updating `parameters`.
    public func train(
        _ parameters: inout [Float], on data: Dataset, order: UnsafeBufferPointer<Int32>, batchSize: Int,
        learningRate: Float, workspace ws: ModelWorkspace, maxSteps: Int? = nil
    ) -> TrainingWork {
        let n = order.count
        let batch = min(batchSize, max(n, 1))
        ws.reserve(model: self, batch: batch, samples: 0)
        var work = TrainingWork(samples: 0, steps: 0)
        var start = 0
        while start < n {
            if let maxSteps, work.steps >= maxSteps { break }
            let b = min(batch, n - start)
            gather(data, count: b, rows: { order[start + $0] }, ws: ws)
            step(&parameters, batchCount: b, labelsAt: { data.labels[Int(order[start + $0])] },
                 learningRate: learningRate, ws: ws)
            work.samples += b
            work.steps += 1
            start += b
        }
        return work
    }

    /// Copies rows `rows(0 ..< count)` of `data` into `ws.batchX` (reserved for `count` rows).
    func gather(_ data: Dataset, count b: Int, rows: (Int) -> Int32, ws: ModelWorkspace) {
        let d = featureCount
        data.features.withUnsafeBufferPointer { x in
            ws.batchX.withUnsafeMutableBufferPointer { bx in
                for r in 0 ..< b {
                    (bx.baseAddress! + r * d).update(from: x.baseAddress! + Int(rows(r)) * d, count: d)
                }
            }
        }
    }

    /// One SGD step on the `batchCount` rows already gathered in `ws.batchX`.
    func step(_ parameters: inout [Float], batchCount b: Int, labelsAt label: (Int) -> Int32,
              learningRate: Float, ws: ModelWorkspace) {
        parameters.withUnsafeMutableBufferPointer { p in
            ws.gradient.withUnsafeMutableBufferPointer { g in
                _ = lossAndGradient(p.baseAddress!, into: g.baseAddress!, batchCount: b, labelsAt: label, ws: ws)
                BLAS.axpy(count: parameterCount, alpha: -learningRate, x: g.baseAddress!, y: p.baseAddress!)
            }
        }
    }

    /// The mean training loss (without the L2 term) of the `batchCount` rows gathered in
    /// `ws.batchX`, writing the gradient of the regularised objective into `g`.
    func lossAndGradient(_ w: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>, batchCount b: Int,
                         labelsAt label: (Int) -> Int32, ws: ModelWorkspace) -> Double {
        let d = featureCount, c = classCount
        var loss = 0.0
        ws.batchX.withUnsafeBufferPointer { bx in
            ws.logits.withUnsafeMutableBufferPointer { z in
                let bias = w + d * c
                // Z = X W + b
                for r in 0 ..< b { (z.baseAddress! + r * c).update(from: bias, count: c) }
                BLAS.gemm(.none, .none, m: b, n: c, k: d, alpha: 1, a: bx.baseAddress!, lda: d,
                          b: w, ldb: c, beta: 1, c: z.baseAddress!, ldc: c)
                // D = (softmax(Z) - onehot(y)) / b, in place in Z
                let scale = 1 / Float(b)
                for r in 0 ..< b {
                    let row = z.baseAddress! + r * c
                    let y = Int(label(r))
                    let targetZ = row[y]
                    loss += Double(softmaxInPlace(row, count: c) - targetZ)
                    row[y] -= 1
                    for k in 0 ..< c { row[k] *= scale }
                }
                // gW = X^T D (+ l2 W); gb = column sums of D
                BLAS.gemm(.transpose, .none, m: d, n: c, k: b, alpha: 1, a: bx.baseAddress!, lda: d,
                          b: z.baseAddress!, ldb: c, beta: 0, c: g, ldc: c)
                if l2 > 0 { BLAS.axpy(count: d * c, alpha: l2, x: w, y: g) }
                let gb = g + d * c
                for k in 0 ..< c { gb[k] = 0 }
                for r in 0 ..< b { for k in 0 ..< c { gb[k] += z[r * c + k] } }
            }
        }
        return loss / Double(b)
    }

    /// Mean softmax cross-entropy and accuracy of `parameters` on all of `data`.
    /// The L2 term is not included in the reported loss.
    public func evaluate(_ parameters: [Float], on data: Dataset, workspace ws: ModelWorkspace) -> (accuracy: Double, loss: Double) {
        let d = featureCount, c = classCount, chunk = 256
        guard data.count > 0 else { return (0, 0) }
        ws.reserve(model: self, batch: chunk, samples: 0)
        var correct = 0
        var loss = 0.0
        parameters.withUnsafeBufferPointer { p in
            data.features.withUnsafeBufferPointer { x in
                ws.logits.withUnsafeMutableBufferPointer { z in
                    var start = 0
                    while start < data.count {
                let b = min(chunk, data.count - start)
                for r in 0 ..< b { (z.baseAddress! + r * c).update(from: p.baseAddress! + d * c, count: c) }
                BLAS.gemm(.none, .none, m: b, n: c, k: d, alpha: 1, a: x.baseAddress! + start * d, lda: d,
                          b: p.baseAddress!, ldb: c, beta: 1, c: z.baseAddress!, ldc: c)
                for r in 0 ..< b {
                    let row = z.baseAddress! + r * c
                    let y = Int(data.labels[start + r])
                    var best = 0
                    var maxZ = row[0]
                    for k in 1 ..< c where row[k] > maxZ { maxZ = row[k]; best = k }
                    if best == y { correct += 1 }
                    var sum = 0.0
                    for k in 0 ..< c { sum += exp(Double(row[k] - maxZ)) }
                    loss += log(sum) - Double(row[y] - maxZ)
                }
                start += b
                    }
                }
            }
        }
        return (Double(correct) / Double(data.count), loss / Double(data.count))
    }
}

/// Replaces `count` logits with their softmax, subtracting the maximum first for stability, and
/// returns their log-sum-exp.
@inline(__always) @discardableResult
func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, count c: Int) -> Float {
    var maxZ = row[0]
    for k in 1 ..< c where row[k] > maxZ { maxZ = row[k] }
    var sum: Float = 0
    for k in 0 ..< c {
        let e = expf(row[k] - maxZ)
        row[k] = e
        sum += e
    }
    let inv = 1 / sum
    for k in 0 ..< c { row[k] *= inv }
    return maxZ + logf(sum)
}
