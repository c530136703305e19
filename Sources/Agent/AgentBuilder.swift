import AsyncHTTPClient
import DemoExporter
public import EMF
public import Logging
import NIOHTTPCompression
public import Prometheus
public import PromwatchConfig
public import Scrape
public import ServiceLifecycle
import UnixSignals

/// Everything one `promwatch agent` runs, built from its configuration. `main` and the tests build the same
/// graph: `main` runs ``serviceGroup(logger:)`` with signal handling; tests run it and trigger shutdown.
public struct AgentRuntime: Sendable {
    /// In start order; shut down in reverse (scraping stops first, sinks flush last).
    public let services: [any Service]
    /// Health of every target, as served on `/targets`.
    public let health: TargetHealthRegistry

    /// The services as one group that stops gracefully on SIGTERM and SIGINT.
    public func serviceGroup(logger: Logger) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }
}

/// Options that are not part of the configuration file.
public struct AgentOptions: Sendable {
    public var wallClock: any WallClock
    /// Called with the agent HTTP server's bound port (useful when the configuration says port 0).
    public var onServerListening: @Sendable (Int) async -> Void
    /// Called with the demo exporter's bound port, when it runs.
    public var onDemoExporterListening: @Sendable (Int) async -> Void

    public init(
        wallClock: any WallClock = SystemWallClock(),
        onServerListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onDemoExporterListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.wallClock = wallClock
        self.onServerListening = onServerListening
        self.onDemoExporterListening = onDemoExporterListening
    }
}

/// Builds the agent: HTTP server, optional demo workload, scrape manager over static targets, EMF conversion
/// into `sink`.
/// - Throws: when the EMF rules or listen addresses are invalid (the configuration loader checks both first).
public func buildAgent(
    configuration: AgentConfiguration, sink: any EMFEventSink, registry: PrometheusCollectorRegistry,
    logger: Logger, options: AgentOptions = AgentOptions()
) throws -> AgentRuntime {
    let agentStart = options.wallClock.nowMilliseconds()
    let converter = try EMFConverter(configuration: configuration.emf, agentStartMilliseconds: agentStart)
    let health = TargetHealthRegistry()

    // One client for every scrape: per-request TLS settings and deadlines come from each job. Bodies are
    // decompressed up to the largest body_size_limit; each job's own limit is checked while reading.
    // A limit of 0 means none (Prometheus's convention).
    let bodyLimits = configuration.scrapeConfigs.map(\.bodySizeLimit)
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.decompression =
        bodyLimits.contains(0) ? .enabled(limit: .none) : .enabled(limit: .size(bodyLimits.max() ?? 64 << 20))
    clientConfiguration.redirectConfiguration = .follow(max: 3, allowCycles: false)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)

    let handler = EMFScrapeHandler(converter: converter, sink: sink, logger: logger)
    let (targetUpdates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
    let discovery = StaticDiscoveryService(
        targets: StaticDiscovery.targets(for: configuration.scrapeConfigs), continuation: continuation)
    let manager = ScrapeManager(
        scraper: Scraper(client: client, userAgent: "promwatch/\(promwatchVersion)"), handler: handler,
        health: health, targetUpdates: targetUpdates, clock: ContinuousClock(), wallClock: options.wallClock,
        logger: logger)

    var services: [any Service] = [
        HTTPClientService(client: client),
        SinkService(sink: sink),
        try AgentHTTPServer.make(
            listenAddress: configuration.server.listenAddress, registry: registry, health: health, logger: logger,
            onListening: options.onServerListening),
    ]
    if let demo = configuration.demoExporter {
        services.append(
            try DemoExporter(
                listenAddress: demo.listenAddress, logger: logger, onListening: options.onDemoExporterListening))
    }
    services.append(discovery)
    services.append(manager)
    return AgentRuntime(services: services, health: health)
}

/// The version reported in `User-Agent` and `--version`.
public let promwatchVersion = "0.1.0"

/// Publishes the static target set once and keeps it in force until shutdown.
struct StaticDiscoveryService: Service {
    let targets: [ScrapeTarget]
    let continuation: AsyncStream<[ScrapeTarget]>.Continuation

    func run() async throws {
        continuation.yield(targets)
        try? await gracefulShutdown()
        continuation.finish()
    }
}

/// Owns the scrape HTTP client's lifetime: shut down after everything that uses it has stopped.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Flushes the sink when the agent stops, after scraping has drained.
struct SinkService: Service {
    let sink: any EMFEventSink

    func run() async throws {
        try? await gracefulShutdown()
        await sink.flush()
    }
}
