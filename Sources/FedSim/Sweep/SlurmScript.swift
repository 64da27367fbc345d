import Foundation

/// A sweep as a Slurm job array: the batch script runs `fedsim sweep OUT/sweep.json --out OUT
/// --task $SLURM_ARRAY_TASK_ID` for each index of the array, so every array task is one
/// (point, seed) pair, written and resumable exactly like a local run. Slurm's own output of
/// task k goes to OUT/slurm/<k>.out.
public struct SlurmScript: Sendable {
    public var name: String
    /// The sweep's output folder (absolute).
    public var folder: String
    /// The fedsim binary each task runs (absolute).
    public var executable: String
    public var partition: String?
    public var time: String?

    public init(name: String, folder: String, executable: String, partition: String? = nil, time: String? = nil) {
        self.name = name
        self.folder = folder
        self.executable = executable
        self.partition = partition
        self.time = time
    }

    /// The batch script for the tasks with these indices (`--array` lists only them, so a rerun
    /// leaves out the finished ones).
    public func text(tasks: [Int]) -> String {
        var lines = [
            "#!/bin/bash",
            "# written by fedsim sweep --slurm: one array task per (point, seed) pair of \(folder)/sweep.json",
            "#SBATCH --job-name=fedsim-\(name)",
            "#SBATCH --array=\(SlurmScript.ranges(tasks))",
            "#SBATCH --output=\(folder)/slurm/%a.out",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=1",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        lines.append("exec \(SlurmScript.quoted(executable)) sweep \(SlurmScript.quoted(folder + "/sweep.json")) "
            + "--out \(SlurmScript.quoted(folder)) --task \"$SLURM_ARRAY_TASK_ID\" --quiet")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0-3,7,9-10`: indices as the ranges of sbatch's --array.
    public static func ranges(_ indices: [Int]) -> String {
        let sorted = indices.sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// A word for bash: single-quoted, each inner single quote closed, escaped and reopened.
    public static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
