import Foundation

/// A parameter sweep: a base scenario, points over JSON paths of it (a grid and/or explicit
/// points) and seeds. Every (point, seed) pair is one task, run as `fedsim run BASE --set ...
/// --seed s` into its own folder.
///
/// The sweep file:
/// ```json
/// {"scenario": "quickstart.json",
///  "grid": [{"path": "training.learningRate", "values": [0.1, 0.3]},
///           {"path": "training.devicesPerRound", "values": [5, 10]}],
///  "points": [{"training.learningRate": 1, "training.devicesPerRound": 20}],
///  "seeds": [1, 2, 3], "figure": "final_accuracy"}
/// ```
/// Grid points come first, the first path varying slowest, then the explicit points in order.
public struct SweepSpec: Equatable, Sendable {
    /// One point: a value for some of the swept paths (the others keep the base scenario's value).
    public typealias Point = [String: JSONValue]

    public var name: String
    /// The base scenario, as an absolute path.
    public var scenario: String
    public var grid: [(path: String, values: [JSONValue])]
    public var explicitPoints: [Point]
    public var seeds: [UInt64]
    /// The `sweep-runs.csv` column plotted against each swept path.
    public var figure: String

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool { a.json == b.json }

    /// Every swept path: the grid's in order, then the explicit points' other paths, sorted.
    public var paths: [String] {
        let gridPaths = grid.map(\.path)
        let others = Set(explicitPoints.flatMap(\.keys)).subtracting(gridPaths).sorted()
        return gridPaths + others
    }

    /// The grid's points (first path slowest), then the explicit points.
    public var points: [Point] {
        var product: [Point] = grid.isEmpty ? [] : [[:]]
        for axis in grid {
            product = product.flatMap { p in axis.values.map { v in p.merging([axis.path: v]) { $1 } } }
        }
        return product + explicitPoints
    }

    /// Every task: point-major, seeds in the order given.
    public var tasks: [SweepTask] {
        points.enumerated().flatMap { k, point in
            seeds.map { SweepTask(point: k, values: point, seed: $0) }
        }
    }

    /// Loads the sweep file at `url`; its `scenario` is resolved against the file's folder.
    public static func load(contentsOf url: URL) throws(ScenarioError) -> SweepSpec {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ScenarioError(path: "$", expected: "a readable sweep file", found: "no readable file at \(url.path)")
        }
        var spec = try parse(JSONValue.parse(data), defaultName: url.deletingPathExtension().lastPathComponent)
        spec.scenario = ScenarioLoader.resolve(spec.scenario, relativeTo: url.deletingLastPathComponent()).path
        return spec
    }

    /// Validates a sweep document (the scenario path is kept as written).
    public static func parse(_ document: JSONValue, defaultName: String = "sweep") throws(ScenarioError) -> SweepSpec {
        let root = try JSONNode(path: "$", value: document).object()
        _ = try root.optional("$schema")?.string()
        let name = try root.optional("name")?.string() ?? defaultName
        guard !name.isEmpty, !name.contains("/") else {
            throw ScenarioError(path: "$.name", expected: "a non-empty name without \"/\"", found: "\"\(name)\"")
        }
        let scenario = try root.required("scenario", "the base scenario's file name").string()
        var grid: [(path: String, values: [JSONValue])] = []
        for axisNode in try root.optional("grid")?.array() ?? [] {
            let axis = try axisNode.object()
            let path = try readPath(axis.required("path", "a scenario path such as \"training.learningRate\""))
            let values = try axis.required("values", "a non-empty array of values").array()
            guard !values.isEmpty else { throw ScenarioError(path: "\(axis.path).values", expected: "a non-empty array of values", found: "an array of 0") }
            guard !grid.contains(where: { $0.path == path }) else {
                throw ScenarioError(path: "\(axis.path).path", expected: "a path not already in the grid", found: "\"\(path)\"")
            }
            try axis.rejectUnknownKeys()
            grid.append((path, values.map(\.value)))
        }
        var points: [Point] = []
        for pointNode in try root.optional("points")?.array() ?? [] {
            let point = try pointNode.object()
            var values: Point = [:]
            for (key, value) in point.fields.sorted(by: { $0.key < $1.key }) {
                values[try readPath(JSONNode(path: "\(point.path).\(key)", value: .string(key)))] = value
            }
            points.append(values)
        }
        guard !grid.isEmpty || !points.isEmpty else {
            throw ScenarioError(path: "$.grid", expected: "a grid or explicit points (at least one)", found: "neither")
        }
        let seedNodes = try root.optional("seeds")?.array()
        let seeds = try seedNodes.map { nodes throws(ScenarioError) in
            try nodes.map { n throws(ScenarioError) in UInt64(try n.integer(min: 0, max: Int(UInt32.max))) }
        } ?? [1]
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw ScenarioError(path: "$.seeds", expected: "a non-empty array of distinct seeds", found: seeds.map(String.init).joined(separator: ", "))
        }
        let figure = try root.optional("figure")?.choice(SweepTables.figures.filter { !$0.hasSuffix("_verdict") }) ?? "final_accuracy"
        try root.rejectUnknownKeys()
        return SweepSpec(name: name, scenario: scenario, grid: grid, explicitPoints: points, seeds: seeds, figure: figure)
    }

    /// A `--set` path, checked by the same rules.
    private static func readPath(_ node: JSONNode) throws(ScenarioError) -> String {
        let text = try node.string()
        do throws(ScenarioError) {
            _ = try ScenarioOverride.steps(text)
        } catch {
            throw node.fail("a path of keys and [index] steps such as \"fleet.groups[0].count\"")
        }
        return text
    }

    /// The sweep in its input form, the scenario path absolute: what `--collect` and the Slurm tasks read.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "scenario": .string(scenario), "figure": .string(figure),
            "seeds": .array(seeds.map { .number(Double($0)) }),
        ]
        if !grid.isEmpty { o["grid"] = .array(grid.map { .object(["path": .string($0.path), "values": .array($0.values)]) }) }
        if !explicitPoints.isEmpty { o["points"] = .array(explicitPoints.map { .object($0) }) }
        return .object(o)
    }
}

/// One run of a sweep: a point and a seed.
public struct SweepTask: Equatable, Sendable {
    /// Index of the point in ``SweepSpec/points``.
    public var point: Int
    public var values: SweepSpec.Point
    public var seed: UInt64

    public init(point: Int, values: SweepSpec.Point, seed: UInt64) {
        self.point = point
        self.values = values
        self.seed = seed
    }

    /// The task's folder relative to the sweep's output folder.
    public var folder: String { "point-\(point)/seed-\(seed)" }

    /// The overrides that make the point, in path order.
    public func overrides() throws(ScenarioError) -> [ScenarioOverride] {
        try values.keys.sorted().map { path throws(ScenarioError) in
            ScenarioOverride(steps: try ScenarioOverride.steps(path), value: values[path]!)
        }
    }

    /// The `--set` arguments that make the point: `PATH=JSON`.
    public var setArguments: [String] {
        values.keys.sorted().map { "\($0)=\(values[$0]!.jsonText)" }
    }
}

extension JSONValue {
    /// The value as compact JSON text (numbers as ``summary`` writes them).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? summary
    }
}
