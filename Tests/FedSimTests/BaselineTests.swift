import FedMath
import Foundation
import Testing
@testable import FedSim

@Suite("Centralized baseline settings")
struct BaselineTests {
    @Test("baseline learningRate and batchSize default to the federated ones")
    func defaults() throws {
        var json = smallScenarioJSON()
        var s = try scenario(json)
        #expect(s.baseline.learningRate == 0.3 && s.baseline.batchSize == 10)
        json["baseline"] = ["epochs": 1, "learningRate": 2, "batchSize": 64]
        s = try scenario(json)
        #expect(s.baseline.learningRate == 2 && s.baseline.batchSize == 64)
        #expect(try ScenarioLoader.parse(ReportWriter.json(s.effectiveJSON)).baseline == s.baseline)
        json["baseline"] = ["learningRate": 0]
        #expect(scenarioError(json)?.path == "$.baseline.learningRate")
    }

    /// Two rows x1 = (1, 0) with y = 0 and x2 = (0, 1) with y = 1, zero initial parameters: the
    /// softmax is (1/2, 1/2) on both, so the mean cross-entropy gradient is
    /// dW = X^T (P - Y) / 2 = [[-1/4, 1/4], [1/4, -1/4]], db = 0. One full-batch step with
    /// learning rate 2 gives W = [[1/2, -1/2], [-1/2, 1/2]]: logit margin 1 on each row, loss
    /// log(1 + e^-1) = 0.3132617 on both rows (test and train), accuracy 1.
    @Test("batch = all rows and one epoch is one full-batch gradient step, computed by hand")
    func fullBatchStep() throws {
        var json = smallScenarioJSON()
        json["training"] = ["devicesPerRound": 1, "learningRate": 0.01, "rounds": 1, "batchSize": 1]
        json["baseline"] = ["epochs": 1, "evaluationsPerEpoch": 1, "learningRate": 2, "batchSize": 2]
        json["fleet"] = ["groups": [["profile": "server", "count": 1]]]
        let s = try scenario(json)
        let rows = Dataset(features: [1, 0, 0, 1], labels: [0, 1], featureCount: 2, classCount: 2)
        let data = FederatedData(train: rows, test: rows, shards: [0 ..< 2], trainLossRows: rows)
        let model = ModelFactory.make(s.model, for: .table(rows))
        let (curve, divergence) = CentralizedBaseline(scenario: s, data: data, model: model).run()
        #expect(divergence == nil)
        #expect(curve.count == 2)
        #expect(abs(curve[0].loss - log(2)) < 1e-6 && abs(curve[0].trainLoss! - log(2)) < 1e-6)
        let expected = log(1 + exp(-1.0))
        #expect(abs(curve[1].loss - expected) < 1e-6, "loss \(curve[1].loss)")
        #expect(abs(curve[1].trainLoss! - expected) < 1e-6)
        #expect(curve[1].accuracy == 1 && curve[1].samples == 2 && curve[1].round == 1)
    }
}
