// swift-tools-version:6.2
import PackageDescription

/// Settings every promwatch target shares (house style §2).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "promwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "promwatch", targets: ["promwatch"]),
        .library(name: "PromExposition", targets: ["PromExposition"]),
        .library(name: "EMF", targets: ["EMF"]),
        .library(name: "AWSClients", targets: ["AWSClients"]),
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "Relabel", targets: ["Relabel"]),
        .library(name: "Scrape", targets: ["Scrape"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        // C: libprotobuf-c (Debian libprotobuf-c-dev), and the protobuf exposition types generated from
        // prometheus/client_model by scripts/generate-protobuf.sh (committed; see Sources/PromProto/README.md).
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .target(
            name: "PromProto", dependencies: ["CProtobufC"], exclude: ["README.md"],
            linkerSettings: [.linkedLibrary("protobuf-c")]),
        // Pure cores: bytes or values in, values out; no sockets, no clocks.
        .target(name: "PromExposition", dependencies: ["PromProto"], swiftSettings: strictSettings),
        .target(name: "EMF", dependencies: ["PromExposition", "JSON"], swiftSettings: strictSettings),
        // Pure core: Prometheus relabelling (every action) on a linear-time RE2-syntax regex engine.
        .target(name: "Relabel", swiftSettings: strictSettings),
        .target(name: "SigV4", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictSettings),
        // Pure core: the one JSON value type (exact integers, ordered objects, byte parser, compact writer, Codable)
        // shared by the AWS JSON protocol, the Kubernetes client and the Kubernetes API emulator.
        .target(name: "JSON", swiftSettings: strictSettings),
        // IO: AWS without an SDK — credentials chain, endpoints, JSON/query protocols, retries.
        .target(
            name: "AWSCore",
            dependencies: [
                "JSON", "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // IO: thin typed clients — CloudWatch Logs, CloudWatch, SNS, STS.
        .target(
            name: "AWSClients",
            dependencies: [
                "AWSCore", "JSON", "SigV4",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // IO: EMF delivery to CloudWatch Logs — bounded buffer, disk spool, batching, retries.
        .target(
            name: "EMFDelivery",
            dependencies: [
                "EMF",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Configuration model and YAML loading (file/line/key errors).
        .target(
            name: "PromwatchConfig",
            dependencies: ["EMF", "EMFDelivery", "Relabel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // IO: scrape loops, target health.
        .target(
            name: "Scrape",
            dependencies: [
                "PromExposition", "PromwatchConfig", "Relabel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The built-in demo workload (`promwatch demo-exporter`).
        .target(
            name: "DemoExporter",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // IO: a small Kubernetes client — config/auth (kubeconfig, in-cluster, exec plugins), typed models, verbs,
        // watch, informer cache, work queue, Lease leader election.
        .target(
            name: "Kubernetes",
            dependencies: [
                "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // Discovery: target groups from static_configs and Kubernetes (Prometheus's __meta_kubernetes_* labels),
        // relabelled into scrape targets.
        .target(
            name: "Discovery",
            dependencies: [
                "Kubernetes", "Relabel", "PromwatchConfig", "Scrape",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Role: the agent's wiring (services, HTTP endpoints, sinks).
        .target(
            name: "Agent",
            dependencies: [
                "PromExposition", "EMF", "PromwatchConfig", "Scrape", "DemoExporter", "EMFDelivery", "AWSCore",
                "AWSClients", "Discovery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "promwatch",
            dependencies: [
                "Agent", "PromExposition", "PromwatchConfig", "DemoExporter", "EMF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Test support: real-program helpers (ports, processes) and misbehaving targets.
        .target(name: "PromwatchTestSupport", path: "Tests/PromwatchTestSupport", swiftSettings: strictSettings),
        // Test support for AWS: moto server harness, fault-injecting HTTP proxy, local credential endpoints.
        .target(
            name: "AWSTesting",
            dependencies: [
                "PromwatchTestSupport", "AWSCore", "AWSClients", "SigV4",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/AWSTesting",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strictSettings),
        .testTarget(
            name: "KubernetesTests", dependencies: ["Kubernetes", "JSON", "PromwatchTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "RelabelTests", dependencies: ["Relabel"], exclude: ["Data"], swiftSettings: strictSettings),
        // Test support: an in-process Kubernetes API server (list/watch, resourceVersions, patches, finalizers,
        // subresources, CRDs, fault injection).
        .target(
            name: "KubernetesTesting",
            dependencies: [
                "JSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/KubernetesTesting",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KubernetesTestingTests",
            dependencies: [
                "JSON", "KubernetesTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/KubernetesTestingTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KubernetesIntegrationTests",
            dependencies: [
                "JSON", "Kubernetes", "KubernetesTesting", "PromwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "DiscoveryTests",
            dependencies: [
                "Discovery", "Kubernetes", "PromwatchConfig", "PromwatchTestSupport", "Relabel", "Scrape",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4", "PromwatchTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: [
                "AWSCore", "AWSClients", "JSON", "SigV4", "AWSTesting", "PromwatchTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EMFDeliveryTests",
            dependencies: [
                "EMFDelivery", "EMF", "PromwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "PromExpositionTests", dependencies: ["PromExposition", "PromwatchTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "EMFTests", dependencies: ["EMF", "PromExposition", "PromwatchTestSupport"], exclude: ["Golden"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "PromwatchConfigTests", dependencies: ["PromwatchConfig", "EMF", "EMFDelivery", "Relabel", "PromwatchTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "DemoExporterTests", dependencies: ["DemoExporter", "PromExposition"], swiftSettings: strictSettings),
        .testTarget(
            name: "ScrapeTests",
            dependencies: [
                "Scrape", "DemoExporter", "PromwatchConfig", "PromExposition", "PromwatchTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "JSON", "KubernetesTesting",
                "Agent", "Scrape", "EMF", "PromwatchConfig", "PromExposition", "DemoExporter", "PromwatchTestSupport",
                "AWSTesting", "AWSClients", "AWSCore", "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
