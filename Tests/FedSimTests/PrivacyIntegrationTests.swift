import FedMath
import Foundation
import Testing
@testable import FedSim

@Suite("DP-FedAvg in a run")
struct PrivacyIntegrationTests {
    func privateJSON(_ privacy: [String: Any]?, rounds: Int = 6) -> [String: Any] {
        var json = setting(smallScenarioJSON(devices: 20, perRound: 5, rounds: rounds), "training.weighting", "uniform")
        if let privacy { json["privacy"] = privacy }
        return json
    }

    @Test("clipping bounds every update's norm and leaves short ones alone")
    func clipping() {
        let rng = RandomStream(seed: 5)
        for _ in 0 ..< 200 {
            var u = (0 ..< 50).map { _ in Float(rng.gaussian(sigma: 3)) }
            let before = u
            DPFedAvg.clip(&u, to: 2)
            #expect(Double(BLAS.nrm2(u)) <= 2 * (1 + 1e-6))
            var short = before.map { $0 * 1e-3 }
            let copy = short
            DPFedAvg.clip(&short, to: 2)
            #expect(short == copy)
        }
    }

    @Test("with noise 0 and a huge clip, DP-FedAvg equals FedAvg exactly")
    func noNoiseEqualsFedAvg() throws {
        let plain = try PreparedRun(try scenario(privateJSON(nil))).run()
        let dp = try PreparedRun(try scenario(privateJSON(["clip": 1e9, "noiseMultiplier": 0]))).run()
        #expect(plain.federated.finalParameters == dp.federated.finalParameters)
    }

    @Test("epsilon in the curve is the accountant's value for q = K / N per round")
    func epsilonMatchesAccountant() throws {
        let r = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 1.1, "delta": 1e-5]))).run()
        let expected = RDPAccountant.epsilon(q: 5.0 / 20, sigma: 1.1, steps: 6, delta: 1e-5).epsilon
        let last = try #require(r.federated.curve.last?.epsilon)
        #expect(abs(last - expected) < 1e-9)
        let eps = r.federated.curve.compactMap(\.epsilon)
        #expect(zip(eps, eps.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(r.summary.epsilon == last)
    }

    @Test("more noise costs accuracy and buys a smaller epsilon")
    func tradeoff() throws {
        let low = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 0.3], rounds: 20))).run()
        let high = try PreparedRun(try scenario(privateJSON(["clip": 1, "noiseMultiplier": 3], rounds: 20))).run()
        #expect(high.summary.epsilon! < low.summary.epsilon!)
    }

    @Test("local DP reports the Gaussian mechanism composed over the busiest device's tasks")
    func localDP() throws {
        let r = try PreparedRun(try scenario(privateJSON(["mode": "local", "clip": 1, "noiseMultiplier": 2]))).run()
        let steps = r.federated.ledger.tasksStarted.max()!
        let expected = RDPAccountant.epsilon(q: 1, sigma: 2, steps: steps, delta: 1e-5).epsilon
        #expect(abs(r.summary.epsilon! - expected) < 1e-9)
    }

    @Test("privacy requires uniform weighting and a positive clip")
    func errors() {
        var json = smallScenarioJSON()
        json["privacy"] = ["clip": 1, "noiseMultiplier": 1]
        #expect(scenarioError(json)?.path == "$.training.weighting")
        #expect(scenarioError(privateJSON(["clip": 0, "noiseMultiplier": 1]))?.path == "$.privacy.clip")
        #expect(scenarioError(privateJSON(["clip": 1]))?.path == "$.privacy.noiseMultiplier")
    }
}
