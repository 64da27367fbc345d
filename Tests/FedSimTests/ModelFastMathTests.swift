import Foundation
import Testing
@testable import FedSim

@Suite("Models")
struct ModelFastMathTests {
    /// Every 1/64 from -90 to 90 and a few special points: the oracle is glibc's double-precision
    /// exp and tanh.
    static let points: [Float] = (-90 * 64 ... 90 * 64).map { Float($0) / 64 } + [1e-6, -1e-6, 0.3465, -0.3467, 87, 88]

    @Test("FastMath.exp is within 4e-7 relative of libm's exp on [-87, 88] and clamps outside")
    func exp() {
        for x in Self.points {
            let clamped = Swift.min(Swift.max(Double(x), -87), 88)
            let expected = Foundation.exp(clamped)
            let found = Double(FastMath.exp(x))
            #expect(abs(found - expected) <= 4e-7 * expected, "exp(\(x)): \(found) against \(expected)")
        }
        #expect(FastMath.exp(0) == 1)
    }

    @Test("FastMath.tanh is within 3e-7 of libm's tanh, odd to that accuracy, and exactly +-1 far out")
    func tanh() {
        for x in Self.points {
            let expected = Foundation.tanh(Double(x))
            #expect(abs(Double(FastMath.tanh(x)) - expected) <= 3e-7, "tanh(\(x))")
            #expect(abs(FastMath.tanh(x) + FastMath.tanh(-x)) <= 3e-7)
        }
        #expect(FastMath.tanh(50) == 1)
        #expect(FastMath.tanh(-50) == -1)
        #expect(FastMath.tanh(0) == 0)
    }
}
