import Foundation

/// Where the shipped data sets are found when a scenario does not say: the scenario's own
/// `data/` folder first, then the copy installed beside the running binary
/// (`PREFIX/bin/fedsim` -> `PREFIX/share/fedsim/data/`, by `make install`), then the source tree
/// the binary was built in (`.build/<triple>/<config>/fedsim` -> `Scenarios/data/`). So a scenario that
/// leaves out `data.path` runs from any folder.
public enum BuiltInData {
    /// The default path of the digits data, relative to the scenario's folder.
    public static let digitsDefault = "data/digits.csv"

    /// The folders searched after the scenario's own, in order: `share/fedsim/data` beside the
    /// binary's folder, then `Scenarios/data` in the four folders above the binary (SwiftPM puts it at
    /// `.build/<triple>/<config>/fedsim`).
    public static var installedFolders: [URL] {
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var folders = [folder.deletingLastPathComponent().appendingPathComponent("share/fedsim/data")]
        for _ in 0 ..< 4 {
            folder = folder.deletingLastPathComponent()
            folders.append(folder.appendingPathComponent("Scenarios/data"))
        }
        return folders
    }

    /// The first readable `name` in the installed folders, or nil.
    public static func installed(_ name: String) -> URL? {
        installedFolders.map { $0.appendingPathComponent(name).standardizedFileURL }
            .first { FileManager.default.isReadableFile(atPath: $0.path) }
    }
}
