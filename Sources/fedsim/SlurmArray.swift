import FedSim
import Foundation

/// Writes a sweep's ``SlurmScript`` to OUT/sweep.sbatch and submits it with sbatch.
struct SlurmArray {
    var script: SlurmScript

    var file: URL { URL(fileURLWithPath: script.folder).appendingPathComponent("sweep.sbatch") }

    /// Writes the script for these tasks and submits it with `sbatch --parsable` (and `--wait`,
    /// which returns when the array is done); returns the job id.
    func submit(tasks: [Int], wait: Bool) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: script.folder + "/slurm", withIntermediateDirectories: true)
            try ReportWriter.writeAtomically(Data(script.text(tasks: tasks).utf8), to: file)
        } catch {
            throw failure("cannot write \(file.path): \(oneLine(error.localizedDescription))", code: 1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch", "--parsable"] + (wait ? ["--wait"] : []) + [file.path]
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw failure("cannot start sbatch: \(oneLine(error.localizedDescription))", code: 1)
        }
        let reply = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let job = reply.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        // With --wait, sbatch exits non-zero when a task failed; the merge then names which.
        guard !job.isEmpty, process.terminationStatus == 0 || wait else {
            throw failure("sbatch \(file.path) exited with status \(process.terminationStatus)", code: 1)
        }
        return job
    }
}
