extension ReportWriter {
    /// The header of `seeds-curve.csv`: `seed`, then the columns of `curve.csv`.
    public static let seedsCurveHeader = "seed," + curveHeader

    /// `seeds-curve.csv` of `run --seeds`: every seed's `curve.csv` rows, in seed order, each led by
    /// its seed, so the runs load as one tidy table.
    public static func seedsCurveCSV(_ runs: [(seed: UInt64, curve: [CurvePoint])]) -> String {
        var out = seedsCurveHeader + "\n"
        for run in runs {
            for line in curveCSV(run.curve).split(separator: "\n").dropFirst() {
                out += "\(run.seed),\(line)\n"
            }
        }
        return out
    }
}
