public import Foundation
import Yams

extension KubernetesConfiguration {
    /// The configuration of `context` (default: `current-context`) in the kubeconfig at `path`. Relative file
    /// paths in it resolve against the kubeconfig's folder, as kubectl does.
    public static func fromKubeconfig(
        path: String, context contextName: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubernetesError) -> KubernetesConfiguration {
        let bytes = try readFile(path, what: "kubeconfig")
        let kubeconfig: Kubeconfig
        do {
            kubeconfig = try YAMLDecoder().decode(Kubeconfig.self, from: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw configurationError("kubeconfig \(path) is not valid: \(error)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try kubeconfig.configuration(context: contextName, folder: folder.isEmpty ? "." : folder, path: path)
    }
}

/// The kubeconfig file's shape (clientcmd/api/v1), the fields promwatch reads.
struct Kubeconfig: Decodable {
    var currentContext: String?
    var clusters: [Named<Cluster>]?
    var users: [Named<User>]?
    var contexts: [Named<Context>]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context", clusters, users, contexts
    }

    struct Named<Value: Decodable>: Decodable {
        var name: String
        var value: Value?

        enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            value =
                try container.decodeIfPresent(Value.self, forKey: .cluster)
                ?? container.decodeIfPresent(Value.self, forKey: .user)
                ?? container.decodeIfPresent(Value.self, forKey: .context)
        }
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server, certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify", tlsServerName = "tls-server-name"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: Exec?
        var authProvider: AnyDecodable?
        var username: String?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec, username
            case clientCertificate = "client-certificate", clientCertificateData = "client-certificate-data"
            case clientKey = "client-key", clientKeyData = "client-key-data", authProvider = "auth-provider"
        }
    }

    struct Exec: Decodable {
        var command: String
        var args: [String]?
        var env: [EnvVar]?
        var apiVersion: String?

        struct EnvVar: Decodable {
            var name: String
            var value: String
        }
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    /// Present but ignored content (to name it in an error).
    struct AnyDecodable: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    func configuration(context contextName: String?, folder: String, path: String) throws(KubernetesError) -> KubernetesConfiguration {
        func fail(_ message: String) -> KubernetesError { KubernetesConfiguration.configurationError("kubeconfig \(path): \(message)") }
        guard let name = contextName ?? currentContext, !name.isEmpty else { throw fail("no context given and no current-context") }
        guard let context = contexts?.first(where: { $0.name == name })?.value else { throw fail("context \"\(name)\" not found") }
        guard let cluster = clusters?.first(where: { $0.name == context.cluster })?.value else {
            throw fail("cluster \"\(context.cluster)\" of context \"\(name)\" not found")
        }
        guard let server = cluster.server, server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw fail("cluster \"\(context.cluster)\" has no https:// server")
        }
        if cluster.insecureSkipTLSVerify == true {
            throw fail("cluster \"\(context.cluster)\" sets insecure-skip-tls-verify; promwatch always verifies TLS (give certificate-authority instead)")
        }
        if cluster.tlsServerName != nil {
            throw fail("cluster \"\(context.cluster)\" sets tls-server-name, which promwatch does not support; use a server URL whose host the certificate names")
        }
        func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : folder + "/" + file }
        func fileOrData(file: String?, data: String?, what: String) throws(KubernetesError) -> [UInt8]? {
            if let data {
                guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                    throw fail("\(what) data is not base64")
                }
                return Array(decoded)
            }
            if let file { return try KubernetesConfiguration.readFile(resolve(file), what: what) }
            return nil
        }
        let ca = try fileOrData(file: cluster.certificateAuthority, data: cluster.certificateAuthorityData, what: "certificate-authority")

        var credentials = KubernetesCredentials.none
        var clientCertificate: KubernetesConfiguration.ClientCertificate?
        if let userName = context.user {
            guard let user = users?.first(where: { $0.name == userName })?.value else {
                throw fail("user \"\(userName)\" of context \"\(name)\" not found")
            }
            if user.authProvider != nil {
                throw fail("user \"\(userName)\" uses auth-provider, which was removed from Kubernetes; use an exec plugin")
            }
            if let token = user.token {
                credentials = .token(token)
            } else if let tokenFile = user.tokenFile {
                credentials = .tokenFile(resolve(tokenFile))
            } else if let exec = user.exec {
                credentials = .exec(
                    ExecCredentialPlugin(
                        command: exec.command.contains("/") ? resolve(exec.command) : exec.command,
                        arguments: exec.args ?? [],
                        environment: Dictionary((exec.env ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                        apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1beta1",
                        workingDirectory: folder))
            }
            let certificate = try fileOrData(file: user.clientCertificate, data: user.clientCertificateData, what: "client-certificate")
            let key = try fileOrData(file: user.clientKey, data: user.clientKeyData, what: "client-key")
            switch (certificate, key) {
            case (let certificate?, let key?):
                clientCertificate = .init(certificatePEM: certificate, keyPEM: key)
            case (nil, nil): break
            default: throw fail("user \"\(userName)\" gives a client certificate without its key, or a key without its certificate")
            }
        }
        return KubernetesConfiguration(
            server: server, credentials: credentials, certificateAuthorityPEM: ca, clientCertificate: clientCertificate,
            namespace: context.namespace ?? "default")
    }
}
