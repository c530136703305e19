public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
public import PromExposition
import PromwatchConfig

/// What one scrape produced.
public struct ScrapeReport: Sendable {
    public var format: ExpositionFormat
    /// Body bytes after decompression.
    public var bodyBytes: Int
    /// Protobuf histograms skipped because they carry only native-histogram data.
    public var nativeHistogramsSkipped = 0
}

/// Performs single scrapes over HTTP and parses the body as it streams in.
public struct Scraper: Sendable {
    /// What promwatch offers when a job sets no `scrape_protocols`, in Prometheus 2.42's order of preference
    /// (see ``acceptHeader(for:)``).
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    private let client: HTTPClient
    private let userAgent: String

    public init(client: HTTPClient, userAgent: String = "promwatch") {
        self.client = client
        self.userAgent = userAgent
    }

    /// Scrapes `target` once, parsing into `batch` (emptied first). The whole scrape, body included, must finish
    /// within the job's `scrape_timeout`.
    /// - Throws: ``ScrapeError`` naming why the target is down; `batch` is then incomplete and must be discarded.
    public func scrape(_ target: ScrapeTarget, into batch: inout SampleBatch) async throws(ScrapeError) -> ScrapeReport {
        batch.removeAll()
        let job = target.job
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "Accept", value: Self.acceptHeader(for: job))
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(
            name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(job.scrapeTimeout.secondsValue))
        if let authorization = try Self.authorizationHeader(for: job) {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if target.scheme == .https {
            request.tlsConfiguration = try Self.tlsConfiguration(for: job.tlsConfig)
        }

        let timeout = job.scrapeTimeout
        let preparedRequest = request
        let box = BatchBox(batch)
        defer { batch = box.batch }
        do {
            return try await withDeadline(timeout) {
                try await Self.fetch(preparedRequest, target: target, client: self.client, into: box)
            }
        } catch let error as ScrapeError {
            throw error
        } catch is DeadlineExceeded {
            throw ScrapeError(.timeout, "scrape timed out after \(timeout.secondsValue)s")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw ScrapeError(.timeout, "scrape timed out after \(timeout.secondsValue)s")
        } catch {
            throw ScrapeError(.connection, "\(error)")
        }
    }

    private static func fetch(
        _ request: HTTPClientRequest, target: ScrapeTarget, client: HTTPClient, into box: BatchBox
    ) async throws -> ScrapeReport {
        let job = target.job
        let response = try await client.execute(request, timeout: job.scrapeTimeout.timeAmount)
        guard (200..<300).contains(response.status.code) else {
            throw ScrapeError(.httpStatus, "server returned HTTP status \(response.status)")
        }
        let format = ExpositionFormat(contentType: response.headers.first(name: "Content-Type"))
        var parser = Self.makeParser(format: format, job: job)
        var bodyBytes = 0
        let sampleLimit = job.sampleLimit
        for try await chunk in response.body {
            bodyBytes += chunk.readableBytes
            if job.bodySizeLimit > 0, bodyBytes > job.bodySizeLimit {
                throw ScrapeError(
                    .bodyTooLarge, "body size limit exceeded: more than \(job.bodySizeLimit) bytes")
            }
            do {
                try chunk.withUnsafeReadableBytes { bytes throws(ExpositionParseError) in
                    try parser.parse(bytes, into: &box.batch)
                }
            } catch {
                throw Self.parseFailure(error, job: job)
            }
            if sampleLimit > 0, box.batch.samples.count > sampleLimit {
                throw ScrapeError(.sampleLimit, "sample_limit exceeded: more than \(sampleLimit) samples")
            }
        }
        do {
            try parser.finish(into: &box.batch)
        } catch {
            throw Self.parseFailure(error, job: job)
        }
        if sampleLimit > 0, box.batch.samples.count > sampleLimit {
            throw ScrapeError(.sampleLimit, "sample_limit exceeded: more than \(sampleLimit) samples")
        }
        if job.labelLimit > 0 {
            let targetLabels = target.labels.count
            if let sample = box.batch.samples.first(where: { Int($0.labelCount) + targetLabels > job.labelLimit }) {
                throw ScrapeError(
                    .labelLimit,
                    "label_limit exceeded: \(box.batch.string(sample.name)) has \(Int(sample.labelCount) + targetLabels) labels (limit \(job.labelLimit))"
                )
            }
        }
        return ScrapeReport(
            format: format, bodyBytes: bodyBytes, nativeHistogramsSkipped: parser.nativeHistogramsSkipped)
    }

    static func authorizationHeader(for job: ScrapeConfiguration) throws(ScrapeError) -> String? {
        if let basic = job.basicAuth {
            var password = basic.password?.value ?? ""
            if let file = basic.passwordFile { password = try readSecretFile(file) }
            let token = Data("\(basic.username):\(password)".utf8).base64EncodedString()
            return "Basic \(token)"
        }
        if let authorization = job.authorization {
            var credentials = authorization.credentials?.value ?? ""
            // Re-read on every scrape so a rotated token takes effect without a restart.
            if let file = authorization.credentialsFile { credentials = try readSecretFile(file) }
            return "\(authorization.type) \(credentials)"
        }
        return nil
    }

    private static func readSecretFile(_ path: String) throws(ScrapeError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScrapeError(.credentials, "cannot read credentials file \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func tlsConfiguration(for config: PromwatchConfig.TLSConfiguration) throws(ScrapeError) -> NIOSSL.TLSConfiguration {
        var tls = NIOSSL.TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile = config.caFile {
                tls.trustRoots = .file(caFile)
            }
            if let certFile = config.certFile, let keyFile = config.keyFile {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
        } catch {
            throw ScrapeError(.credentials, "cannot load TLS files: \(error)")
        }
        if config.insecureSkipVerify {
            // Only when the user asked for it in tls_config; verification is on otherwise.
            tls.certificateVerification = .none
        }
        return tls
    }
}

/// Lets the body-reading closure (which must be `@Sendable` to run in a task group) fill the caller's batch.
/// It is touched by one task at a time: the fetch task writes, and the caller reads only after the group ends.
private final class BatchBox: @unchecked Sendable {
    var batch: SampleBatch
    init(_ batch: SampleBatch) { self.batch = batch }
}

struct DeadlineExceeded: Error {}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceeded`` once `timeout` has passed.
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw DeadlineExceeded()
        }
        return value
    }
}

extension Duration {
    /// Seconds as a `Double`.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
