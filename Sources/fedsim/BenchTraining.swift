import ArgumentParser
import FedMath
import FedSim
import Foundation

/// `fedsim bench-training`: local-training throughput of each model kind on one thread, and the
/// ratio of its achieved training FLOP/s (by the clock's analytic formula) to sgemm at its main shape.
///
/// A model that lists its step's sgemm calls (``AnyModel/matrixProducts(batchSize:)``, the
/// transformer) is also rated against the sgemm figure at its shapes: sgemm GFLOP/s measured in
/// this run at every distinct product of the step (with its transposes; five trials interleaved
/// with the training, the median of each shape's), combined as the FLOP-weighted harmonic mean
/// (``GemmBenchmark/weightedHarmonicMean(flops:rates:)``), which is the rate of an ideal step made
/// only of those sgemm calls.
struct BenchTraining: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-training",
        abstract: "Print single-threaded local-training throughput per model and its FLOP/s against sgemm at the model's shapes.",
        shouldDisplay: false
    )

    /// One benchmarked model: its scenario keys, the data it reads and its widest product per step.
    struct Case {
        var name: String
        var model: [String: Any]
        var data: [String: Any]
        var batch: Int
        /// The sgemm shape the model's step spends most of its FLOPs in.
        var shape: (ModelSpec) -> MatrixProduct
    }

    static var cases: [Case] { [
        Case(name: "softmax digits", model: ["kind": "softmax"], data: ["source": "digits"], batch: 32,
             shape: { _ in .init(m: 32, n: 10, k: 64) }),
        Case(name: "mlp digits (64)", model: ["kind": "mlp", "hidden": [64]], data: ["source": "digits"], batch: 32,
             shape: { _ in .init(m: 32, n: 64, k: 64) }),
        Case(name: "charlm mlp", model: ["kind": "charlm", "architecture": "mlp", "context": 8, "embedding": 16, "hidden": [256]],
             data: ["source": "shakespeare"], batch: 64, shape: { s in .init(m: 64, n: 82, k: s.sizes.hidden[0]) }),
        Case(name: "charlm transformer", model: ["kind": "charlm", "context": 64, "dModel": 64, "heads": 4, "layers": 2],
             data: ["source": "shakespeare"], batch: 16, shape: { s in .init(m: 16 * s.sizes.context, n: 4 * s.sizes.dModel, k: s.sizes.dModel) }),
    ] }

    @Option(help: "Seconds of training per model.")
    var seconds = 3.0

    @Flag(help: "Also print sgemm GFLOP/s at each product of a listed step, with its share of the step's sgemm FLOPs.")
    var perShape = false

    @Option(help: "Benchmark only the models whose name contains this text (e.g. transformer).")
    var only: String?

    func run() throws {
        print("local training, one thread, AdamW (\(BLAS.provider)):")
        for c in Self.cases where only.map({ c.name.contains($0) }) ?? true {
            let json: [String: Any] = [
                "name": "bench", "data": c.data, "model": c.model,
                "fleet": ["groups": [["profile": "server", "count": 1]]],
                "training": ["devicesPerRound": 1, "learningRate": 0.001, "batchSize": c.batch, "optimizer": ["kind": "adamw"]],
            ]
            var scenario = try ScenarioLoader.parse(try JSONSerialization.data(withJSONObject: json))
            // Shipped data paths are relative to Scenarios/; run from the repository root.
            scenario.data.path = scenario.data.path.map { "Scenarios/" + $0 }
            let prepared = try PreparedRun(scenario)
            let model = prepared.model
            let optimizer = scenario.training.deviceOptimizer
            let state = OptimizerState(optimizer, parameterCount: model.parameterCount)
            let ws = model.makeWorkspace()
            var p = model.initialParameters(seed: 1)
            let rng = RandomStream(seed: 1, purpose: .localSGD)
            // One epoch's order, shuffled once as training does per epoch, walked 20 steps at a time
            // (reshuffling the whole training set every few steps would time the shuffle instead).
            var order = (0 ..< Int32(prepared.data.train.count)).map { $0 }
            rng.shuffle(&order)
            var next = 0
            func steps(_ count: Int) -> TrainingWork {
                let end = min(next + count * c.batch, order.count)
                let w = order[next ..< end].withUnsafeBufferPointer { o in
                    model.train(&p, on: prepared.data.train, order: o, batchSize: c.batch, optimizer: state, workspace: ws)
                }
                next = end == order.count ? 0 : end
                return w
            }
            _ = steps(2)
            // With a listed step, training and one sgemm trial per shape alternate five times, so
            // that both sides of the ratio see the same load on a shared machine.
            let mix = ShapeMix(model.matrixProducts(batchSize: c.batch))
            let segments = mix.isEmpty ? 1 : ShapeMix.trials
            let clock = ContinuousClock()
            var work = TrainingWork(samples: 0, steps: 0)
            var elapsed = 0.0
            for segment in 1 ... segments {
                let start = clock.now, before = elapsed
                repeat {
                    let w = steps(20)
                    work.samples += w.samples
                    work.steps += w.steps
                    let d = clock.now - start
                    elapsed = before + Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                } while elapsed < seconds * Double(segment) / Double(segments)
                mix.measureOnce()
            }
            let flops = model.trainingFLOPs(samples: work.samples, steps: work.steps, optimizer: optimizer) / elapsed
            let shape = c.shape(scenario.model)
            let gemm = GemmBenchmark.gigaflops(shape) * 1e9
            // A transformer sample (window) predicts `context` tokens; a character MLP's predicts one.
            let isText = prepared.data.train.table == nil
            let tokens = isText && scenario.model.sizes.architecture == .transformer ? scenario.model.sizes.context : 1
            let unit = isText ? "tokens/s" : "samples/s"
            print("    \(c.name): \(model.parameterCount) parameters, \(Format.significant(Double(work.samples * tokens) / elapsed, 4)) \(unit), "
                  + "\(Format.significant(flops / 1e9, 3)) GFLOP/s; sgemm \(shape) \(Format.significant(gemm / 1e9, 3)) GFLOP/s; ratio \(Format.fixed(flops / gemm, 2))")
            if !mix.isEmpty { mix.report(achieved: flops, perShape: perShape) }
        }
    }
}

/// The distinct sgemm calls of one training step, with sgemm timed at each of them.
private final class ShapeMix {
    /// Trials per shape; the rate of a shape is their median.
    static let trials = 5
    let shapes: [MatrixProduct]
    /// Each shape's FLOPs per step (its FLOPs times its calls).
    let flops: [Double]
    private var samples: [[Double]]

    init(_ products: [MatrixProduct: Int]) {
        // Largest share first; ties in a fixed order (a dictionary's order changes from run to run).
        func key(_ p: MatrixProduct, _ flops: Double) -> (Double, Int, Int, Int, Int, Int) {
            (flops, p.m, p.n, p.k, p.transposeA ? 1 : 0, p.transposeB ? 1 : 0)
        }
        let list = products.map { (product: $0.key, flops: $0.key.flops * Double($0.value)) }
            .sorted { key($0.product, $0.flops) > key($1.product, $1.flops) }
        shapes = list.map(\.product)
        flops = list.map(\.flops)
        samples = Array(repeating: [], count: list.count)
    }

    var isEmpty: Bool { shapes.isEmpty }

    /// One trial (at least 50 ms) of sgemm at every shape.
    func measureOnce() {
        for (i, shape) in shapes.enumerated() { samples[i].append(GemmBenchmark.gigaflops(shape, trials: 1) * 1e9) }
    }

    /// Prints the sgemm figure at the step's shapes (FLOP-weighted harmonic mean of each shape's
    /// median rate) and the ratio of `achieved` FLOP/s to it.
    func report(achieved: Double, perShape: Bool) {
        let rates = samples.map { $0.sorted()[$0.count / 2] }
        let mix = GemmBenchmark.weightedHarmonicMean(flops: flops, rates: rates)
        let total = flops.reduce(0, +)
        print("      sgemm at its step's \(shapes.count) shapes (FLOP-weighted harmonic mean, \(Format.significant(total / 1e6, 4)) MFLOP of sgemm per step) "
              + "\(Format.significant(mix / 1e9, 3)) GFLOP/s; ratio \(Format.fixed(achieved / mix, 2))")
        guard perShape else { return }
        for (i, shape) in shapes.enumerated() {
            print("        \(shape): \(Format.fixed(100 * flops[i] / total, 1))% of the FLOPs, \(Format.significant(rates[i] / 1e9, 3)) GFLOP/s")
        }
    }
}
