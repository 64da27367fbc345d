/// A lookup table: row `id` of a (count x width) matrix is the vector of token (or position) `id`.
enum Embedding {
    /// Copies row `id(r)` of `table` to row r of `y` for r in 0 ..< rows.
    static func forward(_ table: UnsafePointer<Float>, width: Int, rows: Int, id: (Int) -> Int,
                        into y: UnsafeMutablePointer<Float>, rowStride: Int) {
        for r in 0 ..< rows { (y + r * rowStride).update(from: table + id(r) * width, count: width) }
    }

    /// Adds row r of `dy` to row `id(r)` of `dtable`: the gradient of a lookup is a scatter-add.
    static func backward(_ dy: UnsafePointer<Float>, width: Int, rows: Int, id: (Int) -> Int,
                         rowStride: Int, tableGradient dtable: UnsafeMutablePointer<Float>) {
        for r in 0 ..< rows {
            let src = dy + r * rowStride, dst = dtable + id(r) * width
            for i in 0 ..< width { dst[i] += src[i] }
        }
    }
}
