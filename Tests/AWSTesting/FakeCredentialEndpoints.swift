import Synchronization

/// Credentials a fake endpoint hands out.
public struct FakeCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var token: String
    /// ISO 8601 expiry.
    public var expiration: String

    public init(accessKeyID: String, secretAccessKey: String, token: String, expiration: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.token = token
        self.expiration = expiration
    }

    var json: String {
        #"{"AccessKeyId":"\#(accessKeyID)","SecretAccessKey":"\#(secretAccessKey)","Token":"\#(token)","Expiration":"\#(expiration)"}"#
    }
}

/// A fake ECS / EKS Pod Identity credentials endpoint: `GET <path>` answers the credentials JSON when the
/// `Authorization` header equals the expected token (re-read from `expectedToken()` on every request), 401 otherwise.
public enum FakeContainerCredentialsEndpoint {
    public static func withEndpoint<T: Sendable>(
        path: String = "/v1/credentials", credentials: FakeCredentials,
        expectedToken: @escaping @Sendable () -> String?, _ body: (LocalHTTPServer) async throws -> T
    ) async throws -> T {
        try await LocalHTTPServer.withServer(handler: { request in
            guard request.method == "GET", request.path == path else {
                return .json(#"{"code":"NotFound","message":"no such path"}"#, status: 404)
            }
            if let token = expectedToken(), request.header("Authorization") != token {
                return .json(#"{"code":"AccessDeniedException","message":"bad authorization token"}"#, status: 401)
            }
            return .json(credentials.json)
        }, body)
    }
}

/// A fake EC2 instance metadata service, IMDSv2 only: `PUT /latest/api/token` (needs
/// `X-aws-ec2-metadata-token-ttl-seconds`) returns a token; the credential paths need `X-aws-ec2-metadata-token`
/// (401 otherwise); `GET /latest/meta-data/iam/security-credentials/` lists `role`, and `…/<role>` returns the
/// credentials JSON with `"Code":"Success"`.
public enum FakeInstanceMetadataService {
    public static let token = "fake-imds-token-AQAEAFT"

    public static func withService<T: Sendable>(
        role: String = "promwatch-node", credentials: FakeCredentials, _ body: (LocalHTTPServer) async throws -> T
    ) async throws -> T {
        try await LocalHTTPServer.withServer(handler: { request in
            if request.method == "PUT", request.path == "/latest/api/token" {
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil else {
                    return LocalHTTPResponse(status: 400, text: "missing ttl")
                }
                return LocalHTTPResponse(headers: [("Content-Type", "text/plain")], text: token)
            }
            guard request.header("X-aws-ec2-metadata-token") == token else {
                return LocalHTTPResponse(status: 401, text: "Unauthorized")
            }
            switch request.path {
            case "/latest/meta-data/iam/security-credentials/", "/latest/meta-data/iam/security-credentials":
                return LocalHTTPResponse(headers: [("Content-Type", "text/plain")], text: role)
            case "/latest/meta-data/iam/security-credentials/\(role)":
                return .json(
                    #"{"Code":"Success","LastUpdated":"2026-11-29T07:00:00Z","Type":"AWS-HMAC","AccessKeyId":"\#(credentials.accessKeyID)","SecretAccessKey":"\#(credentials.secretAccessKey)","Token":"\#(credentials.token)","Expiration":"\#(credentials.expiration)"}"#
                )
            default:
                return LocalHTTPResponse(status: 404, text: "Not Found")
            }
        }, body)
    }
}
