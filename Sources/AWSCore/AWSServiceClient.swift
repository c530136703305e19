public import JSON
import Logging
public import NIOCore
import SigV4

/// One HTTP operation before signing: the path, query and headers as they will be sent, and the body.
public struct AWSRequest: Sendable {
    /// The operation name, for logs (`PutLogEvents`).
    public var operation: String
    public var method: String
    /// Raw path (`/`), relative to the endpoint's base path.
    public var path: String
    /// Raw query parameters.
    public var query: [(name: String, value: String)]
    /// Headers to send and sign (not `Host`, which comes from the endpoint).
    public var headers: [(name: String, value: String)]
    public var body: ByteBuffer

    public init(
        operation: String, method: String = "POST", path: String = "/", query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: ByteBuffer
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public init(
        operation: String, method: String = "POST", path: String = "/", query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.init(
            operation: operation, method: method, path: path, query: query, headers: headers,
            body: ByteBuffer(bytes: body))
    }
}

/// Sends signed requests to one AWS service with retries, deadlines and clock-skew correction, and speaks the JSON
/// 1.0/1.1 and query protocols. The typed clients in `AWSClients` are thin layers over this.
public struct AWSServiceClient: Sendable {
    public let service: AWSService
    public let configuration: AWSClientConfiguration
    public let endpoint: AWSEndpoint
    /// The region in the credential scope (`us-east-1` for global services).
    public let signingRegion: String

    /// - Parameter endpoint: overrides the resolved endpoint (see ``AWSClientConfiguration/endpoint(for:)``).
    /// - Throws: ``AWSError`` `.invalidConfiguration` for an unparsable endpoint URL.
    public init(service: AWSService, configuration: AWSClientConfiguration, endpoint: AWSEndpoint? = nil) throws(AWSError) {
        self.service = service
        self.configuration = configuration
        if let endpoint {
            self.endpoint = endpoint
        } else {
            self.endpoint = try configuration.endpoint(for: service)
        }
        self.signingRegion = service.isGlobal ? (configuration.region.hasPrefix("cn-") ? "cn-north-1" : "us-east-1") : configuration.region
    }

    var logger: Logger { configuration.logger }

    // MARK: Protocols

    /// Calls a JSON 1.0/1.1 operation: `POST /` with `X-Amz-Target: <targetPrefix>.<operation>`.
    /// - Returns: the parsed response (`{}` for an empty body).
    public func json(
        targetPrefix: String, operation: String, jsonVersion: String, body: [UInt8],
        headers: [(name: String, value: String)] = []
    ) async throws(AWSError) -> JSONValue {
        try await json(
            targetPrefix: targetPrefix, operation: operation, jsonVersion: jsonVersion, body: ByteBuffer(bytes: body),
            headers: headers)
    }

    /// ``json(targetPrefix:operation:jsonVersion:body:headers:)`` with the body in a buffer, sent without a copy.
    public func json(
        targetPrefix: String, operation: String, jsonVersion: String, body: ByteBuffer,
        headers: [(name: String, value: String)] = []
    ) async throws(AWSError) -> JSONValue {
        let response = try await send(
            AWSRequest(
                operation: operation,
                headers: [
                    ("Content-Type", "application/x-amz-json-\(jsonVersion)"),
                    ("X-Amz-Target", "\(targetPrefix).\(operation)"),
                ] + headers,
                body: body))
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .emptyObject }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw AWSError(.invalidResponse, "\(operation): response is \(error)", status: response.status)
        }
    }

    /// Calls a query-protocol operation (form POST) and returns the parsed XML response.
    public func query(_ parameters: AWSQueryParameters) async throws(AWSError) -> AWSXML.Element {
        let operation = parameters.items.first { $0.name == "Action" }?.value ?? "?"
        let response = try await send(
            AWSRequest(
                operation: operation,
                headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: parameters.formEncoded))
        do {
            return try AWSXML.parse(response.body)
        } catch {
            throw AWSError(.invalidResponse, "\(operation): \(error.message)", status: response.status)
        }
    }

    // MARK: Sending

    /// Sends `request`, signed (when there is a credential provider) at send time, retrying per the configured
    /// policy and correcting the clock once on a clock-skew error.
    /// - Returns: the 2xx response.
    /// - Throws: ``AWSError``: the decoded service error, or transport/timeout/credential errors.
    public func send(_ request: AWSRequest) async throws(AWSError) -> AWSHTTPResponse {
        try await send(request, clock: configuration.clock)
    }

    private func send<C: Clock>(_ request: AWSRequest, clock: C) async throws(AWSError) -> AWSHTTPResponse
    where C.Duration == Duration {
        let start = clock.now
        var attempt = 1
        var skewCorrected = false
        var credentialsRefreshed = false
        while true {
            let remaining = configuration.operationTimeout - start.duration(to: clock.now)
            if remaining <= .zero {
                throw AWSError(.timeout, "\(request.operation) did not complete within \(configuration.operationTimeout)")
            }
            do {
                return try await sendOnce(request, attempt: attempt, timeout: min(configuration.requestTimeout, remaining))
            } catch {
                if error.code == .cancelled || Task.isCancelled {
                    throw error.code == .cancelled ? error : AWSError(.cancelled, "\(request.operation) cancelled")
                }
                let skew = configuration.clockSkew
                if !skewCorrected,
                    let offset = AWSClockSkewCorrection.offset(
                        for: error, localMilliseconds: configuration.wallClock.nowMilliseconds(),
                        currentOffset: skew.offsetMilliseconds)
                {
                    skew.offsetMilliseconds = offset
                    skewCorrected = true
                    logger.debug(
                        "clock skew corrected",
                        metadata: ["aws.operation": "\(request.operation)", "aws.clock_offset_ms": "\(offset)"])
                    continue
                }
                // Temporary credentials revoked or expired early: fetch new ones and try once more.
                if !credentialsRefreshed, error.isExpiredToken,
                    let caching = configuration.credentialProvider as? CachingCredentialProvider
                {
                    await caching.invalidate()
                    credentialsRefreshed = true
                    logger.debug("refreshing expired credentials", metadata: ["aws.operation": "\(request.operation)"])
                    continue
                }
                guard case .retry(let delay) = configuration.retryPolicy.decision(for: error, attempt: attempt) else {
                    throw error
                }
                if start.duration(to: clock.now) + delay >= configuration.operationTimeout { throw error }
                logger.debug(
                    "retrying AWS request",
                    metadata: [
                        "aws.operation": "\(request.operation)", "aws.attempt": "\(attempt)",
                        "aws.error": "\(error.shortDescription)", "aws.delay": "\(delay)",
                    ])
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw AWSError(.cancelled, "\(request.operation) cancelled during backoff")
                }
                attempt += 1
            }
        }
    }

    /// One signed attempt.
    private func sendOnce(_ request: AWSRequest, attempt: Int, timeout: Duration) async throws(AWSError) -> AWSHTTPResponse {
        let path = endpoint.basePath + (request.path.hasPrefix("/") ? request.path : "/" + request.path)
        var headers: [(name: String, value: String)] = [("Host", endpoint.hostHeader)]
        headers.append(contentsOf: request.headers)
        if let provider = configuration.credentialProvider {
            let credentials = try await provider.credentials()
            let signer = AWSSigner(credentials: credentials, region: signingRegion, service: service.signingName)
            let signable = SignableRequest(
                method: request.method, host: endpoint.hostHeader, path: path, query: request.query,
                headers: request.headers)
            let date = configuration.correctedNowMilliseconds() / 1000
            headers.append(
                contentsOf: request.body.withUnsafeReadableBytes {
                    signer.signatureHeaders(for: signable, body: $0, date: date)
                })
        }
        headers.append(("User-Agent", configuration.userAgent))
        var encodedQuery: [UInt8] = []
        for (i, item) in request.query.enumerated() {
            if i > 0 { encodedQuery.append(UInt8(ascii: "&")) }
            AWSQueryParameters.percentEncode(item.name, into: &encodedQuery)
            encodedQuery.append(UInt8(ascii: "="))
            AWSQueryParameters.percentEncode(item.value, into: &encodedQuery)
        }
        let url =
            "\(endpoint.scheme)://\(endpoint.hostHeader)\(AWSEndpoint.encodePath(path))"
            + (encodedQuery.isEmpty ? "" : "?" + String(decoding: encodedQuery, as: UTF8.self))
        let httpRequest = AWSHTTPRequest(method: request.method, url: url, headers: headers, body: request.body)
        let response = try await configuration.transport.send(httpRequest, timeout: timeout, logger: logger)
        if (200..<300).contains(response.status) {
            logger.debug(
                "AWS request succeeded",
                metadata: [
                    "aws.service": "\(service.signingName)", "aws.operation": "\(request.operation)",
                    "aws.status": "\(response.status)", "aws.attempt": "\(attempt)",
                    "aws.request_id": "\(response.header("x-amzn-RequestId") ?? "-")",
                ])
            return response
        }
        let error = AWSErrorDecoder.decode(response)
        logger.debug(
            "AWS request failed",
            metadata: [
                "aws.service": "\(service.signingName)", "aws.operation": "\(request.operation)",
                "aws.status": "\(response.status)", "aws.attempt": "\(attempt)",
                "aws.error": "\(error.shortDescription)", "aws.request_id": "\(error.requestID ?? "-")",
            ])
        throw error
    }
}
