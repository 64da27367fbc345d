@testable import FedSim
import FedMath
import Foundation
import Testing

// Oracle: the String formatting of ``Format`` that the byte writer replaces.
@Suite("CSV bytes")
struct CSVBytesTests {
    @Test("integers, fixed and compact numbers print byte for byte as Format prints them")
    func matchesFormat() {
        let rng = RandomStream(seed: 8)
        var values: [Double] = [0, -0.0, 1, -1, 0.5, -0.0000004, 0.0000005, 123456789, 1e-9, 2.5e-10, 9.99e18, .nan, .infinity, -.infinity]
        for _ in 0 ..< 2000 { values.append((rng.uniform() - 0.5) * pow(10, Double(rng.uniformInt(24)) - 12)) }
        for x in values {
            for decimals in [0, 1, 6, 9] {
                var fixed = CSVBytes(), compact = CSVBytes()
                fixed.append(fixed: x, decimals)
                compact.append(compact: x, decimals)
                #expect(String(decoding: fixed.bytes, as: UTF8.self) == Format.fixed(x, decimals))
                #expect(String(decoding: compact.bytes, as: UTF8.self) == Format.compact(x, decimals))
            }
        }
        for n in [0, 7, -7, 10, 1_000_000, Int.max, Int.min] {
            var out = CSVBytes()
            out.append(n)
            #expect(String(decoding: out.bytes, as: UTF8.self) == String(n))
        }
    }
}
