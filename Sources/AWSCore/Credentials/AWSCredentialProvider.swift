public import SigV4

/// A source of AWS credentials.
public protocol AWSCredentialProvider: Sendable {
    /// Current credentials.
    /// - Throws: ``AWSError`` `.credentialsNotFound` when this source is not configured (a chain moves on), or
    ///   `.credentialProvider` when it is configured but failed (a chain stops and reports it).
    func credentials() async throws(AWSError) -> AWSCredentials

    /// A short name for messages (`environment`, `web identity`, …).
    var providerName: String { get }
}

extension AWSCredentialProvider {
    public var providerName: String { "\(Self.self)" }
}

/// Fixed credentials.
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials

    public init(_ credentials: AWSCredentials) { value = credentials }

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        value = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    public func credentials() async throws(AWSError) -> AWSCredentials { value }
    public var providerName: String { "static" }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN` (and `AWS_CREDENTIAL_EXPIRATION`).
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        let keyID = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (keyID, secret) {
        case (nil, nil):
            throw AWSError(.credentialsNotFound, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (.some(let keyID), .some(let secret)):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            let expiration = environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(AWSTimestamp.parseISO8601)
            return AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expirationMilliseconds: expiration)
        case (.some, nil):
            throw AWSError(.credentialProvider, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, .some):
            throw AWSError(.credentialProvider, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
    }

    public var providerName: String { "environment" }
}

/// Tries providers in order. A provider that is not configured (`.credentialsNotFound`) passes to the next; the
/// first configured one answers, and its failure is the chain's failure (so a broken web-identity setup reports the
/// STS error, not an IMDS timeout). When none is configured: `.credentialsNotFound` listing why each was skipped.
public struct CredentialProviderChain: AWSCredentialProvider {
    public let providers: [any AWSCredentialProvider]

    public init(_ providers: [any AWSCredentialProvider]) { self.providers = providers }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        var reasons: [String] = []
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch where error.code == .credentialsNotFound {
                reasons.append("\(provider.providerName): \(error.message)")
            } catch {
                var failed = error
                failed.message = "\(provider.providerName): \(error.message)"
                throw failed
            }
        }
        throw AWSError(.credentialsNotFound, "no AWS credentials found (" + reasons.joined(separator: "; ") + ")")
    }

    public var providerName: String { "chain" }
}

/// A provider resolved when first asked (so a chain can be built before the environment is inspected).
struct DeferredCredentialProvider: AWSCredentialProvider {
    let providerName: String
    let resolve: @Sendable () throws(AWSError) -> (any AWSCredentialProvider)?
    let notConfigured: String

    func credentials() async throws(AWSError) -> AWSCredentials {
        guard let provider = try resolve() else { throw AWSError(.credentialsNotFound, notConfigured) }
        return try await provider.credentials()
    }
}

/// Caches another provider's credentials and refreshes temporary ones ``refreshBefore`` their expiry, one refresh at
/// a time (concurrent callers wait for the same refresh). If a refresh fails while the cached credentials are still
/// valid, the cached ones are returned.
public actor CachingCredentialProvider: AWSCredentialProvider {
    public nonisolated let base: any AWSCredentialProvider
    public nonisolated let refreshBefore: Duration
    private let wallClock: any AWSWallClock
    private var cached: AWSCredentials?
    private var refresh: Task<Result<AWSCredentials, AWSError>, Never>?

    public init(
        _ base: any AWSCredentialProvider, refreshBefore: Duration = .seconds(300),
        wallClock: any AWSWallClock = SystemWallClock()
    ) {
        self.base = base
        self.refreshBefore = refreshBefore
        self.wallClock = wallClock
    }

    public nonisolated var providerName: String { base.providerName }

    /// Drops the cached credentials (e.g. after an `ExpiredToken` error).
    public func invalidate() { cached = nil }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        let now = wallClock.nowMilliseconds()
        if let cached, !needsRefresh(cached, now: now) { return cached }
        let task: Task<Result<AWSCredentials, AWSError>, Never>
        if let refresh {
            task = refresh
        } else {
            let base = self.base
            task = Task {
                do throws(AWSError) {
                    return .success(try await base.credentials())
                } catch {
                    return .failure(error)
                }
            }
            refresh = task
        }
        let result = await task.value
        if refresh == task { refresh = nil }
        switch result {
        case .success(let credentials):
            cached = credentials
            return credentials
        case .failure(let error):
            if let cached, let expiry = cached.expirationMilliseconds, expiry > wallClock.nowMilliseconds() {
                return cached
            }
            throw error
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials, now: Int64) -> Bool {
        guard let expiry = credentials.expirationMilliseconds else { return false }
        let margin = refreshBefore.components.seconds * 1000 + refreshBefore.components.attoseconds / 1_000_000_000_000_000
        return now >= expiry - margin
    }
}
