import AWSCore
import AWSTesting
import Logging
import SigV4
import Synchronization
import Testing

struct CredentialChainTests {
    let logger = Logger(label: "test")

    func chain(_ environment: [String: String], profile: String? = nil) -> CredentialProviderChain {
        DefaultCredentialProvider.chain(
            environment: environment,
            profile: profile,
            region: "eu-west-1",
            transport: ScriptedTransport([ScriptedTransport.fail(.transport, "no network in unit tests")]),
            logger: logger
        )
    }

    @Test func environmentCredentials() async throws {
        let credentials = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
            "AWS_CREDENTIAL_EXPIRATION": "2026-11-29T10:00:00Z",
        ]).credentials()
        #expect(credentials.accessKeyID == "AKIAENV")
        #expect(credentials.secretAccessKey == "secret")
        #expect(credentials.sessionToken == "token")
        #expect(credentials.expirationMilliseconds == AWSTimestamp.parseISO8601("2026-11-29T10:00:00Z"))
        // Env wins over everything else in the chain.
        let fromChain = try await chain([
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "x",
        ]).credentials()
        #expect(fromChain.accessKeyID == "AKIAENV")
    }

    @Test func halfSetEnvironmentIsAnError() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await chain(["AWS_ACCESS_KEY_ID": "AKIAENV"]).credentials()
        }
        #expect(error.code == .credentialProvider)
        #expect(error.message.contains("AWS_SECRET_ACCESS_KEY"))
    }

    @Test func credentialsAndConfigFiles() async throws {
        let directory = try TemporaryDirectory()
        let credentials = try directory.write(
            "credentials",
            """
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret ; inline comment

            [work]
            aws_access_key_id=AKIAWORK
            aws_secret_access_key=work/secret+with=equals
            aws_session_token = work-token
            """
        )
        let config = try directory.write(
            "config",
            """
            [default]
            region = us-west-2

            [profile work]
            region = eu-central-1
            s3 =
              max_concurrent_requests = 10
            [profile   spaced   name]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = config-secret
            """
        )
        let base = [
            "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config, "AWS_EC2_METADATA_DISABLED": "true",
        ]

        let byDefault = try await chain(base).credentials()
        #expect(byDefault.accessKeyID == "AKIADEFAULT")
        #expect(byDefault.secretAccessKey == "default-secret")

        var work = base
        work["AWS_PROFILE"] = "work"
        let fromWork = try await chain(work).credentials()
        #expect(fromWork.accessKeyID == "AKIAWORK")
        #expect(fromWork.secretAccessKey == "work/secret+with=equals")
        #expect(fromWork.sessionToken == "work-token")
        #expect(AWSRegion.resolve(environment: work) == "eu-central-1")
        #expect(AWSRegion.resolve(environment: base) == "us-west-2")

        let fromConfigOnly = try await chain(base, profile: "spaced name").credentials()
        #expect(fromConfigOnly.accessKeyID == "AKIACONFIG")

        var missing = base
        missing["AWS_PROFILE"] = "nope"
        let error = try await #require(throws: AWSError.self) { try await chain(missing).credentials() }
        #expect(error.code == .credentialProvider)
        #expect(error.message.contains("\"nope\" not found"))
    }

    @Test func unsupportedProfileKindsAreReportedClearly() async throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write(
            "config",
            """
            [profile chained]
            role_arn = arn:aws:iam::123456789012:role/r
            source_profile = default
            [profile process]
            credential_process = /bin/echo
            """
        )
        for (profile, expected) in [("chained", "source_profile"), ("process", "credential_process")] {
            let error = try await #require(throws: AWSError.self) {
                try await chain([
                    "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none",
                    "AWS_PROFILE": profile,
                ]).credentials()
            }
            #expect(error.message.contains(expected))
        }
    }

    @Test func nothingConfiguredListsEveryProvider() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await chain(["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]).credentials()
        }
        #expect(error.code == .credentialsNotFound)
        for part in ["environment", "web identity", "profile default", "container", "instance metadata"] {
            #expect(error.message.contains(part), "\(error.message)")
        }
    }

    @Test func unreachableIMDSMeansNotFound() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await chain(["HOME": "/nonexistent"]).credentials()
        }
        #expect(error.code == .credentialsNotFound)
        #expect(error.message.contains("instance metadata"))
    }

    @Test func metadataServiceTimeoutIsReadAndChecked() throws {
        let provider = try #require(
            try InstanceMetadataCredentialProvider.fromEnvironment(
                ["AWS_METADATA_SERVICE_TIMEOUT": "2.5"],
                transport: AsyncHTTPClientTransport(),
                logger: logger
            )
        )
        #expect(provider.timeout == .milliseconds(2500))
        let error = try #require(throws: AWSError.self) {
            try InstanceMetadataCredentialProvider.fromEnvironment(
                ["AWS_METADATA_SERVICE_TIMEOUT": "soon"],
                transport: AsyncHTTPClientTransport(),
                logger: logger
            )
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("AWS_METADATA_SERVICE_TIMEOUT"))
    }

    @Test func webIdentityNeedsARole() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await chain(["AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/token"]).credentials()
        }
        #expect(error.code == .credentialProvider)
        #expect(error.message.contains("AWS_ROLE_ARN"))
    }

    @Test func containerFullURIMustBeLocalOrHTTPS() async throws {
        for uri in ["http://example.com/creds", "http://10.0.0.1/creds", "ftp://127.0.0.1/x"] {
            let error = try await #require(throws: AWSError.self) {
                try await chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]).credentials()
            }
            #expect(error.code == .credentialProvider, "\(uri)")
        }
        for uri in [
            "http://127.0.0.1:1/x", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
            "https://example.com/creds",
        ] {
            let provider = try ContainerCredentialProvider.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri],
                transport: ScriptedTransport([ScriptedTransport.respond(500)]),
                logger: logger
            )
            #expect(provider?.url == uri)
        }
        let relative = try ContainerCredentialProvider.fromEnvironment(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"],
            transport: ScriptedTransport([ScriptedTransport.respond(500)]),
            logger: logger
        )
        #expect(relative?.url == "http://169.254.170.2/v2/credentials/abc")
    }
}

struct LocalCredentialEndpointTests {
    let logger = Logger(label: "test")
    static let expiration = "2026-11-29T12:00:00Z"

    /// EKS Pod Identity style: full URI on a local endpoint, token file re-read on every refresh.
    @Test func containerCredentialsWithATokenFile() async throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "first-token\n")
        let expected = Mutex<String>("first-token")
        let creds = FakeCredentials(
            accessKeyID: "ASIACONTAINER",
            secretAccessKey: "c-secret",
            token: "c-token",
            expiration: Self.expiration
        )
        try await FakeContainerCredentialsEndpoint.withEndpoint(
            credentials: creds,
            expectedToken: { expected.withLock { $0 } }
        ) { server in
            let environment = [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.endpoint + "/v1/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-the-file-is-set",
                "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
            ]
            // A loaded test machine, not a slow endpoint: CI once took longer than the default 5 s.
            let chain = DefaultCredentialProvider.chain(
                environment: environment,
                region: "eu-west-1",
                containerTimeout: .seconds(60),
                logger: logger
            )
            let first = try await chain.credentials()
            #expect(first.accessKeyID == "ASIACONTAINER")
            #expect(first.secretAccessKey == "c-secret")
            #expect(first.sessionToken == "c-token")
            #expect(first.expirationMilliseconds == AWSTimestamp.parseISO8601(Self.expiration))

            // The agent rotates the token: the next refresh reads the new one.
            try directory.write("token", "second-token")
            expected.withLock { $0 = "second-token" }
            _ = try await chain.credentials()
            #expect(server.requests.map { $0.header("Authorization") } == ["first-token", "second-token"])

            // A stale token is refused by the endpoint and reported.
            expected.withLock { $0 = "third-token" }
            let error = try await #require(throws: AWSError.self) { try await chain.credentials() }
            #expect(error.code == .credentialProvider)
            #expect(error.message.contains("401"))
        }
    }

    @Test func containerCredentialsWithAStaticToken() async throws {
        let creds = FakeCredentials(
            accessKeyID: "ASIAECS",
            secretAccessKey: "s",
            token: "t",
            expiration: Self.expiration
        )
        try await FakeContainerCredentialsEndpoint.withEndpoint(
            path: "/v2/credentials/task",
            credentials: creds,
            expectedToken: { "Basic static" }
        ) { server in
            let provider = try #require(
                try ContainerCredentialProvider.fromEnvironment(
                    [
                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic static",
                    ],
                    transport: AsyncHTTPClientTransport(),
                    relativeURIHost: server.endpoint,
                    timeout: .seconds(60),
                    logger: logger
                )
            )
            #expect(try await provider.credentials().accessKeyID == "ASIAECS")
        }
    }

    @Test func instanceMetadataV2() async throws {
        let creds = FakeCredentials(
            accessKeyID: "ASIAIMDS",
            secretAccessKey: "i-secret",
            token: "i-token",
            expiration: Self.expiration
        )
        try await FakeInstanceMetadataService.withService(role: "node-role", credentials: creds) { server in
            let environment = [
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint, "HOME": "/nonexistent",
                "AWS_METADATA_SERVICE_TIMEOUT": "30",  // a loaded test machine, not a slow metadata service
            ]
            let chain = DefaultCredentialProvider.chain(environment: environment, region: "eu-west-1", logger: logger)
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "ASIAIMDS")
            #expect(credentials.sessionToken == "i-token")
            let requests = server.requests
            #expect(
                requests.map { "\($0.method) \($0.path)" } == [
                    "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                    "GET /latest/meta-data/iam/security-credentials/node-role",
                ]
            )
            #expect(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
            #expect(requests[1].header("X-aws-ec2-metadata-token") == FakeInstanceMetadataService.token)

            // Disabled: not even tried.
            let disabled = DefaultCredentialProvider.chain(
                environment: environment.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { $1 },
                region: nil,
                logger: logger
            )
            let error = try await #require(throws: AWSError.self) { try await disabled.credentials() }
            #expect(error.code == .credentialsNotFound)
            #expect(server.requests.count == 3)
        }
    }
}

struct CachingCredentialProviderTests {
    /// Counts calls and hands out credentials expiring `lifetime` after the wall clock's now.
    final class CountingProvider: AWSCredentialProvider {
        let calls = Mutex(0)
        let wallClock: ManualWallClock
        let lifetime: Int64?
        let failNext = Mutex(false)
        let delay: Duration

        init(wallClock: ManualWallClock, lifetime: Int64?, delay: Duration = .zero) {
            self.wallClock = wallClock
            self.lifetime = lifetime
            self.delay = delay
        }

        func credentials() async throws(AWSError) -> AWSCredentials {
            let n = calls.withLock {
                $0 += 1
                return $0
            }
            if delay > .zero { try? await Task.sleep(for: delay) }
            if failNext.withLock({ $0 }) { throw AWSError(.credentialProvider, "endpoint down") }
            return AWSCredentials(
                accessKeyID: "AKIA\(n)",
                secretAccessKey: "s",
                sessionToken: "t",
                expirationMilliseconds: lifetime.map { wallClock.nowMilliseconds() + $0 }
            )
        }
    }

    @Test func refreshesFiveMinutesBeforeExpiry() async throws {
        let wallClock = ManualWallClock(milliseconds: 1_000_000_000)
        let base = CountingProvider(wallClock: wallClock, lifetime: 3_600_000)
        let cache = CachingCredentialProvider(base, wallClock: wallClock)
        #expect(try await cache.credentials().accessKeyID == "AKIA1")
        wallClock.advance(byMilliseconds: 3_600_000 - 300_000 - 1)
        #expect(try await cache.credentials().accessKeyID == "AKIA1")
        wallClock.advance(byMilliseconds: 1)
        #expect(try await cache.credentials().accessKeyID == "AKIA2")
        #expect(base.calls.withLock { $0 } == 2)
    }

    @Test func longLivedCredentialsAreFetchedOnce() async throws {
        let wallClock = ManualWallClock(milliseconds: 0)
        let base = CountingProvider(wallClock: wallClock, lifetime: nil)
        let cache = CachingCredentialProvider(base, wallClock: wallClock)
        for _ in 0..<5 { _ = try await cache.credentials() }
        wallClock.advance(byMilliseconds: 365 * 86_400_000)
        _ = try await cache.credentials()
        #expect(base.calls.withLock { $0 } == 1)
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let wallClock = ManualWallClock(milliseconds: 0)
        let base = CountingProvider(wallClock: wallClock, lifetime: 3_600_000, delay: .milliseconds(100))
        let cache = CachingCredentialProvider(base, wallClock: wallClock)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["AKIA1"])
        #expect(base.calls.withLock { $0 } == 1)
    }

    @Test func failedRefreshKeepsStillValidCredentials() async throws {
        let wallClock = ManualWallClock(milliseconds: 0)
        let base = CountingProvider(wallClock: wallClock, lifetime: 600_000)
        let cache = CachingCredentialProvider(base, wallClock: wallClock)
        _ = try await cache.credentials()
        base.failNext.withLock { $0 = true }
        wallClock.advance(byMilliseconds: 400_000)  // inside the refresh window, not expired
        #expect(try await cache.credentials().accessKeyID == "AKIA1")
        wallClock.advance(byMilliseconds: 300_000)  // expired
        let error = try await #require(throws: AWSError.self) { try await cache.credentials() }
        #expect(error.message == "endpoint down")
        base.failNext.withLock { $0 = false }
        #expect(try await cache.credentials().accessKeyID == "AKIA4")
    }

    @Test func credentialsAreNeverPrinted() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIAX",
            secretAccessKey: "very-secret",
            sessionToken: "session-secret"
        )
        let text = "\(credentials)"
        #expect(!text.contains("very-secret"))
        #expect(!text.contains("session-secret"))
    }
}
