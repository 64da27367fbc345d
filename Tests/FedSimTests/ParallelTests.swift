import Foundation
import Testing
@testable import FedSim

@Suite("Thread pool")
struct ParallelTests {
    @Test("results come back in index order at 1, 2 and 4 threads", arguments: [1, 2, 4])
    func indexOrder(_ threads: Int) {
        for count in [0, 1, 3, 100] {
            let squares = parallelMap(count: count, threads: threads, cost: { Double($0 % 7) }) { $0 * $0 }
            #expect(squares == (0 ..< count).map { $0 * $0 })
        }
    }

    @Test("one thread runs the tasks largest cost first, ties in index order")
    func largestFirst() {
        // With one participant, the execution order is the scheduling order itself.
        let log = PerWorker { OrderLog() }
        let costs: [Double] = [1, 5, 3, 5, 0, 9]
        _ = parallelMap(count: costs.count, threads: 1, cost: { costs[$0] }, contexts: log) { i, entry in entry!.order.append(i) }
        // Sorted by cost descending (9, 5, 5, 3, 1, 0); the two 5s keep index order (1 before 3).
        #expect(log.made == 1)
        #expect(log.all.map(\.order) == [[5, 1, 3, 2, 0, 4]])
    }

    @Test("each worker keeps one context across tasks and calls, and every task runs exactly once", arguments: [2, 4])
    func contextsReused(_ threads: Int) {
        let log = PerWorker { OrderLog() }
        var seen: [Int] = []
        for call in 0 ..< 3 {
            let ran = parallelMap(count: 50, threads: threads, cost: { Double($0) }, contexts: log) { i, entry in
                entry!.order.append(call * 50 + i)
                return call * 50 + i
            }
            seen += ran
        }
        #expect(seen == Array(0 ..< 150))
        #expect(log.made >= 1 && log.made <= threads && log.all.count == log.made)
        // The contexts' logs together hold every task exactly once.
        #expect(log.all.flatMap(\.order).sorted() == Array(0 ..< 150))
    }
}

/// A per-worker log of the task indices it ran.
final class OrderLog: @unchecked Sendable {
    var order: [Int] = []
}

@Suite("Determinism at 1, 2 and 4 threads")
struct ThreadCountDeterminismTests {
    /// Every mode, plain, with compression (top-k, QSGD values, error feedback) and with central
    /// and local DP: the outputs at 2 and 4 threads equal those at 1, byte for byte.
    @Test("curve.csv, summary.json and devices.csv are byte-identical at 1, 2 and 4 threads",
          arguments: ["fedavg", "fedasync", "fedbuff"], ["plain", "compression", "central-dp", "local-dp"])
    func identical(_ mode: String, _ variant: String) throws {
        var json = smallScenarioJSON(devices: 24, perRound: 6, rounds: 6)
        json = setting(json, "training.mode", mode)
        if mode != "fedavg" {
            json = setting(json, "training.devicesPerRound", nil)
            json = setting(json, "training.concurrency", 6)
        }
        switch variant {
        case "compression":
            json["compression"] = ["uplink": ["kind": "topk", "fraction": 0.05, "values": "qsgd", "levels": 8], "errorFeedback": true]
        case "central-dp", "local-dp":
            json = setting(json, "training.weighting", "uniform")
            json["privacy"] = ["mode": variant == "local-dp" ? "local" : "central", "clip": 1.0, "noiseMultiplier": 0.5]
        default:
            break
        }
        let s = try scenario(json)
        var outputs: [[String]] = []
        for threads in [1, 2, 4] {
            let r = try PreparedRun(s).run(threads: threads)
            outputs.append([ReportWriter.curveCSV(r.curve), String(decoding: try ReportWriter.json(r.summary), as: UTF8.self),
                            String(decoding: ReportWriter.devicesCSV(r.federated.ledger, fleet: r.fleet), as: UTF8.self)])
        }
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }
}
