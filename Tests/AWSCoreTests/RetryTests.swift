import AWSCore
import AWSTesting
import JSON
import NIOCore
import SigV4
import Synchronization
import Testing

struct RetryPolicyTests {
    func serviceError(_ code: String?, status: Int) -> AWSError {
        AWSError(.service, "m", serviceCode: code, status: status)
    }

    @Test func whatIsRetried() {
        let policy = AWSRetryPolicy(maxAttempts: 3, random: { 0.5 })
        let retried: [AWSError] = [
            serviceError("ThrottlingException", status: 400), serviceError("Throttling", status: 400),
            serviceError(nil, status: 429), serviceError("ServiceUnavailable", status: 503),
            serviceError(nil, status: 500), serviceError(nil, status: 502), serviceError("RequestTimeout", status: 400),
            AWSError(.transport, "reset"), AWSError(.timeout, "slow"),
        ]
        for error in retried {
            #expect(policy.decision(for: error, attempt: 1) != .fail, "\(error)")
            #expect(policy.decision(for: error, attempt: 3) == .fail, "max attempts: \(error)")
        }
        let notRetried: [AWSError] = [
            serviceError("SignatureDoesNotMatch", status: 403), serviceError("InvalidClientTokenId", status: 403),
            serviceError("AccessDenied", status: 403), serviceError("UnrecognizedClientException", status: 400),
            serviceError("ResourceNotFoundException", status: 400), serviceError("InvalidParameterException", status: 400),
            serviceError("NotImplemented", status: 501), AWSError(.credentialsNotFound, "none"),
            AWSError(.cancelled, "x"), AWSError(.invalidResponse, "x"),
        ]
        for error in notRetried { #expect(policy.decision(for: error, attempt: 1) == .fail, "\(error)") }
        #expect(AWSRetryPolicy.none.decision(for: serviceError("Throttling", status: 400), attempt: 1) == .fail)
    }

    @Test func exponentialCeilingsAreCapped() {
        let policy = AWSRetryPolicy()
        #expect(policy.ceiling(forRetry: 1) == .milliseconds(100))
        #expect(policy.ceiling(forRetry: 2) == .milliseconds(200))
        #expect(policy.ceiling(forRetry: 3) == .milliseconds(400))
        #expect(policy.ceiling(forRetry: 8) == .milliseconds(12_800))
        #expect(policy.ceiling(forRetry: 9) == .seconds(20))
        #expect(policy.ceiling(forRetry: 60) == .seconds(20))
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999_999_999_9, 1.0])
    func fullJitterStaysWithinBounds(_ random: Double) {
        let policy = AWSRetryPolicy(maxAttempts: 20, random: { random })
        for retry in 1...12 {
            let delay = policy.delay(forRetry: retry)
            #expect(delay >= .zero)
            #expect(delay < policy.ceiling(forRetry: retry))
        }
        #expect(AWSRetryPolicy(random: { 0 }).delay(forRetry: 3) == .zero)
        #expect(AWSRetryPolicy(random: { 0.5 }).delay(forRetry: 2) == .milliseconds(100))
    }

    @Test func jitterUsesTheWholeRange() {
        let policy = AWSRetryPolicy(maxAttempts: 5)
        let delays = (0..<2000).map { _ in policy.delay(forRetry: 3) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 < .milliseconds(400) })
        #expect(delays.contains { $0 < .milliseconds(40) })
        #expect(delays.contains { $0 > .milliseconds(360) })
    }

    @Test func clockSkewOffset() {
        let skewed = AWSError(.service, "skew", serviceCode: "RequestTimeTooSkewed", status: 403, serverDateSeconds: 1_000_000 + 3600)
        #expect(AWSClockSkewCorrection.offset(for: skewed, localMilliseconds: 1_000_000_000, currentOffset: 0) == 3_600_000)
        // Already corrected: nothing more to do.
        #expect(AWSClockSkewCorrection.offset(for: skewed, localMilliseconds: 1_000_000_000, currentOffset: 3_600_000) == nil)
        // A close server date is not blamed on our clock.
        let close = AWSError(.service, "skew", serviceCode: "RequestExpired", status: 400, serverDateSeconds: 1_000_010)
        #expect(AWSClockSkewCorrection.offset(for: close, localMilliseconds: 1_000_000_000, currentOffset: 0) == nil)
        // Not a skew code, or no Date: nothing.
        let other = AWSError(.service, "x", serviceCode: "AccessDenied", status: 403, serverDateSeconds: 2_000_000)
        #expect(AWSClockSkewCorrection.offset(for: other, localMilliseconds: 1_000_000_000, currentOffset: 0) == nil)
        let noDate = AWSError(.service, "x", serviceCode: "RequestTimeTooSkewed", status: 403)
        #expect(AWSClockSkewCorrection.offset(for: noDate, localMilliseconds: 1_000_000_000, currentOffset: 0) == nil)
    }
}

/// The retry loop of ``AWSServiceClient`` over a scripted transport and a recording clock.
struct ServiceClientRetryTests {
    static let start: Int64 = 1_764_403_200_000  // 2025-11-29T08:00:00Z

    struct Harness {
        let transport: ScriptedTransport
        let clock = RecordingClock()
        let wallClock = ManualWallClock(milliseconds: ServiceClientRetryTests.start)
        let client: AWSServiceClient

        init(
            _ steps: [ScriptedTransport.Step], maxAttempts: Int = 3, operationTimeout: Duration = .seconds(120),
            signed: Bool = true, advancePerSend: Duration? = nil
        ) throws {
            let clock = self.clock
            var onSend: (@Sendable () -> Void)?
            if let step = advancePerSend { onSend = { clock.advance(by: step) } }
            transport = ScriptedTransport(steps, onSend: onSend)
            var provider: (any AWSCredentialProvider)?
            if signed {
                provider = StaticCredentialProvider(
                    accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok")
            }
            let configuration = AWSClientConfiguration(
                region: "eu-west-1",
                credentialProvider: provider,
                transport: transport, retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, random: { 0.5 }),
                operationTimeout: operationTimeout, wallClock: wallClock, clock: clock,
                endpoints: ["CLOUDWATCH_LOGS": "http://127.0.0.1:4566"])
            client = try AWSServiceClient(service: .cloudWatchLogs, configuration: configuration)
        }

        func call() async throws(AWSError) -> JSONValue {
            try await client.json(targetPrefix: "Logs_20140328", operation: "CreateLogGroup", jsonVersion: "1.1", body: Array(#"{"logGroupName":"g"}"#.utf8))
        }
    }

    static let throttled = ScriptedTransport.respond(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
    static let ok = ScriptedTransport.respond(200, "")

    @Test func throttledThenSuccess() async throws {
        let h = try Harness([Self.throttled, Self.ok])
        #expect(try await h.call() == .emptyObject)
        #expect(h.transport.sent.count == 2)
        #expect(h.clock.sleeps == [.milliseconds(50)])  // full jitter with random 0.5 of the 100 ms ceiling
    }

    @Test func serverErrorsAreRetriedUpToMaxAttempts() async throws {
        let h = try Harness([ScriptedTransport.respond(500, "<html>oops</html>"), ScriptedTransport.respond(503, ""), Self.ok])
        _ = try await h.call()
        #expect(h.transport.sent.count == 3)
        #expect(h.clock.sleeps == [.milliseconds(50), .milliseconds(100)])

        let failing = try Harness([ScriptedTransport.respond(503, #"{"__type":"ServiceUnavailableException","message":"busy"}"#)], maxAttempts: 4)
        let error = try await #require(throws: AWSError.self) { try await failing.call() }
        #expect(error.serviceCode == "ServiceUnavailableException")
        #expect(failing.transport.sent.count == 4)
        #expect(failing.clock.sleeps.count == 3)
    }

    @Test func transportErrorsAreRetried() async throws {
        let h = try Harness([ScriptedTransport.fail(.transport, "connection reset"), ScriptedTransport.fail(.timeout), Self.ok])
        _ = try await h.call()
        #expect(h.transport.sent.count == 3)
    }

    @Test func authErrorsAreNotRetried() async throws {
        let h = try Harness(
            [
                ScriptedTransport.respond(
                    403,
                    "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error><RequestId>abc</RequestId></ErrorResponse>",
                    headers: [("Date", "Sat, 29 Nov 2025 08:00:01 GMT")])
            ], maxAttempts: 10)
        let error = try await #require(throws: AWSError.self) { try await h.call() }
        #expect(error.description == "SignatureDoesNotMatch: The request signature we calculated does not match (HTTP 403, request ID abc)")
        #expect(h.transport.sent.count == 1)
        #expect(h.clock.sleeps.isEmpty)
    }

    @Test func clockSkewIsCorrectedOnceAndKept() async throws {
        // The server is one hour ahead of our wall clock.
        let serverDate = "Sat, 29 Nov 2025 09:00:00 GMT"
        let skewed = ScriptedTransport.respond(
            400, #"{"__type":"InvalidSignatureException","message":"Signature expired: 20251129T080000Z is now earlier than 20251129T085500Z"}"#,
            headers: [("Date", serverDate)])
        let h = try Harness([skewed, Self.ok, Self.ok], maxAttempts: 1)
        _ = try await h.call()
        let sent = h.transport.sent
        #expect(sent.count == 2)
        #expect(sent[0].header("X-Amz-Date") == "20251129T080000Z")
        #expect(sent[1].header("X-Amz-Date") == "20251129T090000Z")
        #expect(h.client.configuration.clockSkew.offsetMilliseconds == 3_600_000)
        #expect(h.clock.sleeps.isEmpty)
        // Later requests use the corrected clock straight away.
        _ = try await h.call()
        #expect(h.transport.sent[2].header("X-Amz-Date") == "20251129T090000Z")

        // A server that keeps complaining gets one correction, not a loop.
        let stubborn = try Harness(
            [
                ScriptedTransport.respond(403, #"{"__type":"RequestTimeTooSkewed","message":"skewed"}"#, headers: [("Date", serverDate)]),
                ScriptedTransport.respond(403, #"{"__type":"RequestTimeTooSkewed","message":"skewed"}"#, headers: [("Date", "Sat, 29 Nov 2025 11:00:00 GMT")]),
            ], maxAttempts: 5)
        let error = try await #require(throws: AWSError.self) { try await stubborn.call() }
        #expect(error.serviceCode == "RequestTimeTooSkewed")
        #expect(stubborn.transport.sent.count == 2)
    }

    @Test func operationDeadlineStopsRetries() async throws {
        // Every attempt takes 20 s on the test clock; the operation may take 50 s.
        let h = try Harness([ScriptedTransport.respond(500, "")], maxAttempts: 10, operationTimeout: .seconds(50), advancePerSend: .seconds(20))
        let error = try await #require(throws: AWSError.self) { try await h.call() }
        #expect(error.status == 500 || error.code == .timeout)
        #expect(h.transport.sent.count == 3)
    }

    @Test func requestsAreSignedWithTheHeadersSent() async throws {
        let h = try Harness([Self.ok])
        _ = try await h.call()
        let request = try #require(h.transport.sent.first)
        #expect(request.url == "http://127.0.0.1:4566/")
        #expect(request.method == "POST")
        #expect(request.header("Host") == "127.0.0.1:4566")
        #expect(request.header("X-Amz-Target") == "Logs_20140328.CreateLogGroup")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(request.header("X-Amz-Security-Token") == "tok")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251129/eu-west-1/logs/aws4_request, SignedHeaders="))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"))

        // The same request, re-signed by hand, matches.
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok"),
            region: "eu-west-1", service: "logs")
        let expected = signer.signatureHeaders(
            for: SignableRequest(
                method: "POST", host: "127.0.0.1:4566", path: "/",
                headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Logs_20140328.CreateLogGroup")]),
            body: Array(request.body.readableBytesView), date: Self.start / 1000)
        #expect(expected.first { $0.name == "Authorization" }?.value == authorization)
    }

    @Test func expiredTokenRefreshesCachedCredentialsOnce() async throws {
        final class Rotating: AWSCredentialProvider {
            let calls = Mutex(0)
            func credentials() async throws(AWSError) -> AWSCredentials {
                let n = calls.withLock { $0 += 1; return $0 }
                return AWSCredentials(accessKeyID: "ASIA\(n)", secretAccessKey: "s", sessionToken: "t\(n)")
            }
        }
        let expired = ScriptedTransport.respond(400, #"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#)
        let transport = ScriptedTransport([expired, Self.ok, expired])
        let rotating = Rotating()
        let configuration = AWSClientConfiguration(
            region: "us-east-1", credentialProvider: CachingCredentialProvider(rotating), transport: transport,
            retryPolicy: .none, clock: RecordingClock())
        let client = try AWSServiceClient(service: .cloudWatchLogs, configuration: configuration)
        _ = try await client.json(targetPrefix: "Logs_20140328", operation: "X", jsonVersion: "1.1", body: [])
        #expect(transport.sent.map { $0.header("X-Amz-Security-Token") } == ["t1", "t2"])
        // Still expired after the refresh: reported, not looped.
        let error = try await #require(throws: AWSError.self) {
            try await client.json(targetPrefix: "Logs_20140328", operation: "X", jsonVersion: "1.1", body: [])
        }
        #expect(error.isExpiredToken)
        #expect(transport.sent.count == 4)
    }

    @Test func unsignedRequestsHaveNoAuthorization() async throws {
        let h = try Harness([Self.ok], signed: false)
        _ = try await h.call()
        #expect(h.transport.sent.first?.header("Authorization") == nil)
    }

    @Test func credentialErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([Self.ok])
        let configuration = AWSClientConfiguration(
            region: "us-east-1", credentialProvider: CredentialProviderChain([EnvironmentCredentialProvider(environment: [:])]),
            transport: transport, clock: RecordingClock())
        let client = try AWSServiceClient(service: .sts, configuration: configuration)
        let error = try await #require(throws: AWSError.self) {
            try await client.query(AWSQueryParameters(action: "GetCallerIdentity", version: "2011-06-15"))
        }
        #expect(error.code == .credentialsNotFound)
        #expect(transport.sent.isEmpty)
    }
}
