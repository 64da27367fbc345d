/// A growable Float buffer owned by one workspace, so hot loops work on raw contiguous memory.
///
/// `reserve` reallocates only when asked for more than it holds; contents are not kept.
final class Scratch {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private var capacity: Int

    init(_ count: Int = 0) {
        capacity = max(count, 1)
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    /// A buffer of at least `count` Floats.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}
