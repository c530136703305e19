public import AsyncHTTPClient
public import Logging
public import NIOCore
import NIOHTTP1

/// An HTTP request ready to send: a full URL (already percent-encoded) and the exact headers to send.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    /// `scheme://host[:port]/path[?query]`, encoded.
    public var url: String
    public var headers: [(name: String, value: String)]
    /// Sent as it is: a large body written into a reused buffer (PutLogEvents) reaches the socket without a copy.
    public var body: ByteBuffer

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: ByteBuffer) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.init(method: method, url: url, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A complete HTTP response.
public struct AWSHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Sends one HTTP request and collects the whole response. Retries, signing and error decoding live above this.
public protocol AWSHTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status.
    /// - Throws: ``AWSError`` with code `.transport`, `.timeout` or `.cancelled`; never for an HTTP error status.
    func send(_ request: AWSHTTPRequest, timeout: Duration, logger: Logger) async throws(AWSError) -> AWSHTTPResponse
}

/// ``AWSHTTPTransport`` over an AsyncHTTPClient `HTTPClient` (by default `HTTPClient.shared`).
public struct AsyncHTTPClientTransport: AWSHTTPTransport {
    public var client: HTTPClient
    /// Responses larger than this fail with `.invalidResponse` instead of being buffered.
    public var maximumResponseBytes: Int

    public init(client: HTTPClient = .shared, maximumResponseBytes: Int = 64 * 1024 * 1024) {
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(
        _ request: AWSHTTPRequest,
        timeout: Duration,
        logger: Logger
    ) async throws(AWSError) -> AWSHTTPResponse {
        var httpRequest = HTTPClientRequest(url: request.url)
        httpRequest.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { httpRequest.headers.add(name: name, value: value) }
        if request.body.readableBytes > 0 || request.method == "POST" || request.method == "PUT" {
            httpRequest.body = .bytes(request.body)
        }
        do {
            let response = try await client.execute(httpRequest, timeout: Self.timeAmount(timeout), logger: logger)
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: maximumResponseBytes)
            } catch let error as NIOTooManyBytesError {
                throw AWSError(
                    .invalidResponse,
                    "response body larger than \(maximumResponseBytes) bytes",
                    status: Int(response.status.code),
                    underlying: error
                )
            }
            return AWSHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer.readableBytesView)
            )
        } catch let error as AWSError {
            throw error
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
                || error == .writeTimeout || error == .getConnectionFromPoolTimeout || error == .tlsHandshakeTimeout
            {
                throw AWSError(
                    .timeout,
                    "\(request.method) \(Self.redactedURL(request.url)) timed out",
                    underlying: error
                )
            }
            if error == .cancelled { throw AWSError(.cancelled, "request cancelled", underlying: error) }
            throw AWSError(.transport, "\(request.method) \(Self.redactedURL(request.url)) failed", underlying: error)
        } catch is CancellationError {
            throw AWSError(.cancelled, "request cancelled")
        } catch {
            throw AWSError(.transport, "\(request.method) \(Self.redactedURL(request.url)) failed", underlying: error)
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The URL without its query (presigned URLs carry signatures and tokens there).
    static func redactedURL(_ url: String) -> String {
        if let question = url.firstIndex(of: "?") { return String(url[..<question]) + "?…" }
        return url
    }
}
