import Foundation

/// Softmax cross-entropy of rows of logits against integer targets, in nats.
enum CrossEntropy {
    /// Replaces each row of logits with scale * (softmax - onehot(target)), the gradient of
    /// scale * loss, and returns the summed loss of the rows; the exponentials are ``FastMath/exp(_:)``,
    /// the row's maximum and sum ``VectorMath``'s.
    static func lossAndGradient(_ z: UnsafeMutablePointer<Float>, rows: Int, classes c: Int, scale: Float,
                                target: (Int) -> Int) -> Double {
        var loss = 0.0
        for r in 0 ..< rows {
            let row = z + r * c, y = target(r)
            let maxZ = VectorMath.maximum(row, count: c)
            let targetZ = row[y] - maxZ
            for k in 0 ..< c { row[k] = FastMath.exp(row[k] - maxZ) }  // a separate loop vectorises
            let sum = VectorMath.sum(row, count: c)
            loss += Double(logf(sum)) - Double(targetZ)
            let inv = scale / sum
            for k in 0 ..< c { row[k] *= inv }
            row[y] -= scale
        }
        return loss
    }

    /// The summed loss and the number of rows whose arg-max (first on ties) is the target.
    static func score(_ z: UnsafePointer<Float>, rows: Int, classes c: Int, target: (Int) -> Int) -> (loss: Double, correct: Int) {
        var loss = 0.0, correct = 0
        for r in 0 ..< rows {
            let row = z + r * c, y = target(r)
            var best = 0
            for k in 1 ..< c where row[k] > row[best] { best = k }
            if best == y { correct += 1 }
            var sum = 0.0
            for k in 0 ..< c { sum += exp(Double(row[k] - row[best])) }
            loss += log(sum) - Double(row[y] - row[best])
        }
        return (loss, correct)
    }

    /// Approximate FLOPs per row of loss and gradient: max, exp, sum, scale, about 5 per class.
    static func trainingFLOPs(classes: Int) -> Double { 5 * Double(classes) }
}
