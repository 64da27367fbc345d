import Foundation

/// fedsim-fuzz: a mutation fuzzer of the scenario reader and validator, and of short runs, that
/// drives the built `fedsim` binary as a subprocess (so a trap shows as a signal exit). README:
/// "Fuzzing". Exit status 0 when no mutant trapped, hung or broke an output rule; 1 otherwise.
struct Options {
    var binary = ".build/release/fedsim"
    var scenarios = "Scenarios"
    var count = 300
    var runEvery = 8
    var seed: UInt64 = 1
    var timeout = 30.0
    var work = NSTemporaryDirectory() + "fedsim-fuzz-\(getpid())"
    var keep = false
    var short: String?

    init(_ args: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < args.count else { fatalError("missing value after \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--binary": binary = value()
            case "--scenarios": scenarios = value()
            case "--count": count = Int(value())!
            case "--run-every": runEvery = Int(value())!
            case "--seed": seed = UInt64(value())!
            case "--timeout": timeout = Double(value())!
            case "--work": work = value()
            case "--keep": keep = true
            case "--short": short = value()
            default:
                print("usage: fedsim-fuzz [--binary B] [--scenarios DIR] [--count N] [--run-every K] [--seed S] [--timeout SEC] [--work DIR] [--keep] | --short MUTANT")
                exit(2)
            }
            i += 1
        }
    }
}

let options = Options(CommandLine.arguments)
// --short MUTANT prints the mutant as its short run would run it (to replay a mutant of a campaign).
if let file = options.short {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8), let tree = Tree.parse(text) else {
        print("fedsim-fuzz: \(file) is not well-formed JSON the fuzzer can read")
        exit(2)
    }
    print(ShortRun.apply(tree).text)
    exit(0)
}
let fm = FileManager.default
let scenarioFolder = URL(fileURLWithPath: options.scenarios).standardizedFileURL
let bases: [(String, Tree)] = try! fm.contentsOfDirectory(atPath: scenarioFolder.path).filter { $0.hasSuffix(".json") }.sorted().compactMap { file in
    guard let text = try? String(contentsOf: scenarioFolder.appendingPathComponent(file), encoding: .utf8), let tree = Tree.parse(text) else { return nil }
    return (file, tree)
}
guard !bases.isEmpty else { print("fedsim-fuzz: no scenarios in \(scenarioFolder.path)"); exit(2) }

let work = URL(fileURLWithPath: options.work)
try? fm.removeItem(at: work)
try! fm.createDirectory(at: work, withIntermediateDirectories: true)
// Mutants live in work/, whose data/ is the shipped data, so relative data paths resolve. The
// binary is copied there, so a rebuild during a campaign cannot change or remove it.
try! fm.createSymbolicLink(at: work.appendingPathComponent("data"), withDestinationURL: scenarioFolder.appendingPathComponent("data"))
let binary = work.appendingPathComponent("fedsim").path
guard (try? fm.copyItem(atPath: options.binary, toPath: binary)) != nil else {
    print("fedsim-fuzz: cannot copy the binary \(options.binary) (build it with swift build -c release --product fedsim)")
    exit(2)
}

var mutator = Mutator(rng: SplitMix64(state: options.seed))
var tally = Tally()
let started = Date()
var validCount = 0
for i in 0 ..< options.count {
    let (baseName, base) = mutator.rng.pick(bases)
    let text = mutator.mutate(base)
    let file = work.appendingPathComponent("m\(i).json")
    try! Data(text.utf8).write(to: file)
    let label = "mutant \(i) of \(baseName) (seed \(options.seed))"
    let v = Harness.execute(binary, ["validate", file.path], timeout: options.timeout)
    let verdict = Harness.judgeValidate(v)
    tally.add("validate", verdict, label: label, file: file)
    guard v.status == 0 else { continue }
    validCount += 1
    guard validCount % options.runEvery == 0, let tree = Tree.parse(text) else { continue }
    let capped = work.appendingPathComponent("r\(i).json")
    try! Data(ShortRun.apply(tree).text.utf8).write(to: capped)
    let out = work.appendingPathComponent("out-\(i)")
    let r = Harness.execute(binary, ["run", capped.path, "--out", out.path, "--quiet", "--threads", "1"], timeout: options.timeout)
    tally.add("run", Harness.judgeRun(r, out: out), label: label + " run", file: capped)
    if !options.keep { try? fm.removeItem(at: out) }
}
print(tally.report(seconds: Date().timeIntervalSince(started), options: options))
if !options.keep && tally.failures.isEmpty { try? fm.removeItem(at: work) }
exit(tally.failures.isEmpty ? 0 : 1)
