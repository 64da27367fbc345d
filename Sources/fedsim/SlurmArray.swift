import FedSim
import Foundation

/// A sweep as a Slurm job array: OUT/sweep.sbatch runs `fedsim sweep OUT/sweep.json --out OUT
/// --task $SLURM_ARRAY_TASK_ID` for each task index of the array, so every array task is one
/// (point, seed) pair, written and resumable exactly like a local run. Slurm's own output of task
/// k goes to OUT/slurm/<k>.out.
struct SlurmArray {
    var spec: SweepSpec
    var folder: URL
    var executable: URL
    var partition: String?
    var time: String?

    var script: URL { folder.appendingPathComponent("sweep.sbatch") }

    /// The batch script for the tasks with these indices (`--array` lists them, so finished ones are left out).
    func text(tasks: [Int]) -> String {
        let out = folder.standardizedFileURL.path
        var lines = [
            "#!/bin/bash",
            "# written by fedsim sweep --slurm: one array task per (point, seed) pair of \(out)/sweep.json",
            "#SBATCH --job-name=fedsim-\(spec.name)",
            "#SBATCH --array=\(ranges(tasks))",
            "#SBATCH --output=\(out)/slurm/%a.out",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=1",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        lines.append("exec \(quoted(executable.path)) sweep \(quoted(out + "/sweep.json")) --out \(quoted(out)) --task \"$SLURM_ARRAY_TASK_ID\" --quiet")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the script and submits it with `sbatch --parsable` (and `--wait`); returns the job id.
    func submit(tasks: [Int], wait: Bool) throws -> String {
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("slurm"), withIntermediateDirectories: true)
            try ReportWriter.writeAtomically(Data(text(tasks: tasks).utf8), to: script)
        } catch {
            throw failure("cannot write \(script.path): \(oneLine(error.localizedDescription))", code: 1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch", "--parsable"] + (wait ? ["--wait"] : []) + [script.path]
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
            throw failure("sbatch \(script.path) exited with status \(process.terminationStatus)", code: 1)
        }
        return job
    }

    /// `0-3,7,9-10`: the indices as Slurm's --array ranges.
    func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let sorted = indices.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// A word for bash: single-quoted, inner single quotes closed and escaped.
    func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
