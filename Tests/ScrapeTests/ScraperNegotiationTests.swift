import AsyncHTTPClient
import Hummingbird
import Logging
import PromExposition
import PromwatchConfig
import PromwatchTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@testable import Scrape

/// The Accept header a job sends and the parser the response's Content-Type selects.
@Suite(.serialized)
struct ScraperNegotiationTests {
    static let protobufType =
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

    @Test func acceptHeaderPerJob() {
        var job = ScrapeConfiguration(jobName: "a")
        #expect(Scraper.acceptHeader(for: job) == Scraper.acceptHeader)
        #expect(
            Scraper.acceptHeader
                == "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        )
        job.scrapeProtocols = [.prometheusProto, .prometheusText0_0_4]
        #expect(
            Scraper.acceptHeader(for: job)
                == "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.4"
        )
    }

    @Test func limitsPerJob() {
        var job = ScrapeConfiguration(jobName: "a")
        #expect(Scraper.expositionLimits(for: job) == ExpositionLimits())
        job.labelNameLengthLimit = 20
        job.labelValueLengthLimit = 200_000
        let limits = Scraper.expositionLimits(for: job)
        #expect(limits.maximumLabelNameLength == 20)
        #expect(limits.maximumLabelValueLength == 200_000)
        #expect(limits.maximumLineLength == 1 << 20)
    }

    @Test(arguments: [
        (protobufType, ExpositionFormat.protobuf),
        ("application/openmetrics-text; version=0.0.1; charset=utf-8", .openMetrics),
        ("text/plain; version=0.0.4; charset=utf-8", .text),
        ("application/json", .text),
    ])
    func dispatcherFollowsTheContentType(_ contentType: String, _ format: ExpositionFormat) {
        let parser = Scraper.makeParser(format: ExpositionFormat(contentType: contentType), job: .init(jobName: "a"))
        #expect(parser.format == format)
    }

    /// Serves fixed bodies (the pushgateway captures) and records the Accept headers it receives.
    func withTarget(
        _ body: @Sendable (Scraper, Int, @Sendable () -> [String]) async throws -> Void
    ) async throws {
        let protobuf = try TestPaths.corpusFile("exposition/live/pushgateway.protobuf-delimited.bin")
        let text = try TestPaths.corpusFile("exposition/live/pushgateway.text.txt")
        let accepts = Mutex<[String]>([])
        let router = Router()
        router.get("/proto") { request, _ -> Response in
            accepts.withLock { $0.append(request.headers[.accept] ?? "") }
            return Response(
                status: .ok,
                headers: [.contentType: Self.protobufType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: protobuf))
            )
        }
        router.get("/text") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
            )
        }
        router.get("/truncated") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: Self.protobufType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: protobuf.dropLast(10)))
            )
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        // Quiet: Hummingbird logs idle keep-alive connections cut by the shutdown at error level.
        var logger = Logger(label: "fixed-target")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let services = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await body(Scraper(client: client), port) { accepts.withLock { $0 } }
            } catch {
                try await client.shutdown()
                await services.triggerGracefulShutdown()
                throw error
            }
            try await client.shutdown()
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test func protobufTargetEndToEnd() async throws {
        try await withTarget { scraper, port, accepts in
            var job = ScrapeConfiguration(jobName: "pushgateway", metricsPath: "/proto")
            job.scrapeProtocols = ScrapeProtocol.protobufFirst
            var batch = SampleBatch()
            let report = try await scraper.scrape(ScrapeTarget(job: job, address: "127.0.0.1:\(port)"), into: &batch)
            #expect(report.format == .protobuf)
            #expect(report.bodyBytes == 5541)
            #expect(batch.families.count == 46)
            #expect(batch.samples.count == 75)
            #expect(accepts() == [ScrapeProtocol.acceptHeader(for: ScrapeProtocol.protobufFirst)])

            // The same exporter's text answer gives the same series.
            job.metricsPath = "/text"
            var textBatch = SampleBatch()
            let textReport = try await scraper.scrape(
                ScrapeTarget(job: job, address: "127.0.0.1:\(port)"),
                into: &textBatch
            )
            #expect(textReport.format == .text)
            #expect(textBatch.samples.count == batch.samples.count)

            // A truncated body fails the scrape with the byte offset.
            job.metricsPath = "/truncated"
            let error = await #expect(throws: ScrapeError.self) {
                try await scraper.scrape(ScrapeTarget(job: job, address: "127.0.0.1:\(port)"), into: &batch)
            }
            #expect(error?.code == .parse)
            #expect(error?.message.hasPrefix("invalid exposition: byte offset ") == true)
        }
    }

    /// The batch handed in is parsed into as it is: a second scrape of the same body reuses its storage rather
    /// than growing new arrays from empty (the agent pools batches for exactly that).
    @Test func aScrapeReusesTheBatchStorage() async throws {
        try await withTarget { scraper, port, _ in
            let target = ScrapeTarget(
                job: ScrapeConfiguration(jobName: "reuse", metricsPath: "/text"),
                address: "127.0.0.1:\(port)"
            )
            var batch = SampleBatch()
            _ = try await scraper.scrape(target, into: &batch)
            let first = batch.samples.count
            let storage = batch.samples.withUnsafeBufferPointer { $0.baseAddress }
            let bytesStorage = batch.bytes.withUnsafeBufferPointer { $0.baseAddress }
            _ = try await scraper.scrape(target, into: &batch)
            #expect(first == 75 && batch.samples.count == first)
            #expect(batch.samples.withUnsafeBufferPointer { $0.baseAddress } == storage)
            #expect(batch.bytes.withUnsafeBufferPointer { $0.baseAddress } == bytesStorage)
        }
    }

    @Test func labelLengthLimitsFailTheScrape() async throws {
        try await withTarget { scraper, port, _ in
            var batch = SampleBatch()
            for path in ["/proto", "/text"] {
                // pushgateway's longest label value (`text`) has 31 bytes unescaped, its longest name (`goversion`) 9.
                var job = ScrapeConfiguration(jobName: "limits", metricsPath: path)
                job.scrapeProtocols = [.prometheusProto]
                job.labelValueLengthLimit = 20
                let target = ScrapeTarget(job: job, address: "127.0.0.1:\(port)")
                let valueError = await #expect(throws: ScrapeError.self) {
                    try await scraper.scrape(target, into: &batch)
                }
                #expect(valueError?.code == .labelLimit)
                #expect(
                    valueError?.message.hasPrefix("label_value_length_limit exceeded (limit 20): ") == true,
                    "\(path)"
                )

                job.labelValueLengthLimit = 0
                job.labelNameLengthLimit = 3
                let nameError = await #expect(throws: ScrapeError.self) {
                    try await scraper.scrape(ScrapeTarget(job: job, address: "127.0.0.1:\(port)"), into: &batch)
                }
                #expect(nameError?.code == .labelLimit)
                #expect(nameError?.message.hasPrefix("label_name_length_limit exceeded (limit 3): ") == true, "\(path)")

                job.labelNameLengthLimit = 9
                job.labelValueLengthLimit = 31
                _ = try await scraper.scrape(ScrapeTarget(job: job, address: "127.0.0.1:\(port)"), into: &batch)
                #expect(batch.samples.count == 75)
            }
        }
    }
}
