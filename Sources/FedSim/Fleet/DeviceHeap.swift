import FedSimEngine

/// A min-heap of devices keyed by a time, indexed by device so that a device's entry can be set,
/// moved or removed in O(log n) (a binary heap with a position table; Cormen, Leiserson, Rivest,
/// Stein, "Introduction to Algorithms", ch. 6.5). Equal times are ordered by device id, so the
/// order of pops never depends on the order of insertions. Memory: 16 bytes per device of the
/// universe (a key, a position, a heap slot).
struct DeviceHeap {
    private var heap: [Int32] = []
    /// Where each device sits in `heap`, or -1.
    private var position: [Int32]
    private var key: [Int64]

    /// An empty heap over devices 0 ..< n.
    init(universe n: Int) {
        position = [Int32](repeating: -1, count: n)
        key = [Int64](repeating: 0, count: n)
        heap.reserveCapacity(n)
    }

    /// Number of devices in the heap.
    var count: Int { heap.count }

    /// The device with the earliest time, and that time.
    var min: (device: Int, time: SimTime)? {
        heap.first.map { (Int($0), SimTime(nanoseconds: key[Int($0)])) }
    }

    /// Whether device `d` is in the heap.
    func contains(_ d: Int) -> Bool { position[d] >= 0 }

    /// Puts device `d` in the heap at `time`, or moves it there.
    mutating func set(_ d: Int, _ time: SimTime) {
        key[d] = time.nanoseconds
        if position[d] < 0 {
            position[d] = Int32(heap.count)
            heap.append(Int32(d))
        }
        let slot = Int(position[d])
        siftUp(slot)
        siftDown(Int(position[d]))
    }

    /// Takes device `d` out of the heap if it is there.
    mutating func remove(_ d: Int) {
        let slot = Int(position[d])
        guard slot >= 0 else { return }
        let last = heap.removeLast()
        position[d] = -1
        guard slot < heap.count else { return }
        heap[slot] = last
        position[Int(last)] = Int32(slot)
        siftUp(slot)
        siftDown(Int(position[Int(last)]))
    }

    private func less(_ a: Int32, _ b: Int32) -> Bool {
        let ka = key[Int(a)], kb = key[Int(b)]
        return ka < kb || (ka == kb && a < b)
    }

    private mutating func place(_ device: Int32, at slot: Int) {
        heap[slot] = device
        position[Int(device)] = Int32(slot)
    }

    private mutating func siftUp(_ start: Int) {
        var slot = start
        let device = heap[slot]
        while slot > 0 {
            let parent = (slot - 1) / 2
            guard less(device, heap[parent]) else { break }
            place(heap[parent], at: slot)
            slot = parent
        }
        place(device, at: slot)
    }

    private mutating func siftDown(_ start: Int) {
        var slot = start
        let device = heap[slot]
        while true {
            var child = 2 * slot + 1
            guard child < heap.count else { break }
            if child + 1 < heap.count && less(heap[child + 1], heap[child]) { child += 1 }
            guard less(heap[child], device) else { break }
            place(heap[child], at: slot)
            slot = child
        }
        place(device, at: slot)
    }
}
