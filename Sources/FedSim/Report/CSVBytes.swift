/// A CSV file built as bytes: numbers are written digit by digit into one growing buffer, with no
/// `String` per field, so a file of a million rows costs one allocation chain, not millions. The
/// number formats are exactly ``Format/fixed(_:_:)`` and ``Format/compact(_:_:)``.
struct CSVBytes {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends the UTF-8 of `text` as it is.
    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends bytes as they are.
    mutating func append(bytes more: [UInt8]) { bytes.append(contentsOf: more) }

    /// Appends a comma.
    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    /// Ends the row.
    mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    /// Appends `n` in decimal.
    mutating func append(_ n: Int) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(UInt64(n.magnitude), minimumCount: 1)
    }

    /// Appends `x` as ``Format/fixed(_:_:)`` prints it.
    mutating func append(fixed x: Double, _ decimals: Int) {
        guard let (n, negative) = scaled(x, decimals) else { append(Format.fixed(x, decimals)); return }
        if negative { bytes.append(UInt8(ascii: "-")) }
        appendDigits(n, minimumCount: decimals + 1)
        if decimals > 0 { insertPoint(decimals) }
    }

    /// Appends `x` as ``Format/compact(_:_:)`` prints it.
    mutating func append(compact x: Double, _ decimals: Int) {
        guard let (n, negative) = scaled(x, decimals) else { append(Format.compact(x, decimals)); return }
        if negative { bytes.append(UInt8(ascii: "-")) }
        appendDigits(n, minimumCount: decimals + 1)
        guard decimals > 0 else { return }
        insertPoint(decimals)
        while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
    }

    /// |x| · 10^decimals rounded, and whether a minus sign prints; nil where ``Format`` falls back
    /// to Swift's own description (non-finite or huge values).
    private func scaled(_ x: Double, _ decimals: Int) -> (UInt64, Bool)? {
        guard x.isFinite else { return nil }
        var scale = 1.0
        for _ in 0 ..< decimals { scale *= 10 }
        let s = (abs(x) * scale).rounded()
        guard s < 9e18 else { return nil }
        let n = UInt64(s)
        return (n, x < 0 && n != 0)
    }

    /// Appends the decimal digits of `n`, left-padded with zeros to `minimumCount` digits.
    private mutating func appendDigits(_ n: UInt64, minimumCount: Int) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var end = buffer.count
            var v = n
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            for _ in 0 ..< max(0, minimumCount - (buffer.count - end)) { bytes.append(UInt8(ascii: "0")) }
            bytes.append(contentsOf: buffer[end...])
        }
    }

    /// Puts a decimal point before the last `decimals` bytes.
    private mutating func insertPoint(_ decimals: Int) {
        bytes.insert(UInt8(ascii: "."), at: bytes.count - decimals)
    }
}
