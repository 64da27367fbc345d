/// The optional last device-side stage under secure aggregation (Bonawitz et al. 2017, see
/// ``SecureUplink``): what goes on the wire is the masked input that replaces the encoded update,
/// so the upload's size is the masked input's. The masks themselves are drawn and removed by the
/// simulated protocol when the round closes (``SecureUnmasking``), which runs the whole cohort's
/// exchange at once; this stage fixes the bytes a device uploads and when they arrive.
struct MaskedUpload: Sendable {
    let secure: SecureUplink

    /// The bytes that carry an update of `dimension` floats.
    func uploadBytes(dimension: Int) -> Int {
        secure.maskedInputBytes(dimension: dimension)
    }
}
