import FedMath

extension Model {
    /// No listing by default: only models that say which sgemm calls their step makes are rated
    /// against them.
    public func matrixProducts(batchSize: Int) -> [MatrixProduct: Int] { [:] }
}
