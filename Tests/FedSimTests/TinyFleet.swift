import Foundation

// A data set and fleet small enough that a round can be computed by hand, so federation tests
// compare the simulator with arithmetic instead of with its own trainer and FLOP formula.
//
// Data: four digits rows; row r has label r and pixel r = 16 (feature r = 16/16 = 1), every other
// pixel 0. The default test fraction 0.2 holds out max(1, round(4 · 0.2)) = 1 row; the other three
// are the training set (n = 3), cut into consecutive shards of 2 and 1 rows (device 0, device 1).
// Model: softmax regression with d = 64 features and C = 10 classes, P = dC + C = 650 parameters,
// laid out W (d x C, row-major, W[j, c] at j·C + c) then b (at dC + c).

/// The path of the four-row digits CSV described above, written once per test process.
let tinyDigitsPath: String = {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("fedsim-tiny-\(ProcessInfo.processInfo.processIdentifier)")
    try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let header = "label," + (0 ..< 64).map { "p\($0)" }.joined(separator: ",")
    let rows = (0 ..< 4).map { r in "\(r)," + (0 ..< 64).map { $0 == r ? "16" : "0" }.joined(separator: ",") }
    let url = folder.appendingPathComponent("tiny.csv")
    try! ([header] + rows).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    return url.path
}()

/// Profile overrides with round numbers and no randomness: latency 100 ms, downlink 8 Mbit/s,
/// uplink 1 Mbit/s, `flops` FLOP/s, no speed factor, no jitter.
func tinyProfile(flops: Double) -> [String: Any] {
    ["flops": flops, "latencyMs": 100, "downlinkMbps": 8, "uplinkMbps": 1, "speedSigma": 0, "jitterSigma": 0]
}

/// Two devices, each a phone with `tinyProfile`: device 0 at 10^6 FLOP/s, device 1 at 10^5 FLOP/s.
/// Both train every round: one epoch with batch 10, i.e. one full-batch SGD step (learning rate
/// 0.3) on their shard of 2 or 1 rows.
func tinyScenarioJSON(rounds: Int = 1) -> [String: Any] {
    [
        "name": "tiny",
        "seed": 5,
        "data": ["source": "digits", "path": tinyDigitsPath, "partition": ["kind": "iid"]],
        "fleet": ["groups": [
            ["profile": "phone", "count": 1, "overrides": tinyProfile(flops: 1e6)],
            ["profile": "phone", "count": 1, "overrides": tinyProfile(flops: 1e5)],
        ]],
        "training": ["devicesPerRound": 2, "learningRate": 0.3, "rounds": rounds, "localEpochs": 1, "batchSize": 10],
        "baseline": ["epochs": 1, "evaluationsPerEpoch": 1],
    ]
}

/// The closed form of one SGD step of softmax regression from zero weights on the tiny data.
///
/// At W = 0, b = 0 every logit is 0, so p = softmax(0) = 1/C = 0.1 for every class. The mean
/// cross-entropy gradient of a batch B is g_W[j, c] = (1/|B|) Σ_{i∈B} (0.1 - [c = y_i]) x_ij and
/// g_b[c] = (1/|B|) Σ_{i∈B} (0.1 - [c = y_i]); the step moves by -η g. Row i of the tiny data has
/// x_ij = [j = i] and y_i = i, so the only non-zero weight rows are those of the labels in B.
///
/// `terms` lists (labels of a batch, coefficient w on its step): the result is Σ w · step(batch),
/// the server's weighted average of the devices' one-step updates.
func oneStepFromZero(_ terms: [(labels: [Int], weight: Double)], learningRate eta: Double = 0.3) -> [Double] {
    let d = 64, c = 10
    var expected = [Double](repeating: 0, count: d * c + c)
    for (labels, weight) in terms {
        let scale = -eta * weight / Double(labels.count)
        for y in labels {
            for k in 0 ..< c {
                let error = 0.1 - (k == y ? 1.0 : 0.0)
                expected[y * c + k] += scale * error  // x_iy = 1: weight row y
                expected[d * c + k] += scale * error  // bias
            }
        }
    }
    return expected
}

/// The largest absolute difference between a Float vector and a Double one of the same length.
func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count)")
    return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}
