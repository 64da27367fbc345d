// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fedsim",
    products: [
        .executable(name: "fedsim", targets: ["fedsim"]),
        .library(name: "FedSim", targets: ["FedSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - Implementation details

        /// GNU GSL (random numbers, distributions) and the CBLAS header; CBLAS calls are served by
        /// OpenBLAS. The module map links openblas before gsl and never names libgslcblas (and there
        /// is no pkgConfig, which would add -lgslcblas), so OpenBLAS's cblas_* symbols win for
        /// fedsim and for libgsl alike. Only FedMath imports it.
        .systemLibrary(
            name: "CGSL",
            providers: [.apt(["libgsl-dev", "libopenblas-dev"])]
        ),
        /// zlib, to read the shipped gzip-compressed data. Only FedMath imports it.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: - Modules

        /// The only Swift module that calls C: random streams, distributions, BLAS.
        .target(name: "FedMath", dependencies: ["CGSL", "CZlib"]),
        /// Discrete-event core: virtual clock, event queue, run loop. Knows nothing about learning.
        .target(
            name: "FedSimEngine",
            dependencies: [.product(name: "HeapModule", package: "swift-collections")]
        ),
        /// Everything about federated learning: scenario, fleet, data, model, federation, report.
        .target(
            name: "FedSim",
            dependencies: ["FedMath", "FedSimEngine", .product(name: "Crypto", package: "swift-crypto")]
        ),
        /// The command-line tool: argument parsing and terminal output only.
        .executableTarget(
            name: "fedsim",
            dependencies: [
                "FedSim",
                "FedMath",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        /// Mutation fuzzer of the scenario reader, validator and short runs; drives the fedsim binary.
        .executableTarget(name: "fedsim-fuzz"),

        // MARK: - Tests

        .testTarget(name: "FedSimEngineTests", dependencies: ["FedSimEngine"]),
        .testTarget(name: "FedSimTests", dependencies: ["FedSim", "FedMath", "FedSimEngine"]),
    ]
)
