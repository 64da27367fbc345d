import Foundation

/// A run's output folder, written as one: the files go into a private staging folder beside the
/// destination (`.<name>.partial-<pid>-<random>`), renamed into place when they are all written
/// (a previous set is renamed aside first, then deleted). A reader sees the previous set, the new
/// one, or for an instant none, never a mix; concurrent runs on one destination each install a
/// whole set (the last one wins).
///
/// Creating the staging folder is the writability check, done before training. A destination
/// that exists must be a folder fedsim may replace: empty, or holding a previous run's
/// `summary.json` or `seeds.json` (so `--out .` can never replace a folder of other files).
public struct OutputSet: Sendable {
    public let destination: URL
    public let staging: URL

    /// Checks the destination and creates the staging folder (and the destination's parents).
    public init(destination: URL) throws {
        self.destination = destination
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: destination.path, isDirectory: &isFolder) {
            let entries = (try? fm.contentsOfDirectory(atPath: destination.path)) ?? []
            guard isFolder.boolValue, entries.isEmpty || entries.contains("summary.json") || entries.contains("seeds.json") else {
                throw OutputSet.failure("\(destination.path) exists and is not a fedsim results folder (no summary.json); choose another --out")
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
