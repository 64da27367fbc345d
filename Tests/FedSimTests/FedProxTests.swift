import FedMath
import Foundation
import Testing
@testable import FedSim

/// FedProx (Li et al. 2020, arXiv 1812.06127): the proximal term mu/2 ||w - w_global||^2 in the
/// local objective, checked against FedAvg (mu = 0), a hand-computed step and the paper's
/// statement that the term keeps local updates close to the global model.
@Suite("FedProx")
struct FedProxTests {
    /// Synchronous, FedAsync and FedBuff variants of `json`.
    func modes(_ json: [String: Any]) -> [[String: Any]] {
        let async = setting(setting(json, "training.concurrency", 2), "training.devicesPerRound", nil)
        return [json, setting(async, "training.mode", "fedasync"), setting(async, "training.mode", "fedbuff")]
    }

    @Test("mu = 0 equals FedAvg bit for bit in every mode")
    func muZeroIsFedAvg() throws {
        for json in modes(smallScenarioJSON(devices: 8, perRound: 3, rounds: 4)) {
            let plain = try PreparedRun(try scenario(json)).run(threads: 1)
            let prox = try PreparedRun(try scenario(setting(json, "training.proximalMu", 0))).run(threads: 1)
            #expect(prox.federated.finalParameters == plain.federated.finalParameters)
            #expect(prox.federated.curve == plain.federated.curve)
        }
    }

    @Test("a proximal term of weight 0 leaves the training loop's result unchanged bit for bit")
    func zeroTermInLoop() throws {
        let all = try Digits.load(path: digitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10, l2: 0.01)
        func train(_ proximal: ProximalTerm?) -> [Float] {
            var p = model.initialParameters(seed: 1)
            _ = model.train(&p, on: .table(all), samples: 0 ..< 300, epochs: 2, batchSize: 16,
                            optimizer: OptimizerState(Optimizer(learningRate: 0.3), parameterCount: p.count),
                            rng: RandomStream(seed: 4), workspace: TrainingWorkspace(model), proximal: proximal)
            return p
        }
        let anchor = [Float](repeating: 0.7, count: model.parameterCount)
        #expect(train(ProximalTerm(mu: 0, anchor: anchor)) == train(nil))
    }

    /// One full-batch SGD step from w = 0 on the tiny data's rows 0 and 1 (TinyFleet.swift) with
    /// anchor a: the objective's gradient is g0 + mu (0 - a), with g0 the closed form of
    /// ``oneStepFromZero(_:learningRate:)``, so w = -eta g0 + eta mu a.
    @Test("one step by hand: w = -eta (g0 + mu (w0 - a)) from w0 = 0")
    func oneStepByHand() throws {
        let tiny = try Digits.load(path: tinyDigitsPath)
        let model = SoftmaxRegression(featureCount: 64, classCount: 10)
        let eta = 0.3, mu = 2.0
        let anchor = (0 ..< model.parameterCount).map { Float($0 % 7) * 0.1 - 0.3 }
        var w = [Float](repeating: 0, count: model.parameterCount)
        let work = model.train(&w, on: .table(tiny), samples: 0 ..< 2, epochs: 1, batchSize: 10,
                               optimizer: OptimizerState(Optimizer(learningRate: Float(eta)), parameterCount: w.count),
                               rng: RandomStream(seed: 2), workspace: TrainingWorkspace(model),
                               proximal: ProximalTerm(mu: Float(mu), anchor: anchor))
        #expect(work == TrainingWork(samples: 2, steps: 1))
        let g0Step = oneStepFromZero([([0, 1], 1)], learningRate: eta)
        let expected = zip(g0Step, anchor).map { $0 + eta * mu * Double($1) }
        #expect(maxDifference(w, expected) < 1e-6)
    }

    @Test("the local update's norm shrinks toward the global model as mu grows (fixed seed)")
    func updateShrinksWithMu() throws {
        // One round, one device, 5 local epochs: the final model minus the initial one is that
        // device's local update (server fedavg, learning rate 1).
        var json = setting(smallScenarioJSON(devices: 4, perRound: 1, rounds: 1), "training.localEpochs", 5)
        json = setting(json, "training.learningRate", 0.1)
        var norms: [Double] = []
        for mu in [0.0, 0.1, 1, 10] {
            let prepared = try PreparedRun(try scenario(setting(json, "training.proximalMu", mu)))
            let start = prepared.model.initialParameters(seed: prepared.scenario.seed)
            var update = prepared.run(threads: 1).federated.finalParameters
            BLAS.axpy(-1, start, &update)
            norms.append(Double(BLAS.nrm2(update)))
        }
        #expect(norms[0] > 0)
        for i in 1 ..< norms.count { #expect(norms[i] < norms[i - 1], "norms \(norms)") }
    }

    @Test("training.proximalMu: default 0, JSON-path error, effective scenario round trip")
    func scenarioKey() throws {
        #expect(try scenario(tinyScenarioJSON()).training.proximalMu == 0)
        let error = scenarioError(setting(tinyScenarioJSON(), "training.proximalMu", -1))
        #expect(error?.path == "$.training.proximalMu")
        #expect(scenarioError(setting(tinyScenarioJSON(), "training.proximalMu", "1"))?.path == "$.training.proximalMu")
        let s = try scenario(setting(tinyScenarioJSON(), "training.proximalMu", 0.5))
        #expect(s.training.proximalMu == 0.5)
        #expect(try ScenarioLoader.parse(try ReportWriter.json(s.effectiveJSON)).training.proximalMu == 0.5)
    }
}
