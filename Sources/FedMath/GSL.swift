import CGSL

/// Process-wide GSL settings.
public enum GSL {
    /// Turns off GSL's default error handler, which aborts the process. fedsim checks results
    /// itself (NaN/Inf detection) instead. Idempotent and cheap; called by every stream.
    public static func configureOnce() {
        _ = configured
    }

    private static let configured: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// log Γ(x) for x > 0, or nil where GSL reports a domain error.
    public static func logGamma(_ x: Double) -> Double? {
        var result = gsl_sf_result()
        guard gsl_sf_lngamma_e(x, &result) == GSL_SUCCESS else { return nil }
        return result.val
    }
}
