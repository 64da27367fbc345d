import FedMath

/// The two operations of DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018, "Learning Differentially
/// Private Recurrent Language Models"): clip each user's update to L2 norm C, and add Gaussian
/// noise calibrated to C. With noise multiplier z the sum of clipped updates plus N(0, z^2 C^2) is
/// the sampled Gaussian mechanism that ``RDPAccountant`` accounts for.
public enum DPFedAvg {
    /// Scales `update` by min(1, C / ||update||), so its norm is at most C.
    public static func clip(_ update: inout [Float], to c: Double) {
        let norm = Double(BLAS.nrm2(update))
        guard norm > c, norm.isFinite else { return }
        BLAS.scal(Float(c / norm), &update)
    }

    /// Adds independent N(0, sigma^2) to every coordinate.
    public static func addNoise(_ values: inout [Float], sigma: Double, rng: RandomStream) {
        guard sigma > 0 else { return }
        for i in values.indices { values[i] += Float(rng.gaussian(sigma: sigma)) }
    }
}
