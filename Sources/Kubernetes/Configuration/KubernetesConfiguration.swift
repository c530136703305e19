public import Foundation

/// Where the API server is and how to authenticate to it: from a kubeconfig (``fromKubeconfig(path:context:)``), from
/// the pod's service account (``inCluster(environment:serviceAccountDirectory:)``), or as client-go chooses
/// (``load(environment:)``). TLS verification is always on: `insecure-skip-tls-verify` is refused.
public struct KubernetesConfiguration: Sendable {
    /// `https://host:port` (no trailing slash).
    public var server: String
    public var credentials: KubernetesCredentials
    /// PEM CA bundle to trust; `nil` trusts the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Client certificate authentication (PEM certificate chain and key).
    public var clientCertificate: ClientCertificate?
    /// The default namespace (kubeconfig context, or the service account's).
    public var namespace: String
    /// Deadline of one request (watches use their own).
    public var requestTimeout: Duration

    public init(
        server: String, credentials: KubernetesCredentials = .none, certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificate: ClientCertificate? = nil, namespace: String = "default",
        requestTimeout: Duration = .seconds(30)
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.credentials = credentials
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificate = clientCertificate
        self.namespace = namespace
        self.requestTimeout = requestTimeout
    }

    public struct ClientCertificate: Sendable {
        public var certificatePEM: [UInt8]
        public var keyPEM: [UInt8]

        public init(certificatePEM: [UInt8], keyPEM: [UInt8]) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
        }
    }

    /// The service account's files, mounted in every pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// In-cluster configuration: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the service account token
    /// (re-read as the kubelet rotates it), its CA bundle and namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = serviceAccountDirectory
    ) throws(KubernetesError) -> KubernetesConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw configurationError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        let tokenPath = serviceAccountDirectory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw configurationError("in-cluster: cannot read the service account token \(tokenPath)")
        }
        let ca = try readFile(serviceAccountDirectory + "/ca.crt", what: "the service account CA bundle")
        let namespace = (try? readFile(serviceAccountDirectory + "/namespace", what: "namespace"))
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        // An IPv6 service address goes in brackets.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubernetesConfiguration(
            server: "https://\(hostPart):\(port)", credentials: .tokenFile(tokenPath), certificateAuthorityPEM: ca,
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
    }

    /// As client-go's default loading: `$KUBECONFIG` (the first file of the list), else in-cluster when
    /// `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubernetesError) -> KubernetesConfiguration {
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            return try fromKubeconfig(path: String(first), environment: environment)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try fromKubeconfig(path: home + "/.kube/config", environment: environment)
    }

    static func configurationError(_ message: String) -> KubernetesError {
        KubernetesError(code: .configuration, message: message)
    }

    static func readFile(_ path: String, what: String) throws(KubernetesError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw configurationError("cannot read \(what) \(path)")
        }
        return Array(data)
    }
}

/// How requests authenticate. Tokens are never logged or put in error messages.
public enum KubernetesCredentials: Sendable {
    case none
    /// A fixed bearer token.
    case token(String)
    /// A bearer token read from a file and re-read when it may have rotated (at most a minute old, as client-go).
    case tokenFile(String)
    /// A client-go credential plugin (`users[].user.exec`), e.g. `aws eks get-token`.
    case exec(ExecCredentialPlugin)
}

/// `users[].user.exec` of a kubeconfig: a command printing an `ExecCredential` with a token.
public struct ExecCredentialPlugin: Sendable, Hashable {
    public var command: String
    public var arguments: [String]
    public var environment: [String: String]
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    public var apiVersion: String
    /// Relative commands resolve against the kubeconfig's folder when they contain a slash, else on `PATH`.
    public var workingDirectory: String?

    public init(command: String, arguments: [String] = [], environment: [String: String] = [:], apiVersion: String = "client.authentication.k8s.io/v1beta1", workingDirectory: String? = nil) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.apiVersion = apiVersion
        self.workingDirectory = workingDirectory
    }
}
