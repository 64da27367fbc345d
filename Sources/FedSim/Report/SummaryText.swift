extension RunSummary {
    /// The summary as printed at the end of a run.
    public var text: String {
        func pct(_ x: Double) -> String { Format.fixed(100 * x, 2) + "%" }
        func opt(_ x: Double?, _ unit: String = "") -> String { x.map { Format.significant($0) + unit } ?? "not reached" }
        func optInt(_ x: Int?) -> String { x.map(String.init) ?? "not reached" }
        var lines: [String] = []
        lines.append("scenario \(scenario) (seed \(seed), \(mode), \(devices) devices, \(parameters) parameters)")
        lines.append("stopped: \(stopReason) after \(rounds) rounds, \(modelVersions) model versions")
        if let divergence { lines.append("DIVERGED: \(divergence)") }
        lines.append("")
        lines.append("                      federated        baseline")
        let accuracy = federated.finalPerplexity == nil ? "final accuracy        " : "next-char accuracy    "
        lines.append(accuracy + pad(pct(federated.finalAccuracy)) + pct(baseline.finalAccuracy))
        lines.append("best accuracy         " + pad(pct(federated.bestAccuracy)) + pct(baseline.bestAccuracy))
        lines.append("final test loss       " + pad(Format.significant(federated.finalLoss, 4)) + Format.significant(baseline.finalLoss, 4))
        if let f = federated.finalPerplexity, let b = baseline.finalPerplexity {
            lines.append("final perplexity      " + pad(Format.significant(f, 4)) + Format.significant(b, 4))
        }
        if let f = federated.finalBitsPerCharacter, let b = baseline.finalBitsPerCharacter {
            lines.append("bits per character    " + pad(Format.significant(f, 4)) + Format.significant(b, 4))
        }
        lines.append("samples processed     " + pad(String(federated.samples)) + String(baseline.samples))
        lines.append("virtual time          " + pad(Format.significant(federated.virtualTimeSeconds) + " s")
                     + Format.significant(baseline.virtualTimeSeconds) + " s")
        let targetText = targetAccuracy.map { "target accuracy       \(pct($0))" } ?? "target                \(targetOn ?? "-")"
        lines.append("\(targetText) (\(targetRule)), reached when held for \(targetConsecutive) evaluations")
        lines.append("samples to target     " + pad(optInt(federated.samplesToTarget)) + optInt(baseline.samplesToTarget))
        lines.append("time to target        " + pad(opt(federated.timeToTargetSeconds, " s")) + opt(baseline.timeToTargetSeconds, " s")
                     + " (one \(baseline.profile ?? "baseline") device)")
        lines.append("bytes up / down       \(Format.bytes(federated.bytesUp)) / \(Format.bytes(federated.bytesDown))"
                     + " (compression \(Format.significant(compression.uplinkFactor, 3))x up, \(Format.significant(compression.downlinkFactor, 3))x down vs dense float32)")
        let c = counters
        lines.append("tasks                 \(c.tasksStarted) started = \(c.tasksApplied) applied + \(c.tasksDiscardedStale) stale + \(c.tasksDroppedLate + c.tasksDroppedOffline) dropped (\(c.tasksDroppedLate) late, \(c.tasksDroppedOffline) offline/failed) + \(c.tasksInFlightAtEnd) unfinished")
        if c.failedRounds > 0 { lines.append("failed rounds         \(c.failedRounds)") }
        if let epsilon, let privacyDelta {
            lines.append("privacy               epsilon \(Format.significant(epsilon, 4)) at delta \(privacyDelta)")
        }
        lines.append("staleness             mean \(Format.fixed(staleness.mean, 2)), p50 \(staleness.p50), p90 \(staleness.p90), max \(staleness.max)")
        lines.append("")
        let u = utilisation
        let profiles = u.perProfile.keys.sorted().map { "\($0) \(Format.significant(u.perProfile[$0]!, 3))" }
        lines.append("utilisation           per profile: " + (profiles.isEmpty ? "-" : profiles.joined(separator: ", "))
                     + "; some device computing in \(u.busyShare.map(pct) ?? "-") of the run")
        let g = lossGap
        lines.append("loss gap              \(g.gap.map { Format.significant($0, 3) } ?? "-") at \(g.atSamples) samples"
                     + " (federated \(g.federatedLoss.map { Format.significant($0, 4) } ?? "-") - centralized \(g.centralizedLoss.map { Format.significant($0, 4) } ?? "-"), at \(g.comparedAt))")
        let t = timeReference
        lines.append("equal-compute ref.    \(t.flopsPerSecond.map { Format.significant($0 / 1e9, 3) } ?? "-") GFLOP/s (the fleet's mean concurrent training FLOP/s), "
                     + "time to target \(opt(t.secondsToTarget, " s"))"
                     + (t.includesDataCollection ? " incl. \(Format.significant(t.dataCollectionSeconds, 3)) s data collection"
                                                 : " (data collection \(Format.significant(t.dataCollectionSeconds, 3)) s not included)"))
        lines.append("")
        lines.append("efficiency vs centralized, claim: >= 85% (definitions in the README)")
        let e = efficiency
        for claim in e.claims {
            lines.append("  " + claim.line)
        }
        lines.append("  by time against one \(baseline.profile ?? "baseline") device \(e.timeVersusOneServer.map { Format.significant($0, 3) } ?? "-") (network latency vs one server's compute; decides nothing)")
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int = 17) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
