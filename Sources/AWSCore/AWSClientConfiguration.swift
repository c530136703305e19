public import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What every AWS service client shares: region, credentials, transport, retries, clocks, endpoint overrides.
public struct AWSClientConfiguration: Sendable {
    /// The region requests are signed for and default endpoints live in.
    public var region: String
    /// Signs requests; `nil` sends them unsigned (only STS `AssumeRoleWithWebIdentity` accepts that).
    public var credentialProvider: (any AWSCredentialProvider)?
    public var transport: any AWSHTTPTransport
    public var retryPolicy: AWSRetryPolicy
    /// The deadline of one HTTP attempt.
    public var requestTimeout: Duration
    /// The deadline of a whole operation, retries and backoff included.
    public var operationTimeout: Duration
    /// Wall clock for `X-Amz-Date` (corrected by ``clockSkew``).
    public var wallClock: any AWSWallClock
    /// Clock for backoff sleeps and deadlines.
    public var clock: any Clock<Duration>
    public var clockSkew: AWSClockSkew
    /// Explicit endpoint URLs by ``AWSService/environmentID`` (`CLOUDWATCH_LOGS`, `CLOUDWATCH`, `SNS`, `STS`).
    public var endpoints: [String: String]
    /// The environment consulted for `AWS_ENDPOINT_URL_<ID>` and `AWS_ENDPOINT_URL`.
    public var environment: [String: String]
    public var logger: Logger
    public var userAgent: String

    public init(
        region: String,
        credentialProvider: (any AWSCredentialProvider)?,
        transport: any AWSHTTPTransport = AsyncHTTPClientTransport(),
        retryPolicy: AWSRetryPolicy = AWSRetryPolicy(),
        requestTimeout: Duration = .seconds(30),
        operationTimeout: Duration = .seconds(120),
        wallClock: any AWSWallClock = SystemWallClock(),
        clock: any Clock<Duration> = ContinuousClock(),
        clockSkew: AWSClockSkew = AWSClockSkew(),
        endpoints: [String: String] = [:],
        environment: [String: String] = [:],
        logger: Logger = Logger(label: "promwatch.aws"),
        userAgent: String = "promwatch"
    ) {
        self.region = region
        self.credentialProvider = credentialProvider
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.operationTimeout = operationTimeout
        self.wallClock = wallClock
        self.clock = clock
        self.clockSkew = clockSkew
        self.endpoints = endpoints
        self.environment = environment
        self.logger = logger
        self.userAgent = userAgent
    }

    /// The configuration the AWS SDKs would derive from `environment`: region from `region`, `AWS_REGION`,
    /// `AWS_DEFAULT_REGION` or the profile's `region`; credentials from the default chain (cached, refreshed 5 minutes
    /// before expiry); endpoints from `endpoints`, `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`.
    /// - Throws: ``AWSError`` `.invalidConfiguration` when no region can be found.
    public static func fromEnvironment(
        _ environment: [String: String] = AWSClientConfiguration.processEnvironment,
        region: String? = nil,
        profile: String? = nil,
        endpoints: [String: String] = [:],
        transport: any AWSHTTPTransport = AsyncHTTPClientTransport(),
        wallClock: any AWSWallClock = SystemWallClock(),
        logger: Logger = Logger(label: "promwatch.aws")
    ) throws(AWSError) -> AWSClientConfiguration {
        let files = AWSProfileFiles(environment: environment, profileName: profile)
        guard let resolvedRegion = AWSRegion.resolve(explicit: region, environment: environment, profileFiles: files)
        else {
            throw AWSError(
                .invalidConfiguration,
                "no AWS region: set AWS_REGION, AWS_DEFAULT_REGION, a profile region, or configure one explicitly")
        }
        let provider = DefaultCredentialProvider.make(
            environment: environment, profile: profile, region: resolvedRegion, transport: transport,
            wallClock: wallClock, logger: logger)
        return AWSClientConfiguration(
            region: resolvedRegion, credentialProvider: provider, transport: transport, wallClock: wallClock,
            endpoints: endpoints, environment: environment, logger: logger)
    }

    /// The current process's environment variables.
    public static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// The endpoint for `service` under this configuration.
    public func endpoint(for service: AWSService) throws(AWSError) -> AWSEndpoint {
        try AWSEndpoint.resolve(
            service: service, region: region, explicit: endpoints[service.environmentID], environment: environment)
    }

    /// The wall clock corrected by the learnt skew, in milliseconds.
    public func correctedNowMilliseconds() -> Int64 {
        wallClock.nowMilliseconds() + clockSkew.offsetMilliseconds
    }
}
