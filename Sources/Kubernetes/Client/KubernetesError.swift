/// Why a Kubernetes call failed: the API server's `Status` (reason and code), or a local cause (transport,
/// timeout, an undecodable response, bad configuration).
public struct KubernetesError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// 404 `NotFound`.
        public static let notFound = Code(name: "NotFound")
        /// 409 `AlreadyExists`: create of an existing name.
        public static let alreadyExists = Code(name: "AlreadyExists")
        /// 409 `Conflict`: a stale `resourceVersion` (or failed precondition): re-read and retry.
        public static let conflict = Code(name: "Conflict")
        /// 410 `Gone`/`Expired`: a resourceVersion or continue token too old: relist.
        public static let gone = Code(name: "Gone")
        /// 401.
        public static let unauthorized = Code(name: "Unauthorized")
        /// 403.
        public static let forbidden = Code(name: "Forbidden")
        /// 422 `Invalid`.
        public static let invalid = Code(name: "Invalid")
        /// 400 and other 4xx not listed here.
        public static let badRequest = Code(name: "BadRequest")
        /// 429: back off (`retryAfter`).
        public static let tooManyRequests = Code(name: "TooManyRequests")
        /// 5xx.
        public static let serverError = Code(name: "InternalError")
        /// The request timed out (client side).
        public static let timeout = Code(name: "Timeout")
        /// The connection failed or broke.
        public static let transport = Code(name: "Transport")
        /// The response was not what the API returns.
        public static let decoding = Code(name: "Decoding")
        /// Kubeconfig, in-cluster files or credentials are missing or invalid.
        public static let configuration = Code(name: "Configuration")
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// `Status.reason` as the server sent it.
    public var reason: String?
    /// Seconds to wait, from `Retry-After` or `Status.details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?

    public init(code: Code, message: String, httpStatus: Int? = nil, reason: String? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.reason = reason
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        let status = httpStatus.map { " (HTTP \($0))" } ?? ""
        return "\(code): \(message)\(status)"
    }

    /// Worth retrying after a backoff: server errors, throttling, timeouts, broken connections.
    public var isRetryable: Bool {
        [.serverError, .tooManyRequests, .timeout, .transport].contains(code)
    }

    /// The error for an HTTP error response: from its `Status` body when it has one.
    static func fromResponse(status: Int, body: [UInt8], retryAfter: String?) -> KubernetesError {
        let decoded = try? KubernetesJSON.decode(Status.self, from: body)
        let reason = decoded?.reason
        let message = decoded?.message ?? String(decoding: body.prefix(512), as: UTF8.self)
        let retryAfter = retryAfter.flatMap { Int($0) } ?? decoded?.details?.retryAfterSeconds
        let code: Code =
            switch (status, reason) {
            case (404, _): .notFound
            case (409, "AlreadyExists"): .alreadyExists
            case (409, _): .conflict
            case (410, _): .gone
            case (401, _): .unauthorized
            case (403, _): .forbidden
            case (422, _): .invalid
            case (429, _): .tooManyRequests
            case (500..., _): .serverError
            default: .badRequest
            }
        return KubernetesError(code: code, message: message, httpStatus: status, reason: reason, retryAfterSeconds: retryAfter)
    }

    /// The error carried by a watch `ERROR` event (410 `Expired` when the resourceVersion is too old).
    static func fromStatus(_ status: Status) -> KubernetesError {
        let code: Code =
            switch status.code {
            case 410: .gone
            case 404: .notFound
            case 403: .forbidden
            case 401: .unauthorized
            case 429: .tooManyRequests
            case .some(500...): .serverError
            default: .badRequest
            }
        return KubernetesError(code: code, message: status.message ?? "watch error", httpStatus: status.code, reason: status.reason)
    }
}

/// meta/v1 `Status`: how the API server reports failures (and some successes, e.g. delete).
public struct Status: Codable, Sendable, Hashable {
    public var kind: String? = "Status"
    public var apiVersion: String? = "v1"
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(status: String?, message: String?, reason: String?, code: Int?, details: StatusDetails? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }
}

public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var retryAfterSeconds: Int?
}
