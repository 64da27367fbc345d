import FedMath

/// Dense layers with an activation between them and none after the last: the body of the MLP
/// classifier and of the MLP language model. Layer l maps widths[l] to widths[l + 1].
struct DenseStack: Sendable {
    let widths: [Int]
    let activation: Activation
    /// Offsets of each layer's weight and bias in the parameter vector.
    let weights: [Int]
    let biases: [Int]

    /// Appends the layers' segments, named `dense0`, `dense1`, ..., to `layout`.
    init(widths: [Int], activation: Activation, layout: inout ParameterLayout) {
        self.widths = widths
        self.activation = activation
        var w = [Int](), b = [Int]()
        for l in 0 ..< widths.count - 1 {
            w.append(layout.append("dense\(l)", .weight, widths[l], widths[l + 1]))
            b.append(layout.append("dense\(l)", .bias, widths[l + 1]))
        }
        weights = w
        biases = b
    }

    var layerCount: Int { widths.count - 1 }
    var outputs: Int { widths.last! }

    /// Analytic FLOPs of forward and backward for one row (the input gradient of the first
    /// layer included only when `inputGradient`).
    func trainingFLOPs(inputGradient: Bool) -> Double {
        var f = 0.0
        for l in 0 ..< layerCount {
            f += Dense.trainingFLOPs(inputs: widths[l], outputs: widths[l + 1])
            if l < layerCount - 1 { f += activation.trainingFLOPs * Double(widths[l + 1]) }
        }
        return inputGradient ? f : f - 2 * Double(widths[0]) * Double(widths[1])
    }

    /// He initialisation (He, Zhang, Ren, Sun 2015, "Delving Deep into Rectifiers", arXiv
    /// 1502.01852) for ReLU: weights N(0, 2 / fan-in); for tanh, LeCun's N(0, 1 / fan-in); biases 0.
    func initialise(_ p: inout [Float], rng: RandomStream) {
        let gain = activation == .relu ? 2.0 : 1.0
        for l in 0 ..< layerCount {
            let sigma = (gain / Double(widths[l])).squareRoot()
            for i in weights[l] ..< weights[l] + widths[l] * widths[l + 1] { p[i] = Float(rng.gaussian(sigma: sigma)) }
        }
    }

    /// Pre- and post-activation buffers of every hidden layer, the logits and two gradient buffers.
    final class Buffers {
        var pre: [Scratch] = [], post: [Scratch] = []
        let logits = Scratch(), delta = Scratch(), spare = Scratch()
    }

    /// Runs the layers on `rows` rows of `x`; returns the logits (rows x outputs) in `ws.logits`.
    func forward(_ x: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>, buffers ws: Buffers) -> UnsafeMutablePointer<Float> {
        while ws.pre.count < layerCount - 1 { ws.pre.append(Scratch()); ws.post.append(Scratch()) }
        var input = x
        for l in 0 ..< layerCount {
            let n = widths[l + 1]
            let out = l == layerCount - 1 ? ws.logits.reserve(rows * n) : ws.pre[l].reserve(rows * n)
            Dense.forward(input, rows: rows, inputs: widths[l], outputs: n, weight: p + weights[l], bias: p + biases[l], into: out)
            if l < layerCount - 1 {
                let y = ws.post[l].reserve(rows * n)
                activation.forward(out, into: y, count: rows * n)
                input = UnsafePointer(y)
            }
        }
        return ws.logits.pointer
    }

    /// Backpropagates the logits' gradient (in `ws.logits`) through the layers run by `forward`
    /// on `x`, adding the parameters' gradients to `g`; writes the input gradient to `dx` if given.
    func backward(_ x: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                  buffers ws: Buffers, inputGradient dx: UnsafeMutablePointer<Float>?) {
        let widest = widths.max()!
        var dy = ws.logits.pointer
        var free = ws.delta.reserve(rows * widest)
        ws.spare.reserve(rows * widest)
        for l in stride(from: layerCount - 1, through: 0, by: -1) {
            let input = l == 0 ? x : UnsafePointer(ws.post[l - 1].pointer)
            let target: UnsafeMutablePointer<Float>? = l == 0 ? dx : free
            Dense.backward(input, dy, rows: rows, inputs: widths[l], outputs: widths[l + 1], weight: p + weights[l],
                           weightGradient: g + weights[l], biasGradient: g + biases[l], inputGradient: target)
            if l > 0 {
                activation.backward(ws.pre[l - 1].pointer, output: ws.post[l - 1].pointer, gradient: free, count: rows * widths[l])
                let used = free
                free = dy == ws.logits.pointer ? ws.spare.pointer : dy
                dy = used
            }
        }
    }
}
