import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import PromExposition
import PromwatchConfig
import PromwatchTestSupport
import Synchronization
import Testing

@testable import Scrape

/// A raw TCP server speaking just enough HTTP/1.1 to misbehave on purpose: it reads each request head and answers
/// with whatever `respond` returns for it, then keeps the connection open or closes it.
final class RawHTTPServer: Sendable {
    struct Reply: Sendable {
        var bytes: [UInt8]
        var closeAfter = false
        /// Send nothing at all (a hanging target).
        var silent = false
    }

    /// What the server saw, shared with its connections' handlers.
    private final class Recorder: Sendable {
        let state = Mutex<(connections: Int, requests: [String])>((0, []))
    }

    private let channel: any Channel
    private let recorder: Recorder

    var port: Int { channel.localAddress?.port ?? 0 }
    var connectionsAccepted: Int { recorder.state.withLock { $0.connections } }
    /// Every request head received, as text.
    var requests: [String] { recorder.state.withLock { $0.requests } }

    init(respond: @escaping @Sendable (_ requestHead: String) -> Reply) async throws {
        let recorder = Recorder()
        self.recorder = recorder
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                recorder.state.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(
                            respond: respond,
                            record: { head in recorder.state.withLock { $0.requests.append(head) } }
                        )
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws {
        try await channel.close()
    }

    static func response(
        status: String = "200 OK",
        headers: [String] = [],
        body: String,
        chunked: Bool = false
    ) -> [UInt8] {
        var text = "HTTP/1.1 \(status)\r\n"
        for header in headers { text += header + "\r\n" }
        if chunked {
            text += "Transfer-Encoding: chunked\r\n\r\n"
            var rest = Substring(body)
            while !rest.isEmpty {
                let piece = rest.prefix(7)
                rest = rest.dropFirst(piece.utf8.count)
                text += String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n"
            }
            text += "0\r\n\r\n"
        } else {
            text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        }
        return Array(text.utf8)
    }

    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let respond: @Sendable (String) -> Reply
        let record: @Sendable (String) -> Void
        var pending = ""

        init(respond: @escaping @Sendable (String) -> Reply, record: @escaping @Sendable (String) -> Void) {
            self.respond = respond
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let end = pending.range(of: "\r\n\r\n") {
                let head = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                record(head)
                let reply = respond(head)
                if reply.silent { continue }
                let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply.bytes)))
                if reply.closeAfter {
                    let channel = context.channel
                    written.whenComplete { _ in channel.close(promise: nil) }
                }
            }
        }
    }
}

/// Plain-HTTP targets go over the scraper's own kept-alive connections (``HTTP1ScrapeConnections``).
@Suite(.serialized)
struct PlainHTTPScrapeTests {
    static let body = "# TYPE up gauge\nup 1\n# TYPE requests_total counter\nrequests_total{code=\"200\"} 7\n"
    static let textType = "Content-Type: text/plain; version=0.0.4"

    func withScraper(_ body: (Scraper) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let scraper = Scraper(client: client, userAgent: "promwatch-test")
        do {
            try await body(scraper)
        } catch {
            scraper.closeIdleConnections()
            try await client.shutdown()
            throw error
        }
        scraper.closeIdleConnections()
        try await client.shutdown()
    }

    /// Scrapes a server answering with `reply` `count` times (each scrape must give 2 samples); returns how many
    /// connections the server accepted.
    func connectionsAccepted(
        scraping count: Int,
        reply: @escaping @Sendable (_ requestHead: String) -> RawHTTPServer.Reply
    ) async throws -> Int {
        let server = try await RawHTTPServer(respond: reply)
        try await withScraper { scraper in
            let target = ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(server.port)")
            var batch = SampleBatch()
            for _ in 0..<count {
                let scraped = try await scraper.scrape(target, into: &batch).samplesScraped
                #expect(scraped == 2)
            }
        }
        try await server.close()
        return server.connectionsAccepted
    }

    static func job(timeout: Duration = .seconds(10)) -> ScrapeConfiguration {
        var job = ScrapeConfiguration(jobName: "plain", scrapeInterval: .seconds(15), scrapeTimeout: timeout)
        job.params = ["module": ["http 2xx"]]
        return job
    }

    @Test func aKeptAliveConnectionServesEveryScrapeWithTheFullRequest() async throws {
        let server = try await RawHTTPServer { _ in
            .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body))
        }
        try await withScraper { scraper in
            let target = ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(server.port)")
            var batch = SampleBatch()
            for _ in 0..<3 {
                let report = try await scraper.scrape(target, into: &batch)
                #expect(report.samplesScraped == 2)
                #expect(report.bodyBytes == Self.body.utf8.count)
                #expect(batch.samples.count == 2)
            }
            #expect(server.connectionsAccepted == 1)
            #expect(scraper.plainConnectionsOpened == 1)
            let head = try #require(server.requests.first)
            let lines = head.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "GET /metrics?module=http%202xx HTTP/1.1")
            #expect(lines.contains("Host: 127.0.0.1:\(server.port)"))
            #expect(lines.contains("Accept: \(Scraper.acceptHeader)"))
            #expect(lines.contains("Accept-Encoding: gzip"))
            #expect(lines.contains("User-Agent: promwatch-test"))
            #expect(lines.contains("X-Prometheus-Scrape-Timeout-Seconds: 10.0"))
        }
        try await server.close()
    }

    @Test func connectionCloseMeansANewConnectionNextTime() async throws {
        let connections = try await connectionsAccepted(scraping: 2) { _ in
            .init(
                bytes: RawHTTPServer.response(headers: [Self.textType, "Connection: close"], body: Self.body),
                closeAfter: true
            )
        }
        #expect(connections == 2)
    }

    /// The target closes a connection it had announced as kept alive: the next scrape must not fail for it.
    @Test func aConnectionTheTargetClosedIsReplaced() async throws {
        let connections = try await connectionsAccepted(scraping: 3) { _ in
            .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body), closeAfter: true)
        }
        #expect(connections == 3)
    }

    @Test func chunkedBodiesAreParsed() async throws {
        let server = try await RawHTTPServer { _ in
            .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body, chunked: true))
        }
        try await withScraper { scraper in
            var batch = SampleBatch()
            let target = ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(server.port)")
            let scraped = try await scraper.scrape(target, into: &batch).samplesScraped
            #expect(scraped == 2)
            #expect(batch.string(batch.samples[1].name) == "requests_total")
            #expect(batch.samples[1].value == 7)
        }
        try await server.close()
    }

    /// 50 counter series (2,860 bytes) and their gzip (341 bytes; Python's `gzip.compress(text, mtime=0)`).
    static let longBody =
        "# TYPE requests_total counter\n"
        + (0..<50).map { "requests_total{code=\"200\",handler=\"/api/v1/items/\($0)\"} \($0)\n" }.joined()
    static let gzippedLongBody = Array(
        Data(
            base64Encoded:
                "H4sIAAAAAAACA53Wu07DQBCF4T5PYZkWyZ4zk4uLlPQUNFTISlYiUojB3tAg3p097ij3tCv91X6amYfm5fX5qZnT1z0teXnLUx6vzWm633KaN/+ff07TOR1b9H37+D7eztc0H9tu/Lx039ZdcvpYur79bfr6zEpm9RlKhvrMS+b1WZQs6rNtybb12a5ku/psX7J9fXYo2aE+G0o2CN9NJqY4WaEIUoxUTLBixGKCFiMXE7wYwZggxkjGBDNGNCaoMbIxwY0RjglyQDkQ5IByoMyYdcgIckA5EOSAciDIAeVAkAPKgSAHlANBDigHghxQDgQ5TjkuyHHKcUGOU44r+2ldUIIcpxwX5DjluCDHKccFOU45LshxynFBjlOOC3KCckKQE5QTgpygnBDkBOWEctusx40gJygnBDlBOSHICcoJQU5QTghygnJi2PwBoXP+ZSwLAAA="
        )!
    )

    @Test func aGzipBodyIsDecompressedAndItsLimitAppliesToTheDecompressedBytes() async throws {
        let server = try await RawHTTPServer { _ in
            var head = Array("HTTP/1.1 200 OK\r\n\(Self.textType)\r\nContent-Encoding: gzip\r\n".utf8)
            head += Array("Content-Length: \(Self.gzippedLongBody.count)\r\n\r\n".utf8)
            return .init(bytes: head + Self.gzippedLongBody)
        }
        try await withScraper { scraper in
            var batch = SampleBatch()
            var job = Self.job()
            let report = try await scraper.scrape(
                ScrapeTarget(job: job, address: "127.0.0.1:\(server.port)"),
                into: &batch
            )
            #expect(report.samplesScraped == 50)
            #expect(report.bodyBytes == Self.longBody.utf8.count)
            #expect(batch.string(batch.samples[49].name) == "requests_total")
            #expect(batch.samples[49].value == 49)
            // Limits count the decompressed bytes, which exceed this one though the compressed body does not.
            job.bodySizeLimit = 1_000
            do {
                _ = try await scraper.scrape(ScrapeTarget(job: job, address: "127.0.0.1:\(server.port)"), into: &batch)
                Issue.record("the decompressed body is over the limit")
            } catch let error as ScrapeError {
                #expect(error.code == .bodyTooLarge)
            }
        }
        try await server.close()
    }

    /// No Content-Length, no chunks: the body ends when the target closes the connection.
    @Test func aBodyEndedByTheConnectionClosingIsParsed() async throws {
        let connections = try await connectionsAccepted(scraping: 2) { _ in
            .init(
                bytes: Array("HTTP/1.1 200 OK\r\n\(Self.textType)\r\nConnection: close\r\n\r\n\(Self.body)".utf8),
                closeAfter: true
            )
        }
        #expect(connections == 2)
    }

    @Test func aRedirectIsFollowed() async throws {
        let server = try await RawHTTPServer { head in
            head.hasPrefix("GET /old")
                ? .init(
                    bytes: RawHTTPServer.response(status: "302 Found", headers: ["Location: /metrics"], body: "moved")
                )
                : .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body))
        }
        try await withScraper { scraper in
            var job = Self.job()
            job.metricsPath = "/old"
            var batch = SampleBatch()
            let report = try await scraper.scrape(
                ScrapeTarget(job: job, address: "127.0.0.1:\(server.port)"),
                into: &batch
            )
            #expect(report.samplesScraped == 2)
            #expect(server.requests.contains { $0.hasPrefix("GET /metrics") })
        }
        try await server.close()
    }

    @Test func failuresAreTypedAndTheConnectionIsNotReused() async throws {
        let server = try await RawHTTPServer { head in
            if head.hasPrefix("GET /unavailable") {
                return .init(bytes: RawHTTPServer.response(status: "503 Service Unavailable", body: "later"))
            }
            if head.hasPrefix("GET /hang") { return .init(bytes: [], silent: true) }
            if head.hasPrefix("GET /cut") {
                // Announces 1,000 bytes, sends a few, then closes.
                let partial = Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nup 1\n".utf8)
                return .init(bytes: partial, closeAfter: true)
            }
            if head.hasPrefix("GET /big") {
                return .init(
                    bytes: RawHTTPServer.response(
                        headers: [Self.textType],
                        body: String(repeating: "# padding\n", count: 200)
                    )
                )
            }
            return .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body))
        }
        try await withScraper { scraper in
            func scrape(_ path: String, configure: (inout ScrapeConfiguration) -> Void = { _ in }) async -> ScrapeError?
            {
                var job = Self.job()
                job.metricsPath = path
                configure(&job)
                var batch = SampleBatch()
                do {
                    _ = try await scraper.scrape(
                        ScrapeTarget(job: job, address: "127.0.0.1:\(server.port)"),
                        into: &batch
                    )
                    Issue.record("\(path) did not fail")
                    return nil
                } catch {
                    return error
                }
            }
            let status = await scrape("/unavailable")
            #expect(status?.code == .httpStatus)
            #expect(status?.message.contains("503") == true)

            let hang = await scrape("/hang") { $0.scrapeTimeout = .milliseconds(300) }
            #expect(hang?.code == .timeout)
            #expect(hang?.message == "scrape timed out after 0.3s")

            let cut = await scrape("/cut")
            #expect(cut?.code == .connection)

            let big = await scrape("/big") { $0.bodySizeLimit = 1_000 }
            #expect(big?.code == .bodyTooLarge)

            // Each failure closed its connection; a good scrape still works afterwards.
            let before = server.connectionsAccepted
            var batch = SampleBatch()
            let scraped = try await scraper.scrape(
                ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(server.port)"),
                into: &batch
            ).samplesScraped
            #expect(scraped == 2)
            #expect(server.connectionsAccepted == before + 1)
        }
        try await server.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledScrapeEndsAtOnceAndTheConnectionIsNotReused() async throws {
        let server = try await RawHTTPServer { head in
            head.hasPrefix("GET /hang")
                ? .init(bytes: [], silent: true)
                : .init(bytes: RawHTTPServer.response(headers: [Self.textType], body: Self.body))
        }
        try await withScraper { scraper in
            var job = Self.job(timeout: .seconds(600))
            job.metricsPath = "/hang"
            let hanging = ScrapeTarget(job: job, address: "127.0.0.1:\(server.port)")
            let scrape = Task {
                var batch = SampleBatch()
                return try await scraper.scrape(hanging, into: &batch)
            }
            try await waitUntil { server.requests.count == 1 }
            scrape.cancel()
            switch await scrape.result {
            case .success: Issue.record("a scrape of a target that never answers succeeded")
            case .failure(let error):
                let scrapeError = try #require(error as? ScrapeError)
                #expect(scrapeError.code == .connection)
                #expect(scrapeError.message == "scrape cancelled")
            }
            var batch = SampleBatch()
            let scraped = try await scraper.scrape(
                ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(server.port)"),
                into: &batch
            ).samplesScraped
            #expect(scraped == 2)
            #expect(server.connectionsAccepted == 2)
        }
        try await server.close()
    }

    @Test func aRefusedConnectionIsAConnectionError() async throws {
        let port = try TestPorts.free()
        try await withScraper { scraper in
            var batch = SampleBatch()
            let error = await #expect(throws: ScrapeError.self) {
                try await scraper.scrape(ScrapeTarget(job: Self.job(), address: "127.0.0.1:\(port)"), into: &batch)
            }
            #expect(error?.code == .connection)
        }
    }

    @Test(arguments: [
        ("10.0.0.1:9100", "10.0.0.1", 9100),
        ("node-exporter.monitoring.svc:9100", "node-exporter.monitoring.svc", 9100),
        ("[::1]:9100", "::1", 9100),
        ("[fe80::1]", "fe80::1", 80),
        ("exporter", "exporter", 80),
    ])
    func addressesSplitIntoHostAndPort(_ address: String, _ host: String, _ port: Int) throws {
        let endpoint = try #require(ScrapeTarget(job: Self.job(), address: address).endpoint)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
    }

    @Test(arguments: ["a:b:c", "host:0", "host:65536", "host:http", "[::1", "[::1]x", ":9100"])
    func addressesThatDoNotParseAreLeftToAsyncHTTPClient(_ address: String) {
        #expect(ScrapeTarget(job: Self.job(), address: address).endpoint == nil)
    }
}
