/// FedProx's proximal term (Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith 2020, "Federated
/// Optimization in Heterogeneous Networks", arXiv 1812.06127, eq. 2): a device minimises
/// h(w) = F(w) + mu/2 ||w - w_anchor||^2, where w_anchor is the global model it started from, so
/// every step's gradient gains mu (w - w_anchor). With mu = 0 the term is absent (FedAvg).
public struct ProximalTerm: Sendable {
    /// The weight mu of the term (> 0).
    public let mu: Float
    /// w_anchor, the parameters the device downloaded.
    public let anchor: [Float]

    public init(mu: Float, anchor: [Float]) {
        self.mu = mu
        self.anchor = anchor
    }

    /// g += mu (p - anchor) over `count` entries: one subtraction, multiplication and addition each.
    func addGradient(parameters p: UnsafePointer<Float>, to g: UnsafeMutablePointer<Float>, count n: Int) {
        precondition(anchor.count == n, "proximal anchor of \(anchor.count) parameters, applied to \(n)")
        anchor.withUnsafeBufferPointer { a in
            for i in 0 ..< n { g[i] += mu * (p[i] - a[i]) }
        }
    }

    /// Analytic FLOPs the term adds to one step on `parameterCount` parameters: 3P (see ``addGradient(parameters:to:count:)``).
    public static func flopsPerStep(parameterCount: Int) -> Double { 3 * Double(parameterCount) }
}
