import FedMath
import Testing
@testable import FedSim

@Suite("Data sets and partitioners")
struct DataTests {
    @Test("the shipped digits file has 1797 samples with the documented class counts")
    func digits() throws {
        let d = try Digits.load(path: digitsPath)
        #expect(d.count == 1797)
        #expect(d.classCounts() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        #expect(d.features.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test("IID cuts cover every sample once with sizes differing by at most one")
    func iid() {
        let parts = Partitioner.iid(count: 1001, devices: 10, rng: RandomStream(seed: 1))
        #expect(parts.flatMap { $0 }.sorted() == Array(0 ..< 1001))
        let sizes = parts.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
    }

    /// Mean over devices of the largest class share: 0.1 for balanced 10-class shards, 1 for one class each.
    func skew(_ parts: [[Int]], labels: [Int32]) -> Double {
        parts.map { p -> Double in
            var counts = [Int](repeating: 0, count: 10)
            for i in p { counts[Int(labels[i])] += 1 }
            return Double(counts.max()!) / Double(p.count)
        }.reduce(0, +) / Double(parts.count)
    }

    @Test("Dirichlet cuts cover every sample once, equal sizes, more skew for smaller alpha")
    func dirichlet() throws {
        let d = try Digits.load(path: digitsPath)
        var skews: [Double] = []
        for alpha in [0.1, 1.0, 100.0] {
            let parts = Partitioner.dirichlet(labels: d.labels, classCount: 10, devices: 20, alpha: alpha, rng: RandomStream(seed: 5))
            #expect(parts.flatMap { $0 }.sorted() == Array(0 ..< d.count))
            let sizes = parts.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
            skews.append(skew(parts, labels: d.labels))
        }
        #expect(skews[0] > skews[1] && skews[1] > skews[2], "skews \(skews)")
        #expect(skews[2] < 0.25)
        #expect(skews[0] > 0.6)
    }

    @Test("Synthetic(alpha, beta) is reproducible, per device, with FedProx's sizes and shapes")
    func synthetic() {
        let a = Synthetic.device(3, alpha: 1, beta: 1, seed: 9)
        let b = Synthetic.device(3, alpha: 1, beta: 1, seed: 9)
        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.count >= 50)
        #expect(a.featureCount == 60 && a.classCount == 10)
        #expect(a.labels.allSatisfy { (0 ..< 10).contains($0) })
        let other = Synthetic.device(4, alpha: 1, beta: 1, seed: 9)
        #expect(other.features != a.features)
    }

    @Test("the natural split gives each device its own generated samples, contiguous")
    func naturalSplit() throws {
        let spec = DataSpec(source: .synthetic, path: nil, testFraction: 0.1, alpha: 1, beta: 1,
                            partition: PartitionSpec(kind: .natural, alpha: nil))
        let fd = try DataBuilder.build(spec, deviceCount: 5, seed: 2)
        #expect(fd.shards.count == 5)
        #expect(fd.shards.first!.lowerBound == 0 && fd.shards.last!.upperBound == fd.train.count)
        for (a, b) in zip(fd.shards, fd.shards.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        let local = Synthetic.device(2, alpha: 1, beta: 1, seed: 2)
        let shard = fd.shards[2]
        #expect(Array(fd.train.labels[shard]) == Array(local.labels.prefix(shard.count)))
    }

    @Test("sampling without replacement returns distinct devices in range")
    func sampling() {
        for seed in 0 ..< 50 {
            let s = sampleWithoutReplacement(10, from: 30, rng: RandomStream(seed: UInt64(seed)))
            #expect(Set(s).count == 10)
            #expect(s.allSatisfy { (0 ..< 30).contains($0) })
        }
        #expect(Set(sampleWithoutReplacement(30, from: 30, rng: RandomStream(seed: 1))) == Set(0 ..< 30))
    }
}
