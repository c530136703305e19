// swift-tools-version:6.2
import PackageDescription

// promwatch benchmarks (ordo-one/benchmark), a package of their own so the main package never builds the harness.
//
//   cd Benchmarks && swift package benchmark                             # all targets
//   cd Benchmarks && swift package benchmark --target SigV4Benchmarks    # one target
//
// To add a benchmark target: create `Benchmarks/<Name>/<Name>.swift` (it defines `let benchmarks: @Sendable () -> Void`)
// and add one entry below with the promwatch products it uses. A product must be a library of the parent package.

/// Every benchmark executable: its name (= folder under `Benchmarks/`) and what it depends on besides `Benchmark`.
let benchmarkTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("SigV4Benchmarks", [.product(name: "SigV4", package: "promwatch")]),
    (
        "EMFDeliveryBenchmarks",
        [
            .product(name: "EMF", package: "promwatch"), .product(name: "AWSClients", package: "promwatch"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]
    ),
    ("ExpositionBenchmarks", [.product(name: "PromExposition", package: "promwatch"), "BenchmarkCorpus"]),
    (
        "EMFBenchmarks",
        [.product(name: "EMF", package: "promwatch"), .product(name: "PromExposition", package: "promwatch"), "BenchmarkCorpus"]
    ),
    ("RelabelBenchmarks", [.product(name: "Relabel", package: "promwatch")]),
    (
        "ScrapeBenchmarks",
        [
            .product(name: "Scrape", package: "promwatch"), .product(name: "Relabel", package: "promwatch"),
            .product(name: "PromExposition", package: "promwatch"), "BenchmarkCorpus",
        ]
    ),
]

let package = Package(
    name: "promwatch-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise identified by its folder name, which differs per clone.
        .package(name: "promwatch", path: ".."),
        // Request bodies are NIO buffers (the EMF delivery benchmarks write them as the agent does).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // The machine's copy is named `benchmark` (its former name was package-benchmark). The trait list replaces
        // the default traits: MallocInterposer gives the malloc metrics; RuntimeInterposer (Swift 6.3 ARC hooks) stays
        // off because its swift-runtime-interposer dependency is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Finding and reading the shared corpus, for the benchmarks that parse captures from it.
        .target(name: "BenchmarkCorpus", path: "Support/BenchmarkCorpus")
    ] + benchmarkTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: [.product(name: "Benchmark", package: "benchmark")] + target.dependencies,
            path: "Benchmarks/\(target.name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
