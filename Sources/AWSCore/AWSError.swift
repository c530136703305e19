/// An error from an AWS call: the service's own error, a transport failure, a timeout, or missing credentials.
///
/// `description` reads like `SignatureDoesNotMatch: The request signature we calculated does not match … (HTTP 403,
/// request ID 1b2c…)`. Use ``shortDescription`` (no free text) as a metric label.
public struct AWSError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case service
            case transport
            case timeout
            case cancelled
            case credentialsNotFound
            case credentialProvider
            case invalidResponse
            case invalidConfiguration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The service answered with an error (see ``AWSError/serviceCode`` and ``AWSError/status``).
        public static let service = Code(.service)
        /// The request never got an HTTP answer: connection refused or reset, DNS, TLS.
        public static let transport = Code(.transport)
        /// The request (or the whole operation, retries included) ran past its deadline.
        public static let timeout = Code(.timeout)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// No provider in the credential chain is configured.
        public static let credentialsNotFound = Code(.credentialsNotFound)
        /// A configured credential provider failed (bad file, endpoint error, STS refused the token, …).
        public static let credentialProvider = Code(.credentialProvider)
        /// A response could not be decoded (malformed XML or JSON, missing required members).
        public static let invalidResponse = Code(.invalidResponse)
        /// Bad configuration: no region, an unusable endpoint URL, a malformed profile file.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The service's own error code, e.g. `ResourceNotFoundException`, `SignatureDoesNotMatch`, `Throttling`.
    public var serviceCode: String?
    /// Human-readable detail (the service's message, or ours). Never contains credentials.
    public var message: String
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The request ID the service returned, if any.
    public var requestID: String?
    /// The server's `Date` header in seconds since the epoch, when present (used for clock-skew correction).
    public var serverDateSeconds: Int64?
    /// The underlying error (e.g. an AsyncHTTPClient or NIO error), if any.
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, serviceCode: String? = nil, status: Int? = nil, requestID: String? = nil,
        serverDateSeconds: Int64? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.serviceCode = serviceCode
        self.status = status
        self.requestID = requestID
        self.serverDateSeconds = serverDateSeconds
        self.underlying = underlying
    }

    public var description: String {
        var text: String
        if code == .service {
            text = "\(serviceCode ?? "HTTP \(status ?? 0)"): \(message)"
            var extras: [String] = []
            if let status, serviceCode != nil { extras.append("HTTP \(status)") }
            if let requestID { extras.append("request ID \(requestID)") }
            if !extras.isEmpty { text += " (" + extras.joined(separator: ", ") + ")" }
        } else {
            text = "\(code): \(message)"
            if let underlying, !(underlying is AWSError) { text += " (\(underlying))" }
        }
        return text
    }

    /// A bounded label for metrics: the service code, or the kind of failure. No free text.
    public var shortDescription: String {
        if code == .service { return serviceCode ?? "HTTP\(status ?? 0)" }
        return code.description
    }

    /// The service asked us to slow down (throttling codes or HTTP 429).
    public var isThrottling: Bool {
        guard code == .service else { return false }
        if status == 429 { return true }
        guard let serviceCode else { return false }
        return Self.throttlingCodes.contains(serviceCode)
    }

    /// Worth retrying: throttling, 5xx (except 501), transient service codes, transport errors and per-attempt
    /// timeouts. Never 4xx authentication or validation errors.
    public var isRetryable: Bool {
        switch code {
        case .transport, .timeout: return true
        case .service:
            if isThrottling { return true }
            if let serviceCode, Self.transientCodes.contains(serviceCode) { return true }
            if let status, status >= 500, status != 501 { return true }
            return false
        default: return false
        }
    }

    /// The request was refused because of who signed it or how (wrong secret, unknown key, expired token, denied).
    public var isAuthFailure: Bool {
        guard code == .service, let serviceCode else { return false }
        return Self.authCodes.contains(serviceCode)
    }

    /// The session token expired (or was revoked): new credentials are needed.
    public var isExpiredToken: Bool {
        guard code == .service, let serviceCode else { return false }
        return serviceCode == "ExpiredToken" || serviceCode == "ExpiredTokenException"
    }

    /// The service says our clock is off (or the signature expired), so a skew correction may help.
    public var isClockSkewError: Bool {
        guard code == .service, let serviceCode else { return false }
        return Self.clockSkewCodes.contains(serviceCode)
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
        "InternalServiceError", "ServiceUnavailable", "ServiceUnavailableException", "ServiceFailure",
        "IDPCommunicationError",
    ]
    static let authCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidSignatureException", "InvalidClientTokenId", "UnrecognizedClientException",
        "IncompleteSignature", "MissingAuthenticationToken", "AccessDenied", "AccessDeniedException",
        "ExpiredToken", "ExpiredTokenException", "AuthFailure", "InvalidAccessKeyId",
    ]
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "RequestInTheFuture",
        "SignatureDoesNotMatch", "AuthFailure",
    ]
}
