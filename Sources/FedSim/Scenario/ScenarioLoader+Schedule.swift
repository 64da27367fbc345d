extension ScenarioLoader {
    /// A `schedule` object of an optimizer (README: DiLoCo, learning-rate schedules): `kind`
    /// ("constant" or "cosine", required), `warmupSteps` (0 ... ``ScenarioRange/scheduleSteps``,
    /// default 0) and, for "cosine" only, `totalSteps` (1 ... scheduleSteps and > warmupSteps, required)
    /// and `minFactor` (0 ... 1, default 0). See ``LearningRateSchedule``.
    static func readSchedule(_ node: JSONNode) throws(ScenarioError) -> LearningRateSchedule {
        let o = try node.object()
        let names = LearningRateSchedule.Kind.allCases.map(\.rawValue)
        var s = LearningRateSchedule()
        s.kind = LearningRateSchedule.Kind(rawValue: try o.required("kind", "\"constant\" or \"cosine\"").choice(names))!
        s.warmupSteps = try o.optional("warmupSteps")?.integer(min: 0, max: ScenarioRange.scheduleSteps) ?? 0
        if s.kind == .cosine {
            let total = try o.required("totalSteps", "an integer in 1...\(ScenarioRange.scheduleSteps)")
            s.totalSteps = try total.integer(min: 1, max: ScenarioRange.scheduleSteps)
            if s.totalSteps <= s.warmupSteps {
                throw ScenarioError(path: total.path, expected: "a totalSteps > warmupSteps (\(s.warmupSteps))", found: "\(s.totalSteps)")
            }
            s.minFactor = try o.optional("minFactor")?.number(0...1, expected: "a factor in 0...1") ?? 0
        }
        try o.rejectUnknownKeys()
        return s
    }
}
