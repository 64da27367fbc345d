import Foundation
import Testing
@testable import FedSim

@Suite("Models")
struct ModelVectorMathTests {
    /// Lengths 1 ... 40 cover fewer than 16 entries, whole multiples of 16 and remainders. The
    /// oracle is the same reduction in Double, serially; a Float sum of n terms in any order is
    /// within n eps sum |terms| of it (Higham 2002, "Accuracy and Stability of Numerical
    /// Algorithms", section 4.2), with eps = 2^-24.
    @Test("VectorMath's sum, dot products and maximum agree with serial Double references at every length")
    func reductions() {
        let eps = 0x1p-24
        for n in 1 ... 40 {
            let x = (0 ..< n).map { Float(sin(Double($0) * 1.7 + 0.3)) * 3 }
            let y = (0 ..< n).map { Float(cos(Double($0) * 0.9)) }
            let z = (0 ..< n).map { Float($0 % 5) - 1.5 }
            func check(_ found: Float, _ terms: [Double], _ what: String) {
                let expected = terms.reduce(0, +), bound = Double(n) * eps * terms.map(abs).reduce(0, +)
                #expect(abs(Double(found) - expected) <= bound, "\(what) of \(n): \(found) against \(expected)")
            }
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    z.withUnsafeBufferPointer { zp in
                        let (a, b, c) = (xp.baseAddress!, yp.baseAddress!, zp.baseAddress!)
                        check(VectorMath.sum(a, count: n), x.map(Double.init), "sum")
                        check(VectorMath.dot(a, b, count: n), (0 ..< n).map { Double(x[$0] * y[$0]) }, "dot")
                        check(VectorMath.dot(a, b, c, count: n), (0 ..< n).map { Double(x[$0] * y[$0] * z[$0]) }, "triple dot")
                        #expect(VectorMath.maximum(a, count: n) == x.max()!, "maximum of \(n)")
                        #expect(VectorMath.maximum(c, count: n) == z.max()!, "maximum of \(n)")
                    }
                }
            }
        }
    }
}
