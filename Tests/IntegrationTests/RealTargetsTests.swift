import Agent
import AsyncHTTPClient
import EMF
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import PromwatchConfig
import PromwatchTestSupport
import Scrape
import ServiceLifecycle
import Testing

/// The agent against real programs: Debian's node exporter and Prometheus, plus misbehaving targets.
@Suite(.serialized)
struct RealTargetsTests {
    @Test func scrapesRealExportersAndIsolatesBrokenTargets() async throws {
        let nodeExporterPath = try #require(
            RealProcess.locate("prometheus-node-exporter"), "Debian's prometheus-node-exporter is installed (make test-deps)")
        let prometheusPath = try #require(RealProcess.locate("prometheus"), "Debian's prometheus is installed")

        let nodePort = try TestPorts.free()
        let nodeExporter = try RealProcess(
            nodeExporterPath,
            ["--web.listen-address=127.0.0.1:\(nodePort)", "--no-collector.filesystem", "--no-collector.systemd"])
        let prometheusPort = try TestPorts.free()
        let prometheusDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: prometheusDirectory, withIntermediateDirectories: true)
        let prometheusConfig = prometheusDirectory.appendingPathComponent("prometheus.yml")
        try "global:\n  scrape_interval: 5s\nscrape_configs: []\n".write(to: prometheusConfig, atomically: false, encoding: .utf8)
        let prometheus = try RealProcess(
            prometheusPath,
            [
                "--config.file=\(prometheusConfig.path)", "--web.listen-address=127.0.0.1:\(prometheusPort)",
                "--storage.tsdb.path=\(prometheusDirectory.appendingPathComponent("data").path)",
            ])
        defer { try? FileManager.default.removeItem(at: prometheusDirectory) }

        // Misbehaving targets: garbage with 200, an oversized body, and a listener that never answers.
        let hanging = try SilentListener()
        defer { hanging.close() }
        let misbehaving = try MisbehavingTargets()

        do {
            try await TestPorts.waitUntilListening(nodePort)
            try await TestPorts.waitUntilListening(prometheusPort)
            try await misbehaving.run { brokenPort in
                try await runAgent(
                    nodePort: nodePort, prometheusPort: prometheusPort, brokenPort: brokenPort, hangingPort: hanging.port)
            }
        } catch {
            Issue.record("node exporter stderr: \(nodeExporter.stderr.suffix(2000))")
            Issue.record("prometheus stderr: \(prometheus.stderr.suffix(2000))")
            await nodeExporter.stop()
            await prometheus.stop()
            throw error
        }
        await nodeExporter.stop()
        await prometheus.stop()
    }

    private func runAgent(nodePort: Int, prometheusPort: Int, brokenPort: Int, hangingPort: Int) async throws {
        let yaml = """
            server:
              listen_address: 127.0.0.1:0
            global:
              scrape_interval: 2s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: [127.0.0.1:\(nodePort)]
              - job_name: prometheus
                static_configs:
                  - targets: [127.0.0.1:\(prometheusPort)]
              - job_name: garbage
                metrics_path: /garbage
                static_configs:
                  - targets: [127.0.0.1:\(brokenPort)]
              - job_name: oversized
                metrics_path: /huge
                body_size_limit: 1MiB
                static_configs:
                  - targets: [127.0.0.1:\(brokenPort)]
              - job_name: hanging
                static_configs:
                  - targets: [127.0.0.1:\(hangingPort)]
            emf:
              metric_namespace: PromWatch/IntegrationTest
              cluster_name: it
              metric_declaration:
                - source_labels: [job]
                  label_matcher: "^node$"
                  dimensions: [[ClusterName, instance, cpu, mode], [ClusterName, instance]]
                  metric_selectors: ["^node_cpu_seconds_total$", "^node_load1$"]
                - source_labels: [job]
                  label_matcher: "^prometheus$"
                  dimensions: [[job, handler]]
                  metric_selectors: ["^prometheus_http_requests_total$"]
                - source_labels: [job]
                  dimensions: [[job, instance]]
                  metric_selectors: ["^up$"]
            """
        let configuration = try ConfigLoader.parse(yaml: yaml, fileName: "integration.yaml", baseDirectory: nil)
        let sink = InMemoryEMFSink()
        var logger = Logger(label: "integration")
        logger.logLevel = .warning
        let (serverPorts, serverPortContinuation) = AsyncStream<Int>.makeStream()
        let runtime = try buildAgent(
            configuration: configuration, registry: PrometheusCollectorRegistry(), logger: logger,
            options: AgentOptions(sink: sink, onServerListening: { serverPortContinuation.yield($0) }))
        let group = runtime.serviceGroup(logger: logger)
        let health = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = serverPorts.makeAsyncIterator()
            let serverPort = try #require(await ports.next())
            // Three intervals: baselines on the first scrape, deltas on the next two.
            try await Task.sleep(for: .seconds(7))
            let health = runtime.health.snapshot()
            try await checkAgentEndpoints(port: serverPort)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return Dictionary(health.map { ($0.jobName, $0) }, uniquingKeysWith: { first, _ in first })
        }

        let events = try sink.written.map { try DecodedEvent($0.message) }
        #expect(!events.isEmpty)
        for event in events { event.checkStructure() }

        // Only selected metrics are emitted.
        let allowed: Set<String> = ["node_cpu_seconds_total", "node_load1", "prometheus_http_requests_total", "up"]
        for event in events {
            for key in event.valueKeys { #expect(allowed.contains(key), "unselected metric \(key) emitted") }
        }

        // Node CPU counters: deltas, never negative, with the declared dimension sets.
        let cpuEvents = events.filter { $0.metricNames.contains("node_cpu_seconds_total") }
        #expect(!cpuEvents.isEmpty, "node CPU deltas after the baseline scrape")
        for event in cpuEvents {
            #expect((event.number("node_cpu_seconds_total") ?? -1) >= 0)
            #expect(event.dimensionSets.contains(["ClusterName", "cpu", "instance", "mode"]))
            #expect(event.dimensionSets.contains(["ClusterName", "instance"]))
            #expect(event.string("ClusterName") == "it")
        }
        // Gauges flow from every successful scrape, at several scrape times, despite the broken targets.
        let loadTimes = Set(events.filter { $0.metricNames.contains("node_load1") }.compactMap(\.timestamp))
        #expect(loadTimes.count >= 2, "node_load1 at \(loadTimes.count) scrape times")
        #expect(events.contains { $0.metricNames.contains("prometheus_http_requests_total") })

        // `up` is 1 for working targets and 0 for broken ones.
        let upByJob = Dictionary(
            events.filter { $0.metricNames.contains("up") }.compactMap { event in
                event.string("job").map { ($0, event.number("up") ?? -1) }
            }, uniquingKeysWith: { _, last in last })
        #expect(upByJob["node"] == 1)
        #expect(upByJob["prometheus"] == 1)
        #expect(upByJob["garbage"] == 0)
        #expect(upByJob["oversized"] == 0)
        #expect(upByJob["hanging"] == 0)

        // Health says why each broken target is down.
        #expect(health["node"]?.state == .up)
        #expect(health["prometheus"]?.state == .up)
        #expect(health["garbage"]?.state == .down)
        #expect(health["garbage"]?.lastError?.contains("invalid exposition") == true, "\(String(describing: health["garbage"]?.lastError))")
        #expect(health["oversized"]?.lastError?.contains("body size limit") == true, "\(String(describing: health["oversized"]?.lastError))")
        #expect(health["hanging"]?.lastError?.contains("timed out") == true, "\(String(describing: health["hanging"]?.lastError))")
    }
}

/// The agent's own endpoints answer while it runs: ready after the first round, five targets listed.
private func checkAgentEndpoints(port: Int) async throws {
    func get(_ path: String) async throws -> (UInt, String) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }
    #expect(try await get("/healthz").0 == 200)
    #expect(try await get("/readyz") == (200, "ready\n"))
    #expect(try await get("/metrics").0 == 200)
    let (status, targetsJSON) = try await get("/targets")
    #expect(status == 200)
    let targets = try JSONSerialization.jsonObject(with: Data(targetsJSON.utf8)) as? [[String: Any]]
    #expect(targets?.count == 5)
    #expect(targets?.contains { $0["job"] as? String == "hanging" && $0["health"] as? String == "down" } == true)
}

/// An in-process HTTP server with broken endpoints: `/garbage` (200 with text that is not an exposition) and
/// `/huge` (a 3 MB exposition).
struct MisbehavingTargets {
    func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/garbage") { _, _ in "this is { not an exposition\n\u{1}\u{2}\n" }
        router.get("/huge") { _, _ -> String in
            String(repeating: "huge_metric{label=\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"} 1\n", count: 50_000)
        }
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "misbehaving"))
        let group = ServiceGroup(services: [app], logger: Logger(label: "misbehaving"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    init() throws {}
}
