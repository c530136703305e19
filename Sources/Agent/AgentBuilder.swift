import AWSClients
import AWSCore
import AsyncHTTPClient
import DemoExporter
import Discovery
public import EMF
import EMFDelivery
import Foundation
public import Logging
import NIOHTTPCompression
import NIOPosix
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
                logger: logger
            )
        )
    }
}

/// Options that are not part of the configuration file.
public struct AgentOptions: Sendable {
    public var wallClock: any WallClock
    /// Where events go instead of the configured `emf.output` (tests use an in-memory sink).
    public var sink: (any EMFEventSink)?
    /// Called with the events of every scrape as they are handed to the sink (for tools and tests that verify
    /// delivery end to end).
    public var onEventsConverted: (@Sendable ([EMFLogEvent]) -> Void)?
    /// The environment the AWS credential chain, region and endpoint overrides read; `nil`: the process's.
    public var environment: [String: String]?
    /// Called with the agent HTTP server's bound port (useful when the configuration says port 0).
    public var onServerListening: @Sendable (Int) async -> Void
    /// Called with the demo exporter's bound port, when it runs.
    public var onDemoExporterListening: @Sendable (Int) async -> Void
    /// DaemonSet mode: discover only the pods on this node (`--node-name`, `NODE_NAME`).
    public var nodeName: String?
    /// How long discovery gathers changes before it updates the scrape targets (Prometheus: 5 s).
    public var discoveryUpdateInterval: Duration = .seconds(5)
    /// Whether the agent releases code pages it no longer runs (``ResidentCodeTrimmer``).
    public var releasesUnusedCode = true

    public init(
        wallClock: any WallClock = SystemWallClock(),
        sink: (any EMFEventSink)? = nil,
        environment: [String: String]? = nil,
        onEventsConverted: (@Sendable ([EMFLogEvent]) -> Void)? = nil,
        onServerListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onDemoExporterListening: @escaping @Sendable (Int) async -> Void = { _ in },
        nodeName: String? = nil
    ) {
        self.nodeName = nodeName
        self.wallClock = wallClock
        self.sink = sink
        self.environment = environment
        self.onEventsConverted = onEventsConverted
        self.onServerListening = onServerListening
        self.onDemoExporterListening = onDemoExporterListening
    }
}

/// Builds the agent: HTTP server, optional demo workload, scrape manager over static targets, EMF conversion
/// into the configured output (`emf.output`: stdout, or CloudWatch Logs through a bounded buffer and optional
/// disk spool), unless ``AgentOptions/sink`` overrides it.
/// - Throws: when the EMF rules or listen addresses are invalid (the configuration loader checks both first), when
///   no AWS region can be found for CloudWatch output, or when the spool directory cannot be used.
public func buildAgent(
    configuration: AgentConfiguration,
    registry: PrometheusCollectorRegistry,
    logger: Logger,
    options: AgentOptions = AgentOptions()
) throws -> AgentRuntime {
    let agentStart = options.wallClock.nowMilliseconds()
    // PutLogEvents embeds each document in a JSON string: written escaped at conversion, the request body is copied
    // together instead of escaped byte by byte at delivery.
    let deliversToCloudWatch = options.sink == nil && configuration.emf.output == .cloudwatch
    let converter = try EMFConverter(
        configuration: configuration.emf,
        agentStartMilliseconds: agentStart,
        messageEncoding: deliversToCloudWatch ? .jsonStringContent : .document
    )
    let health = TargetHealthRegistry()

    // One client for every scrape: per-request TLS settings and deadlines come from each job. Bodies are
    // decompressed up to the largest body_size_limit; each job's own limit is checked while reading.
    // A limit of 0 means none (Prometheus's convention).
    let bodyLimits = configuration.scrapeConfigs.map(\.bodySizeLimit)
    var clientConfiguration = HTTPClient.Configuration()
    let decompressionLimit: NIOHTTPDecompression.DecompressionLimit =
        bodyLimits.contains(0) ? .none : .size(bodyLimits.max() ?? 64 << 20)
    clientConfiguration.decompression = .enabled(limit: decompressionLimit)
    clientConfiguration.redirectConfiguration = .follow(max: 3, allowCycles: false)
    // No request spans: even the no-op tracer costs a dynamic cast and a span per scrape.
    clientConfiguration.tracing.tracer = nil
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)

    let (sink, sinkService) = try makeSink(configuration: configuration, options: options, logger: logger)
    let handler = EMFScrapeHandler(
        converter: converter,
        sink: sink,
        onEventsConverted: options.onEventsConverted,
        logger: logger
    )
    let (targetUpdates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
    let discovery = DiscoveryManager(
        jobs: configuration.scrapeConfigs,
        providers: try KubernetesDiscoverer.discoverers(
            for: configuration.scrapeConfigs,
            nodeName: options.nodeName,
            environment: options.environment ?? ProcessInfo.processInfo.environment,
            logger: logger
        ),
        output: continuation,
        updateInterval: options.discoveryUpdateInterval,
        logger: logger
    )
    let manager = ScrapeManager(
        scraper: Scraper(
            client: client,
            userAgent: "promwatch/\(promwatchVersion)",
            decompressionLimit: decompressionLimit
        ),
        handler: handler,
        health: health,
        targetUpdates: targetUpdates,
        // Scrape loops wake on event-loop timers, not dispatch's (see EventLoopClock).
        clock: EventLoopClock(eventLoopGroup: MultiThreadedEventLoopGroup.singleton),
        wallClock: options.wallClock,
        logger: logger
    )

    var services: [any Service] = [
        HTTPClientService(client: client),
        sinkService,
        try AgentHTTPServer.make(
            listenAddress: configuration.server.listenAddress,
            registry: registry,
            health: health,
            logger: logger,
            onListening: options.onServerListening
        ),
    ]
    if let demo = configuration.demoExporter {
        services.append(
            try DemoExporter(
                listenAddress: demo.listenAddress,
                logger: logger,
                onListening: options.onDemoExporterListening
            )
        )
    }
    services.append(discovery)
    services.append(manager)
    if options.releasesUnusedCode {
        let longestInterval = configuration.scrapeConfigs.map(\.scrapeInterval).max() ?? .seconds(60)
        services.append(
            ResidentCodeTrimmer(
                firstAfter: ResidentCodeTrimmer.firstPassDelay(longestInterval: longestInterval),
                logger: logger
            )
        )
    }
    return AgentRuntime(services: services, health: health)
}

/// The sink for `emf.output` and the service that runs (and at shutdown drains) it.
private func makeSink(
    configuration: AgentConfiguration,
    options: AgentOptions,
    logger: Logger
) throws -> (any EMFEventSink, any Service) {
    if let sink = options.sink { return (sink, SinkService(sink: sink)) }
    switch configuration.emf.output {
    case .stdout:
        let sink = FileDescriptorEMFSink(fileDescriptor: 1)
        return (sink, SinkService(sink: sink))
    case .cloudwatch:
        let aws = configuration.aws
        var awsConfiguration = try AWSClientConfiguration.fromEnvironment(
            options.environment ?? AWSClientConfiguration.processEnvironment,
            region: aws.region,
            profile: aws.profile,
            endpoints: Dictionary(
                uniqueKeysWithValues: aws.endpoints.compactMap { service, url in
                    awsService(endpointPrefix: service).map { ($0.environmentID, url) }
                }
            ),
            logger: logger
        )
        awsConfiguration.retryPolicy.maxAttempts = aws.maxAttempts
        awsConfiguration.userAgent = "promwatch/\(promwatchVersion)"
        let writer = CloudWatchLogsWriter(client: try CloudWatchLogsClient(configuration: awsConfiguration))
        let wallClock = options.wallClock
        let sink = try CloudWatchLogsEMFSink(
            client: writer,
            configuration: configuration.cloudWatchLogs,
            clock: ContinuousClock(),
            wallClockMilliseconds: { wallClock.nowMilliseconds() },
            logger: logger
        )
        return (sink, sink)
    }
}

/// The AWS service a configuration `aws.endpoints` key names.
private func awsService(endpointPrefix: String) -> AWSService? {
    [AWSService.cloudWatchLogs, .cloudWatch, .sns, .sts].first { $0.endpointPrefix == endpointPrefix }
}

/// The version reported in `User-Agent` and `--version`.
public let promwatchVersion = "0.1.0"

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
