import ArgumentParser
import FedSim

struct Privacy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the (epsilon, delta) of the sampled Gaussian mechanism without running a simulation.",
        discussion: """
            Composes T steps of the sampled Gaussian mechanism (sampling rate q, noise multiplier \
            sigma) in Rényi DP (Mironov, Talwar, Zhang 2019) over fedsim's fine order grid (or Opacus's) and \
            converts to (epsilon, delta) with the improved conversion of Balle et al. 2020, as \
            Opacus and Google's dp_accounting do.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The probability that a given user takes part in a step, in [0, 1].", valueName: "q"))
    var q: Double

    @Option(name: .long, help: ArgumentHelp("The noise multiplier: noise standard deviation divided by the clipping norm.", valueName: "z"))
    var sigma: Double

    @Option(name: .long, help: ArgumentHelp("The number of composed steps (rounds or aggregations).", valueName: "t"))
    var steps: Int

    @Option(name: .long, help: ArgumentHelp("The delta of the (epsilon, delta) guarantee.", valueName: "d"))
    var delta: Double = 1e-5

    @Option(name: .long, help: ArgumentHelp("The Rényi orders searched: fine (fedsim's run-time grid, 1.01 to 1024) or opacus (Opacus's default orders, 1.1 to 63).", valueName: "grid"))
    var orders: String = "fine"

    func validate() throws {
        guard q >= 0, q <= 1 else { throw ValidationError("--q must be in [0, 1], found \(q)") }
        guard sigma >= 0, sigma.isFinite else { throw ValidationError("--sigma must be a number >= 0, found \(sigma)") }
        guard steps >= 0 else { throw ValidationError("--steps must be >= 0, found \(steps)") }
        guard delta > 0, delta < 1 else { throw ValidationError("--delta must be in (0, 1), found \(delta)") }
        guard ["fine", "opacus"].contains(orders) else { throw ValidationError("--orders must be fine or opacus, found \(orders)") }
    }

    func run() {
        let grid = orders == "fine" ? RDPAccountant.fineOrders : RDPAccountant.defaultOrders
        let (epsilon, order) = RDPAccountant.epsilon(q: q, sigma: sigma, steps: steps, delta: delta, orders: grid)
        print("epsilon \(Format.significant(epsilon, 6)) at delta \(delta) (q \(q), sigma \(sigma), \(steps) steps, best RDP order \(order))")
    }
}
