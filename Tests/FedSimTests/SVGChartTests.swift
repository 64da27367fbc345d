import Foundation
import Testing

@testable import FedSim

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What an SVG document contained, as seen by an XML parser.
private final class ParsedSVGDocument: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    var elements: [Element] = []
    private var open: [Int] = []
    var parseError: String?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
        open.append(elements.count - 1)
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        self.parseError = "\(parseError)"
    }

    var texts: [String] { elements.filter { $0.name == "text" }.map(\.text) }
    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

/// Parses `svg` and fails the test if it is not well-formed XML with an `<svg>` root.
private func parseSVGDocument(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedSVGDocument {
    let doc = ParsedSVGDocument()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = doc
    let ok = parser.parse()
    #expect(ok, "not well-formed XML: \(doc.parseError ?? "?")", sourceLocation: sourceLocation)
    #expect(doc.elements.first?.name == "svg", sourceLocation: sourceLocation)
    return doc
}

private func sampleAccuracyChart() -> SVGChart {
    let times = stride(from: 0.0, through: 120.0, by: 4.0).map { $0 }
    let fed = times.map { t in (x: t, y: 0.95 * (1 - exp(-t / 30))) }
    let base = times.map { t in (x: t, y: 0.97 * (1 - exp(-t / 15))) }
    return SVGChart(
        title: "Accuracy vs virtual time", xLabel: "virtual time (s)", yLabel: "test accuracy",
        series: [
            ChartSeries(name: "federated", points: fed),
            ChartSeries(name: "centralised baseline", points: base, dashed: true),
        ])
}

private func sampleBytesChart() -> SVGChart {
    let bytes: [Double] = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8]
    return SVGChart(
        title: "Accuracy vs bytes uploaded", xLabel: "bytes uploaded (B)", yLabel: "test accuracy",
        xScale: .log10, yRange: 0...1,
        series: [
            ChartSeries(name: "FedAvg", xs: bytes, ys: bytes.map { 0.1 + 0.085 * Foundation.log10($0 / 1e3) * 2 }),
            ChartSeries(name: "compressed", xs: bytes.map { $0 / 8 }, ys: bytes.map { 0.1 + 0.08 * Foundation.log10($0 / 1e3) * 2 },
                        dashed: true),
        ])
}

/// Every (x, y) pair of every polyline.
private func svgPolylinePoints(_ doc: ParsedSVGDocument) -> [(Double, Double)] {
    doc.all("polyline").flatMap { el in
        (el.attributes["points"] ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double(String($0))! }
            return (xy[0], xy[1])
        }
    }
}

/// The plot frame: the only unfilled rectangle.
private func svgPlotFrame(_ doc: ParsedSVGDocument) -> (x: Double, y: Double, w: Double, h: Double)? {
    guard let r = doc.all("rect").first(where: { $0.attributes["fill"] == "none" }) else { return nil }
    let v = { (k: String) in Double(r.attributes[k] ?? "") ?? .nan }
    return (v("x"), v("y"), v("width"), v("height"))
}

@Suite("SVGChart")
struct SVGChartTests {
    @Test func normalChartIsWellFormedAndComplete() {
        let svg = sampleAccuracyChart().render()
        let doc = parseSVGDocument(svg)
        #expect(doc.elements.first?.attributes["width"] == "720")
        #expect(doc.elements.first?.attributes["height"] == "440")
        #expect(doc.all("polyline").count == 2)
        #expect(doc.all("polyline")[1].attributes["stroke-dasharray"] != nil)
        #expect(doc.all("polyline")[0].attributes["stroke-dasharray"] == nil)
        #expect(doc.all("polyline")[0].attributes["stroke"] == SVGChart.palette[0])
        #expect(doc.all("polyline")[1].attributes["stroke"] == SVGChart.palette[1])
        let texts = doc.texts
        for expected in ["Accuracy vs virtual time", "virtual time (s)", "test accuracy", "0", "60", "120", "0.0", "0.4", "1.0"] {
            #expect(texts.contains(expected), "missing text \(expected)")
        }
        #expect(!texts.contains("no data"))
    }

    @Test func legendListsEverySeries() {
        var chart = sampleAccuracyChart()
        chart.series += (0..<9).map { i in
            ChartSeries(name: "client \(i)", points: [(x: Double(i), y: 0.5), (x: Double(i + 1), y: 0.6)])
        }
        let doc = parseSVGDocument(chart.render())
        for s in chart.series {
            #expect(doc.texts.filter { $0 == s.name }.count == 1, "legend lacks \(s.name)")
        }
        // Colours cycle through the palette in series order.
        #expect(doc.all("polyline").count == 11)
        #expect(doc.all("polyline")[8].attributes["stroke"] == SVGChart.palette[0])
        // ...and once the palette repeats, the stroke pattern changes so series stay distinguishable.
        #expect(doc.all("polyline")[0].attributes["stroke-dasharray"] == nil)
        #expect(doc.all("polyline")[8].attributes["stroke-dasharray"] == "1 4")
        #expect(SVGChart.dashArray(forSeriesAt: 1, dashed: true) == "6 4")
        #expect(SVGChart.dashArray(forSeriesAt: 9, dashed: true) != "6 4")
    }

    @Test func emptyChartSaysNoData() {
        let doc = parseSVGDocument(SVGChart(title: "t", xLabel: "x (s)", yLabel: "y").render())
        #expect(doc.texts.contains("no data"))
        #expect(doc.all("polyline").isEmpty)

        // Series present but without a single usable point: legend still lists them.
        let chart = SVGChart(
            title: "t", xLabel: "x", yLabel: "y", xScale: .log10,
            series: [
                ChartSeries(name: "empty", points: []),
                ChartSeries(name: "bad", points: [(x: .nan, y: 1), (x: 0, y: 1), (x: -5, y: 2), (x: 10, y: .infinity)]),
            ])
        let doc2 = parseSVGDocument(chart.render())
        #expect(doc2.texts.contains("no data"))
        #expect(doc2.texts.contains("empty") && doc2.texts.contains("bad"))
    }

    @Test func singlePointDrawsMarker() {
        let chart = SVGChart(
            title: "one", xLabel: "x", yLabel: "y",
            series: [ChartSeries(name: "lonely", points: [(x: 3, y: 0.5)])])
        let doc = parseSVGDocument(chart.render())
        #expect(doc.all("polyline").isEmpty)
        // One marker in the plot, one in the legend.
        #expect(doc.all("circle").count == 2)
        let frame = svgPlotFrame(doc)!
        let c = doc.all("circle")[0]
        let cx = Double(c.attributes["cx"]!)!, cy = Double(c.attributes["cy"]!)!
        #expect(cx >= frame.x && cx <= frame.x + frame.w && cy >= frame.y && cy <= frame.y + frame.h)
        #expect(!doc.texts.contains("no data"))
    }

    @Test func nonFiniteValuesAreSkipped() {
        let chart = SVGChart(
            title: "gaps", xLabel: "x", yLabel: "y",
            series: [
                ChartSeries(
                    name: "gappy",
                    points: [(0, 0.1), (1, .nan), (2, 0.3), (.infinity, 0.4), (4, -.infinity), (5, 0.6)].map { (x: $0.0, y: $0.1) })
            ])
        let svg = chart.render()
        let doc = parseSVGDocument(svg)
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.lowercased().contains("inf"))
        #expect(svgPolylinePoints(doc).count == 3)
    }

    @Test func logScaleChart() {
        let doc = parseSVGDocument(sampleBytesChart().render())
        let texts = doc.texts
        for label in ["100", "1k", "10k", "100k", "1M", "10M", "100M"] {
            #expect(texts.contains(label), "missing log tick \(label)")
        }
        #expect(doc.all("polyline").count == 2)
    }

    @Test func pointsAreClippedToThePlotArea() {
        let chart = SVGChart(
            title: "clip", xLabel: "x", yLabel: "y", yRange: 0...1,
            series: [ChartSeries(name: "wild", points: [(x: 0, y: 0.5), (x: 1, y: 5), (x: 2, y: 0.5), (x: 3, y: -1e300), (x: 4, y: 0.2)])])
        let doc = parseSVGDocument(chart.render())
        let frame = svgPlotFrame(doc)!
        let pts = svgPolylinePoints(doc)
        #expect(!pts.isEmpty)
        for (x, y) in pts {
            #expect(x >= frame.x - 0.011 && x <= frame.x + frame.w + 0.011)
            #expect(y >= frame.y - 0.011 && y <= frame.y + frame.h + 0.011)
        }
        // The excursions split the line into visible pieces.
        #expect(doc.all("polyline").count == 3)
    }

    @Test func niceTicks() {
        func close(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * Swift.max(1, Swift.abs($1)) }
        }
        let t1 = SVGChart.niceTicks(0...1)
        #expect(close(t1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), "\(t1)")
        #expect(t1 == [0, 0.2, 0.4, 0.6, 0.8, 1.0], "exact decimal values, no 0.6000000000000001")
        let t2 = SVGChart.niceTicks(0...0.97)
        #expect(close(t2, [0, 0.2, 0.4, 0.6, 0.8]), "\(t2)")
        let t3 = SVGChart.niceTicks(3...17)
        #expect(close(t3, [4, 6, 8, 10, 12, 14, 16]), "\(t3)")
        let t4 = SVGChart.niceTicks(1e3...1e8, scale: .log10)
        #expect(close(t4, [1e3, 1e4, 1e5, 1e6, 1e7, 1e8]), "\(t4)")
        let t5 = SVGChart.niceTicks(0...120)
        #expect(close(t5, [0, 20, 40, 60, 80, 100, 120]), "\(t5)")
        let t6 = SVGChart.niceTicks(-1...1)
        #expect(close(t6, [-1, -0.5, 0, 0.5, 1]), "\(t6)")
        // Many decades are thinned; a sub-decade log range falls back to 1/2/5 steps.
        let t7 = SVGChart.niceTicks(1...1e12, scale: .log10, targetCount: 6)
        #expect(t7.count <= 7 && t7.first == 1, "\(t7)")
        let t8 = SVGChart.niceTicks(150...900, scale: .log10)
        #expect(close(t8, [200, 500]), "\(t8)")
        // Degenerate ranges do not crash.
        #expect(SVGChart.niceTicks(5...5) == [5])
    }

    @Test func labelsAndNumbers() {
        #expect(SVGChart.siLabel(mantissa: 1, exponent: 3) == "1k")
        #expect(SVGChart.siLabel(mantissa: 1, exponent: 4) == "10k")
        #expect(SVGChart.siLabel(mantissa: 1, exponent: 6) == "1M")
        #expect(SVGChart.siLabel(mantissa: 5, exponent: 8) == "500M")
        #expect(SVGChart.siLabel(mantissa: 1, exponent: -2) == "0.01")
        #expect(SVGChart.fixed(-0.0, 2, trim: true) == "0")
        #expect(SVGChart.fixed(-0.0001, 2, trim: false) == "0.00")
        #expect(SVGChart.fixed(-1.5, 2, trim: true) == "-1.5")
        #expect(SVGChart.fixed(0.6000000000000001, 1, trim: false) == "0.6")
        // Decimal literals that look like ties are not: the double nearest 1234.005 is
        // 1234.0050000000001091..., above the tie; the one nearest 1.005 is 1.00499999999999989...
        #expect(SVGChart.fixed(1234.005, 2, trim: false) == "1234.01")
        #expect(SVGChart.fixed(1.005, 2, trim: false) == "1.00")
        // Exact binary ties round away from zero: 0.125 and -2.5 are representable.
        #expect(SVGChart.fixed(0.125, 2, trim: false) == "0.13")
        #expect(SVGChart.fixed(-2.5, 0, trim: false) == "-3")
        #expect(SVGChart.fixed(12, 3, trim: false) == "12.000")
        // Large linear values use SI suffixes.
        let step = SVGChart.tickStep(0, 5e6, count: 5)!
        let labels = SVGChart.linearLabels(SVGChart.linearTicks(0, 5e6, step: step), step: step).map(\.label)
        #expect(labels == ["0", "1M", "2M", "3M", "4M", "5M"], "\(labels)")
    }

    @Test func noNegativeZeroInOutput() {
        let chart = SVGChart(
            title: "neg", xLabel: "x", yLabel: "y",
            series: [ChartSeries(name: "s", points: [(x: -1, y: -0.5), (x: 0, y: 0), (x: 1, y: 0.5)])])
        let svg = chart.render()
        _ = parseSVGDocument(svg)
        for bad in ["\"-0\"", "\"-0.", ">-0<", " -0,", ",-0 ", ",-0\"", "\"-0,"] {
            #expect(!svg.contains(bad), "found \(bad)")
        }
    }

    @Test func textIsEscaped() {
        #expect(SVGChart.escapeXML("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect(SVGChart.escapeXML("bell\u{07}") == "bell\u{FFFD}")
        let nasty = "<script>alert(\"x\")</script> & 'more'"
        let chart = SVGChart(
            title: nasty, xLabel: "size <B>", yLabel: "a & b",
            series: [ChartSeries(name: "R&D \"v2\" <fast>", points: [(x: 0, y: 1), (x: 1, y: 2)])])
        let svg = chart.render()
        #expect(!svg.contains("<script>"))
        let doc = parseSVGDocument(svg)
        #expect(doc.all("script").isEmpty)
        #expect(doc.texts.contains(nasty))
        #expect(doc.texts.contains("size <B>"))
        #expect(doc.texts.contains("a & b"))
        #expect(doc.texts.contains("R&D \"v2\" <fast>"))
    }

    @Test func renderingIsDeterministic() {
        let a = sampleAccuracyChart().render()
        let b = sampleAccuracyChart().render()
        #expect(a == b)
        let chart = sampleBytesChart()
        #expect(chart.render() == chart.render())
        #expect(a != chart.render())
    }

    @Test func tinyAndHugeCanvasesStillRender() {
        var chart = sampleAccuracyChart()
        chart.width = 10
        chart.height = 10
        _ = parseSVGDocument(chart.render())
        chart.width = 4000
        chart.height = 3000
        _ = parseSVGDocument(chart.render())
        chart.series = [ChartSeries(name: "flat", points: [(x: 1, y: 7), (x: 1, y: 7)])]
        _ = parseSVGDocument(chart.render())
    }
}
