import JSON
public import Logging
public import SigV4

/// Container credentials (ECS task roles, EKS Pod Identity): `GET` a local endpoint that answers
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.
///
/// From the environment: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on `http://169.254.170.2`) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`; `Authorization` from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read on
/// every refresh, as EKS rotates it) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Plain-HTTP full URIs must point at a
/// loopback address or the ECS/EKS link-local hosts, as in the AWS SDKs.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    public var url: String
    public var authorizationToken: String?
    public var authorizationTokenFile: String?
    public var transport: any AWSHTTPTransport
    public var timeout: Duration
    public var logger: Logger

    public init(
        url: String,
        authorizationToken: String? = nil,
        authorizationTokenFile: String? = nil,
        transport: any AWSHTTPTransport,
        timeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.url = url
        self.authorizationToken = authorizationToken
        self.authorizationTokenFile = authorizationTokenFile
        self.transport = transport
        self.timeout = timeout
        self.logger = logger
    }

    /// The ECS credentials host for relative URIs.
    public static let ecsHost = "http://169.254.170.2"

    /// The provider configured by the environment, or `nil` if neither URI variable is set.
    /// - Throws: ``AWSError`` `.credentialProvider` for a full URI that is not allowed.
    public static func fromEnvironment(
        _ environment: [String: String],
        transport: any AWSHTTPTransport,
        relativeURIHost: String = ecsHost,
        timeout: Duration = .seconds(5),
        logger: Logger
    ) throws(AWSError) -> ContainerCredentialProvider? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = relativeURIHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            let endpoint: AWSEndpoint
            do {
                endpoint = try AWSEndpoint(url: full)
            } catch {
                throw AWSError(.credentialProvider, "AWS_CONTAINER_CREDENTIALS_FULL_URI: \(error.message)")
            }
            guard endpoint.scheme == "https" || isAllowedHTTPHost(endpoint.host) else {
                throw AWSError(
                    .credentialProvider,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback/ECS/EKS host, not \(endpoint.host)"
                )
            }
            url = full
        } else {
            return nil
        }
        return ContainerCredentialProvider(
            url: url,
            authorizationToken: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            authorizationTokenFile: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap {
                $0.isEmpty ? nil : $0
            },
            transport: transport,
            timeout: timeout,
            logger: logger
        )
    }

    static func isAllowedHTTPHost(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "169.254.170.2" || lowered == "169.254.170.23"
            || lowered == "fd00:ec2::23"
        {
            return true
        }
        let octets = lowered.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        var token = authorizationToken
        if let authorizationTokenFile {
            guard let bytes = readFileBytes(authorizationTokenFile) else {
                throw AWSError(
                    .credentialProvider,
                    "cannot read the authorization token file \(authorizationTokenFile)"
                )
            }
            token = String(String(decoding: bytes, as: UTF8.self).trimmingSpaces)
        }
        if let token {
            guard !token.contains("\r"), !token.contains("\n") else {
                throw AWSError(.credentialProvider, "the container authorization token contains a line break")
            }
            headers.append(("Authorization", token))
        }
        let response: AWSHTTPResponse
        do {
            response = try await transport.send(
                AWSHTTPRequest(method: "GET", url: url, headers: headers),
                timeout: timeout,
                logger: logger
            )
        } catch {
            throw AWSError(
                .credentialProvider,
                "container credentials endpoint \(url): \(error.message)",
                underlying: error
            )
        }
        guard (200..<300).contains(response.status) else {
            let decoded = AWSErrorDecoder.decode(response)
            throw AWSError(
                .credentialProvider,
                "container credentials endpoint \(url) answered HTTP \(response.status): \(decoded.serviceCode.map { "\($0): " } ?? "")\(decoded.message)",
                status: response.status
            )
        }
        return try Self.decodeCredentials(response.body, source: "container credentials endpoint")
    }

    /// Decodes `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (the container and IMDS format).
    static func decodeCredentials(_ body: [UInt8], source: String) throws(AWSError) -> AWSCredentials {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            throw AWSError(.credentialProvider, "\(source): \(error)")
        }
        if let code = json["Code"]?.stringValue, code != "Success" {
            throw AWSError(.credentialProvider, "\(source): \(code): \(json["Message"]?.stringValue ?? "")")
        }
        guard let keyID = json["AccessKeyId"]?.stringValue, let secret = json["SecretAccessKey"]?.stringValue else {
            throw AWSError(.credentialProvider, "\(source): no AccessKeyId/SecretAccessKey in the response")
        }
        var expiration: Int64?
        if let text = json["Expiration"]?.stringValue {
            guard let parsed = AWSTimestamp.parseISO8601(text) else {
                throw AWSError(.credentialProvider, "\(source): unparsable Expiration \"\(text)\"")
            }
            expiration = parsed
        }
        return AWSCredentials(
            accessKeyID: keyID,
            secretAccessKey: secret,
            sessionToken: json["Token"]?.stringValue,
            expirationMilliseconds: expiration
        )
    }

    public var providerName: String { "container" }
}

/// EC2 instance metadata (IMDSv2 only): `PUT /latest/api/token`, then the role name from
/// `/latest/meta-data/iam/security-credentials/`, then that role's credentials.
///
/// From the environment: `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// overrides the endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` picks `http://[fd00:ec2::254]`);
/// `AWS_METADATA_SERVICE_TIMEOUT` (seconds, default 1) is each call's deadline, as in the AWS SDKs.
/// An unreachable endpoint counts as "not configured" so the chain reports that no credentials were found.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    public var endpoint: AWSEndpoint
    public var transport: any AWSHTTPTransport
    public var timeout: Duration
    public var tokenTTLSeconds: Int
    public var logger: Logger

    public static let defaultEndpoint = AWSEndpoint(scheme: "http", host: "169.254.169.254")

    public init(
        endpoint: AWSEndpoint = defaultEndpoint,
        transport: any AWSHTTPTransport,
        timeout: Duration = .seconds(1),
        tokenTTLSeconds: Int = 21600,
        logger: Logger
    ) {
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        self.tokenTTLSeconds = tokenTTLSeconds
        self.logger = logger
    }

    /// The provider the environment configures, or `nil` when `AWS_EC2_METADATA_DISABLED=true`.
    public static func fromEnvironment(
        _ environment: [String: String],
        transport: any AWSHTTPTransport,
        logger: Logger
    ) throws(AWSError) -> InstanceMetadataCredentialProvider? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var endpoint = defaultEndpoint
        if let url = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"], !url.isEmpty {
            endpoint = try AWSEndpoint(url: url)
        } else if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
            endpoint = AWSEndpoint(scheme: "http", host: "fd00:ec2::254")
        }
        var timeout = Duration.seconds(1)
        if let text = environment["AWS_METADATA_SERVICE_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text), seconds > 0 else {
                throw AWSError(
                    .invalidConfiguration,
                    "AWS_METADATA_SERVICE_TIMEOUT \"\(text)\" is not a positive number of seconds"
                )
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        return InstanceMetadataCredentialProvider(
            endpoint: endpoint,
            transport: transport,
            timeout: timeout,
            logger: logger
        )
    }

    private func call(
        _ method: String,
        _ path: String,
        headers: [(name: String, value: String)]
    ) async throws(AWSError) -> AWSHTTPResponse {
        do {
            return try await transport.send(
                AWSHTTPRequest(method: method, url: endpoint.url(path: path), headers: headers),
                timeout: timeout,
                logger: logger
            )
        } catch {
            throw AWSError(
                .credentialsNotFound,
                "instance metadata at \(endpoint) unreachable (\(error.code))",
                underlying: error
            )
        }
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        let tokenResponse = try await call(
            "PUT",
            "/latest/api/token",
            headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(tokenTTLSeconds))]
        )
        guard tokenResponse.status == 200 else {
            throw AWSError(
                .credentialProvider,
                "IMDSv2 token request answered HTTP \(tokenResponse.status)",
                status: tokenResponse.status
            )
        }
        let token = String(String(decoding: tokenResponse.body, as: UTF8.self).trimmingSpaces)
        let auth: [(name: String, value: String)] = [("X-aws-ec2-metadata-token", token)]
        let roleResponse = try await call("GET", "/latest/meta-data/iam/security-credentials/", headers: auth)
        if roleResponse.status == 404 {
            throw AWSError(.credentialsNotFound, "the instance has no IAM role attached")
        }
        guard roleResponse.status == 200 else {
            throw AWSError(
                .credentialProvider,
                "IMDS role listing answered HTTP \(roleResponse.status)",
                status: roleResponse.status
            )
        }
        guard
            let role = String(decoding: roleResponse.body, as: UTF8.self).split(whereSeparator: \.isNewline).first
                .map({ String($0.trimmingSpaces) }), !role.isEmpty
        else {
            throw AWSError(.credentialsNotFound, "the instance has no IAM role attached")
        }
        let credentialsResponse = try await call(
            "GET",
            "/latest/meta-data/iam/security-credentials/\(role)",
            headers: auth
        )
        guard credentialsResponse.status == 200 else {
            throw AWSError(
                .credentialProvider,
                "IMDS credentials for role \(role) answered HTTP \(credentialsResponse.status)",
                status: credentialsResponse.status
            )
        }
        return try ContainerCredentialProvider.decodeCredentials(credentialsResponse.body, source: "instance metadata")
    }

    public var providerName: String { "instance metadata" }
}
