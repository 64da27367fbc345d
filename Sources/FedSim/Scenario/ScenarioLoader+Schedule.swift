extension ScenarioLoader {
    /// A `schedule` object of an optimizer (README: DiLoCo, learning-rate schedules): `kind`
    /// ("constant" or "cosine", required), `warmupSteps` (0 ... ``ScenarioRange/scheduleSteps``,
    /// default 0) and, for "cosine" only, `totalSteps` (warmupSteps + 1 ... scheduleSteps, required)
    /// and `minFactor` (0 ... 1, default 0). See ``LearningRateSchedule``.
    static func readSchedule(_ node: JSONNode) throws(ScenarioError) -> LearningRateSchedule {
        let o = try node.object()
        let names = LearningRateSchedule.Kind.allCases.map(\.rawValue)
        var s = LearningRateSchedule()
        s.kind = LearningRateSchedule.Kind(rawValue: try o.required("kind", "\"constant\" or \"cosine\"").choice(names))!
        s.warmupSteps = try o.optional("warmupSteps")?.integer(min: 0, max: ScenarioRange.scheduleSteps) ?? 0
        if s.kind == .cosine {
            s.totalSteps = try o.required("totalSteps", "an integer in \(s.warmupSteps + 1)...\(ScenarioRange.scheduleSteps)")
                .integer(min: s.warmupSteps + 1, max: ScenarioRange.scheduleSteps)
            s.minFactor = try o.optional("minFactor")?.number(0...1, expected: "a factor in 0...1") ?? 0
        }
        try o.rejectUnknownKeys()
        return s
    }
}
