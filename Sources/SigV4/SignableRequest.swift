/// The parts of an HTTP request that SigV4 signs, as they will be sent.
public struct SignableRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The `Host` header value exactly as sent, including a non-default port (`127.0.0.1:5123`).
    public var host: String
    /// The raw (not yet percent-encoded) path, e.g. `/` or `/2015-03-31/functions/f/invocations`.
    ///
    /// Sent on the wire percent-encoded once (``SigV4/uriEncode(_:encodeSlash:)`` with `encodeSlash: false`); the
    /// canonical request encodes it once more, as AWS wants for every service but S3.
    /// When ``pathIsPercentEncoded`` is `true`, `path` is already the wire form and is encoded only once more.
    public var path: String
    /// `true` when ``path`` is already percent-encoded as sent on the wire (e.g. taken from a request line).
    public var pathIsPercentEncoded: Bool
    /// Raw (not yet percent-encoded) query parameters, in any order.
    public var query: [(name: String, value: String)]
    /// Headers as sent (any case, any order). The signer adds its own; `host` is implied by ``host``.
    ///
    /// All are signed except `authorization`, `host` (taken from ``host``), the ones the signer sets itself
    /// (`x-amz-date`, and `x-amz-security-token` / `x-amz-content-sha256` when it adds them) and botocore's
    /// hop-by-hop list (`connection`, `expect`, `keep-alive`, `proxy-authenticate`, `proxy-authorization`, `te`,
    /// `trailer`, `transfer-encoding`, `upgrade`, `user-agent`, `x-amzn-trace-id`). `content-length` is signed when
    /// given (as the AWS test suite expects); leaving it out (botocore signs before it exists) is equally valid.
    public var headers: [(name: String, value: String)]

    public init(
        method: String,
        host: String,
        path: String = "/",
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        pathIsPercentEncoded: Bool = false
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.pathIsPercentEncoded = pathIsPercentEncoded
    }
}
