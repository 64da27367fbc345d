import Foundation
import Testing
import FedSim

/// Tests of the RDP accountant for the sampled Gaussian mechanism.
///
/// Published values reproduced (all with Poisson sampling, add/remove-one adjacency):
/// - Opacus `opacus/tests/accountants_test.py::test_rdp_accountant`: q = 0.04, sigma = 1.5,
///   steps = int(90 / 0.04) = 2250, delta = 1e-5, Opacus `DEFAULT_ALPHAS`, improved conversion
///   (Opacus >= 1.0 `get_privacy_spent`, Balle et al. 2020 Thm 21) -> 7.32911117143.
/// - TF Privacy `compute_dp_sgd_privacy_test.py` (`compute_dp_sgd_privacy`), orders
///   `[1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + range(5, 64) + [128, 256, 512]`,
///   steps = ceil(epochs * n / batch):
///   current version (dp_accounting, improved conversion) -> 0.7242234026109595 (order 19),
///   1.4154988495444842 (13), 5907982.3113978775 (1.25);
///   the pre-2020 version of the same test (standard conversion, Mironov 2017 Prop. 3)
///   -> 0.941870567 (19), 1.70928734 (13), 5907984.81339406 (1.25).
/// - dp_accounting `rdp_privacy_accountant_test.py`: RDP of q = 0.01, sigma = 2.5, 50 steps at
///   orders [1.5, 2.5, 5, 50, 100, inf]; the pure-DP conversion check; and its `log(A_alpha)`
///   parameter set, compared here against values from 50-digit mpmath integration of
///   `E_{z ~ N(0, sigma^2)}[((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]`.
@Suite("RDP accountant (sampled Gaussian mechanism)")
struct RDPAccountantTests {

    /// `|actual - expected| <= tolerance * max(1, |expected|)`.
    static func close(_ actual: Double, _ expected: Double, _ tolerance: Double) -> Bool {
        abs(actual - expected) <= tolerance * max(1, abs(expected))
    }

    // MARK: Orders

    @Test("default orders are Opacus's DEFAULT_ALPHAS")
    func defaultOrders() {
        let orders = RDPAccountant.defaultOrders
        #expect(orders.count == 99 + 52)
        #expect(orders.first == 1.1)
        #expect(orders[8] == 1.9)
        #expect(orders[9] == 2.0)
        #expect(orders[98] == 10.9)
        #expect(orders[99] == 12)
        #expect(orders.last == 63)
        #expect(!orders.contains(11))
        #expect(zip(orders, orders.dropFirst()).allSatisfy { $0 < $1 })

        let tf = RDPAccountant.tensorFlowPrivacyOrders
        #expect(tf.count == 10 + 59 + 3)
        #expect(tf.first == 1.25)
        #expect(tf.last == 512)
    }

    // MARK: Published epsilons

    @Test("Opacus test_rdp_accountant: 7.32911117143")
    func opacusPublishedValue() {
        let steps = Int(90 / 0.04)
        #expect(steps == 2250)
        let result = RDPAccountant.epsilon(q: 0.04, sigma: 1.5, steps: steps, delta: 1e-5)
        #expect(abs(result.epsilon - 7.32911117143) < 1e-4)
        #expect(abs(result.epsilon - 7.32911117143) < 1e-9)
        #expect(result.order == 3.9)

        // The standard conversion is looser; Opacus's value needs the improved one.
        let standard = RDPAccountant.epsilon(
            q: 0.04, sigma: 1.5, steps: steps, delta: 1e-5, conversion: .standard)
        #expect(standard.epsilon > result.epsilon + 0.5)
    }

    @Test("Opacus value through the ledger, one step at a time")
    func opacusValueThroughLedger() {
        var ledger = PrivacyLedger()
        for _ in 0..<2250 { ledger.compose(q: 0.04, sigma: 1.5) }
        #expect(ledger.steps == 2250)
        #expect(abs(ledger.epsilon(delta: 1e-5) - 7.32911117143) < 1e-4)
        #expect(ledger.privacySpent(delta: 1e-5).order == 3.9)
    }

    struct TFCase: Sendable, CustomTestStringConvertible {
        let n: Double, batch: Double, sigma: Double, epochs: Double, delta: Double
        let improved: Double, standard: Double, order: Double
        var testDescription: String { "n=\(Int(n)) batch=\(Int(batch)) sigma=\(sigma) epochs=\(Int(epochs))" }
    }

    static let tfCases: [TFCase] = [
        TFCase(n: 60000, batch: 150, sigma: 1.3, epochs: 15, delta: 1e-5,
               improved: 0.7242234026109595, standard: 0.941870567, order: 19),
        TFCase(n: 100000, batch: 100, sigma: 1.0, epochs: 30, delta: 1e-7,
               improved: 1.4154988495444842, standard: 1.70928734, order: 13),
        TFCase(n: 100_000_000, batch: 1024, sigma: 0.1, epochs: 10, delta: 1e-7,
               improved: 5907982.3113978775, standard: 5907984.81339406, order: 1.25),
    ]

    @Test("TF Privacy compute_dp_sgd_privacy", arguments: tfCases)
    func tensorFlowPrivacyPublishedValues(_ c: TFCase) {
        let q = c.batch / c.n
        let steps = Int((c.epochs * c.n / c.batch).rounded(.up))
        let orders = RDPAccountant.tensorFlowPrivacyOrders

        let improved = RDPAccountant.epsilon(q: q, sigma: c.sigma, steps: steps, delta: c.delta, orders: orders)
        #expect(Self.close(improved.epsilon, c.improved, 1e-9))
        #expect(improved.order == c.order)

        let standard = RDPAccountant.epsilon(
            q: q, sigma: c.sigma, steps: steps, delta: c.delta, orders: orders, conversion: .standard)
        #expect(Self.close(standard.epsilon, c.standard, 1e-8))
        #expect(standard.order == c.order)
    }

    @Test("first TF Privacy case: q = 150/60000, 6000 steps -> 0.724223")
    func tensorFlowPrivacyHeadlineValue() {
        let result = RDPAccountant.epsilon(
            q: 150.0 / 60000.0, sigma: 1.3, steps: 6000, delta: 1e-5,
            orders: RDPAccountant.tensorFlowPrivacyOrders)
        #expect(abs(result.epsilon - 0.724223) < 1e-6)
        #expect(result.order == 19)
    }

    // MARK: Published RDP values and conversions (dp_accounting)

    /// dp_accounting pins `[6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02,
    /// 1.67416308e02, inf]` with rtol 1e-4. At the integer orders that is the exact RDP. At the
    /// fractional orders dp_accounting adds the *absolute values* of the generalized binomial
    /// terms (its `_compute_log_a_frac` drops the signs), an upper bound; this implementation
    /// keeps the signs, as in Mironov-Talwar-Zhang Sec. 3.3 and Opacus, and matches numerical
    /// integration (mpmath: 6.50070897188e-04 at order 1.5, 1.08541805692e-03 at 2.5).
    @Test("dp_accounting: Poisson-sampled Gaussian, q = 0.01, sigma = 2.5, 50 steps")
    func dpAccountingRDPValues() {
        let orders: [Double] = [1.5, 2.5, 5, 50, 100, .infinity]
        let rdp = RDPAccountant.rdp(q: 0.01, sigma: 2.5, steps: 50, orders: orders)

        let exact = [6.50070897188e-04, 1.08541805692e-03, 2.18075656231e-03, 2.38460375387e-02, 167.416307548]
        for (actual, wanted) in zip(rdp, exact) {
            #expect(abs(actual - wanted) <= 1e-9 * wanted)
        }
        #expect(rdp.last == .infinity)

        let published = [6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 1.67416308e02]
        for index in 1..<published.count {
            #expect(abs(rdp[index] - published[index]) <= 1e-4 * published[index])
        }
        // Order 1.5: dp_accounting's unsigned sum is 3% above the exact value.
        #expect(rdp[0] < published[0])
    }

    @Test("dp_accounting: constant RDP 1.1 over orders 2...32 -> 1.32783806176 at order 32")
    func dpAccountingPureDPConversion() {
        let orders = (2...32).map(Double.init)
        let result = RDPAccountant.epsilon(
            rdp: Array(repeating: 1.1, count: orders.count), orders: orders, delta: 1e-5)
        #expect(abs(result.epsilon - 1.32783806176) < 1e-10)
        #expect(result.order == 32)
    }

    struct LogACase: Sendable, CustomTestStringConvertible {
        let q: Double, sigma: Double, order: Double, logA: Double
        var testDescription: String { "q=\(q) sigma=\(sigma) order=\(order)" }
    }

    /// dp_accounting's `test_compute_log_a_equals_mp` parameters; `logA` from mpmath quadrature.
    static let logACases: [LogACase] = [
        LogACase(q: 1e-7, sigma: 0.1, order: 1.01, logA: 4.0034123225263986e-8),
        LogACase(q: 1e-6, sigma: 0.1, order: 256, logA: 3260463.2292971608),
        LogACase(q: 1e-5, sigma: 0.1, order: 256.1, logA: 3263607.0397884213),
        LogACase(q: 1e-6, sigma: 1, order: 27, logA: 8.7695113048484979e-10),
        LogACase(q: 1e-4, sigma: 1, order: 1.5, logA: 6.4426869538366497e-9),
        LogACase(q: 1e-3, sigma: 1, order: 2, logA: 1.7182803522145154e-6),
        LogACase(q: 0.01, sigma: 10, order: 20, logA: 0.00019129699912842963),
        LogACase(q: 0.1, sigma: 100, order: 20.5, logA: 0.00019991818458068296),
        LogACase(q: 0.99, sigma: 0.1, order: 256, logA: 3263997.4271140211),
        LogACase(q: 0.999, sigma: 100, order: 256.1, logA: 3.2601080379731127),
    ]

    @Test("log A_alpha agrees with high-precision numerical integration", arguments: logACases)
    func logAMatchesIntegration(_ c: LogACase) {
        let logA = RDPAccountant.rdp(q: c.q, sigma: c.sigma, order: c.order) * (c.order - 1)
        // dp_accounting's tolerance is rtol 1e-4, atol 1e-8; we are well inside it.
        #expect(abs(logA - c.logA) <= 1e-8 * abs(c.logA) + 1e-13)
    }

    // MARK: Exact values and special cases

    @Test("q = 1 is the plain Gaussian mechanism: alpha / (2 sigma^2)")
    func fullBatchIsPlainGaussian() {
        for sigma in [0.1, 0.7, 1, 1.5, 3, 25] {
            for order in [1.1, 1.5, 2, 3, 4.75, 32, 63, 512] {
                #expect(RDPAccountant.rdp(q: 1, sigma: sigma, order: order) == order / (2 * sigma * sigma))
            }
        }
        // One Gaussian step converted with the standard formula, in closed form.
        let result = RDPAccountant.epsilon(q: 1, sigma: 2, steps: 3, delta: 1e-5, orders: [5],
                                           conversion: .standard)
        #expect(abs(result.epsilon - (3 * 5 / 8.0 + log(1e5) / 4)) < 1e-12)
    }

    @Test("integer order 2 in closed form: log(1 + q^2 (e^{1/sigma^2} - 1))")
    func orderTwoClosedForm() {
        for q in [1e-9, 1e-4, 0.01, 0.3, 0.9] {
            for sigma in [0.5, 1, 4] {
                let exact = log1p(q * q * expm1(1 / (sigma * sigma)))
                let rdp = RDPAccountant.rdp(q: q, sigma: sigma, order: 2)
                #expect(abs(rdp - exact) <= 1e-13 * exact)
            }
        }
    }

    @Test("special cases: q = 0, sigma = 0, infinite order, invalid arguments")
    func specialCases() {
        #expect(RDPAccountant.rdp(q: 0, sigma: 1, order: 2) == 0)
        #expect(RDPAccountant.rdp(q: 0, sigma: 0, order: 2) == 0)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: 0, order: 2) == .infinity)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: 0, order: 2.5) == .infinity)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: 1, order: .infinity) == .infinity)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: .infinity, order: 3) == 0)
        #expect(RDPAccountant.rdp(q: -0.1, sigma: 1, order: 2).isNaN)
        #expect(RDPAccountant.rdp(q: 1.1, sigma: 1, order: 2).isNaN)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: -1, order: 2).isNaN)
        #expect(RDPAccountant.rdp(q: 0.1, sigma: 1, order: 1).isNaN)
        #expect(RDPAccountant.rdp(q: .nan, sigma: 1, order: 2).isNaN)

        // No privacy loss at all: epsilon 0 even for delta = 0.
        #expect(RDPAccountant.epsilon(q: 0, sigma: 1, steps: 100, delta: 1e-5).epsilon == 0)
        #expect(RDPAccountant.epsilon(q: 0, sigma: 1, steps: 100, delta: 0).epsilon == 0)
        // No noise: infinite epsilon.
        #expect(RDPAccountant.epsilon(q: 0.1, sigma: 0, steps: 1, delta: 1e-5).epsilon == .infinity)
        // Pure DP (delta = 0) is impossible for the Gaussian mechanism.
        #expect(RDPAccountant.epsilon(q: 0.1, sigma: 1, steps: 1, delta: 0).epsilon == .infinity)
        // delta >= 1 is trivially satisfied.
        #expect(RDPAccountant.epsilon(q: 0.1, sigma: 1, steps: 1, delta: 1).epsilon == 0)
        // Zero steps spend nothing, even without noise (no inf * 0).
        #expect(RDPAccountant.rdp(q: 0.5, sigma: 0, steps: 0, orders: [2, 3.5]) == [0, 0])
        // Nothing usable: (inf, NaN).
        let none = RDPAccountant.epsilon(rdp: [1, 2], orders: [1, 0.5], delta: 1e-5)
        #expect(none.epsilon == .infinity && none.order.isNaN)
        let empty = RDPAccountant.epsilon(rdp: [], orders: [], delta: 1e-5)
        #expect(empty.epsilon == .infinity && empty.order.isNaN)
    }

    @Test("T steps in closed form: T log(1 + q^2 (e^{1/sigma^2} - 1)) at order 2, T alpha / (2 sigma^2) at q = 1")
    func compositionClosedForms() {
        // Order 2 of the sampled Gaussian (Mironov, Talwar, Zhang 2019, Sec. 3.2 with alpha = 2),
        // composed additively (Mironov 2017, Proposition 1), computed by hand here.
        for (q, sigma, steps) in [(0.02, 1.1, 777), (0.25, 0.8, 3), (0.001, 2.0, 100_000)] {
            let rdp = RDPAccountant.rdp(q: q, sigma: sigma, steps: steps, orders: [2])[0]
            let exact = Double(steps) * log1p(q * q * expm1(1 / (sigma * sigma)))
            #expect(abs(rdp - exact) <= 1e-12 * exact, "q=\(q) sigma=\(sigma) steps=\(steps)")
        }
        // Without sampling, T Gaussian steps of noise sigma are one Gaussian of noise sigma / sqrt(T).
        let many = RDPAccountant.rdp(q: 1, sigma: 2, steps: 50, orders: [2, 3.5, 256])
        let byHand: [Double] = [12.5, 21.875, 1600]   // 50 alpha / (2 * 4)
        #expect(many == byHand)
        let composed = RDPAccountant.epsilon(q: 1, sigma: 2, steps: 16, delta: 1e-5, orders: RDPAccountant.fineOrders)
        let single = RDPAccountant.epsilon(q: 1, sigma: 0.5, steps: 1, delta: 1e-5, orders: RDPAccountant.fineOrders)
        #expect(abs(composed.epsilon - single.epsilon) <= 1e-12 * single.epsilon && composed.order == single.order)
    }

    // MARK: Fine orders

    @Test("fine orders: 1.01...1.09, 1.1...10.9, integers 11...256, then 320...1024")
    func fineOrders() {
        let orders = RDPAccountant.fineOrders
        #expect(orders.count == 9 + 99 + 246 + 5)
        #expect(orders.first == 1.01 && orders[9] == 1.1 && orders.contains(11) && orders.contains(256) && orders.last == 1024)
        #expect(zip(orders, orders.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Set(RDPAccountant.defaultOrders).isSubset(of: Set(orders)))
    }

    @Test("small q: the fine grid finds an order above 63 and a smaller epsilon than Opacus's grid")
    func fineOrdersTightenSmallQ() {
        // More orders can only lower the minimum; for tiny q the optimum lies beyond 63.
        let fine = RDPAccountant.epsilon(q: 5e-4, sigma: 4.0, steps: 5000, delta: 1e-5, orders: RDPAccountant.fineOrders)
        let opacus = RDPAccountant.epsilon(q: 5e-4, sigma: 4.0, steps: 5000, delta: 1e-5)
        #expect(opacus.order == 63)              // Opacus's grid ends at its optimum
        #expect(fine.order > 63 && fine.order < 256)
        #expect(fine.epsilon < opacus.epsilon / 2)
    }

    // MARK: Sampling without replacement (Wang, Balle, Kasiviswanathan 2019)

    @Test("without replacement, order 2 in closed form: log(1 + q^2 min{4 (e^{4/sigma^2} - 1), 2 e^{4/sigma^2}})")
    func withoutReplacementOrderTwo() {
        // Theorem 9 at alpha = 2 with the replace-one Gaussian eps(2) = 2 (2)^2 / (2 sigma^2) = 4 / sigma^2.
        for (q, sigma) in [(0.1, 1.5), (0.01, 1.0), (0.5, 3.0), (1e-6, 0.7)] {
            let e2 = 4 / (sigma * sigma)
            let exact = log1p(q * q * min(4 * expm1(e2), 2 * exp(e2)))
            let rdp = WithoutReplacementRDP.rdp(q: q, sigma: sigma, order: 2)
            #expect(abs(rdp - exact) <= 1e-13 * exact, "q=\(q) sigma=\(sigma)")
        }
        // For q = 0.1, sigma = 1.5 by hand: e2 = 1.7778, min(19.67, 11.83) = 11.83, log(1.1183) = 0.11184.
        #expect(abs(WithoutReplacementRDP.rdp(q: 0.1, sigma: 1.5, order: 2) - 0.11184) < 5e-6)
    }

    struct WORCase: Sendable, CustomTestStringConvertible {
        let q, sigma, order, rdp: Double
        var testDescription: String { "q=\(q) sigma=\(sigma) order=\(order)" }
    }

    /// Theorem 9 of Wang et al. 2019 summed term by term in 60-digit arithmetic (mpmath, no log
    /// space), capped by the base mechanism's 2 alpha / sigma^2.
    static let worCases: [WORCase] = [
        .init(q: 0.1, sigma: 1.5, order: 3, rdp: 0.28527959161411258),
        .init(q: 0.1, sigma: 1.5, order: 10, rdp: 6.4074786116012064),
        .init(q: 0.1, sigma: 1.5, order: 32, rdp: 26.089941999436396),
        .init(q: 0.01, sigma: 1.0, order: 5, rdp: 4.4168381523309904),
        .init(q: 0.01, sigma: 1.0, order: 64, rdp: 123.33273421075114),
        .init(q: 0.001, sigma: 4.0, order: 256, rdp: 25.067873708867188),
    ]

    @Test("without replacement agrees with a high-precision evaluation of Theorem 9", arguments: worCases)
    func withoutReplacementHighPrecision(_ c: WORCase) {
        let rdp = WithoutReplacementRDP.rdp(q: c.q, sigma: c.sigma, order: c.order)
        #expect(abs(rdp - c.rdp) <= 1e-12 * c.rdp)
    }

    @Test("without replacement: q = 1 is the replace-one Gaussian 2 alpha / sigma^2; fractional orders use the next integer")
    func withoutReplacementLimits() {
        for sigma in [0.5, 1.5, 10] {
            for order in [1.5, 2, 7, 300] {
                let exact = 2 * order / (sigma * sigma)
                #expect(abs(WithoutReplacementRDP.rdp(q: 1, sigma: sigma, order: order) - exact) <= 1e-15 * exact)
            }
        }
        #expect(WithoutReplacementRDP.rdp(q: 0.1, sigma: 1.5, order: 2.5) == WithoutReplacementRDP.rdp(q: 0.1, sigma: 1.5, order: 3))
        #expect(WithoutReplacementRDP.rdp(q: 0, sigma: 1, order: 2) == 0)
        #expect(WithoutReplacementRDP.rdp(q: 0.1, sigma: 0, order: 2) == .infinity)
        #expect(WithoutReplacementRDP.rdp(q: 1.1, sigma: 1, order: 2).isNaN)
        #expect(WithoutReplacementRDP.rdp(q: 0.1, sigma: 1, order: 1).isNaN)
        for q in [1e-300, 1e-9, 0.3, 1 - 1e-16] {
            for sigma in [1e-300, 1e-3, 0.4, 1e3, 1e300] {
                for order in [1.01, 2, 40, 1024, 2e5] {
                    let r = WithoutReplacementRDP.rdp(q: q, sigma: sigma, order: order)
                    #expect(!r.isNaN && r >= 0 && r <= 2 * order / (sigma * sigma) * (1 + 1e-15), "q=\(q) sigma=\(sigma) order=\(order)")
                }
            }
        }
    }

    @Test("without replacement: epsilon grows with q and steps, shrinks with sigma")
    func withoutReplacementMonotone() {
        func eps(_ q: Double, _ sigma: Double, _ steps: Int) -> Double {
            var ledger = PrivacyLedger(orders: RDPAccountant.fineOrders)
            ledger.compose(q: q, sigma: sigma, steps: steps, sampling: .withoutReplacement)
            return ledger.epsilon(delta: 1e-5)
        }
        let qs = [0.001, 0.01, 0.1, 0.5, 1.0], sigmas = [0.8, 1.5, 4.0, 10.0], steps = [1, 30, 300, 3000]
        for (i, q) in qs.enumerated() {
            for (j, sigma) in sigmas.enumerated() {
                for (k, t) in steps.enumerated() {
                    let e = eps(q, sigma, t)
                    if i > 0 { #expect(eps(qs[i - 1], sigma, t) <= e * (1 + 1e-12)) }
                    if j > 0 { #expect(eps(q, sigmas[j - 1], t) >= e * (1 - 1e-12)) }
                    if k > 0 { #expect(eps(q, sigma, steps[k - 1]) <= e * (1 + 1e-12)) }
                }
            }
        }
        // 300 steps at q = 0.1, sigma = 1.5 over the fine orders: 43.6786200811343 at order 2 by
        // the same 60-digit evaluation of Theorem 9 and the improved conversion.
        var ledger = PrivacyLedger(orders: RDPAccountant.fineOrders)
        ledger.compose(q: 0.1, sigma: 1.5, steps: 300, sampling: .withoutReplacement)
        #expect(abs(ledger.epsilon(delta: 1e-5) - 43.6786200811343) < 1e-9)
        #expect(ledger.privacySpent(delta: 1e-5).order == 2)
    }

    // MARK: Integer and fractional paths

    @Test("integer and fractional computations agree near integer orders")
    func integerAndFractionalPathsAgree() {
        for (q, sigma) in [(0.04, 1.5), (0.001, 0.8), (0.01, 4.0), (0.3, 1.0), (0.9, 2.0), (1e-5, 0.3)] {
            for order in [2.0, 3, 5, 10, 32, 63] {
                let exact = RDPAccountant.rdp(q: q, sigma: sigma, order: order)
                let below = RDPAccountant.rdp(q: q, sigma: sigma, order: order - 1e-7)
                let above = RDPAccountant.rdp(q: q, sigma: sigma, order: order + 1e-7)
                #expect(abs(below - exact) <= 1e-5 * exact, "q=\(q) sigma=\(sigma) order=\(order)")
                #expect(abs(above - exact) <= 1e-5 * exact, "q=\(q) sigma=\(sigma) order=\(order)")
                // Rényi divergence is non-decreasing in the order.
                #expect(below <= exact * (1 + 1e-9) && exact <= above * (1 + 1e-9))
            }
        }
        // The published pair from the brief: order 3 vs 3.0000001.
        let three = RDPAccountant.rdp(q: 0.04, sigma: 1.5, order: 3)
        let nearThree = RDPAccountant.rdp(q: 0.04, sigma: 1.5, order: 3.0000001)
        #expect(abs(nearThree - three) < 1e-9)
        #expect(nearThree >= three)
    }

    @Test("RDP is non-decreasing in the order and bounded by alpha / (2 sigma^2)")
    func rdpMonotoneInOrder() {
        for (q, sigma) in [(0.04, 1.5), (0.0025, 1.3), (0.5, 0.7), (0.01, 10.0), (0.2, 0.4)] {
            let orders = RDPAccountant.defaultOrders
            let rdp = RDPAccountant.rdp(q: q, sigma: sigma, steps: 1, orders: orders)
            for (index, value) in rdp.enumerated() {
                #expect(value >= 0 && value <= orders[index] / (2 * sigma * sigma))
                if index > 0 { #expect(rdp[index - 1] <= value * (1 + 1e-9)) }
            }
        }
    }

    // MARK: Monotonicity of epsilon

    static let qs = [0.0, 1e-4, 0.001, 0.005, 0.01, 0.05, 0.1, 0.3, 0.6, 1.0]
    static let sigmas = [0.4, 0.6, 0.8, 1.0, 1.3, 2.0, 4.0, 8.0, 20.0]
    static let stepCounts = [1, 10, 100, 1000, 10_000]

    @Test("epsilon is non-decreasing in steps and q, non-increasing in sigma")
    func epsilonMonotonicity() {
        let orders = RDPAccountant.defaultOrders
        // perStep[q][sigma] = one-step RDP curve.
        let perStep = Self.qs.map { q in Self.sigmas.map { sigma in
            RDPAccountant.rdp(q: q, sigma: sigma, steps: 1, orders: orders)
        } }
        func eps(_ qi: Int, _ si: Int, _ steps: Int, _ conversion: RDPAccountant.Conversion) -> Double {
            let rdp = perStep[qi][si].map { $0 * Double(steps) }
            return RDPAccountant.epsilon(rdp: rdp, orders: orders, delta: 1e-5, conversion: conversion).epsilon
        }
        let slack = 1e-9
        for conversion in RDPAccountant.Conversion.allCases {
            for qi in Self.qs.indices {
                for si in Self.sigmas.indices {
                    for (ti, steps) in Self.stepCounts.enumerated() {
                        let e = eps(qi, si, steps, conversion)
                        #expect(e >= 0)
                        if ti > 0 {
                            #expect(eps(qi, si, Self.stepCounts[ti - 1], conversion) <= e * (1 + slack))
                        }
                        if qi > 0 { #expect(eps(qi - 1, si, steps, conversion) <= e * (1 + slack)) }
                        if si > 0 { #expect(eps(qi, si - 1, steps, conversion) >= e * (1 - slack)) }
                    }
                }
            }
        }
    }

    @Test("the improved conversion is never worse than the standard one")
    func improvedBeatsStandard() {
        for q in Self.qs {
            for sigma in Self.sigmas {
                let improved = RDPAccountant.epsilon(q: q, sigma: sigma, steps: 500, delta: 1e-6)
                let standard = RDPAccountant.epsilon(q: q, sigma: sigma, steps: 500, delta: 1e-6,
                                                     conversion: .standard)
                #expect(improved.epsilon <= standard.epsilon)
            }
        }
    }

    // MARK: Ledger

    @Test("ledger with heterogeneous rounds equals the sum of the RDP curves")
    func ledgerHeterogeneous() {
        var ledger = PrivacyLedger()
        #expect(ledger.steps == 0)
        #expect(ledger.epsilon(delta: 1e-5) == 0)

        ledger.compose(q: 0.01, sigma: 1.2, steps: 300)
        ledger.compose(q: 0.05, sigma: 0.9)
        ledger.compose(q: 0.05, sigma: 0.9, steps: 49)
        ledger.compose(q: 0.02, sigma: 2.0, steps: 0)     // no-op
        ledger.compose(q: 0.02, sigma: 2.0, steps: -3)    // no-op
        #expect(ledger.steps == 350)

        let orders = RDPAccountant.defaultOrders
        let a = RDPAccountant.rdp(q: 0.01, sigma: 1.2, steps: 300, orders: orders)
        let b = RDPAccountant.rdp(q: 0.05, sigma: 0.9, steps: 50, orders: orders)
        let total = zip(a, b).map { $0 + $1 }
        for (x, y) in zip(ledger.rdp, total) { #expect(abs(x - y) <= 1e-12 * y) }
        let expected = RDPAccountant.epsilon(rdp: total, orders: orders, delta: 1e-5)
        #expect(abs(ledger.epsilon(delta: 1e-5) - expected.epsilon) <= 1e-12 * expected.epsilon)
        #expect(ledger.privacySpent(delta: 1e-5).order == expected.order)

        // Heterogeneous accounting lies between the homogeneous extremes.
        let low = RDPAccountant.epsilon(q: 0.01, sigma: 1.2, steps: 350, delta: 1e-5).epsilon
        let high = RDPAccountant.epsilon(q: 0.05, sigma: 0.9, steps: 350, delta: 1e-5).epsilon
        #expect(low < ledger.epsilon(delta: 1e-5) && ledger.epsilon(delta: 1e-5) < high)

        // Custom orders.
        var tf = PrivacyLedger(orders: RDPAccountant.tensorFlowPrivacyOrders)
        tf.compose(q: 150.0 / 60000.0, sigma: 1.3, steps: 6000)
        #expect(abs(tf.epsilon(delta: 1e-5) - 0.7242234026109595) < 1e-9)
        #expect(abs(tf.epsilon(delta: 1e-5, conversion: .standard) - 0.941870567) < 1e-8)
    }

    // MARK: Robustness

    @Test("extreme inputs neither trap nor produce NaN")
    func extremeInputs() {
        let qs = [0.0, Double.leastNonzeroMagnitude, 1e-300, 1e-12, 1e-6, 0.01, 0.5, 0.999999, 1 - 1e-16, 1.0]
        let sigmas = [0.0, 1e-300, 1e-160, 1e-150, 1e-20, 1e-3, 0.05, 1, 1e3, 1e6, 1e100, 1e160, 1e300, .infinity]
        let orders = [1.0000001, 1.01, 1.5, 2, 3.5, 63, 128.5, 1000.5, 1e5, 2e6, 1e300, .infinity]
        for q in qs {
            for sigma in sigmas {
                for order in orders {
                    let r = RDPAccountant.rdp(q: q, sigma: sigma, order: order)
                    #expect(!r.isNaN && r >= 0, "q=\(q) sigma=\(sigma) order=\(order)")
                    if sigma > 0 && order.isFinite {
                        #expect(r <= order / (2 * sigma * sigma), "q=\(q) sigma=\(sigma) order=\(order)")
                    }
                }
            }
        }
        let deltas = [0.0, Double.leastNonzeroMagnitude, 1e-300, 1e-12, 1e-5, 0.5, 1.0, 2.0]
        for q in [1e-300, 0.01, 1.0] {
            for sigma in [1e-300, 1e-5, 0.3, 1, 1e6, 1e300] {
                for delta in deltas {
                    for conversion in RDPAccountant.Conversion.allCases {
                        let result = RDPAccountant.epsilon(q: q, sigma: sigma, steps: Int.max, delta: delta,
                                                           conversion: conversion)
                        #expect(!result.epsilon.isNaN && result.epsilon >= 0)
                    }
                }
            }
        }
        // Tiny sigma: no privacy to speak of; huge sigma: none lost.
        #expect(RDPAccountant.epsilon(q: 0.01, sigma: 1e-300, steps: 1, delta: 1e-5).epsilon == .infinity)
        #expect(RDPAccountant.epsilon(q: 0.01, sigma: 1e-3, steps: 1, delta: 1e-5).epsilon > 1e5)
        #expect(RDPAccountant.epsilon(q: 0.01, sigma: 1e300, steps: 1000, delta: 1e-5).epsilon == 0)
        // Tiny delta only raises epsilon.
        let e5 = RDPAccountant.epsilon(q: 0.01, sigma: 1, steps: 1000, delta: 1e-5).epsilon
        let e300 = RDPAccountant.epsilon(q: 0.01, sigma: 1, steps: 1000, delta: 1e-300).epsilon
        #expect(e300.isFinite && e300 > e5)

        // The ledger saturates its step count instead of overflowing.
        var ledger = PrivacyLedger(orders: [2, 8.5])
        ledger.compose(q: 0.1, sigma: 1, steps: Int.max)
        ledger.compose(q: 0.1, sigma: 1, steps: Int.max)
        #expect(ledger.steps == Int.max)
        #expect(ledger.rdp.allSatisfy { $0.isFinite && $0 > 0 })
        ledger.compose(q: 0.1, sigma: 0, steps: 1)
        #expect(ledger.epsilon(delta: 1e-5) == .infinity)
    }
}
