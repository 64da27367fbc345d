import FedMath
import FedSimEngine
import Foundation
import Testing
@testable import FedSim

@Suite("Compression in a run")
struct CompressionIntegrationTests {
    func compressed(_ uplink: [String: Any], errorFeedback: Bool = false, delta: Bool = false, downlink: [String: Any]? = nil) -> [String: Any] {
        var c: [String: Any] = ["uplink": uplink, "errorFeedback": errorFeedback, "downlinkDelta": delta]
        if let downlink { c["downlink"] = downlink }
        return setting(smallScenarioJSON(devices: 20, perRound: 5, rounds: 8), "compression", c)
    }

    @Test("dense messages cost 1 + 4P bytes each way, and the factor is 1")
    func denseBytes() throws {
        let report = try PreparedRun(try scenario(smallScenarioJSON())).run()
        let c = report.federated.counters
        let dense = 1 + 4 * 650
        #expect(c.bytesUp == c.uploads * dense)
        #expect(c.bytesDown == c.downloads * dense)
        #expect(report.summary.compression.uplinkFactor == 1)
    }

    @Test("the clock charges the encoded size: two devices, top-k uplink, bytes and time by hand")
    func transferUsesEncodedSize() throws {
        let json = setting(tinyScenarioJSON(), "compression", ["uplink": ["kind": "topk", "fraction": 0.01]])
        let report = try PreparedRun(try scenario(json)).run()
        // k = ceil(0.01 · 650) = 7 of the one-step updates (see `oneStepFromZero`), all labels <= 3:
        //   device 0 (rows a < b): 0.135 at W[a, a] and W[b, b], 0.12 at b[a] and b[b], then three of the
        //     eight -0.03 biases (the lowest indices); device 1 (row l): 0.27 at W[l, l] and b[l], then five
        //     of the eighteen -0.03 at W[l, c] and b[c] (the lowest indices: W[l, c]).
        // Both keep 6 indices below 40 and one jump to a bias >= 640: gap varints 6 · 1 + 2 = 8 bytes
        // (< the 82-byte bitmap). Message: tag 1 + varint(7) 1 + flag 1 + gaps 8 + 7 float32 28 = 39 bytes.
        #expect(report.federated.counters.bytesUp == 2 * 39)
        // Device 1 is last: download 0.102601 + compute 0.0392 + upload 0.1 + 39 · 8 / 1e6 = 0.242113 s.
        #expect(abs(report.federated.curve.last!.time - 0.242113) < 3e-9)
    }

    @Test("top-k 1% cuts uplink bytes more than 50x and error feedback recovers accuracy")
    func topKWithErrorFeedback() throws {
        var plain = compressed(["kind": "topk", "fraction": 0.01])
        plain = setting(plain, "training.rounds", 60)
        var ef = compressed(["kind": "topk", "fraction": 0.01], errorFeedback: true)
        ef = setting(ef, "training.rounds", 60)
        let a = try PreparedRun(try scenario(plain)).run()
        let b = try PreparedRun(try scenario(ef)).run()
        #expect(a.summary.compression.uplinkFactor > 50)
        // Error feedback converges faster (Stich, Cordonnier, Jaggi 2018): higher mean accuracy over the run.
        func meanAccuracy(_ r: RunReport) -> Double {
            let rows = r.federated.curve
            return rows.map(\.accuracy).reduce(0, +) / Double(rows.count)
        }
        #expect(meanAccuracy(b) > meanAccuracy(a))
    }

    @Test("a lossless downlink delta gives the same run as sending the whole model")
    func downlinkDelta() throws {
        let whole = try PreparedRun(try scenario(compressed(["kind": "dense"]))).run()
        let delta = try PreparedRun(try scenario(compressed(["kind": "dense"], delta: true))).run()
        let err = zip(whole.federated.finalParameters, delta.federated.finalParameters).map { abs($0 - $1) }.max()!
        #expect(err < 1e-4)
        #expect(whole.federated.counters.bytesDown == delta.federated.counters.bytesDown)
    }

    @Test("a quantized downlink shrinks download bytes about 4x")
    func quantizedDownlink() throws {
        let r = try PreparedRun(try scenario(compressed(["kind": "dense"], downlink: ["kind": "uint8"]))).run()
        #expect(r.summary.compression.downlinkFactor > 3.5)
    }

    @Test("compressed runs are byte-identical for a seed, whatever the thread count", arguments: ["topk", "randomk", "qsgd", "sign"])
    func determinism(_ kind: String) throws {
        var uplink: [String: Any] = ["kind": kind]
        if kind == "topk" || kind == "randomk" { uplink["fraction"] = 0.05 }
        let s = try scenario(compressed(uplink, errorFeedback: true))
        let a = try PreparedRun(s).run(threads: 1), b = try PreparedRun(s).run(threads: 3)
        #expect(ReportWriter.curveCSV(a.curve) == ReportWriter.curveCSV(b.curve))
        #expect(try ReportWriter.json(a.summary) == ReportWriter.json(b.summary))
    }

    @Test("bad compression settings name their path")
    func errors() {
        #expect(scenarioError(compressed(["kind": "topk", "fraction": 0]))?.path == "$.compression.uplink.fraction")
        #expect(scenarioError(compressed(["kind": "zip"]))?.path == "$.compression.uplink.kind")
        #expect(scenarioError(compressed(["kind": "qsgd", "levels": 0]))?.path == "$.compression.uplink.levels")
        #expect(scenarioError(compressed(["kind": "topk"]))?.path == "$.compression.uplink.fraction")
        #expect(scenarioError(compressed(["kind": "dense", "fraction": 0.1]))?.path == "$.compression.uplink.fraction")
    }
}
