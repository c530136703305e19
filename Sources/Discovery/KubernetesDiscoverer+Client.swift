public import Foundation
public import Kubernetes
public import PromwatchConfig

public import Logging

extension KubernetesDiscoverer {
    /// A discoverer for every `kubernetes_sd_configs` entry of `jobs`, by job name.
    ///
    /// - Parameters:
    ///   - nodeName: DaemonSet mode: discover only this node's pods.
    ///   - environment: where in-cluster settings and `POD_NAMESPACE` (for `own_namespace`) are read.
    /// - Throws: ``KubernetesError`` when an entry's API server settings (kubeconfig, token or CA files, in-cluster
    ///   files) are unusable.
    public static func discoverers(
        for jobs: [ScrapeConfiguration], nodeName: String?, environment: [String: String], logger: Logger
    ) throws(KubernetesError) -> [String: [any TargetGroupProvider]] {
        // The namespace promwatch runs in: the downward API's POD_NAMESPACE, else the service account's.
        let ownNamespace =
            environment["POD_NAMESPACE"]
            ?? (try? String(contentsOfFile: KubernetesConfiguration.serviceAccountDirectory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var providers: [String: [any TargetGroupProvider]] = [:]
        for job in jobs {
            for sd in job.kubernetesSDConfigs {
                let client = try KubernetesClient(configuration: try clientConfiguration(for: sd, environment: environment), logger: logger)
                providers[job.jobName, default: []].append(
                    KubernetesDiscoverer(configuration: sd, client: client, nodeName: nodeName, ownNamespace: ownNamespace, logger: logger))
            }
        }
        return providers
    }

    /// The API server connection of a `kubernetes_sd_configs` entry, as Prometheus chooses it: `kubeconfig_file`;
    /// else `api_server` with the entry's `authorization`/`bearer_token_file` and `tls_config`; else in-cluster.
    ///
    /// - Throws: ``KubernetesError`` (`.configuration`) naming the missing file or setting.
    public static func clientConfiguration(for config: KubernetesSDConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubernetesError) -> KubernetesConfiguration {
        if let file = config.kubeconfigFile {
            return try KubernetesConfiguration.fromKubeconfig(path: file, environment: environment)
        }
        guard let server = config.apiServer else {
            return try KubernetesConfiguration.inCluster(environment: environment)
        }
        var credentials = KubernetesCredentials.none
        if let authorization = config.authorization {
            guard authorization.type.lowercased() == "bearer" else {
                throw KubernetesError(code: .configuration, message: "authorization type \(authorization.type) is not supported for the Kubernetes API (use Bearer)")
            }
            if let secret = authorization.credentials {
                credentials = .token(secret.value)
            } else if let file = authorization.credentialsFile {
                credentials = .tokenFile(file)
            }
        }
        func read(_ path: String?, _ what: String) throws(KubernetesError) -> [UInt8]? {
            guard let path else { return nil }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubernetesError(code: .configuration, message: "cannot read \(what) \(path)")
            }
            return Array(data)
        }
        var clientCertificate: KubernetesConfiguration.ClientCertificate?
        if let certificate = try read(config.tlsConfig.certFile, "tls_config.cert_file"), let key = try read(config.tlsConfig.keyFile, "tls_config.key_file") {
            clientCertificate = .init(certificatePEM: certificate, keyPEM: key)
        }
        return KubernetesConfiguration(
            server: server, credentials: credentials, certificateAuthorityPEM: try read(config.tlsConfig.caFile, "tls_config.ca_file"),
            clientCertificate: clientCertificate)
    }
}
