public import EMF

/// The four CloudWatch Logs calls delivery needs (reference §2.2–§2.6). The AWS client adapts to this; tests fake it.
///
/// Implementations classify every failure into a ``LogsWriteError`` (the service's `__type` with the namespace
/// stripped, the HTTP status, or the transport failure) and honour task cancellation.
public protocol CloudWatchLogsWriting: Sendable {
    /// `CreateLogGroup`. `ResourceAlreadyExistsException` is thrown as ``LogsWriteError/Code/alreadyExists``.
    func createLogGroup(_ logGroupName: String) async throws(LogsWriteError)
    /// `CreateLogStream`. A missing group is ``LogsWriteError/Code/resourceNotFound``; an existing stream
    /// ``LogsWriteError/Code/alreadyExists``.
    func createLogStream(group logGroupName: String, stream logStreamName: String) async throws(LogsWriteError)
    /// `PutRetentionPolicy` with `retentionInDays`.
    func putRetentionPolicy(group logGroupName: String, days retentionInDays: Int) async throws(LogsWriteError)
    /// `PutLogEvents` for one batch: `events` are one group and stream, chronological, within the limits.
    /// - Returns: the partial rejection the service reported, if any.
    func putLogEvents(
        group logGroupName: String, stream logStreamName: String, events: [EMFLogEvent]
    ) async throws(LogsWriteError) -> PutLogEventsOutcome
}

/// A successful PutLogEvents response (HTTP 200), which may still reject some events.
public struct PutLogEventsOutcome: Sendable, Equatable {
    /// `rejectedLogEventsInfo`, when present.
    public var rejectedLogEventsInfo: RejectedLogEventsInfo?

    public init(rejectedLogEventsInfo: RejectedLogEventsInfo? = nil) {
        self.rejectedLogEventsInfo = rejectedLogEventsInfo
    }

    /// Every event accepted.
    public static let accepted = PutLogEventsOutcome()
}

/// `rejectedLogEventsInfo`: indexes into the request's `logEvents`.
public struct RejectedLogEventsInfo: Sendable, Equatable {
    /// Events from this index on (inclusive) were too new (more than 2 h ahead).
    public var tooNewLogEventStartIndex: Int?
    /// Events before this index (exclusive) were too old (older than 14 days).
    public var tooOldLogEventEndIndex: Int?
    /// Events before this index (exclusive) were older than the group's retention.
    public var expiredLogEventEndIndex: Int?

    public init(tooNewLogEventStartIndex: Int? = nil, tooOldLogEventEndIndex: Int? = nil, expiredLogEventEndIndex: Int? = nil) {
        self.tooNewLogEventStartIndex = tooNewLogEventStartIndex
        self.tooOldLogEventEndIndex = tooOldLogEventEndIndex
        self.expiredLogEventEndIndex = expiredLogEventEndIndex
    }

    /// How many of `count` events were rejected, by reason; every rejected event counted once.
    func rejectedCounts(outOf count: Int) -> (tooNew: Int, tooOld: Int, expired: Int) {
        let tooNewStart = min(max(tooNewLogEventStartIndex ?? count, 0), count)
        let tooNew = count - tooNewStart
        let oldEnd = min(max(tooOldLogEventEndIndex ?? 0, 0), tooNewStart)
        let expiredEnd = min(max(expiredLogEventEndIndex ?? 0, 0), tooNewStart)
        // Both ranges start at 0; the wider one wins for the events it alone covers.
        let expired = expiredEnd
        let tooOld = max(0, oldEnd - expiredEnd)
        return (tooNew, tooOld, expired)
    }
}

/// A failed CloudWatch Logs call, classified for delivery (reference §2.4).
public struct LogsWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure. Extensible: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case resourceNotFound = "resource_not_found"
            case alreadyExists = "already_exists"
            case throttled
            case serviceUnavailable = "service_unavailable"
            case transport
            case invalidParameter = "invalid_parameter"
            case unauthorized
            case accessDenied = "access_denied"
            case clientError = "client_error"
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// `ResourceNotFoundException`: the log group or stream does not exist. Delivery creates them and retries.
        public static let resourceNotFound = Code(.resourceNotFound)
        /// `ResourceAlreadyExistsException` from CreateLogGroup/CreateLogStream: success for delivery.
        public static let alreadyExists = Code(.alreadyExists)
        /// `ThrottlingException` (account TPS): retried with backoff.
        public static let throttled = Code(.throttled)
        /// `ServiceUnavailableException`, `OperationAbortedException` or any HTTP 5xx: retried with backoff.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// No HTTP response: connection refused/reset, DNS, TLS, timeout. Retried with backoff.
        public static let transport = Code(.transport)
        /// `InvalidParameterException`: something in the request is invalid. Delivery bisects the batch to find and
        /// drop the offending event.
        public static let invalidParameter = Code(.invalidParameter)
        /// `UnrecognizedClientException`, invalid or expired credentials, HTTP 401. Not retryable soon: delivery
        /// logs it, keeps the data and backs off.
        public static let unauthorized = Code(.unauthorized)
        /// `AccessDeniedException`, HTTP 403. Like ``unauthorized``.
        public static let accessDenied = Code(.accessDenied)
        /// Any other 4xx (including `LimitExceededException`). Like ``unauthorized``.
        public static let clientError = Code(.clientError)

        /// A bounded string for metric labels and logs.
        public var description: String { backing.rawValue }
    }

    /// The class of failure.
    public var code: Code
    /// The service's (or transport's) message.
    public var message: String
    /// The service's error code (`__type` without its namespace), when it sent one.
    public var awsErrorCode: String?
    /// The HTTP status, when there was a response.
    public var httpStatus: Int?

    public init(code: Code, message: String, awsErrorCode: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.awsErrorCode = awsErrorCode
        self.httpStatus = httpStatus
    }

    public static func resourceNotFound(_ message: String) -> Self { .init(code: .resourceNotFound, message: message, awsErrorCode: "ResourceNotFoundException", httpStatus: 400) }
    public static func alreadyExists(_ message: String) -> Self { .init(code: .alreadyExists, message: message, awsErrorCode: "ResourceAlreadyExistsException", httpStatus: 400) }
    public static func throttled(_ message: String) -> Self { .init(code: .throttled, message: message, awsErrorCode: "ThrottlingException", httpStatus: 400) }
    public static func serviceUnavailable(_ message: String, httpStatus: Int = 503) -> Self { .init(code: .serviceUnavailable, message: message, awsErrorCode: "ServiceUnavailableException", httpStatus: httpStatus) }
    public static func transport(_ message: String) -> Self { .init(code: .transport, message: message) }
    public static func invalidParameter(_ message: String) -> Self { .init(code: .invalidParameter, message: message, awsErrorCode: "InvalidParameterException", httpStatus: 400) }
    public static func unauthorized(_ message: String) -> Self { .init(code: .unauthorized, message: message, awsErrorCode: "UnrecognizedClientException", httpStatus: 400) }
    public static func accessDenied(_ message: String) -> Self { .init(code: .accessDenied, message: message, awsErrorCode: "AccessDeniedException", httpStatus: 400) }
    public static func clientError(_ message: String, awsErrorCode: String? = nil, httpStatus: Int = 400) -> Self { .init(code: .clientError, message: message, awsErrorCode: awsErrorCode, httpStatus: httpStatus) }

    /// Throttling, 5xx and transport failures: worth retrying soon with backoff.
    public var isRetryable: Bool {
        code == .throttled || code == .serviceUnavailable || code == .transport
    }

    public var description: String {
        var text = "\(code)"
        if let awsErrorCode { text += " (\(awsErrorCode)" + (httpStatus.map { ", HTTP \($0))" } ?? ")") }
        else if let httpStatus { text += " (HTTP \(httpStatus))" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
