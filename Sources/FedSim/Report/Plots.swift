import Foundation

/// The standard charts of one run, drawn from its curve with `SVGChart`.
///
/// - `accuracy-vs-time.svg`: test accuracy against virtual time, federated solid, baseline dashed.
///   The centralized baseline usually finishes in a tiny fraction of the federated run's time; when
///   its last time is below 1% of the federated one, the x axis is log10 (time-0 points skipped).
/// - `accuracy-vs-samples.svg`: test accuracy against training samples processed, both runs.
/// - `accuracy-vs-bytes.svg`: test accuracy against bytes sent up + down, log10, federated only
///   (the baseline sends nothing; points with zero bytes are skipped).
public enum Plots {
    /// Series names used in every chart.
    static let federatedName = "federated"
    static let baselineName = "baseline"

    /// The three charts as (file name, SVG document), in the order listed above.
    /// `title` (e.g. the scenario name) prefixes each chart title when not empty.
    public static func charts(for curve: [CurvePoint], title: String) -> [(fileName: String, svg: String)] {
        let federated = curve.filter { $0.run == .federated }
        let baseline = curve.filter { $0.run == .baseline }
        func heading(_ what: String) -> String { title.isEmpty ? what : "\(title): \(what)" }
        func series(_ name: String, _ points: [CurvePoint], dashed: Bool = false,
                    x: (CurvePoint) -> Double, keep: (CurvePoint) -> Bool = { _ in true }) -> [ChartSeries] {
            let kept = points.filter(keep)
            guard !kept.isEmpty else { return [] }
            return [ChartSeries(name: name, points: kept.map { (x: x($0), y: $0.accuracy) }, dashed: dashed)]
        }
        let yLabel = "test accuracy"

        // Accuracy vs virtual time.
        let logTime = useLogTime(federated: federated, baseline: baseline)
        let positiveTime: (CurvePoint) -> Bool = { !logTime || $0.time > 0 }
        let byTime = SVGChart(
            title: heading("accuracy vs virtual time"),
            xLabel: logTime ? "virtual time (s) (log scale)" : "virtual time (s)", yLabel: yLabel,
            xScale: logTime ? .log10 : .linear, yRange: 0...1,
            series: series(federatedName, federated, x: \.time, keep: positiveTime)
                + series(baselineName, baseline, dashed: true, x: \.time, keep: positiveTime))

        // Accuracy vs samples processed.
        let bySamples = SVGChart(
            title: heading("accuracy vs training samples"),
            xLabel: "training samples processed", yLabel: yLabel, yRange: 0...1,
            series: series(federatedName, federated, x: { Double($0.samples) })
                + series(baselineName, baseline, dashed: true, x: { Double($0.samples) }))

        // Accuracy vs bytes on the wire.
        let sent: (CurvePoint) -> Double = { Double($0.bytesUp) + Double($0.bytesDown) }
        let byBytes = SVGChart(
            title: heading("accuracy vs bytes sent"),
            xLabel: "bytes sent, up + down (log scale)", yLabel: yLabel, xScale: .log10, yRange: 0...1,
            series: series(federatedName, federated, x: sent, keep: { sent($0) > 0 }))

        return [
            ("accuracy-vs-time.svg", byTime.render()),
            ("accuracy-vs-samples.svg", bySamples.render()),
            ("accuracy-vs-bytes.svg", byBytes.render()),
        ]
    }

    /// Writes the charts into `folder` (created if needed), each atomically; returns their paths.
    @discardableResult
    public static func write(curve: [CurvePoint], title: String, to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var urls: [URL] = []
        for chart in charts(for: curve, title: title) {
            let url = folder.appendingPathComponent(chart.fileName)
            try ReportWriter.writeAtomically(Data(chart.svg.utf8), to: url)
            urls.append(url)
        }
        return urls
    }

    /// True when the baseline's last time is positive but below 1% of the federated run's last time,
    /// so that a linear axis would squash the baseline curve against x = 0.
    static func useLogTime(federated: [CurvePoint], baseline: [CurvePoint]) -> Bool {
        guard let f = federated.last?.time, let b = baseline.last?.time, f.isFinite, b.isFinite,
              f > 0, b > 0 else { return false }
        return b < 0.01 * f
    }
}
