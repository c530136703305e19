import Foundation
import PromwatchTestSupport
import Testing

@testable import Kubernetes

/// A temporary folder for kubeconfigs, service account files and plugin scripts.
final class ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("promwatch-k8s-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try writeFileAtomically(text, to: file)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func kubeconfig(
        user: String,
        cluster: String = "server: https://127.0.0.1:6443\n    certificate-authority: ca.crt"
    ) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: c1
          cluster:
            \(cluster)
        users:
        - name: u1
          user:
        \(user)
        contexts:
        - name: dev
          context:
            cluster: c1
            user: u1
            namespace: team-a
        - name: other
          context:
            cluster: c1
            user: u1
        """
    }

    @Test func tokenUserWithARelativeCAFile() throws {
        let folder = try ScratchFolder()
        try folder.write("ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(user: "    token: abc.def"))
        let configuration = try KubernetesConfiguration.fromKubeconfig(path: path)
        #expect(configuration.server == "https://127.0.0.1:6443")
        #expect(configuration.namespace == "team-a")
        #expect(configuration.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        guard case .token(let token) = configuration.credentials else {
            Issue.record("expected a token")
            return
        }
        #expect(token == "abc.def")
        #expect(try KubernetesConfiguration.fromKubeconfig(path: path, context: "other").namespace == "default")
    }

    @Test func inlineDataAndClientCertificates() throws {
        let folder = try ScratchFolder()
        let b64 = Data("-----BEGIN X-----\n".utf8).base64EncodedString()
        let path = try folder.write(
            "config",
            kubeconfig(
                user: "    client-certificate-data: \(b64)\n    client-key-data: \(b64)",
                cluster: "server: https://10.0.0.1\n    certificate-authority-data: \(b64)"
            )
        )
        let configuration = try KubernetesConfiguration.fromKubeconfig(path: path)
        #expect(configuration.certificateAuthorityPEM == Array("-----BEGIN X-----\n".utf8))
        #expect(configuration.clientCertificate?.keyPEM == Array("-----BEGIN X-----\n".utf8))
    }

    @Test func execPluginSettings() throws {
        let folder = try ScratchFolder()
        try folder.write("ca.crt", Self.caPEM)
        let path = try folder.write(
            "config",
            kubeconfig(
                user: """
                        exec:
                          apiVersion: client.authentication.k8s.io/v1beta1
                          command: aws
                          args: [eks, get-token, --cluster-name, prod]
                          env:
                          - name: AWS_PROFILE
                            value: ops
                    """
            )
        )
        let configuration = try KubernetesConfiguration.fromKubeconfig(path: path)
        guard case .exec(let plugin) = configuration.credentials else {
            Issue.record("expected exec")
            return
        }
        #expect(plugin.command == "aws")
        #expect(plugin.arguments == ["eks", "get-token", "--cluster-name", "prod"])
        #expect(plugin.environment == ["AWS_PROFILE": "ops"])
    }

    @Test(arguments: [
        ("server: https://x\n    insecure-skip-tls-verify: true", "insecure-skip-tls-verify"),
        ("server: https://x\n    tls-server-name: api", "tls-server-name"),
        ("certificate-authority: ca.crt", "no https:// server"),
    ])
    func refusedClusterSettings(cluster: String, message: String) throws {
        let folder = try ScratchFolder()
        try folder.write("ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(user: "    token: t", cluster: cluster))
        let error = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.fromKubeconfig(path: path) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(path) == true)
    }

    @Test func missingContextAndFilesAreNamed() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("config", kubeconfig(user: "    token: t"))
        let missingContext = #expect(throws: KubernetesError.self) {
            try KubernetesConfiguration.fromKubeconfig(path: path, context: "nope")
        }
        #expect(missingContext?.message.contains(#"context "nope" not found"#) == true)
        let missingCA = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.fromKubeconfig(path: path) }
        #expect(missingCA?.message.contains("ca.crt") == true)
        let missingFile = #expect(throws: KubernetesError.self) {
            try KubernetesConfiguration.fromKubeconfig(path: folder.path + "/absent")
        }
        #expect(missingFile?.code == .configuration)
    }

    @Test func loadPrefersKUBECONFIGThenInCluster() throws {
        let folder = try ScratchFolder()
        try folder.write("ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(user: "    token: t"))
        #expect(try KubernetesConfiguration.load(environment: ["KUBECONFIG": "\(path):/other"]).namespace == "team-a")
        let error = #expect(throws: KubernetesError.self) {
            try KubernetesConfiguration.load(environment: ["HOME": folder.path])
        }
        #expect(error?.message.contains(".kube/config") == true)
    }
}

struct InClusterTests {
    @Test func serviceAccountFilesAndServiceAddress() async throws {
        let folder = try ScratchFolder()
        try folder.write("sa/token", "token-1\n")
        try folder.write("sa/ca.crt", KubeconfigTests.caPEM)
        try folder.write("sa/namespace", "monitoring")
        let configuration = try KubernetesConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: folder.path + "/sa"
        )
        #expect(configuration.server == "https://[fd00::1]:443")
        #expect(configuration.namespace == "monitoring")
        #expect(configuration.certificateAuthorityPEM == Array(KubeconfigTests.caPEM.utf8))
    }

    @Test func notInAClusterIsAClearError() {
        let error = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.inCluster(environment: [:]) }
        #expect(error?.message.contains("KUBERNETES_SERVICE_HOST") == true)
    }

    @Test func aRotatedTokenFileIsReadAgainAfterAMinuteOrAfterInvalidation() async throws {
        let folder = try ScratchFolder()
        let file = try folder.write("token", "first\n")
        let clock = WallClockBox(Date(timeIntervalSince1970: 1000))
        let provider = BearerTokenProvider(credentials: .tokenFile(file), now: { clock.now })
        #expect(try await provider.token() == "first")
        try folder.write("token", "second")
        #expect(try await provider.token() == "first", "cached for a minute")
        clock.advance(61)
        #expect(try await provider.token() == "second")
        try folder.write("token", "third")
        provider.invalidate()
        #expect(try await provider.token() == "third")
    }
}

/// A settable wall clock for token caching tests.
final class WallClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date
    init(_ date: Date) { self.date = date }
    var now: Date { lock.withLock { date } }
    func advance(_ seconds: TimeInterval) { lock.withLock { date += seconds } }
}

struct ExecPluginTests {
    func plugin(_ folder: ScratchFolder, body: String) throws -> ExecCredentialPlugin {
        let script = try folder.write("plugin.sh", "#!/bin/sh\n" + body, executable: true)
        return ExecCredentialPlugin(
            command: script,
            arguments: ["--cluster", "c 1"],
            environment: ["PLUGIN_SECRET_SUFFIX": "42"]
        )
    }

    @Test func aPluginsTokenIsUsedUntilShortlyBeforeItExpires() async throws {
        let folder = try ScratchFolder()
        let counter = folder.path + "/count"
        // Prints a new token each run, built from its arguments and environment, valid until 2030.
        let plugin = try plugin(
            folder,
            body: """
                echo run >> "\(counter)"
                n=$(wc -l < "\(counter)" | tr -d ' ')
                echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1beta1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"tok-$n-$2-$PLUGIN_SECRET_SUFFIX\\",\\"expirationTimestamp\\":\\"2030-01-01T00:00:00Z\\"}}"
                """
        )
        let clock = WallClockBox(Date(timeIntervalSince1970: 1_893_455_000))  // 2029-12-31T23:43:20Z
        let provider = BearerTokenProvider(credentials: .exec(plugin), now: { clock.now })
        #expect(try await provider.token() == "tok-1-c 1-42")
        #expect(try await provider.token() == "tok-1-c 1-42")
        clock.advance(980)  // 20 s before expiry: inside the renewal margin
        #expect(try await provider.token() == "tok-2-c 1-42")
        provider.invalidate()
        #expect(try await provider.token() == "tok-3-c 1-42")
    }

    @Test func aFailingPluginIsAConfigurationErrorWithItsMessage() async throws {
        let folder = try ScratchFolder()
        let plugin = try plugin(folder, body: "echo 'no credentials for profile' >&2\nexit 3\n")
        let error = await #expect(throws: KubernetesError.self) { try await ExecCredentialRunner.run(plugin) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("status 3") == true)
        #expect(error?.message.contains("no credentials for profile") == true)
    }

    @Test func aPluginPrintingSomethingElseIsRefused() async throws {
        let folder = try ScratchFolder()
        let plugin = try plugin(folder, body: #"echo '{"kind":"Other"}'"#)
        let error = await #expect(throws: KubernetesError.self) { try await ExecCredentialRunner.run(plugin) }
        #expect(error?.message.contains("not ExecCredential") == true)
    }
}
