import FedMath

/// A model of any kind behind one concrete type, so federation, baseline, compression, privacy and
/// reports talk to the ``Model`` abstraction without naming a model type or becoming generic.
///
/// The box forwards to the wrapped model through an opened existential; the only cost per call
/// is one dynamic dispatch (no allocation). Each thread owns an ``AnyModel/Workspace`` from
/// ``makeWorkspace()``, which holds the wrapped model's ``TrainingWorkspace``.
public struct AnyModel: Sendable {
    public let base: any Model
    /// Whether the model reads token windows (a language model) rather than table rows.
    public let isLanguageModel: Bool

    public init(_ base: any Model, isLanguageModel: Bool) {
        self.base = base
        self.isLanguageModel = isLanguageModel
    }

    /// One thread's buffers for the wrapped model (a ``TrainingWorkspace`` of its type).
    public final class Workspace {
        fileprivate let training: AnyObject
        fileprivate init(_ training: AnyObject) { self.training = training }
    }

    public var layout: ParameterLayout { base.layout }
    public var parameterCount: Int { base.parameterCount }
    public var trainingFLOPsPerSample: Double { base.trainingFLOPsPerSample }
    public var activationBytesPerSample: Double { base.activationBytesPerSample }
    public func accepts(_ data: ModelData) -> Bool { base.accepts(data) }
    public func initialParameters(seed: UInt64) -> [Float] { base.initialParameters(seed: seed) }
    public func matrixProducts(batchSize: Int) -> [MatrixProduct: Int] { base.matrixProducts(batchSize: batchSize) }

    /// Analytic FLOPs of `steps` steps over `samples` samples with `optimizer` (see ``Model/trainingFLOPs(samples:steps:optimizer:)``).
    public func trainingFLOPs(samples: Int, steps: Int, optimizer: Optimizer) -> Double {
        base.trainingFLOPs(samples: samples, steps: steps, optimizer: optimizer)
    }

    public func makeWorkspace() -> Workspace {
        func make<M: Model>(_ m: M) -> AnyObject { TrainingWorkspace(m) }
        return Workspace(make(base))
    }

    /// ``Model/train(_:on:samples:epochs:batchSize:optimizer:rng:workspace:maxSteps:proximal:)`` on the wrapped model.
    public func train(_ parameters: inout [Float], on data: ModelData, samples: Range<Int>, epochs: Int, batchSize: Int,
                      optimizer: OptimizerState, rng: RandomStream, workspace: Workspace, maxSteps: Int? = nil,
                      proximal: ProximalTerm? = nil) -> TrainingWork {
        func open<M: Model>(_ m: M) -> TrainingWork {
            m.train(&parameters, on: data, samples: samples, epochs: epochs, batchSize: batchSize, optimizer: optimizer,
                    rng: rng, workspace: unsafeDowncast(workspace.training, to: TrainingWorkspace<M>.self), maxSteps: maxSteps,
                    proximal: proximal)
        }
        return open(base)
    }

    /// ``Model/train(_:on:order:batchSize:optimizer:workspace:)`` on the wrapped model.
    public func train(_ parameters: inout [Float], on data: ModelData, order: UnsafeBufferPointer<Int32>, batchSize: Int,
                      optimizer: OptimizerState, workspace: Workspace) -> TrainingWork {
        func open<M: Model>(_ m: M) -> TrainingWork {
            m.train(&parameters, on: data, order: order, batchSize: batchSize, optimizer: optimizer,
                    workspace: unsafeDowncast(workspace.training, to: TrainingWorkspace<M>.self))
        }
        return open(base)
    }

    /// Test metrics of `parameters` on every sample of `data`.
    public func evaluate(_ parameters: [Float], on data: ModelData, workspace: Workspace) -> ModelMetrics {
        func open<M: Model>(_ m: M) -> ModelMetrics {
            m.evaluate(parameters, on: data, workspace: unsafeDowncast(workspace.training, to: TrainingWorkspace<M>.self).model)
        }
        return open(base)
    }
}
