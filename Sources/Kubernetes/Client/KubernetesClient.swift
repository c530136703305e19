public import AsyncHTTPClient
import FoundationEssentials
public import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A small Kubernetes API client: typed and unstructured get, list (paginated), create, update, patch (merge,
/// JSON, server-side apply), delete with preconditions, `status` and `scale` subresources, and watch.
///
/// Errors are ``KubernetesError``s decoded from the server's `Status`. A 401 makes the client fetch a fresh token
/// (rotated file, exec plugin) and retry once; other failures are the caller's to retry (informers back off).
public struct KubernetesClient: Sendable {
    public let configuration: KubernetesConfiguration
    let tokens: BearerTokenProvider
    let tls: TLSConfiguration?
    let http: HTTPClient
    let logger: Logger

    /// The largest response body accepted for a non-watch request.
    public static let maximumResponseBytes = 256 * 1024 * 1024

    public init(configuration: KubernetesConfiguration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "promwatch.kubernetes")) throws(KubernetesError) {
        self.configuration = configuration
        self.tokens = BearerTokenProvider(credentials: configuration.credentials)
        self.http = httpClient
        self.logger = logger
        if configuration.server.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                if let ca = configuration.certificateAuthorityPEM {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
                }
                if let client = configuration.clientCertificate {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(client.certificatePEM).map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: client.keyPEM, format: .pem))
                }
            } catch {
                throw KubernetesConfiguration.configurationError("invalid TLS material: \(error)")
            }
            self.tls = tls
        } else {
            self.tls = nil
        }
    }

    // MARK: Requests

    struct Request {
        var method: HTTPMethod
        var path: String
        var query: [(String, String)] = []
        var body: [UInt8]? = nil
        var contentType: String? = nil
    }

    func url(_ request: Request) -> String {
        var url = configuration.server + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    func makeHTTPRequest(_ request: Request, token: String?) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: url(request))
        http.method = request.method
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: "promwatch")
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        if let tls { http.tlsConfiguration = tls }
        return http
    }

    /// Sends `request` and returns the body of a 2xx response; throws the decoded `Status` otherwise.
    func send(_ request: Request) async throws(KubernetesError) -> [UInt8] {
        var refreshed = false
        while true {
            let token = try await tokens.token()
            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                response = try await http.execute(makeHTTPRequest(request, token: token), timeout: .init(configuration.requestTimeout))
                body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw KubernetesError(code: .timeout, message: "\(request.method) \(request.path) timed out")
            } catch {
                throw KubernetesError(code: .transport, message: "\(request.method) \(request.path): \(error)")
            }
            let bytes = Array(buffer: body)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return bytes }
            if status == 401, !refreshed, token != nil {
                // The token may have rotated or expired: fetch a new one and try once more.
                refreshed = true
                logger.debug("Token refused (401); fetching a fresh one", metadata: ["kubernetes.path": "\(request.path)"])
                tokens.invalidate()
                continue
            }
            throw KubernetesError.fromResponse(status: status, body: bytes, retryAfter: response.headers.first(name: "Retry-After"))
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ what: String) throws(KubernetesError) -> T {
        do {
            return try KubernetesJSON.decode(type, from: bytes)
        } catch {
            throw KubernetesError(code: .decoding, message: "cannot decode \(what): \(error)")
        }
    }

    func encode(_ value: some Encodable, _ what: String) throws(KubernetesError) -> [UInt8] {
        do {
            return try KubernetesJSON.encode(value)
        } catch {
            throw KubernetesError(code: .decoding, message: "cannot encode \(what): \(error)")
        }
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
func percentEncode(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            result += "%"
            result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
        }
    }
    return result
}
