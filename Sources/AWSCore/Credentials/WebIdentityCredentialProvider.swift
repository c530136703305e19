public import Logging
public import SigV4

/// The result of STS `AssumeRoleWithWebIdentity`.
public struct AWSAssumedRole: Sendable {
    public var credentials: AWSCredentials
    public var assumedRoleARN: String?
    public var assumedRoleID: String?
    public var subjectFromWebIdentityToken: String?
    public var audience: String?
    public var provider: String?
}

/// STS `AssumeRoleWithWebIdentity` (an unsigned query call), shared by the web-identity provider and `STSClient`.
public enum AWSWebIdentity {
    /// Exchanges `webIdentityToken` for temporary credentials of `roleARN`.
    /// - Parameter client: an STS client; its credential provider is not used (the call is unsigned).
    public static func assumeRole(
        client: AWSServiceClient, roleARN: String, roleSessionName: String, webIdentityToken: String,
        durationSeconds: Int? = nil
    ) async throws(AWSError) -> AWSAssumedRole {
        var unsignedConfiguration = client.configuration
        unsignedConfiguration.credentialProvider = nil
        let unsigned = try AWSServiceClient(service: client.service, configuration: unsignedConfiguration, endpoint: client.endpoint)
        var parameters = AWSQueryParameters(action: "AssumeRoleWithWebIdentity", version: "2011-06-15")
        parameters.add("RoleArn", roleARN)
        parameters.add("RoleSessionName", roleSessionName)
        parameters.add("WebIdentityToken", webIdentityToken)
        parameters.add("DurationSeconds", durationSeconds)
        let xml = try await unsigned.query(parameters)
        guard let result = xml.first(named: "AssumeRoleWithWebIdentityResult"),
            let credentials = result.child("Credentials"),
            let keyID = credentials.string("AccessKeyId"), let secret = credentials.string("SecretAccessKey")
        else {
            throw AWSError(.invalidResponse, "AssumeRoleWithWebIdentity: no Credentials in the response")
        }
        return AWSAssumedRole(
            credentials: AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: credentials.string("SessionToken"),
                expirationMilliseconds: credentials.string("Expiration").flatMap(AWSTimestamp.parseISO8601)),
            assumedRoleARN: result.string("AssumedRoleUser", "Arn"),
            assumedRoleID: result.string("AssumedRoleUser", "AssumedRoleId"),
            subjectFromWebIdentityToken: result.string("SubjectFromWebIdentityToken"),
            audience: result.string("Audience"), provider: result.string("Provider"))
    }
}

/// IRSA-style web identity: reads the token file on every refresh and calls STS `AssumeRoleWithWebIdentity`.
///
/// From the environment: `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, optional `AWS_ROLE_SESSION_NAME`; STS endpoint
/// from `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`, else `https://sts.<region>.amazonaws.com`.
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    public var tokenFile: String
    public var roleARN: String
    public var roleSessionName: String?
    public var durationSeconds: Int?
    public var sts: AWSServiceClient

    public init(
        tokenFile: String, roleARN: String, roleSessionName: String? = nil, durationSeconds: Int? = nil,
        sts: AWSServiceClient
    ) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.roleSessionName = roleSessionName
        self.durationSeconds = durationSeconds
        self.sts = sts
    }

    /// An STS client for unsigned calls in `region` (global STS when `nil`).
    public static func stsClient(
        region: String?, environment: [String: String], transport: any AWSHTTPTransport,
        wallClock: any AWSWallClock = SystemWallClock(), logger: Logger
    ) throws(AWSError) -> AWSServiceClient {
        let configuration = AWSClientConfiguration(
            region: region ?? "us-east-1", credentialProvider: nil, transport: transport,
            requestTimeout: .seconds(10), operationTimeout: .seconds(30), wallClock: wallClock,
            environment: environment, logger: logger)
        var endpoint = try configuration.endpoint(for: .sts)
        if region == nil, endpoint == .default(for: .sts, region: "us-east-1") {
            endpoint = AWSEndpoint(scheme: "https", host: "sts.amazonaws.com")
        }
        return try AWSServiceClient(service: .sts, configuration: configuration, endpoint: endpoint)
    }

    /// The provider configured by `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, or `nil` if they are not set.
    public static func fromEnvironment(
        _ environment: [String: String], region: String?, transport: any AWSHTTPTransport,
        wallClock: any AWSWallClock = SystemWallClock(), logger: Logger
    ) throws(AWSError) -> WebIdentityCredentialProvider? {
        guard let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !tokenFile.isEmpty else { return nil }
        guard let roleARN = environment["AWS_ROLE_ARN"], !roleARN.isEmpty else {
            throw AWSError(.credentialProvider, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        }
        return WebIdentityCredentialProvider(
            tokenFile: tokenFile, roleARN: roleARN,
            roleSessionName: environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 },
            sts: try stsClient(
                region: region, environment: environment, transport: transport, wallClock: wallClock, logger: logger))
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        guard let bytes = readFileBytes(tokenFile) else {
            throw AWSError(.credentialProvider, "cannot read the web identity token file \(tokenFile)")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard !token.isEmpty else {
            throw AWSError(.credentialProvider, "the web identity token file \(tokenFile) is empty")
        }
        let sessionName = roleSessionName ?? "promwatch-\(sts.configuration.wallClock.nowMilliseconds())"
        do {
            return try await AWSWebIdentity.assumeRole(
                client: sts, roleARN: roleARN, roleSessionName: sessionName, webIdentityToken: String(token),
                durationSeconds: durationSeconds
            ).credentials
        } catch {
            throw AWSError(
                .credentialProvider, "AssumeRoleWithWebIdentity for \(roleARN) failed: \(error)",
                serviceCode: error.serviceCode, status: error.status, requestID: error.requestID, underlying: error)
        }
    }

    public var providerName: String { "web identity" }
}
