/// The parts of an HTTP request that SigV4 signs, as they will be sent.
public struct SignableRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The `Host` header value exactly as sent, including a non-default port (`127.0.0.1:5123`).
    public var host: String
    /// The raw (not yet percent-encoded) path, e.g. `/` or `/2015-03-31/functions/f/invocations`.
    public var path: String
    /// Raw (not yet percent-encoded) query parameters, in any order.
    public var query: [(name: String, value: String)]
    /// Headers as sent (any case, any order). The signer adds its own; `host` is implied by ``host``.
    public var headers: [(name: String, value: String)]

    public init(
        method: String, host: String, path: String = "/", query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }
}
