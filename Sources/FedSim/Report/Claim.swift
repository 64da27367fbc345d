/// `holds`, `fails` or `undecided`: the answer to "does this figure reach the claimed share".
public enum Verdict: String, Codable, Equatable, Sendable {
    case holds, fails, undecided
}

/// One efficiency figure tested against the claim "federated training reaches 85% of centralized
/// training efficiency", named by the definition it uses (the README defines each).
public struct Claim: Codable, Equatable, Sendable {
    /// The definition tested, e.g. "compute utilisation".
    public var definition: String
    /// The figure; nil when it does not exist (a side never reached the target, nothing computed).
    @NullWhenAbsent public var value: Double?
    public var verdict: Verdict
    /// Why the verdict is what it is when `value` alone does not say (nil otherwise).
    @NullWhenAbsent public var note: String?

    /// `holds` when value >= threshold, `fails` when below; without a value `fails` when `upperBound`
    /// (the most the figure can be) is below the threshold, else `undecided`, with `note` saying why.
    public init(_ definition: String, value: Double?, upperBound: Double? = nil, note: String? = nil,
                threshold: Double = RunSummary.claimThreshold) {
        self.definition = definition
        self.value = value
        self.note = note
        if let value {
            verdict = value >= threshold ? .holds : .fails
        } else if let upperBound, upperBound < threshold {
            verdict = .fails
        } else {
            verdict = .undecided
        }
    }

    /// "compute utilisation 0.71 — fails 0.85", with the note after it when there is one.
    public var line: String {
        let shown = value.map { Format.significant($0, 3) } ?? "-"
        let threshold = Format.compact(RunSummary.claimThreshold, 2)
        return "\(definition) \(shown) \u{2014} \(verdict.rawValue) \(threshold)" + (note.map { " (\($0))" } ?? "")
    }
}

/// The rules behind the efficiency figures, on curves of evaluations in the order they were made.
public enum EfficiencyRules {
    /// The first evaluation from which accuracy (any higher-is-better score, see ``TargetRule/score(_:)``:
    /// a lower-is-better metric enters negated) stays at or above `target` for `consecutive`
    /// evaluations in a row (that one included), so a single noisy spike does not count; nil when
    /// no such run of evaluations exists (also when the curve ends before the run is complete).
    public static func firstSustained(_ accuracies: [Double], target: Double, consecutive: Int) -> Int? {
        precondition(consecutive >= 1, "consecutive must be at least 1")
        var streak = 0
        for (i, a) in accuracies.enumerated() {
            streak = a >= target ? streak + 1 : 0
            if streak == consecutive { return i - consecutive + 1 }
        }
        return nil
    }

    /// y at `x` on the piecewise-linear curve through `points` (sorted by x, ties allowed): the
    /// value at a point's x is the last point's with that x; nil outside [first x, last x].
    public static func interpolate(_ points: [(x: Double, y: Double)], at x: Double) -> Double? {
        guard let first = points.first, let last = points.last, x >= first.x, x <= last.x else { return nil }
        guard let upper = points.firstIndex(where: { $0.x > x }) else { return last.y }
        let a = points[upper - 1], b = points[upper]
        return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
    }
}
