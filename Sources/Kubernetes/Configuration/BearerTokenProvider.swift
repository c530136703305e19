import Foundation
import Synchronization

/// Supplies the bearer token of each request: a fixed one, a file re-read at most a minute after it was last read
/// (the kubelet rotates projected service account tokens), or an exec plugin's token cached until shortly before
/// it expires. After a 401 the client calls ``invalidate()`` and retries once with a fresh token.
final class BearerTokenProvider: Sendable {
    private let credentials: KubernetesCredentials
    private let now: @Sendable () -> Date
    private let cached = Mutex<(token: String, validUntil: Date)?>(nil)

    /// How long a token read from a file is used before the file is read again (client-go: one minute).
    static let fileTokenLifetime: TimeInterval = 60
    /// An exec token is renewed this long before its `expirationTimestamp`.
    static let execRenewalMargin: TimeInterval = 30

    init(credentials: KubernetesCredentials, now: @escaping @Sendable () -> Date = { Date() }) {
        self.credentials = credentials
        self.now = now
    }

    /// Forgets the cached token, so the next request reads or fetches a new one.
    func invalidate() { cached.withLock { $0 = nil } }

    func token() async throws(KubernetesError) -> String? {
        switch credentials {
        case .none: return nil
        case .token(let token): return token
        case .tokenFile(let path):
            if let token = validCachedToken() { return token }
            let bytes = try KubernetesConfiguration.readFile(path, what: "token file")
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw KubernetesConfiguration.configurationError("token file \(path) is empty") }
            store(token, validUntil: now().addingTimeInterval(Self.fileTokenLifetime))
            return token
        case .exec(let plugin):
            if let token = validCachedToken() { return token }
            let credential = try await ExecCredentialRunner.run(plugin)
            // Without an expiry the token is used until the server refuses it (client-go does the same).
            let validUntil = credential.expiration.map { $0.addingTimeInterval(-Self.execRenewalMargin) } ?? .distantFuture
            store(credential.token, validUntil: validUntil)
            return credential.token
        }
    }

    private func validCachedToken() -> String? {
        let now = now()
        return cached.withLock { entry in
            guard let entry, entry.validUntil > now else { return nil }
            return entry.token
        }
    }

    private func store(_ token: String, validUntil: Date) {
        cached.withLock { $0 = (token, validUntil) }
    }
}

/// Runs a client-go credential plugin and reads its `ExecCredential`.
enum ExecCredentialRunner {
    struct Credential {
        var token: String
        var expiration: Date?
    }

    private struct ExecCredential: Decodable {
        var apiVersion: String?
        var kind: String?
        var status: Status?

        struct Status: Decodable {
            var token: String?
            var expirationTimestamp: String?
            var clientCertificateData: String?
        }
    }

    static func run(_ plugin: ExecCredentialPlugin) async throws(KubernetesError) -> Credential {
        let output: (status: Int32, stdout: Data, stderr: Data)
        do {
            output = try await runProcess(plugin)
        } catch {
            throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) could not run: \(error)")
        }
        guard output.status == 0 else {
            // Plugins print their own diagnostics (never the token) on stderr.
            let message = String(decoding: output.stderr.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) exited with status \(output.status): \(message)")
        }
        let credential: ExecCredential
        do {
            credential = try JSONDecoder().decode(ExecCredential.self, from: output.stdout)
        } catch {
            throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) printed no ExecCredential JSON")
        }
        guard credential.kind == "ExecCredential" else {
            throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) printed kind \(credential.kind ?? "none"), not ExecCredential")
        }
        guard let token = credential.status?.token, !token.isEmpty else {
            if credential.status?.clientCertificateData != nil {
                throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) returned a client certificate; promwatch supports token plugins only")
            }
            throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) returned no token")
        }
        var expiration: Date?
        if let text = credential.status?.expirationTimestamp {
            expiration = parseRFC3339(text)
            if expiration == nil {
                throw KubernetesConfiguration.configurationError("exec plugin \(plugin.command) returned an invalid expirationTimestamp \(text)")
            }
        }
        return Credential(token: token, expiration: expiration)
    }

    static func parseRFC3339(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    private static func runProcess(_ plugin: ExecCredentialPlugin) async throws -> (Int32, Data, Data) {
        let process = Process()
        if plugin.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: plugin.command)
            process.arguments = plugin.arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [plugin.command] + plugin.arguments
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in plugin.environment { environment[name] = value }
        environment["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(plugin.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        process.environment = environment
        if let folder = plugin.workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let out = stdout.fileHandleForReading.readDataToEndOfFile()
                let err = stderr.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: (process.terminationStatus, out, err))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
