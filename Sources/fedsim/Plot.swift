import ArgumentParser
import FedSim
import Foundation

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a run's accuracy charts as SVG files.",
        discussion: """
            Reads RUN_DIR/curve.csv and writes accuracy-vs-time.svg, accuracy-vs-samples.svg and \
            accuracy-vs-bytes.svg into RUN_DIR (`fedsim run` already writes them; this redraws them, \
            for example from a curve kept elsewhere). A `run --seeds` folder stands for its \
            seed-<k> folders, each charted in place. Charts are titled with the scenario name from \
            RUN_DIR/summary.json, or the folder's name when there is none. Exit status: 0 on \
            success, 1 when the charts cannot be written, 2 when the curve cannot be read.
            """
    )

    @Argument(help: ArgumentHelp("The run's output folder.", valueName: "run-dir"), completion: .directory)
    var runDir: String

    func run() throws {
        for dir in expandSeeds(runDir) { try plot(dir) }
    }

    func plot(_ dir: String) throws {
        let folder = URL(fileURLWithPath: dir)
        let curve = try readCurve(folder.appendingPathComponent("curve.csv"))
        let summary = try? summaryDecoder().decode(RunSummary.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json")))
        let title = summary?.scenario ?? folder.standardizedFileURL.lastPathComponent
        let files: [URL]
        do {
            files = try Plots.write(curve: curve, title: title, to: folder)
        } catch {
            throw failure("cannot write charts to \(folder.path): \(oneLine(error.localizedDescription))", code: 1)
        }
        for file in files { print(file.path) }
    }
}
