public import Logging
public import SigV4

/// Credentials from the shared `credentials`/`config` files: static keys (`aws_access_key_id`,
/// `aws_secret_access_key`, `aws_session_token`), or `role_arn` + `web_identity_token_file` (+ `role_session_name`)
/// through STS `AssumeRoleWithWebIdentity`.
///
/// Not supported (reported clearly): `source_profile`/`credential_source` role chaining, `credential_process`, SSO.
public struct ProfileCredentialProvider: AWSCredentialProvider {
    public var files: AWSProfileFiles
    /// Whether the profile was chosen explicitly (then a missing profile is an error, not "not configured").
    public var profileExplicit: Bool
    public var region: String?
    public var environment: [String: String]
    public var transport: any AWSHTTPTransport
    public var wallClock: any AWSWallClock
    public var logger: Logger

    public init(
        files: AWSProfileFiles,
        profileExplicit: Bool = false,
        region: String?,
        environment: [String: String],
        transport: any AWSHTTPTransport,
        wallClock: any AWSWallClock = SystemWallClock(),
        logger: Logger
    ) {
        self.files = files
        self.profileExplicit = profileExplicit
        self.region = region
        self.environment = environment
        self.transport = transport
        self.wallClock = wallClock
        self.logger = logger
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        let name = files.profileName
        guard let profile = files.profile() else {
            if profileExplicit {
                throw AWSError(
                    .credentialProvider,
                    "profile \"\(name)\" not found in the shared credentials or config file"
                )
            }
            throw AWSError(.credentialsNotFound, "no profile \"\(name)\" in the shared credentials or config file")
        }
        if let keyID = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"], !keyID.isEmpty,
            !secret.isEmpty
        {
            return AWSCredentials(
                accessKeyID: keyID,
                secretAccessKey: secret,
                sessionToken: profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
            )
        }
        if let roleARN = profile["role_arn"], !roleARN.isEmpty {
            if let tokenFile = profile["web_identity_token_file"], !tokenFile.isEmpty {
                let sts = try WebIdentityCredentialProvider.stsClient(
                    region: region ?? profile["region"],
                    environment: environment,
                    transport: transport,
                    wallClock: wallClock,
                    logger: logger
                )
                return try await WebIdentityCredentialProvider(
                    tokenFile: tokenFile,
                    roleARN: roleARN,
                    roleSessionName: profile["role_session_name"],
                    durationSeconds: profile["duration_seconds"].flatMap { Int($0) },
                    sts: sts
                ).credentials()
            }
            throw AWSError(
                .credentialProvider,
                "profile \"\(name)\": role_arn with source_profile/credential_source is not supported (use web_identity_token_file)"
            )
        }
        if profile["credential_process"] != nil {
            throw AWSError(.credentialProvider, "profile \"\(name)\": credential_process is not supported")
        }
        if profile["sso_start_url"] != nil || profile["sso_session"] != nil {
            throw AWSError(.credentialProvider, "profile \"\(name)\": SSO is not supported")
        }
        if profile["aws_access_key_id"] != nil || profile["aws_secret_access_key"] != nil {
            throw AWSError(
                .credentialProvider,
                "profile \"\(name)\" needs both aws_access_key_id and aws_secret_access_key"
            )
        }
        throw AWSError(.credentialsNotFound, "profile \"\(name)\" has no credentials")
    }

    public var providerName: String { "profile \(files.profileName)" }
}

/// The default credential chain, in the AWS SDKs' order.
public enum DefaultCredentialProvider {
    /// environment → web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`) → shared files profile → container → IMDSv2,
    /// wrapped in a ``CachingCredentialProvider`` (refresh 5 minutes before expiry).
    ///
    /// - Parameters:
    ///   - environment: the variables to read (inject for tests).
    ///   - profile: overrides `AWS_PROFILE`.
    ///   - region: for the STS endpoint of web-identity calls.
    ///   - containerRelativeURIHost: where relative container URIs point (default `http://169.254.170.2`).
    public static func make(
        environment: [String: String],
        profile: String? = nil,
        region: String?,
        transport: any AWSHTTPTransport = AsyncHTTPClientTransport(),
        wallClock: any AWSWallClock = SystemWallClock(),
        containerRelativeURIHost: String = ContainerCredentialProvider.ecsHost,
        logger: Logger = Logger(label: "promwatch.aws")
    ) -> CachingCredentialProvider {
        CachingCredentialProvider(
            chain(
                environment: environment,
                profile: profile,
                region: region,
                transport: transport,
                wallClock: wallClock,
                containerRelativeURIHost: containerRelativeURIHost,
                logger: logger
            ),
            wallClock: wallClock
        )
    }

    /// The uncached chain behind ``make(environment:profile:region:transport:wallClock:containerRelativeURIHost:logger:)``.
    public static func chain(
        environment: [String: String],
        profile: String? = nil,
        region: String?,
        transport: any AWSHTTPTransport = AsyncHTTPClientTransport(),
        wallClock: any AWSWallClock = SystemWallClock(),
        containerRelativeURIHost: String = ContainerCredentialProvider.ecsHost,
        containerTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "promwatch.aws")
    ) -> CredentialProviderChain {
        let files = AWSProfileFiles(environment: environment, profileName: profile)
        let explicit = profile != nil || !(environment["AWS_PROFILE"] ?? "").isEmpty
        return CredentialProviderChain([
            EnvironmentCredentialProvider(environment: environment),
            DeferredCredentialProvider(
                providerName: "web identity",
                resolve: { () throws(AWSError) -> (any AWSCredentialProvider)? in
                    try WebIdentityCredentialProvider.fromEnvironment(
                        environment,
                        region: region,
                        transport: transport,
                        wallClock: wallClock,
                        logger: logger
                    )
                },
                notConfigured: "AWS_WEB_IDENTITY_TOKEN_FILE is not set"
            ),
            ProfileCredentialProvider(
                files: files,
                profileExplicit: explicit,
                region: region,
                environment: environment,
                transport: transport,
                wallClock: wallClock,
                logger: logger
            ),
            DeferredCredentialProvider(
                providerName: "container",
                resolve: { () throws(AWSError) -> (any AWSCredentialProvider)? in
                    try ContainerCredentialProvider.fromEnvironment(
                        environment,
                        transport: transport,
                        relativeURIHost: containerRelativeURIHost,
                        timeout: containerTimeout,
                        logger: logger
                    )
                },
                notConfigured: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set"
            ),
            DeferredCredentialProvider(
                providerName: "instance metadata",
                resolve: { () throws(AWSError) -> (any AWSCredentialProvider)? in
                    try InstanceMetadataCredentialProvider.fromEnvironment(
                        environment,
                        transport: transport,
                        logger: logger
                    )
                },
                notConfigured: "AWS_EC2_METADATA_DISABLED=true"
            ),
        ])
    }
}
