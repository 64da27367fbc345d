/// The progress rule of the asynchronous modes (README: "Progress guarantees").
///
/// Synchronous FedAvg always progresses: every round closes (a round without an update counts as
/// failed), so its round limit ends it. An asynchronous run only counts model versions, which
/// need arrivals; where the scenario makes it certain that no task can complete
/// (`failureProbability` 1), validation refuses it. What remains is a fleet whose tasks are all
/// lost in practice (devices that go offline before any task finishes): the run stops with a
/// message once ``limit`` tasks in a row were lost with no update arriving in between.
struct ProgressWatch {
    /// Consecutive lost tasks, with no arrival between them, after which a run stops.
    static let limit = 100_000
    private var uploadsSeen = 0
    private var lostInARow = 0

    /// Books a lost task given the uploads (arrivals) so far; returns the stop message once the
    /// limit is reached.
    mutating func taskLost(uploadsSoFar uploads: Int) -> String? {
        if uploads != uploadsSeen {
            uploadsSeen = uploads
            lostInARow = 0
        }
        lostInARow += 1
        guard lostInARow >= ProgressWatch.limit else { return nil }
        return "no progress: \(ProgressWatch.limit) tasks in a row were lost (offline or failed) with no update arriving; no model version can be made"
    }
}
