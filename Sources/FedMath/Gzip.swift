import CZlib

/// Reads whole files through zlib's gzip stream reader (`gzopen` / `gzread`).
///
/// zlib reads a gzip-compressed file (RFC 1952, including several concatenated members) and
/// passes any other file through unchanged, so one call reads `data.tsv` and `data.tsv.gz` alike.
public enum Gzip {
    /// Why a file could not be read.
    public struct ReadError: Error, Sendable, Equatable {
        /// zlib's message, or "no such file or not readable".
        public let reason: String
    }

    /// The decompressed bytes of the file at `path`.
    public static func read(path: String) throws(ReadError) -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw ReadError(reason: "no such file or not readable") }
        defer { gzclose(file) }
        _ = gzbuffer(file, 1 << 17)
        var bytes: [UInt8] = []
        let chunk = 1 << 20
        while true {
            let old = bytes.count
            bytes.reserveCapacity(old + chunk)
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let got = bytes.withUnsafeMutableBufferPointer { buffer in
                gzread(file, buffer.baseAddress! + old, UInt32(chunk))
            }
            guard got >= 0 else {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw ReadError(reason: "corrupt gzip data (\(message))")
            }
            bytes.removeLast(chunk - Int(got))
            if got < chunk { return bytes }
        }
    }
}
