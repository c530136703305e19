public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import NIOHTTPCompression
import NIOSSL
public import PromExposition
import PromwatchConfig

/// What one scrape produced.
public struct ScrapeReport: Sendable {
    public var format: ExpositionFormat
    /// Body bytes after decompression.
    public var bodyBytes: Int
    /// Samples the target exposed (Prometheus's `scrape_samples_scraped`), before `metric_relabel_configs`.
    public var samplesScraped = 0
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
    /// `http` targets are scraped over these (see ``HTTP1ScrapeConnections``).
    private let connections: HTTP1ScrapeConnections

    /// - Parameters:
    ///   - client: scrapes `https` targets and follows redirects; its event loops also run the plain-HTTP
    ///     connections.
    ///   - userAgent: the `User-Agent` header.
    ///   - decompressionLimit: how far a gzip body may expand on the plain-HTTP connections (set `client`'s alike).
    public init(
        client: HTTPClient,
        userAgent: String = "promwatch",
        decompressionLimit: NIOHTTPDecompression.DecompressionLimit = .size(64 << 20)
    ) {
        self.client = client
        self.userAgent = userAgent
        connections = HTTP1ScrapeConnections(
            eventLoopGroup: client.eventLoopGroup,
            decompressionLimit: decompressionLimit
        )
    }

    /// Connections opened for plain-HTTP targets so far.
    public var plainConnectionsOpened: Int { connections.connectionsOpened }

    /// Closes the idle plain-HTTP connections (at shutdown).
    public func closeIdleConnections() {
        connections.closeIdleConnections()
    }

    /// Scrapes `target` once, parsing into `batch` (emptied first). The whole scrape, body included, must finish
    /// within the job's `scrape_timeout`.
    ///
    /// The body is parsed on the connection's event loop as each part arrives (``ScrapeResponseParser``), so a
    /// scrape costs one hand-over to the caller's task instead of one per body part.
    /// - Throws: ``ScrapeError`` naming why the target is down; `batch` is then incomplete and must be discarded.
    public func scrape(_ target: ScrapeTarget, into batch: inout SampleBatch) async throws(ScrapeError) -> ScrapeReport
    {
        let job = target.job
        var headers = HTTPHeaders()
        headers.reserveCapacity(6)
        headers.add(name: "Accept", value: Self.acceptHeader(for: job))
        headers.add(name: "Accept-Encoding", value: "gzip")
        headers.add(name: "User-Agent", value: userAgent)
        headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(job.scrapeTimeout.secondsValue))
        if let authorization = try Self.authorizationHeader(for: job) {
            headers.add(name: "Authorization", value: authorization)
        }
        // Moved, not copied: the parser must own the batch's buffers uniquely to reuse their capacity.
        var owned = SampleBatch()
        swap(&owned, &batch)
        owned.removeAll()
        let responseParser = ScrapeResponseParser(target: target, batch: consume owned)
        let timeout = job.scrapeTimeout
        let deadline = NIODeadline.now() + timeout.timeAmount
        let timeoutDescription = "scrape timed out after \(timeout.secondsValue)s"

        if target.scheme == .http, let (host, port) = target.endpoint {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget)
            head.headers.reserveCapacity(headers.count + 1)
            head.headers.add(name: "Host", value: target.address)
            head.headers.add(contentsOf: headers)
            let outcome = try await connections.exchange(
                endpoint: .init(host: host, port: port),
                head: head,
                parser: responseParser,
                deadline: deadline,
                timeoutDescription: timeoutDescription
            )
            switch outcome {
            case .report(let report):
                batch = responseParser.takeBatch()
                return report
            case .redirect:
                break  // AsyncHTTPClient follows it below; nothing was parsed.
            }
        }

        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: target.url,
                method: .GET,
                headers: headers,
                tlsConfiguration: target.scheme == .https ? try Self.tlsConfiguration(for: job.tlsConfig) : nil
            )
        } catch let error as ScrapeError {
            throw error
        } catch {
            throw ScrapeError(.connection, "invalid scrape URL \(target.url): \(error)")
        }

        let task = client.execute(
            request: request,
            delegate: responseParser,
            eventLoop: .indifferent,
            deadline: deadline
        )
        do {
            let report = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            // The request has completed: the parser is no longer touched on the event loop.
            batch = responseParser.takeBatch()
            return report
        } catch let error as ScrapeError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw ScrapeError(.timeout, timeoutDescription)
        } catch {
            throw ScrapeError(.connection, "\(error)")
        }
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

    static func tlsConfiguration(
        for config: PromwatchConfig.TLSConfiguration
    ) throws(ScrapeError) -> NIOSSL.TLSConfiguration {
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
