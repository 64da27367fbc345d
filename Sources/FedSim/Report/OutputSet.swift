import Foundation

/// A run's output folder, written as one: the files go into a private staging folder beside the
/// destination (`.<name>.partial-<pid>-<random>`), renamed into place when they are all written
/// (a previous set is renamed aside first, then deleted). A reader sees the previous set, the new
/// one, or for an instant none, never a mix of two runs' outputs; concurrent runs on one
/// destination each install a whole set (the last one wins).
///
/// Creating the staging folder is the writability check, done before training. An existing
/// destination must be a folder that is not the current folder or one above it, and its
/// `curve.csv`, `summary.json` and `devices.csv`, if any, must be files. Entries of the previous
/// folder that the new set does not write (a sweep's `run.log`, a user's notes) are moved into the
/// new set before it is installed, so nothing but fedsim's own outputs is ever replaced.
public struct OutputSet: Sendable {
    public let destination: URL
    public let staging: URL

    /// Checks the destination and creates the staging folder (and the destination's parents).
    public init(destination: URL) throws {
        self.destination = destination
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: destination.path, isDirectory: &isFolder) {
            let here = URL(fileURLWithPath: fm.currentDirectoryPath).standardizedFileURL.path + "/"
            guard isFolder.boolValue, !here.hasPrefix(destination.standardizedFileURL.path + "/") else {
                throw OutputSet.failure("\(destination.path) is not a folder fedsim may replace (a file, or the current folder or one above it)")
            }
            for name in ["curve.csv", "summary.json", "devices.csv"] {
                var entryIsFolder: ObjCBool = false
                if fm.fileExists(atPath: destination.appendingPathComponent(name).path, isDirectory: &entryIsFolder), entryIsFolder.boolValue {
                    throw OutputSet.failure("\(destination.appendingPathComponent(name).path) is a folder, not a file fedsim may replace")
                }
            }
        }
        let parent = destination.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let tag = "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(tag)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
    }

    /// Moves the staging folder into place. A set already there is first renamed aside (to a
    /// name private to this run) and deleted after; a concurrent run may install its set between
    /// the two renames, so this repeats until the staging folder is in place.
    public func install() throws {
        let aside = staging.deletingLastPathComponent().appendingPathComponent(staging.lastPathComponent + ".old")
        let fm = FileManager.default
        // Keep what the previous folder holds beyond the new set (a rename keeps open files valid).
        let written = Set((try? fm.contentsOfDirectory(atPath: staging.path)) ?? [])
        for name in (try? fm.contentsOfDirectory(atPath: destination.path)) ?? [] where !written.contains(name) {
            _ = rename(destination.appendingPathComponent(name).path, staging.appendingPathComponent(name).path)
        }
        for attempt in 0 ..< 100 {
            if rename(staging.path, destination.path) == 0 { break }
            guard errno == EEXIST || errno == ENOTEMPTY, attempt < 99 else { throw OutputSet.failure(String(cString: strerror(errno))) }
            try? FileManager.default.removeItem(at: aside)
            if rename(destination.path, aside.path) != 0 && errno != ENOENT {
                throw OutputSet.failure(String(cString: strerror(errno)))
            }
        }
        try? FileManager.default.removeItem(at: aside)
    }

    /// Deletes the staging folder (after a failure).
    public func discard() {
        try? FileManager.default.removeItem(at: staging)
    }

    static func failure(_ why: String) -> Error {
        CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: why])
    }
}
