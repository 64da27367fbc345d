import Foundation

/// The sweep's charts: the chosen figure against each swept path whose values are numbers, one
/// series per combination of the other swept values, the mean over seeds with its 95% Student-t
/// interval (``SeedStatistics/interval(_:confidence:)``) drawn as dashed lower and upper lines.
public enum SweepPlots {
    /// `(file name, SVG)` per numeric swept path: `<figure>-vs-<path>.svg`.
    public static func charts(_ spec: SweepSpec, results: [SweepTables.TaskResult]) -> [(fileName: String, svg: String)] {
        let paths = spec.paths
        var charts: [(fileName: String, svg: String)] = []
        for path in paths {
            let others = paths.filter { $0 != path }
            // (series label, x) -> values over seeds, in task order.
            var labels: [String] = []
            var values: [String: [Double: [Double]]] = [:]
            let swept = results.compactMap { $0.task.values[path] }
            guard swept.allSatisfy({ if case .number = $0 { return true } else { return false } }) else { continue }
            for r in results {
                guard let summary = r.summary, let y = SweepTables.figure(spec.figure, of: summary) else { continue }
                guard case .number(let x)? = r.task.values[path] else { continue }
                let label = others.map { "\($0)=\(r.task.values[$0]?.plainText ?? "base")" }.joined(separator: ", ")
                if values[label] == nil { labels.append(label) }
                values[label, default: [:]][x, default: []].append(y)
            }
            guard !labels.isEmpty else { continue }
            var series: [ChartSeries] = []
            for label in labels {
                let byX = values[label]!.sorted { $0.key < $1.key }.map { ($0.key, SeedStatistics.interval($0.value)) }
                let name = label.isEmpty ? spec.figure : label
                series.append(ChartSeries(name: name, points: byX.map { (x: $0.0, y: $0.1.mean) }))
                if byX.contains(where: { $0.1.n > 1 }) {
                    series.append(ChartSeries(name: "\(name): 95% low", points: byX.map { (x: $0.0, y: $0.1.low) }, dashed: true))
                    series.append(ChartSeries(name: "\(name): 95% high", points: byX.map { (x: $0.0, y: $0.1.high) }, dashed: true))
                }
            }
            let chart = SVGChart(title: "\(spec.name): \(spec.figure) against \(path) (mean over \(spec.seeds.count) seeds)",
                                 xLabel: path, yLabel: spec.figure, series: series)
            let safe = path.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            charts.append(("\(spec.figure)-vs-\(safe).svg", chart.render()))
        }
        return charts
    }
}
