/// One `kubernetes_sd_configs` entry, as Prometheus reads it: which role to discover, where the API server is,
/// which namespaces and selectors.
///
/// YAML keys:
/// - `role` (required): `pod`, `service`, `endpoints`, `endpointslice` or `node`.
/// - `api_server`: the API server URL; unset means in-cluster (the pod's service account) or `kubeconfig_file`.
/// - `kubeconfig_file`: a kubeconfig to use instead (not with `api_server`).
/// - `namespaces`: `names` (list) and `own_namespace` (bool); unset means all namespaces.
/// - `selectors`: list of `role`, `label` (label selector) and `field` (field selector); at most one per role, and
///   only roles the discovery role watches (pod: pod; service: service; endpoints and endpointslice: pod,
///   service and their own; node: node).
/// - `attach_metadata`: `node: true` adds the node's labels to pod, endpoints and endpointslice targets.
/// - `bearer_token_file`, `authorization`, `tls_config`: how to reach `api_server`.
public struct KubernetesSDConfiguration: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case pod, service, endpoints, endpointslice, node
    }

    public struct Selector: Sendable, Hashable {
        public var role: Role
        public var label: String?
        public var field: String?

        public init(role: Role, label: String? = nil, field: String? = nil) {
            self.role = role
            self.label = label
            self.field = field
        }
    }

    public var role: Role
    public var apiServer: String?
    public var kubeconfigFile: String?
    /// Namespaces to watch; empty means all.
    public var namespaces: [String]
    /// Also watch the namespace promwatch runs in.
    public var ownNamespace: Bool
    public var selectors: [Selector]
    public var attachNodeMetadata: Bool
    public var authorization: Authorization?
    public var tlsConfig: TLSConfiguration

    public init(
        role: Role, apiServer: String? = nil, kubeconfigFile: String? = nil, namespaces: [String] = [],
        ownNamespace: Bool = false, selectors: [Selector] = [], attachNodeMetadata: Bool = false,
        authorization: Authorization? = nil, tlsConfig: TLSConfiguration = TLSConfiguration()
    ) {
        self.role = role
        self.apiServer = apiServer
        self.kubeconfigFile = kubeconfigFile
        self.namespaces = namespaces
        self.ownNamespace = ownNamespace
        self.selectors = selectors
        self.attachNodeMetadata = attachNodeMetadata
        self.authorization = authorization
        self.tlsConfig = tlsConfig
    }

    /// The selector given for `role`, if any.
    public func selector(for role: Role) -> Selector? { selectors.first { $0.role == role } }

    /// The selector roles allowed with a discovery role (Prometheus's `allowedSelectors`).
    public static func allowedSelectorRoles(for role: Role) -> [Role] {
        switch role {
        case .pod: [.pod]
        case .service: [.service]
        case .endpoints: [.pod, .service, .endpoints]
        case .endpointslice: [.pod, .service, .endpointslice]
        case .node: [.node]
        }
    }
}
