import Hummingbird
public import Logging
public import ServiceLifecycle
import Synchronization

/// `promwatch demo-exporter`: serves ``DemoWorkload``'s metrics on `/metrics` and advances its simulated time
/// once a second, so there is something real to scrape with no cluster and no account.
public struct DemoExporter: Service {
    private let host: String
    private let port: Int
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - listenAddress: `host:port`; port 0 picks a free port, reported through `onListening`.
    public init(
        listenAddress: String, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        (host, port) = try parseListenAddress(listenAddress)
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let workload = SharedWorkload()
        let router = Router()
        router.get("/metrics") { request, _ -> Response in
            let accept = request.headers[.accept] ?? ""
            let openMetrics = accept.contains("application/openmetrics-text")
            let body = workload.state.withLock { $0.render(openMetrics: openMetrics) }
            let contentType =
                openMetrics
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/") { _, _ in "promwatch demo exporter: metrics on /metrics\n" }
        let onListening = self.onListening
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "promwatch-demo-exporter"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("demo exporter listening", metadata: ["demo.port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                // One tick a second of simulated traffic; stops with the service.
                for await _ in TickSequence(interval: .seconds(1)).cancelOnGracefulShutdown() {
                    workload.state.withLock { $0.advance(bySeconds: 1) }
                }
            }
            group.addTask { try await app.runService() }
        }
    }
}

/// The workload shared by the ticker (writer) and the `/metrics` handler (reader).
final class SharedWorkload: Sendable {
    let state = Mutex(DemoWorkload())
}

/// An endless sequence that yields once per `interval` (ending when its task is cancelled).
struct TickSequence: AsyncSequence, Sendable {
    typealias Element = Void
    let interval: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let interval: Duration
        mutating func next() async -> Void? {
            do {
                try await Task.sleep(for: interval)
                return ()
            } catch {
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(interval: interval) }
}

/// Splits `host:port` (IPv6 as `[::1]:port`).
public func parseListenAddress(_ address: String) throws -> (host: String, port: Int) {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
        (0...65535).contains(port)
    else {
        throw ListenAddressError(address: address)
    }
    var host = String(address[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty { host = "0.0.0.0" }
    return (host, port)
}

public struct ListenAddressError: Error, CustomStringConvertible {
    public let address: String
    public var description: String { "invalid listen address \"\(address)\" (expected host:port, e.g. 127.0.0.1:9482)" }
}
