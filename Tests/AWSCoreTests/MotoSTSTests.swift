import AWSClients
import AWSCore
import AWSTesting
import Foundation
import PromwatchTestSupport
import SigV4
import Testing

extension MotoIntegrationTests {
    @Suite struct STSAndAuth {
        @Test func getCallerIdentityIsTheIAMUser() async throws {
            let moto = try MotoContext.moto
            let sts = try STSClient(configuration: moto.configuration())
            let identity = try await sts.getCallerIdentity()
            #expect(identity.arn == "arn:aws:iam::123456789012:user/\(MotoServer.userName)")
            #expect(identity.account == MotoServer.accountID)
        }

        /// A wrong secret: moto refuses the signature; we report SignatureDoesNotMatch once, without retrying.
        @Test func wrongSecretIsSignatureDoesNotMatchWithoutRetries() async throws {
            let moto = try MotoContext.moto
            var wrong = moto.credentials
            wrong.secretAccessKey = "not-the-secret"
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                let clock = RecordingClock()
                var configuration = moto.configuration(
                    credentials: wrong,
                    retryPolicy: AWSRetryPolicy(maxAttempts: 5),
                    endpoint: proxy.endpoint
                )
                configuration.clock = clock
                let logs = try CloudWatchLogsClient(configuration: configuration)
                let error = try await #require(throws: AWSError.self) {
                    try await logs.createLogGroup(name: uniqueName("wrong-secret"))
                }
                #expect(error.serviceCode == "SignatureDoesNotMatch")
                #expect(error.description.hasPrefix("SignatureDoesNotMatch: "))
                #expect(error.status == 403 || error.status == 400)
                #expect(error.isAuthFailure)
                #expect(!error.isRetryable)
                #expect(proxy.requestCount == 1)
                #expect(clock.sleeps.isEmpty)

                // The same through the query protocol (XML error body).
                let sts = try STSClient(configuration: configuration)
                let queryError = try await #require(throws: AWSError.self) { try await sts.getCallerIdentity() }
                #expect(queryError.serviceCode == "SignatureDoesNotMatch")
                #expect(proxy.requestCount == 2)
            }
        }

        @Test func unknownKeyIsInvalidClientTokenId() async throws {
            let moto = try MotoContext.moto
            let configuration = moto.configuration(
                credentials: AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "x"),
                retryPolicy: AWSRetryPolicy(maxAttempts: 3)
            )
            let cloudWatch = try CloudWatchClient(configuration: configuration)
            let error = try await #require(throws: AWSError.self) { try await cloudWatch.describeAlarms() }
            #expect(error.serviceCode == "InvalidClientTokenId")
            #expect(error.status == 403)
        }

        /// Web identity (IRSA) against moto STS: the token file and role from the environment, the unsigned
        /// AssumeRoleWithWebIdentity, then signed calls with the session credentials.
        @Test func webIdentityCredentialsFromTheEnvironment() async throws {
            let moto = try MotoContext.moto
            let roleName = uniqueName("irsa-role")
            let roleARN = try await moto.createAllowAllRole(name: roleName)
            let directory = try TemporaryDirectory()
            let tokenFile = try directory.write(
                "token",
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cHc6YWdlbnQifQ.c2ln\n"
            )
            let environment = [
                "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleARN,
                "AWS_ROLE_SESSION_NAME": "promwatch-test", "AWS_ENDPOINT_URL_STS": moto.endpoint,
                "AWS_REGION": MotoServer.region, "AWS_EC2_METADATA_DISABLED": "true",
            ]
            let configuration = try AWSClientConfiguration.fromEnvironment(environment)
            let provider = try #require(configuration.credentialProvider)
            try await moto.allowUnauthenticatedRequests(1)  // the unsigned AssumeRoleWithWebIdentity
            let credentials = try await provider.credentials()
            #expect(credentials.sessionToken != nil)
            #expect(credentials.expirationMilliseconds != nil)

            let sts = try STSClient(configuration: moto.configuration(credentialProvider: provider))
            let identity = try await sts.getCallerIdentity()
            #expect(identity.arn == "arn:aws:sts::123456789012:assumed-role/\(roleName)/promwatch-test")

            // A signed JSON call with the session token.
            let logs = try CloudWatchLogsClient(configuration: moto.configuration(credentialProvider: provider))
            try await logs.createLogGroup(name: uniqueName("irsa-group"))

            // STSClient's own AssumeRoleWithWebIdentity.
            try await moto.allowUnauthenticatedRequests(1)
            let assumed = try await sts.assumeRoleWithWebIdentity(
                roleARN: roleARN,
                roleSessionName: "direct",
                webIdentityToken: "token"
            )
            #expect(assumed.assumedRoleARN?.hasSuffix("/\(roleName)/direct") == true)
        }

        /// A profile with role_arn + web_identity_token_file goes through the same STS call.
        @Test func profileWithWebIdentityTokenFile() async throws {
            let moto = try MotoContext.moto
            let roleARN = try await moto.createAllowAllRole(name: uniqueName("profile-role"))
            let directory = try TemporaryDirectory()
            let tokenFile = try directory.write("token", "header.payload.signature")
            let config = try directory.write(
                "config",
                """
                [profile irsa]
                region = \(MotoServer.region)
                role_arn = \(roleARN)
                web_identity_token_file = \(tokenFile)
                role_session_name = from-profile
                """
            )
            let environment = [
                "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/missing",
                "AWS_PROFILE": "irsa", "AWS_ENDPOINT_URL": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true",
            ]
            let configuration = try AWSClientConfiguration.fromEnvironment(environment)
            #expect(configuration.region == MotoServer.region)
            let sts = try STSClient(configuration: configuration)
            try await moto.allowUnauthenticatedRequests(1)  // the unsigned AssumeRoleWithWebIdentity
            let identity = try await sts.getCallerIdentity()
            #expect(identity.arn.hasSuffix("/from-profile"))
        }

        /// Throttling then success against moto through a fault-injecting proxy: retried with backoff (through the
        /// injected clock), and the retried request is re-signed and accepted.
        @Test func throttledThenSucceeds() async throws {
            let moto = try MotoContext.moto
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                let clock = RecordingClock()
                var configuration = moto.configuration(
                    retryPolicy: AWSRetryPolicy(maxAttempts: 3),
                    endpoint: proxy.endpoint
                )
                configuration.clock = clock
                proxy.inject([FaultInjectingProxy.throttlingJSON(), FaultInjectingProxy.serviceUnavailableXML()])
                let logs = try CloudWatchLogsClient(configuration: configuration)
                try await logs.createLogGroup(name: uniqueName("throttled"))
                #expect(proxy.requestCount == 3)
                #expect(proxy.forwarded == 1)
                #expect(clock.sleeps.count == 2)

                // Out of attempts: the last error surfaces.
                proxy.inject(Array(repeating: FaultInjectingProxy.throttlingJSON(), count: 3))
                let error = try await #require(throws: AWSError.self) {
                    try await logs.createLogGroup(name: uniqueName("throttled"))
                }
                #expect(error.isThrottling)
                #expect(error.serviceCode == "ThrottlingException")
                #expect(proxy.requestCount == 6)
            }
        }

        /// A request slower than the per-attempt deadline times out and the retry succeeds.
        @Test func slowAttemptTimesOutAndIsRetried() async throws {
            let moto = try MotoContext.moto
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                var configuration = moto.configuration(
                    retryPolicy: AWSRetryPolicy(maxAttempts: 2),
                    endpoint: proxy.endpoint
                )
                configuration.requestTimeout = .milliseconds(500)
                proxy.inject([.delay(.seconds(3))])
                let sts = try STSClient(configuration: configuration)
                let identity = try await sts.getCallerIdentity()
                #expect(identity.account == MotoServer.accountID)
                #expect(proxy.requestCount == 2, "the slow first attempt timed out and was retried")
            }
        }

        /// reset() wipes moto and issues new keys; the old ones are refused from then on.
        @Test func resetIssuesNewCredentials() async throws {
            let moto = try MotoContext.moto
            let logs = try CloudWatchLogsClient(configuration: moto.configuration())
            let group = uniqueName("before-reset")
            try await logs.createLogGroup(name: group)
            let old = moto.credentials
            try await moto.reset()
            #expect(moto.credentials.accessKeyID != old.accessKeyID)
            let fresh = try CloudWatchLogsClient(configuration: moto.configuration())
            let gone = try await #require(throws: AWSError.self) { try await fresh.describeLogStreams(group: group) }
            #expect(gone.serviceCode == "ResourceNotFoundException")
            try await fresh.createLogGroup(name: group)
            let stale = try await #require(throws: AWSError.self) {
                try await logs.createLogGroup(name: uniqueName("stale"))
            }
            #expect(stale.serviceCode == "InvalidClientTokenId" || stale.serviceCode == "UnrecognizedClientException")
        }
    }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("promwatch-aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` and returns the file's path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try writeFileAtomically(contents, to: file)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
