public import AWSCore
import AsyncHTTPClient
public import Logging
import NIOCore
import NIOHTTP1
import PromwatchTestSupport
public import SigV4
import Synchronization
import Foundation

/// A moto server (`moto_server -H 127.0.0.1 -p <free port>`, or `python3 -m moto.server`) for integration tests,
/// with SigV4 checking on: after start (and after ``reset()``), `POST /moto-api/reset-auth` allows exactly the three
/// free calls that create an IAM user with an access key and an allow-all policy; every later request must be signed
/// by a known key. Use ``withMotoServer(_:)`` so the process is stopped also when the test fails.
public final class MotoServer: Sendable {
    public static let region = "us-east-1"
    public static let accountID = "123456789012"
    public static let userName = "promwatch"

    public let port: Int
    private let process: RealProcess
    private let current: Mutex<AWSCredentials>

    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The IAM user's credentials (new ones after every ``reset()``).
    public var credentials: AWSCredentials { current.withLock { $0 } }

    private init(port: Int, process: RealProcess, credentials: AWSCredentials) {
        self.port = port
        self.process = process
        current = Mutex(credentials)
    }

    /// Starts moto and turns authentication on.
    /// - Throws: ``TestingError`` when moto is not installed or does not come up.
    public static func start() async throws -> MotoServer {
        let port = try TestPorts.free()
        let process: RealProcess
        if let moto = RealProcess.locate("moto_server") {
            process = try RealProcess(moto, ["-H", "127.0.0.1", "-p", String(port)], name: "moto_server")
        } else if let python = RealProcess.locate("python3") {
            process = try RealProcess(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], name: "moto_server")
        } else {
            throw TestingError("moto_server not found (pip install \"moto[server]==5.2.1\")")
        }
        let placeholder = AWSCredentials(accessKeyID: "AKIAPLACEHOLDER00000", secretAccessKey: "placeholder")
        let server = MotoServer(port: port, process: process, credentials: placeholder)
        do {
            try await server.waitUntilReady()
            try await server.enableAuthentication()
            return server
        } catch {
            await process.stop()
            throw TestingError("moto did not start: \(error)\nstderr: \(process.stderr.suffix(2000))")
        }
    }

    /// Stops the process (SIGTERM, then SIGKILL).
    public func stop() async { await process.stop(grace: .seconds(5)) }

    /// Wipes all moto state, then re-creates the IAM user (new ``credentials``) with authentication on.
    public func reset() async throws {
        _ = try await control("POST", "/moto-api/reset")
        try await enableAuthentication()
    }

    private func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            if !process.process.isRunning { throw TestingError("moto exited early") }
            do {
                let (status, _) = try await control("GET", "/moto-api/")
                if status == 200 { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestingError("moto not ready after \(timeout): \(String(describing: lastError))")
    }

    /// A raw call to moto's control API.
    @discardableResult
    public func control(
        _ method: String, _ path: String, body: String? = nil, contentType: String? = nil
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = HTTPMethod(rawValue: method)
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(Array(body.utf8)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// Lets the next `count` requests through without authentication, then checks signatures again.
    ///
    /// moto in auth mode cannot serve an unsigned request (it looks for the `Authorization` header and answers 500),
    /// while AWS accepts STS `AssumeRoleWithWebIdentity` unsigned; tests of that call use this.
    public func allowUnauthenticatedRequests(_ count: Int) async throws {
        let (status, text) = try await control("POST", "/moto-api/reset-auth", body: String(count), contentType: "text/plain")
        guard status == 200 else { throw TestingError("reset-auth answered \(status): \(text)") }
    }

    private func enableAuthentication() async throws {
        let (status, text) = try await control("POST", "/moto-api/reset-auth", body: "3", contentType: "text/plain")
        guard status == 200 else { throw TestingError("reset-auth answered \(status): \(text)") }
        // The three free calls, signed with throwaway keys (moto dispatches on the credential scope's service).
        let iam = try iamClient(credentials: AWSCredentials(accessKeyID: "AKIAFREECALLS0000000", secretAccessKey: "free"))
        var p = AWSQueryParameters(action: "CreateUser", version: "2010-05-08")
        p.add("UserName", Self.userName)
        _ = try await iam.query(p)
        p = AWSQueryParameters(action: "CreateAccessKey", version: "2010-05-08")
        p.add("UserName", Self.userName)
        let key = try await iam.query(p)
        guard let keyID = key.first(named: "AccessKey")?.string("AccessKeyId"),
            let secret = key.first(named: "AccessKey")?.string("SecretAccessKey")
        else { throw TestingError("CreateAccessKey returned no key") }
        p = AWSQueryParameters(action: "PutUserPolicy", version: "2010-05-08")
        p.add("UserName", Self.userName)
        p.add("PolicyName", "allow-all")
        p.add("PolicyDocument", Self.allowAllPolicy)
        _ = try await iam.query(p)
        current.withLock { $0 = AWSCredentials(accessKeyID: keyID, secretAccessKey: secret) }
    }

    public static let allowAllPolicy =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#

    /// A client configuration with every service pointed at moto, signing with `credentials` (default: the IAM
    /// user's), no retries unless given.
    public func configuration(
        credentials: AWSCredentials? = nil, credentialProvider: (any AWSCredentialProvider)? = nil,
        retryPolicy: AWSRetryPolicy = .none, endpoint: String? = nil, transport: any AWSHTTPTransport = AsyncHTTPClientTransport(),
        logger: Logger = Logger(label: "promwatch.aws.test")
    ) -> AWSClientConfiguration {
        let url = endpoint ?? self.endpoint
        return AWSClientConfiguration(
            region: Self.region,
            credentialProvider: credentialProvider ?? StaticCredentialProvider(credentials ?? self.credentials),
            transport: transport, retryPolicy: retryPolicy, requestTimeout: .seconds(30), operationTimeout: .seconds(60),
            endpoints: ["CLOUDWATCH_LOGS": url, "CLOUDWATCH": url, "SNS": url, "STS": url, "IAM": url],
            logger: logger)
    }

    /// An IAM client against moto (for the few IAM calls tests need).
    public func iamClient(credentials: AWSCredentials? = nil) throws -> AWSServiceClient {
        try AWSServiceClient(service: .iam, configuration: configuration(credentials: credentials))
    }

    /// Creates an IAM role that anyone may assume and that may do anything (for web-identity tests).
    /// - Returns: the role ARN.
    public func createAllowAllRole(name: String) async throws -> String {
        let iam = try iamClient()
        var p = AWSQueryParameters(action: "CreateRole", version: "2010-05-08")
        p.add("RoleName", name)
        p.add(
            "AssumeRolePolicyDocument",
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.example"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#
        )
        let created = try await iam.query(p)
        guard let arn = created.first(named: "Role")?.string("Arn") else { throw TestingError("CreateRole returned no Arn") }
        p = AWSQueryParameters(action: "PutRolePolicy", version: "2010-05-08")
        p.add("RoleName", name)
        p.add("PolicyName", "allow-all")
        p.add("PolicyDocument", Self.allowAllPolicy)
        _ = try await iam.query(p)
        return arn
    }
}

/// Runs `body` with a fresh moto server (auth on) and stops it afterwards, also when `body` throws.
public func withMotoServer<T: Sendable>(_ body: (MotoServer) async throws -> T) async throws -> T {
    let moto = try await MotoServer.start()
    do {
        let result = try await body(moto)
        await moto.stop()
        return result
    } catch {
        await moto.stop()
        throw error
    }
}
