import JSON

/// Which requests a fault applies to.
public struct RequestMatcher: Sendable {
    /// HTTP method to match (`GET`, …); `nil` for any.
    public var method: String?
    /// Path prefix to match (`/apis/coordination.k8s.io/v1/namespaces/default/leases`); `nil` for any.
    public var pathPrefix: String?
    /// Whether to match watch requests only (`true`), non-watch requests only (`false`), or both (`nil`).
    public var watch: Bool?
    /// An extra condition.
    public var predicate: (@Sendable (RecordedRequest) -> Bool)?

    public init(
        method: String? = nil, pathPrefix: String? = nil, watch: Bool? = nil,
        predicate: (@Sendable (RecordedRequest) -> Bool)? = nil
    ) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.watch = watch
        self.predicate = predicate
    }

    /// Every request.
    public static let any = RequestMatcher()

    /// Whether `request` matches.
    public func matches(_ request: RecordedRequest) -> Bool {
        if let method, request.method != method { return false }
        if let pathPrefix, !request.path.hasPrefix(pathPrefix) { return false }
        if let watch, request.isWatch != watch { return false }
        if let predicate, !predicate(request) { return false }
        return true
    }
}

/// How an injected failure answers.
public enum InjectedFailure: Sendable {
    /// Answer with this `Status` (and a `Retry-After` header when `retryAfterSeconds` is set).
    case status(KubernetesStatusError, retryAfterSeconds: Int?)
    /// Close the connection without answering.
    case closeConnection

    /// 429 TooManyRequests with `Retry-After`, as API priority and fairness answers.
    public static func tooManyRequests(retryAfterSeconds: Int = 1) -> InjectedFailure {
        .status(
            KubernetesStatusError(
                code: 429, reason: .tooManyRequests, message: "Too many requests, please try again later.",
                details: ["retryAfterSeconds": .integer(retryAfterSeconds)]),
            retryAfterSeconds: retryAfterSeconds)
    }

    /// 500 InternalError.
    public static var internalError: InjectedFailure {
        .status(.internalError("injected failure"), retryAfterSeconds: nil)
    }

    /// 503 ServiceUnavailable.
    public static var serviceUnavailable: InjectedFailure {
        .status(
            KubernetesStatusError(code: 503, reason: .serviceUnavailable, message: "the server is currently unable to handle the request"),
            retryAfterSeconds: nil)
    }

    /// 504 Timeout.
    public static var timeout: InjectedFailure {
        .status(
            KubernetesStatusError(
                code: 504, reason: .timeout,
                message: "Timeout: request did not complete within the allotted timeout"),
            retryAfterSeconds: nil)
    }

    var response: APIResponse {
        switch self {
        case .status(let error, let retryAfter):
            return .json(
                status: error.code, body: error.status,
                headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
        case .closeConnection:
            return .closeConnection
        }
    }
}

/// The emulator's fault-injection state (kept in a lock by the emulator).
struct FaultState {
    struct FailureRule {
        var matcher: RequestMatcher
        var remaining: Int
        var failure: InjectedFailure
    }

    struct LatencyRule {
        var matcher: RequestMatcher
        var delay: Duration
    }

    var failures: [FailureRule] = []
    var latencies: [LatencyRule] = []
    /// Split each watch event line into HTTP chunks of at most this many bytes.
    var watchChunkSize: Int?

    /// Consumes one use of the first matching failure rule.
    mutating func takeFailure(for request: RecordedRequest) -> InjectedFailure? {
        guard let i = failures.firstIndex(where: { $0.remaining > 0 && $0.matcher.matches(request) }) else { return nil }
        failures[i].remaining -= 1
        let failure = failures[i].failure
        if failures[i].remaining == 0 { failures.remove(at: i) }
        return failure
    }

    func latency(for request: RecordedRequest) -> Duration? {
        latencies.first { $0.matcher.matches(request) }?.delay
    }
}
