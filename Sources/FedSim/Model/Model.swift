import FedMath
import Foundation

/// What a model reads: rows of a labelled table, or windows of a shared token buffer.
///
/// Sample `i` is row `i` of the table, or the window `tokens[starts[i] ..< starts[i] + window]`.
public enum ModelData: Sendable {
    case table(Dataset)
    case tokens(TokenStream)

    /// Number of samples.
    public var count: Int {
        switch self {
        case .table(let d): d.count
        case .tokens(let t): t.count
        }
    }

    /// The table, or nil for token windows.
    public var table: Dataset? { if case .table(let d) = self { d } else { nil } }

    /// Bytes one more sample adds to a raw upload of the data: a row's Float features and its
    /// label (4 (d + 1)), or one UInt16 token (windows overlap, each adds one new character).
    public var bytesPerSample: Int {
        switch self {
        case .table(let d): 4 * (d.featureCount + 1)
        case .tokens: 2
        }
    }
}

/// Test metrics of a model, from the predictions it made.
///
/// A classifier predicts one label per row; a language model one next token per predicted
/// position (see each model for which positions count).
public struct ModelMetrics: Sendable, Equatable {
    /// Share of predictions whose arg-max is the target (next-token accuracy for language models).
    public var accuracy: Double
    /// Mean softmax cross-entropy per prediction, in nats.
    public var loss: Double
    /// Number of predictions averaged over.
    public var predictions: Int

    public init(accuracy: Double, loss: Double, predictions: Int) {
        self.accuracy = accuracy
        self.loss = loss
        self.predictions = predictions
    }

    /// Bits per character (per token): loss / ln 2.
    public var bitsPerToken: Double { loss / 0.693_147_180_559_945_3 }
    /// Perplexity: e^loss.
    public var perplexity: Double { exp(loss) }
}

/// A trainable model over a flat Float parameter vector described by a ``ParameterLayout``.
///
/// The model itself is immutable and shared by all threads; each thread owns a `Workspace`
/// (from ``makeWorkspace()``) holding every activation, so a training step never allocates once
/// the workspace has grown to the batch size.
public protocol Model: Sendable {
    associatedtype Workspace: AnyObject

    /// Named segments of the parameter vector; `layout.count` is the parameter count.
    var layout: ParameterLayout { get }

    /// `layout.count`, which a model may answer without building its layout (the hot path asks
    /// for it on every task).
    var parameterCount: Int { get }

    /// Whether the model reads tables or token windows.
    func accepts(_ data: ModelData) -> Bool

    /// Initial parameters drawn from the stream (seed, modelInit): the same seed gives the same vector.
    func initialParameters(seed: UInt64) -> [Float]

    /// A fresh workspace for one thread.
    func makeWorkspace() -> Workspace

    /// The training objective on the samples `batch` of `data` (mean loss in nats, plus any
    /// regulariser the model has), writing its gradient
    /// with respect to `parameters` into `gradient` (overwritten, `layout.count` entries).
    func lossAndGradient(
        parameters: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
        data: ModelData, batch: UnsafeBufferPointer<Int32>, workspace: Workspace
    ) -> Double

    /// Test metrics of `parameters` on every sample of `data`.
    func evaluate(_ parameters: [Float], on data: ModelData, workspace: Workspace) -> ModelMetrics

    /// Analytic FLOPs of the forward and backward pass of one training sample.
    var trainingFLOPsPerSample: Double { get }

    /// Analytic FLOPs the model adds once per step beyond its samples (a regulariser's gradient);
    /// the optimizer's own update is ``Optimizer/flopsPerStep(parameterCount:)``.
    var gradientFLOPsPerStep: Double { get }

    /// Bytes of activations and their gradients one training sample occupies in the workspace (an
    /// analytic estimate from the layer widths, 4-byte floats): what adaptive batches' memory cap divides by.
    var activationBytesPerSample: Double { get }

    /// The sgemm calls one training step on `batchSize` samples makes, each with how many times
    /// (forward and backward; empty when the model does not list them).
    func matrixProducts(batchSize: Int) -> [MatrixProduct: Int]
}

extension Model {
    public var parameterCount: Int { layout.count }

    /// Analytic FLOPs of `steps` steps over `samples` samples in total with `optimizer`: what the clock charges.
    public func trainingFLOPs(samples: Int, steps: Int, optimizer: Optimizer) -> Double {
        Double(samples) * trainingFLOPsPerSample
            + Double(steps) * (gradientFLOPsPerStep + optimizer.flopsPerStep(parameterCount: parameterCount))
    }
}
