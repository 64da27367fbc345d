import ArgumentParser
import FedMath
import FedSim
import Foundation

/// `fedsim bench-training`: local-training throughput of each model kind on one thread, and the
/// ratio of its achieved training FLOP/s (by the clock's analytic formula) to sgemm at its main shape.
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
        var shape: (ModelSpec) -> GemmBenchmark.Shape
    }

    static var cases: [Case] { [
        Case(name: "softmax digits", model: ["kind": "softmax"], data: ["source": "digits"], batch: 32,
             shape: { _ in .init(m: 32, k: 64, n: 10) }),
        Case(name: "mlp digits (64)", model: ["kind": "mlp", "hidden": [64]], data: ["source": "digits"], batch: 32,
             shape: { _ in .init(m: 32, k: 64, n: 64) }),
        Case(name: "charlm mlp", model: ["kind": "charlm", "architecture": "mlp", "context": 8, "embedding": 16, "hidden": [256]],
             data: ["source": "shakespeare"], batch: 64, shape: { s in .init(m: 64, k: s.sizes.hidden[0], n: 82) }),
        Case(name: "charlm transformer", model: ["kind": "charlm", "context": 64, "dModel": 64, "heads": 4, "layers": 2],
             data: ["source": "shakespeare"], batch: 16, shape: { s in .init(m: 16 * s.sizes.context, k: s.sizes.dModel, n: 4 * s.sizes.dModel) }),
    ] }

    @Option(help: "Seconds of training per model.")
    var seconds = 3.0

    func run() throws {
        print("local training, one thread, AdamW (\(BLAS.provider)):")
        for c in Self.cases {
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
            let all = 0 ..< prepared.data.train.count
            _ = model.train(&p, on: prepared.data.train, samples: all, epochs: 1, batchSize: c.batch, optimizer: state,
                            rng: rng, workspace: ws, maxSteps: 2)
            let clock = ContinuousClock()
            let start = clock.now
            var work = TrainingWork(samples: 0, steps: 0)
            var elapsed = 0.0
            repeat {
                let w = model.train(&p, on: prepared.data.train, samples: all, epochs: 1, batchSize: c.batch, optimizer: state,
                                    rng: rng, workspace: ws, maxSteps: 20)
                work.samples += w.samples
                work.steps += w.steps
                let d = clock.now - start
                elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            } while elapsed < seconds
            let flops = model.trainingFLOPs(samples: work.samples, steps: work.steps, optimizer: optimizer) / elapsed
            let shape = c.shape(scenario.model)
            let gemm = GemmBenchmark.gigaflops(shape) * 1e9
            // A transformer sample (window) predicts `context` tokens; a character MLP's predicts one.
            let isText = prepared.data.train.table == nil
            let tokens = isText && scenario.model.sizes.architecture == .transformer ? scenario.model.sizes.context : 1
            let unit = isText ? "tokens/s" : "samples/s"
            print("    \(c.name): \(model.parameterCount) parameters, \(Format.significant(Double(work.samples * tokens) / elapsed, 4)) \(unit), "
                  + "\(Format.significant(flops / 1e9, 3)) GFLOP/s; sgemm \(shape) \(Format.significant(gemm / 1e9, 3)) GFLOP/s; ratio \(Format.fixed(flops / gemm, 2))")
        }
    }
}
