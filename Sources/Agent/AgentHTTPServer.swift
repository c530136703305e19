import DemoExporter
import Foundation
import Hummingbird
import Logging
import Prometheus
import Scrape
import ServiceLifecycle

/// The agent's own endpoints: `/metrics` (its self-telemetry), `/healthz`, `/readyz` and `/targets`.
enum AgentHTTPServer {
    static func make(
        listenAddress: String, registry: PrometheusCollectorRegistry, health: TargetHealthRegistry,
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) throws -> some Service {
        let (host, port) = try parseListenAddress(listenAddress)
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var body: [UInt8] = []
            registry.emit(into: &body)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            // Ready once every target has had its first scrape attempt, whatever its outcome.
            let pending = health.snapshot().filter { $0.state == .unknown }.count
            let ready = pending == 0
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready: \(pending) targets not scraped yet\n")))
        }
        router.get("/targets") { _, _ -> Response in
            let targets = health.snapshot().map(TargetHealthDocument.init)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(targets)) ?? Data("[]".utf8)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "promwatch"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("agent HTTP server listening", metadata: ["http.port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
    }
}

/// `/targets` entries, like Prometheus's `/api/v1/targets`.
struct TargetHealthDocument: Codable {
    var job: String
    var instance: String
    var url: String
    var health: String
    var lastError: String?
    var lastScrape: Int64?
    var lastScrapeDuration: Double
    var samplesScraped: Int

    init(_ health: TargetHealth) {
        job = health.jobName
        instance = health.instance
        url = health.url
        self.health = health.state.rawValue
        lastError = health.lastError
        lastScrape = health.lastScrapeMilliseconds
        lastScrapeDuration = health.lastScrapeDurationSeconds
        samplesScraped = health.samplesScraped
    }
}
