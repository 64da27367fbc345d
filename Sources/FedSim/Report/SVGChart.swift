import Foundation

// A dependency-free SVG line-chart writer for fedsim reports.
//
// Output is deterministic: the same chart value always renders to the same bytes.
// Numbers are formatted by hand (no locale, no `String(format:)`), there are no
// dates, random ids or dictionary iteration, and `-0` is never printed.

/// One line on a chart, drawn in the order given (points are not sorted).
public struct ChartSeries: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// Draw the line dashed (e.g. for a baseline or reference curve).
    public var dashed: Bool

    public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
        self.name = name
        self.points = points
        self.dashed = dashed
    }

    /// Pairs `xs[i]` with `ys[i]`; extra values in the longer array are ignored.
    public init(name: String, xs: [Double], ys: [Double], dashed: Bool = false) {
        self.init(name: name, points: zip(xs, ys).map { (x: $0, y: $1) }, dashed: dashed)
    }
}

/// How the x axis maps values to positions.
public enum AxisScale: Sendable, Equatable {
    case linear
    /// Logarithmic (base 10); ticks at powers of ten labelled with SI suffixes (1k, 10k, 1M ...).
    case log10
}

/// A line chart rendered as a standalone SVG document.
public struct SVGChart: Sendable {
    public var title: String
    /// Axis labels, including units, e.g. "virtual time (s)".
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    /// Fixed y range; `nil` fits the data (extended to nice tick values).
    /// Points outside a fixed range are clipped at the plot edge.
    public var yRange: ClosedRange<Double>?
    public var series: [ChartSeries]
    /// Pixel size of the SVG document.
    public var width = 720
    public var height = 440

    public init(
        title: String,
        xLabel: String,
        yLabel: String,
        xScale: AxisScale = .linear,
        yRange: ClosedRange<Double>? = nil,
        series: [ChartSeries] = [],
        width: Int = 720,
        height: Int = 440
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yRange = yRange
        self.series = series
        self.width = width
        self.height = height
    }

    /// Okabe-Ito colour-blind-safe palette, assigned in series order (cycled beyond eight series).
    /// Yellow is last because it is hard to see on white.
    public static let palette: [String] = [
        "#0072B2",  // blue
        "#D55E00",  // vermillion
        "#009E73",  // bluish green
        "#CC79A7",  // reddish purple
        "#E69F00",  // orange
        "#56B4E9",  // sky blue
        "#000000",  // black
        "#F0E442",  // yellow
    ]

    /// Colour of the series at `index`.
    public static func color(forSeriesAt index: Int) -> String {
        palette[((index % palette.count) + palette.count) % palette.count]
    }

    /// The stroke pattern of the series at `index` (nil = solid). The first eight series are
    /// solid or dashed ("6 4") as asked; once the palette repeats, the pattern changes so that no
    /// two series look alike: dotted instead of solid, dash-dot instead of dashed.
    public static func dashArray(forSeriesAt index: Int, dashed: Bool) -> String? {
        let cycle = max(0, index) / palette.count
        switch (cycle % 2, dashed) {
        case (0, false): return nil
        case (0, true): return "6 4"
        case (_, false): return "1 4"
        case (_, true): return "10 4 1 4"
        }
    }

    /// Tick values inside `range`.
    ///
    /// Linear: multiples of a 1/2/5 x 10^n step chosen so that roughly `targetCount`
    /// intervals cover the range (e.g. `0...1` gives 0, 0.2, ..., 1).
    /// Log10: powers of ten inside the range (thinned to about `targetCount` labels when
    /// the range spans many decades); for a range narrower than a decade, 1/2/5 x 10^n.
    public static func niceTicks(
        _ range: ClosedRange<Double>, scale: AxisScale = .linear, targetCount: Int = 6
    ) -> [Double] {
        switch scale {
        case .linear:
            guard let step = tickStep(range.lowerBound, range.upperBound, count: targetCount) else {
                return range.lowerBound.isFinite ? [range.lowerBound] : []
            }
            return linearTicks(range.lowerBound, range.upperBound, step: step)
        case .log10:
            return logTicks(range.lowerBound, range.upperBound, maxCount: max(2, targetCount)).map(\.value)
        }
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes. Characters XML 1.0
    /// cannot carry (control characters) become U+FFFD; tabs and newlines become spaces.
    public static func escapeXML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// The whole SVG document as a string. Deterministic: the same input gives
    /// byte-identical output (fixed number formatting, no dates, no random ids).
    public func render() -> String {
        let w = Double(max(width, 160))
        let h = Double(max(height, 120))

        // Valid points per series: finite, and x > 0 on a log axis.
        let clean: [[(x: Double, y: Double)]] = series.map { s in
            s.points.filter { p in
                p.x.isFinite && p.y.isFinite && (xScale == .linear || p.x > 0)
            }
        }
        let all = clean.flatMap { $0 }
        let hasData = !all.isEmpty

        var svg = ""
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\""
        svg += " viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"\(Style.fontFamily)\" role=\"img\">\n"
        svg += "<title>\(Self.escapeXML(title))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(w))\" height=\"\(Int(h))\" fill=\"#ffffff\"/>\n"

        // MARK: Title
        var top = 10.0
        if !title.isEmpty {
            let size = Self.fitFont(title, preferred: Style.titleSize, available: w - 20, bold: true)
            top += size
            svg += text(title, x: w / 2, y: top, size: size, anchor: "middle", extra: " font-weight=\"bold\"")
            top += 10
        }

        // MARK: Legend layout (outside the plot, right-aligned above it)
        let plotRight = w - Style.marginRight
        let legend = legendLayout(clean: clean, rightEdge: plotRight, availableWidth: plotRight - 10, top: top)
        if let legend {
            top = legend.box.y + legend.box.height
        }
        let plotTop = top + 12
        let plotBottom = h - (xLabel.isEmpty ? 28 : 48)
        let plotH = max(20, plotBottom - plotTop)

        // MARK: Y axis
        var yTicks: [Tick] = []
        var yDomain = (lo: 0.0, hi: 1.0)
        if hasData {
            let count = min(8, max(2, Int(plotH / 50)))
            (yDomain, yTicks) = yAxis(values: all.map(\.y), count: count, maxTicks: min(11, max(3, Int(plotH / 24))))
        }
        let yLabelW = yTicks.map { Self.textWidth($0.label, size: Style.tickSize) }.max() ?? 0
        let plotLeft = (yLabel.isEmpty ? 10 : 28) + yLabelW + 9
        let plotW = max(20, plotRight - plotLeft)

        // MARK: X axis
        var xTicks: [Tick] = []
        var xMinor: [Double] = []
        var xDomain = (lo: 0.0, hi: 1.0)
        if hasData {
            let xs = all.map(\.x)
            switch xScale {
            case .linear:
                let lo = xs.min()!, hi = xs.max()!
                // Room per label: about as many digits as the largest value has, plus a gap.
                let magnitude = Swift.max(Swift.abs(lo), Swift.abs(hi))
                let digits = magnitude >= 1 ? Swift.min(7, Int(Foundation.log10(magnitude)) + 1) : 3
                let room = Swift.max(30, Double(digits + (lo < 0 ? 1 : 0)) * 0.64 * Style.tickSize + 16)
                let count = min(10, max(2, Int(plotW / 95)))
                (xDomain, xTicks) = Self.fitLinear(
                    lo: lo, hi: hi, count: count, maxTicks: min(12, max(3, Int(plotW / room))))
            case .log10:
                let lo = xs.min()!, hi = xs.max()!
                var a = Int((Foundation.log10(lo) + 1e-9).rounded(.down))
                var b = Int((Foundation.log10(hi) - 1e-9).rounded(.up))
                if a >= b { a -= 1; b += 1 }
                // When decades are thinned (every 2nd, 3rd ...), end the axis on a labelled decade.
                let maxCount = max(2, Int(plotW / 55))
                for _ in 0..<4 {
                    let stride = max(1, (b - a + 1 + maxCount - 1) / maxCount)
                    let end = a + (b - a + stride - 1) / stride * stride
                    if end == b { break }
                    b = end
                }
                xDomain = (Self.pow10(a), Self.pow10(b))
                xTicks = Self.logTicks(xDomain.lo, xDomain.hi, maxCount: maxCount)
                if b - a <= 8 {
                    for n in a..<b {
                        for m in 2...9 { xMinor.append(Double(m) * Self.pow10(n)) }
                    }
                }
            }
        }

        // Coordinate mapping.
        let scale = xScale
        func px(_ x: Double) -> Double {
            let t: Double
            switch scale {
            case .linear: t = (x - xDomain.lo) / (xDomain.hi - xDomain.lo)
            case .log10:
                let l = Foundation.log10(xDomain.lo)
                t = (Foundation.log10(x) - l) / (Foundation.log10(xDomain.hi) - l)
            }
            return Self.clampPixel(plotLeft + t * plotW)
        }
        func py(_ y: Double) -> Double {
            Self.clampPixel(plotBottom - (y - yDomain.lo) / (yDomain.hi - yDomain.lo) * plotH)
        }
        let n = Self.num

        // MARK: Grid
        if hasData {
            svg += "<g stroke-width=\"1\" shape-rendering=\"crispEdges\">\n"
            for v in xMinor where v > xDomain.lo && v < xDomain.hi {
                let x = n(px(v))
                svg += "<line x1=\"\(x)\" y1=\"\(n(plotTop))\" x2=\"\(x)\" y2=\"\(n(plotBottom))\" stroke=\"\(Style.minorGrid)\"/>\n"
            }
            for t in xTicks {
                let x = n(px(t.value))
                svg += "<line x1=\"\(x)\" y1=\"\(n(plotTop))\" x2=\"\(x)\" y2=\"\(n(plotBottom))\" stroke=\"\(Style.grid)\"/>\n"
            }
            for t in yTicks {
                let y = n(py(t.value))
                svg += "<line x1=\"\(n(plotLeft))\" y1=\"\(y)\" x2=\"\(n(plotRight))\" y2=\"\(y)\" stroke=\"\(Style.grid)\"/>\n"
            }
            svg += "</g>\n"
        }

        // MARK: Frame
        svg += "<rect x=\"\(n(plotLeft))\" y=\"\(n(plotTop))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\""
        svg += " fill=\"none\" stroke=\"\(Style.frame)\" stroke-width=\"1\" shape-rendering=\"crispEdges\"/>\n"

        // MARK: Ticks and tick labels
        if hasData {
            svg += "<g stroke=\"\(Style.axis)\" stroke-width=\"1\" shape-rendering=\"crispEdges\">\n"
            for t in xTicks {
                let x = n(px(t.value))
                svg += "<line x1=\"\(x)\" y1=\"\(n(plotBottom))\" x2=\"\(x)\" y2=\"\(n(plotBottom + 5))\"/>\n"
            }
            for t in yTicks {
                let y = n(py(t.value))
                svg += "<line x1=\"\(n(plotLeft - 5))\" y1=\"\(y)\" x2=\"\(n(plotLeft))\" y2=\"\(y)\"/>\n"
            }
            svg += "</g>\n"

            let xSpacing = xTicks.count > 1 ? plotW / Double(xTicks.count - 1) : plotW
            let xMaxW = xTicks.map { Self.textWidth($0.label, size: Style.tickSize) }.max() ?? 0
            var xStride = 1
            if xScale == .linear {
                while Double(xStride) * xSpacing < xMaxW + 10 && xStride < xTicks.count { xStride += 1 }
            } else {
                // Log ticks are not evenly spaced in value but are in pixels (whole decades).
                let gaps = zip(xTicks, xTicks.dropFirst()).map { px($1.value) - px($0.value) }
                let minGap = gaps.min() ?? plotW
                while Double(xStride) * minGap < xMaxW + 10 && xStride < xTicks.count { xStride += 1 }
            }
            for (i, t) in xTicks.enumerated() where i % xStride == 0 {
                svg += text(t.label, x: px(t.value), y: plotBottom + 18, size: Style.tickSize, anchor: "middle")
            }
            let ySpacing = yTicks.count > 1 ? plotH / Double(yTicks.count - 1) : plotH
            var yStride = 1
            while Double(yStride) * ySpacing < Style.tickSize + 5 && yStride < yTicks.count { yStride += 1 }
            for (i, t) in yTicks.enumerated() where i % yStride == 0 {
                svg += text(t.label, x: plotLeft - 8, y: py(t.value), size: Style.tickSize, anchor: "end",
                            extra: " dy=\"0.35em\"")
            }
        }

        // MARK: Axis labels
        if !xLabel.isEmpty {
            let size = Self.fitFont(xLabel, preferred: Style.labelSize, available: w - 20, bold: false)
            svg += text(xLabel, x: (plotLeft + plotRight) / 2, y: h - 12, size: size, anchor: "middle")
        }
        if !yLabel.isEmpty {
            let size = Self.fitFont(yLabel, preferred: Style.labelSize, available: plotH + 30, bold: false)
            let cy = (plotTop + plotBottom) / 2
            svg += "<text transform=\"translate(18,\(n(cy))) rotate(-90)\" font-size=\"\(n(size))\""
            svg += " text-anchor=\"middle\" fill=\"\(Style.text)\">\(Self.escapeXML(yLabel))</text>\n"
        }

        // MARK: Series
        if hasData {
            let rect = Rect(minX: plotLeft, minY: plotTop, maxX: plotRight, maxY: plotBottom)
            svg += "<g fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
            for (i, pts) in clean.enumerated() {
                let color = Self.color(forSeriesAt: i)
                let dash = Self.dashAttribute(forSeriesAt: i, dashed: series[i].dashed)
                let pixels = pts.map { Point(x: px($0.x), y: py($0.y)) }
                if pixels.count == 1 {
                    let p = pixels[0]
                    if rect.contains(p) {
                        svg += "<circle cx=\"\(n(p.x))\" cy=\"\(n(p.y))\" r=\"4\" fill=\"\(color)\" stroke=\"none\"/>\n"
                    }
                    continue
                }
                for run in Self.clippedRuns(pixels, to: rect) {
                    let list = run.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
                    svg += "<polyline points=\"\(list)\" stroke=\"\(color)\"\(dash)/>\n"
                }
            }
            svg += "</g>\n"
        } else {
            svg += text("no data", x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, size: 14,
                        anchor: "middle", fill: Style.muted, extra: " dy=\"0.35em\" font-style=\"italic\"")
        }

        // MARK: Legend
        if let legend {
            let b = legend.box
            svg += "<rect x=\"\(n(b.x))\" y=\"\(n(b.y))\" width=\"\(n(b.width))\" height=\"\(n(b.height))\""
            svg += " fill=\"#ffffff\" stroke=\"\(Style.legendBorder)\" stroke-width=\"1\" rx=\"3\"/>\n"
            for e in legend.entries {
                let color = Self.color(forSeriesAt: e.index)
                let midY = e.y
                if clean[e.index].count == 1 {
                    svg += "<circle cx=\"\(n(e.x + Style.swatch / 2))\" cy=\"\(n(midY))\" r=\"4\" fill=\"\(color)\"/>\n"
                } else {
                    let dash = Self.dashAttribute(forSeriesAt: e.index, dashed: series[e.index].dashed)
                    svg += "<line x1=\"\(n(e.x))\" y1=\"\(n(midY))\" x2=\"\(n(e.x + Style.swatch))\" y2=\"\(n(midY))\""
                    svg += " stroke=\"\(color)\" stroke-width=\"2\" stroke-linecap=\"round\"\(dash)/>\n"
                }
                svg += text(series[e.index].name, x: e.x + Style.swatch + 6, y: midY, size: Style.legendSize,
                            anchor: "start", extra: " dy=\"0.35em\"")
            }
        }

        svg += "</svg>\n"
        return svg
    }
}

// MARK: - Implementation details

extension SVGChart {
    fileprivate enum Style {
        static let fontFamily = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
        static let titleSize = 15.0
        static let labelSize = 12.0
        static let tickSize = 11.0
        static let legendSize = 12.0
        static let text = "#222222"
        static let muted = "#777777"
        static let axis = "#444444"
        static let frame = "#888888"
        static let grid = "#e2e2e2"
        static let minorGrid = "#f2f2f2"
        static let legendBorder = "#bbbbbb"
        static let marginRight = 26.0
        static let swatch = 24.0
        static let legendRow = 18.0
        static let legendPad = 8.0
        static let legendGap = 16.0
    }

    struct Tick: Equatable {
        var value: Double
        var label: String
    }

    /// A tick step `mantissa x 10^exponent`, mantissa in {1, 2, 5}.
    struct Step: Equatable {
        var mantissa: Int
        var exponent: Int
        var value: Double { SVGChart.scaled(Double(mantissa), exponent) }
    }

    fileprivate struct Point: Equatable {
        var x: Double
        var y: Double
    }

    fileprivate struct Rect {
        var minX, minY, maxX, maxY: Double
        func contains(_ p: Point) -> Bool {
            p.x >= minX - 0.01 && p.x <= maxX + 0.01 && p.y >= minY - 0.01 && p.y <= maxY + 0.01
        }
    }

    fileprivate struct Legend {
        struct Entry {
            var index: Int
            var x: Double  // left of swatch
            var y: Double  // vertical centre of the row
        }
        var box: (x: Double, y: Double, width: Double, height: Double)
        var entries: [Entry]
    }

    fileprivate static func dashAttribute(forSeriesAt index: Int, dashed: Bool) -> String {
        dashArray(forSeriesAt: index, dashed: dashed).map { " stroke-dasharray=\"\($0)\"" } ?? ""
    }

    // MARK: Text helpers

    fileprivate func text(
        _ s: String, x: Double, y: Double, size: Double, anchor: String,
        fill: String = Style.text, extra: String = ""
    ) -> String {
        "<text x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-size=\"\(Self.num(size))\" text-anchor=\"\(anchor)\""
            + " fill=\"\(fill)\"\(extra)>\(Self.escapeXML(s))</text>\n"
    }

    /// Rough rendered width of `s` in a DejaVu/Helvetica-like sans-serif font.
    static func textWidth(_ s: String, size: Double) -> Double {
        var em = 0.0
        for u in s.unicodeScalars {
            switch u {
            case "i", "j", "l", "t", "f", "r", "I", ".", ",", ":", ";", "|", "!", "'", "(", ")", "[", "]", " ":
                em += 0.37
            case "m", "w", "M", "W", "%", "@":
                em += 0.92
            case "A"..."Z":
                em += 0.72
            case "0"..."9":
                em += 0.64
            default:
                em += u.value >= 0x2E80 ? 1.0 : 0.62
            }
        }
        return em * size
    }

    /// The preferred font size, shrunk (down to 8) so that `s` fits in `available` pixels.
    static func fitFont(_ s: String, preferred: Double, available: Double, bold: Bool) -> Double {
        let est = textWidth(s, size: preferred) * (bold ? 1.08 : 1.0)
        guard est > available, est > 0 else { return preferred }
        return max(8, (preferred * available / est * 10).rounded(.down) / 10)
    }

    // MARK: Legend

    fileprivate func legendLayout(
        clean: [[(x: Double, y: Double)]], rightEdge: Double, availableWidth: Double, top: Double
    ) -> Legend? {
        guard !series.isEmpty else { return nil }
        let widths = series.map { Style.swatch + 6 + Self.textWidth($0.name, size: Style.legendSize) }
        let inner = max(40, availableWidth - 2 * Style.legendPad)
        var rows: [[Int]] = [[]]
        var rowWidth = 0.0
        for (i, ew) in widths.enumerated() {
            let needed = rows[rows.count - 1].isEmpty ? ew : rowWidth + Style.legendGap + ew
            if needed > inner && !rows[rows.count - 1].isEmpty {
                rows.append([i])
                rowWidth = ew
            } else {
                rows[rows.count - 1].append(i)
                rowWidth = needed
            }
        }
        let rowWidths = rows.map { r in
            r.map { widths[$0] }.reduce(0, +) + Style.legendGap * Double(max(0, r.count - 1))
        }
        let boxW = (rowWidths.max() ?? 0) + 2 * Style.legendPad
        let boxH = Double(rows.count) * Style.legendRow + 8
        let boxX = max(4, rightEdge - boxW)
        var entries: [Legend.Entry] = []
        for (r, row) in rows.enumerated() {
            var x = boxX + Style.legendPad
            let y = top + 4 + Double(r) * Style.legendRow + Style.legendRow / 2
            for i in row {
                entries.append(.init(index: i, x: x, y: y))
                x += widths[i] + Style.legendGap
            }
        }
        return Legend(box: (boxX, top, boxW, boxH), entries: entries)
    }

    // MARK: Axes

    /// Y domain and ticks: the fixed `yRange` if usable, else the data range widened to nice ticks.
    fileprivate func yAxis(values: [Double], count: Int, maxTicks: Int) -> ((lo: Double, hi: Double), [Tick]) {
        if let r = yRange, r.lowerBound.isFinite, r.upperBound.isFinite {
            var lo = r.lowerBound, hi = r.upperBound
            if hi - lo <= 0 || !(hi - lo).isFinite {
                let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1
                lo -= pad
                hi += pad
            }
            guard let step = Self.tickStep(lo, hi, count: count) else { return ((lo, hi), []) }
            let ticks = Self.linearTicks(lo, hi, step: step)
            return ((lo, hi), Self.linearLabels(ticks, step: step))
        }
        return Self.fitLinear(lo: values.min()!, hi: values.max()!, count: count, maxTicks: maxTicks)
    }

    /// Widens `lo...hi` outward to multiples of a nice step and returns the domain and its ticks.
    ///
    /// Starts with about `count` intervals and allows up to `maxTicks` ticks when a finer step
    /// wastes less of the plot (e.g. 0...120 on a narrow axis: 0, 20, ..., 120 rather than 0...150).
    static func fitLinear(
        lo: Double, hi: Double, count: Int, maxTicks: Int = 0
    ) -> ((lo: Double, hi: Double), [Tick]) {
        var lo = lo, hi = hi
        if !(hi - lo > 0) || !(hi - lo).isFinite {
            let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let first = max(1, count)
        let limit = max(first, maxTicks - 1)
        var best: (waste: Double, domain: (lo: Double, hi: Double), step: Step)?
        for c in first...limit {
            guard let step = tickStep(lo, hi, count: c) else { break }
            let s = step.value
            let a = (lo / s + 1e-9).rounded(.down), b = (hi / s - 1e-9).rounded(.up)
            var domain = (lo: lo, hi: hi)
            if Swift.abs(a) < 1e15, Swift.abs(b) < 1e15 {
                let nlo = scaled(a * Double(step.mantissa), step.exponent)
                let nhi = scaled(b * Double(step.mantissa), step.exponent)
                if nhi > nlo, nlo.isFinite, nhi.isFinite {
                    domain = (Swift.min(lo, nlo), Swift.max(hi, nhi))
                }
            }
            if c > first && maxTicks > 0 && b - a + 1 > Double(maxTicks) { continue }
            let waste = 1 - (hi - lo) / (domain.hi - domain.lo)
            if best == nil || waste < best!.waste - 1e-9 { best = (waste, domain, step) }
            if waste <= 0.15 { break }
        }
        guard let best else { return ((lo, hi), []) }
        let ticks = linearTicks(best.domain.lo, best.domain.hi, step: best.step)
        return (best.domain, linearLabels(ticks, step: best.step))
    }

    /// The 1/2/5 x 10^n step giving about `count` intervals over `lo...hi` (nil if the range is empty).
    static func tickStep(_ lo: Double, _ hi: Double, count: Int) -> Step? {
        let span = hi - lo
        guard lo.isFinite, hi.isFinite, span > 0, span.isFinite else { return nil }
        let raw = span / Double(max(1, count))
        var e = Int(Foundation.log10(raw).rounded(.down))
        var err = raw / pow10(e)
        if err >= 10 { e += 1; err /= 10 }
        if err < 1 { e -= 1; err *= 10 }
        var m: Int
        if err >= 50.0.squareRoot() {
            m = 10
        } else if err >= 10.0.squareRoot() {
            m = 5
        } else if err >= 2.0.squareRoot() {
            m = 2
        } else {
            m = 1
        }
        if m == 10 { m = 1; e += 1 }
        return Step(mantissa: m, exponent: e)
    }

    /// All multiples of `step` in `lo...hi`, computed without accumulated rounding error.
    static func linearTicks(_ lo: Double, _ hi: Double, step: Step) -> [Double] {
        let s = step.value
        let a = lo / s, b = hi / s
        guard s > 0, Swift.abs(a) < 1e15, Swift.abs(b) < 1e15 else { return [] }
        let first = Int((a - 1e-9).rounded(.up)), last = Int((b + 1e-9).rounded(.down))
        guard last >= first, last - first <= 1000 else { return [] }
        return (first...last).map { scaled(Double($0) * Double(step.mantissa), step.exponent) }
    }

    /// Labels with as many decimals as the step needs; SI suffixes (k, M, G ...) for large values.
    static func linearLabels(_ values: [Double], step: Step) -> [Tick] {
        let maxAbs = values.map { Swift.abs($0) }.max() ?? 0
        var group = 0
        if maxAbs >= 1e6 {
            while group < siSuffixes.count - 1 && maxAbs >= pow10(3 * (group + 1)) * (1 - 1e-12) { group += 1 }
        }
        let decimals = max(0, 3 * group - step.exponent)
        let divisor = pow10(3 * group)
        return values.map { v in
            let body = fixed(v / divisor, decimals, trim: false)
            return Tick(value: v, label: body == "0" || group == 0 ? body : body + siSuffixes[group])
        }
    }

    static let siSuffixes = ["", "k", "M", "G", "T", "P", "E"]

    /// Log-axis ticks in `lo...hi` (both > 0): powers of ten, thinned to at most `maxCount`;
    /// if fewer than two fit, 1/2/5 x 10^n; if still fewer than two, linear ticks.
    static func logTicks(_ lo: Double, _ hi: Double, maxCount: Int) -> [Tick] {
        guard lo > 0, hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let a = Int((Foundation.log10(lo) - 1e-9).rounded(.up))
        let b = Int((Foundation.log10(hi) + 1e-9).rounded(.down))
        if b > a {
            let decades = b - a + 1
            let stride = max(1, (decades + maxCount - 1) / max(1, maxCount))
            return Swift.stride(from: a, through: b, by: stride).map {
                Tick(value: pow10($0), label: siLabel(mantissa: 1, exponent: $0))
            }
        }
        var ticks: [Tick] = []
        let ea = Int((Foundation.log10(lo) + 1e-9).rounded(.down))
        for e in ea...(ea + 1) {
            for m in [1, 2, 5] {
                let v = scaled(Double(m), e)
                if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) {
                    ticks.append(Tick(value: v, label: siLabel(mantissa: m, exponent: e)))
                }
            }
        }
        if ticks.count >= 2 { return ticks }
        guard let step = tickStep(lo, hi, count: maxCount) else { return ticks }
        return linearLabels(linearTicks(lo, hi, step: step), step: step)
    }

    /// `m x 10^e` written with SI suffixes: 1, 10, 100, 1k, 20k, 500M, 1G; 0.01 below one.
    static func siLabel(mantissa m: Int, exponent e: Int) -> String {
        if e >= 0 && e < 3 * siSuffixes.count {
            let group = e / 3
            var digits = String(m)
            digits += String(repeating: "0", count: e % 3)
            return digits + siSuffixes[group]
        }
        if e < 0 && e >= -6 {
            return fixed(scaled(Double(m), e), -e, trim: true)
        }
        return "\(m)e\(e)"
    }

    // MARK: Numbers

    /// 10^n, exact for |n| <= 22.
    static func pow10(_ n: Int) -> Double {
        if n < 0 { return 1 / pow10(-n) }
        var r = 1.0
        for _ in 0..<min(n, 400) { r *= 10 }
        return r
    }

    /// `k x 10^e`, correctly rounded for integral k and |e| <= 22 (0.2 * 3 would give 0.6000000000000001).
    static func scaled(_ k: Double, _ e: Int) -> Double {
        e >= 0 ? k * pow10(e) : k / pow10(-e)
    }

    /// Fixed-point formatting, independent of locale; never prints "-0".
    static func fixed(_ v: Double, _ decimals: Int, trim: Bool) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v < 0 ? "-inf" : "inf") }
        let d = max(0, min(decimals, 15))
        let s = (v * pow10(d)).rounded(.toNearestOrAwayFromZero)
        guard Swift.abs(s) < 9e15 else { return "\(v)" }
        let n = Int64(s)
        if n == 0 { return trim || d == 0 ? "0" : "0." + String(repeating: "0", count: d) }
        var p: UInt64 = 1
        for _ in 0..<d { p *= 10 }
        let mag = n.magnitude
        var frac = d == 0 ? "" : String(mag % p)
        if d > 0 { frac = String(repeating: "0", count: d - frac.count) + frac }
        if trim {
            while frac.hasSuffix("0") { frac.removeLast() }
        }
        return (n < 0 ? "-" : "") + String(mag / p) + (frac.isEmpty ? "" : "." + frac)
    }

    /// SVG coordinate: at most two decimals, trailing zeros trimmed.
    static func num(_ v: Double) -> String { fixed(v, 2, trim: true) }

    /// Keeps far-off-chart pixel positions finite and modest before clipping.
    static func clampPixel(_ v: Double) -> Double {
        v.isNaN ? 0 : Swift.min(1e7, Swift.max(-1e7, v))
    }

    // MARK: Clipping

    /// Splits the polyline through `points` into the runs that lie inside `rect`.
    fileprivate static func clippedRuns(_ points: [Point], to rect: Rect) -> [[Point]] {
        var runs: [[Point]] = []
        var current: [Point] = []
        var endedAtVertex = false
        for k in points.indices.dropFirst() {
            guard let (a, b, t0, t1) = clipSegment(points[k - 1], points[k], to: rect) else {
                if current.count > 1 { runs.append(current) }
                current = []
                endedAtVertex = false
                continue
            }
            if !current.isEmpty && endedAtVertex && t0 == 0 {
                current.append(b)
            } else {
                if current.count > 1 { runs.append(current) }
                current = [a, b]
            }
            endedAtVertex = t1 == 1
        }
        if current.count > 1 { runs.append(current) }
        return runs
    }

    /// Liang-Barsky clipping of the segment p0-p1; returns the visible part and its parameters.
    fileprivate static func clipSegment(
        _ p0: Point, _ p1: Point, to r: Rect
    ) -> (Point, Point, Double, Double)? {
        let dx = p1.x - p0.x, dy = p1.y - p0.y
        var t0 = 0.0, t1 = 1.0
        let edges: [(p: Double, q: Double)] = [
            (-dx, p0.x - r.minX), (dx, r.maxX - p0.x), (-dy, p0.y - r.minY), (dy, r.maxY - p0.y),
        ]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let t = q / p
                if p < 0 {
                    if t > t1 { return nil }
                    if t > t0 { t0 = t }
                } else {
                    if t < t0 { return nil }
                    if t < t1 { t1 = t }
                }
            }
        }
        let a = t0 == 0 ? p0 : Point(x: p0.x + t0 * dx, y: p0.y + t0 * dy)
        let b = t1 == 1 ? p1 : Point(x: p0.x + t1 * dx, y: p0.y + t1 * dy)
        return (a, b, t0, t1)
    }
}
