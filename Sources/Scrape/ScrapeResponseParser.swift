import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import PromExposition
import PromwatchConfig

/// Parses a scrape response as it arrives, on the connection's event loop: the status and `Content-Type` pick the
/// parser, every body part goes straight into the batch, and the job's limits are checked as it grows.
///
/// Failing a returned future aborts the request with that ``ScrapeError`` (AsyncHTTPClient then closes the
/// connection rather than reading the rest of an unwanted body).
///
/// `@unchecked Sendable`: AsyncHTTPClient (or ``HTTP1ScrapeConnections``) calls it serially on the connection's event
/// loop, and the scraper reads the batch back only after the exchange has completed.
final class ScrapeResponseParser: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = ScrapeReport

    private let target: ScrapeTarget
    private var batch: SampleBatch
    private var parser: AnyExpositionParser?
    private var format = ExpositionFormat.text
    private var bodyBytes = 0

    init(target: ScrapeTarget, batch: consuming SampleBatch) {
        self.target = target
        self.batch = batch
    }

    /// The parsed batch; call once the request's future has completed.
    func takeBatch() -> SampleBatch {
        var taken = SampleBatch()
        swap(&taken, &batch)
        return taken
    }

    func didReceiveHead(task: HTTPClient.Task<ScrapeReport>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        do {
            try begin(head)
            return task.eventLoop.makeSucceededVoidFuture()
        } catch {
            return task.eventLoop.makeFailedFuture(error)
        }
    }

    /// Accepts a 2xx response and picks the parser its `Content-Type` names.
    func begin(_ head: HTTPResponseHead) throws(ScrapeError) {
        guard (200..<300).contains(head.status.code) else {
            throw ScrapeError(.httpStatus, "server returned HTTP status \(head.status)")
        }
        format = ExpositionFormat(contentType: head.headers.first(name: "Content-Type"))
        parser = Scraper.makeParser(format: format, job: target.job)
    }

    func didReceiveBodyPart(task: HTTPClient.Task<ScrapeReport>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        do {
            try consume(buffer)
            return task.eventLoop.makeSucceededVoidFuture()
        } catch {
            return task.eventLoop.makeFailedFuture(error)
        }
    }

    func didFinishRequest(task: HTTPClient.Task<ScrapeReport>) throws -> ScrapeReport {
        try finish()
    }

    /// Checks the body size limit (on decompressed bytes) and parses `buffer`.
    func consume(_ buffer: ByteBuffer) throws(ScrapeError) {
        let job = target.job
        bodyBytes += buffer.readableBytes
        if job.bodySizeLimit > 0, bodyBytes > job.bodySizeLimit {
            throw ScrapeError(.bodyTooLarge, "body size limit exceeded: more than \(job.bodySizeLimit) bytes")
        }
        guard var parser = parser.take() else { return }
        defer { self.parser = parser }
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(ExpositionParseError) in
                try parser.parse(bytes, into: &batch)
            }
        } catch {
            throw Scraper.parseFailure(error, job: job)
        }
        if !relabelsMetrics { try checkSampleLimit() }
    }

    /// Ends the parse (an incomplete last line or a missing `# EOF` fails here) and applies the job's limits.
    func finish() throws(ScrapeError) -> ScrapeReport {
        let job = target.job
        var parser = parser.take() ?? Scraper.makeParser(format: format, job: job)
        do {
            try parser.finish(into: &batch)
        } catch {
            throw Scraper.parseFailure(error, job: job)
        }
        // With metric_relabel_configs the limits apply to what the rules keep (see ScrapeManager).
        if !relabelsMetrics { try Scraper.checkLimits(batch, target: target) }
        return ScrapeReport(
            format: format,
            bodyBytes: bodyBytes,
            samplesScraped: batch.samples.count,
            nativeHistogramsSkipped: parser.nativeHistogramsSkipped
        )
    }

    private var relabelsMetrics: Bool { !target.job.metricRelabelConfigs.isEmpty }

    private func checkSampleLimit() throws(ScrapeError) {
        let sampleLimit = target.job.sampleLimit
        if sampleLimit > 0, batch.samples.count > sampleLimit {
            throw ScrapeError(.sampleLimit, "sample_limit exceeded: more than \(sampleLimit) samples")
        }
    }
}

extension Scraper {
    /// The job's `sample_limit` and `label_limit` on a complete batch (target labels count on top of each
    /// sample's own).
    static func checkLimits(_ batch: SampleBatch, target: ScrapeTarget) throws(ScrapeError) {
        let job = target.job
        if job.sampleLimit > 0, batch.samples.count > job.sampleLimit {
            throw ScrapeError(.sampleLimit, "sample_limit exceeded: more than \(job.sampleLimit) samples")
        }
        guard job.labelLimit > 0 else { return }
        let targetLabels = target.labels.count
        if let sample = batch.samples.first(where: { Int($0.labelCount) + targetLabels > job.labelLimit }) {
            throw ScrapeError(
                .labelLimit,
                "label_limit exceeded: \(batch.string(sample.name)) has \(Int(sample.labelCount) + targetLabels) labels (limit \(job.labelLimit))"
            )
        }
    }
}
