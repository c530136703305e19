public import Kubernetes
public import Logging
public import PromwatchConfig
import Synchronization

/// Discovers the targets of one `kubernetes_sd_configs` entry: runs informers for the objects its role needs (per
/// namespace, with the entry's selectors) and sends a target group for every object that changes, as Prometheus's
/// Kubernetes discovery does. Endpoints and EndpointSlices are rebuilt when their Service or one of their Pods
/// changes, so the service and pod labels on their targets stay current.
///
/// In DaemonSet mode (`nodeName` set) pods are listed with `spec.nodeName=<node>`, so each agent only discovers
/// the pods on its own node.
public struct KubernetesDiscoverer: TargetGroupProvider {
    public var kind: String { "kubernetes" }
    public let configuration: KubernetesSDConfiguration
    public let client: KubernetesClient
    /// The agent's node (DaemonSet mode), or nil for cluster-wide discovery.
    public let nodeName: String?
    /// The namespace promwatch runs in, for `namespaces.own_namespace`.
    public let ownNamespace: String?
    private let logger: Logger

    public init(configuration: KubernetesSDConfiguration, client: KubernetesClient, nodeName: String?, ownNamespace: String?, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.nodeName = nodeName
        self.ownNamespace = ownNamespace
        var logger = logger
        logger[metadataKey: "discovery.role"] = "\(configuration.role.rawValue)"
        self.logger = logger
    }

    /// The namespaces to watch; `[nil]` means all.
    var namespaces: [String?] {
        var names = configuration.namespaces
        if configuration.ownNamespace, let own = ownNamespace, !names.contains(own) { names.append(own) }
        return names.isEmpty ? [nil] : names
    }

    /// The pod field selector: the configured one and, in DaemonSet mode, `spec.nodeName=<node>`.
    var podFieldSelector: String? {
        let parts = [configuration.selector(for: .pod)?.field, nodeName.map(NodeLocalSelectors.pods(onNode:))]
            .compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    public func run(send: @escaping @Sendable ([TargetGroup]) -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for namespace in namespaces {
                for informer in makeInformers(namespace: namespace, send: send) {
                    group.addTask { try await informer.run() }
                }
            }
        }
    }

    private func informer<T: KubernetesObject>(_ type: T.Type, namespace: String?, role: KubernetesSDConfiguration.Role, fieldSelector: String? = nil, handler: @escaping @Sendable (InformerEvent<T>) async -> Void) -> Informer<T> {
        let selector = configuration.selector(for: role)
        return Informer<T>(
            client: client, namespace: namespace, labelSelector: selector?.label,
            fieldSelector: fieldSelector ?? selector?.field, logger: logger, handler: handler)
    }

    /// Builds the informers of one namespace; their handlers send groups.
    private func makeInformers(namespace: String?, send: @escaping @Sendable ([TargetGroup]) -> Void) -> [any RunnableInformer] {
        switch configuration.role {
        case .pod:
            let pods = informer(Pod.self, namespace: namespace, role: .pod, fieldSelector: podFieldSelector) { event in
                send([Self.group(event, role: .pod) { KubernetesTargets.pod($0) }])
            }
            return [pods]
        case .service:
            return [informer(Service.self, namespace: namespace, role: .service) { event in
                send([Self.group(event, role: .service) { KubernetesTargets.service($0) }])
            }]
        case .node:
            return [informer(Node.self, namespace: nil, role: .node) { event in
                let group = Self.group(event, role: .node) { KubernetesTargets.node($0) ?? TargetGroup.deleted(source: KubernetesRole.node.source(namespace: "", name: $0.metadata.name ?? "")) }
                send([group])
            }]
        case .endpoints, .endpointslice:
            return endpointInformers(namespace: namespace, send: send)
        }
    }

    /// Endpoints (or EndpointSlices) with the Services and Pods they refer to.
    private func endpointInformers(namespace: String?, send: @escaping @Sendable ([TargetGroup]) -> Void) -> [any RunnableInformer] {
        let slices = configuration.role == .endpointslice
        // The informers refer to each other's caches; the boxes are filled before any of them runs.
        let services = CacheBox<Service>()
        let pods = CacheBox<Pod>()
        let endpointsCache = CacheBox<Endpoints>()
        let slicesCache = CacheBox<EndpointSlice>()
        let serviceLookup: @Sendable (String, String) -> Service? = { namespace, name in services.cache?.get("\(namespace)/\(name)") }
        let podLookup: @Sendable (String, String) -> Pod? = { namespace, name in pods.cache?.get("\(namespace)/\(name)") }
        let build: @Sendable (String) -> [TargetGroup] = { namespace in
            // Everything of the namespace: a Service or Pod change can touch any of its endpoints.
            if slices {
                return (slicesCache.cache?.objects ?? []).filter { $0.metadata.namespace == namespace }
                    .map { KubernetesTargets.endpointSlice($0, service: serviceLookup, pod: podLookup) }
            }
            return (endpointsCache.cache?.objects ?? []).filter { $0.metadata.namespace == namespace }
                .map { KubernetesTargets.endpoints($0, service: serviceLookup, pod: podLookup) }
        }
        var informers: [any RunnableInformer] = []
        let serviceInformer = informer(Service.self, namespace: namespace, role: .service) { event in
            send(build(Self.object(of: event).metadata.namespace ?? ""))
        }
        services.cache = serviceInformer.cache
        informers.append(serviceInformer)
        let podInformer = informer(Pod.self, namespace: namespace, role: .pod, fieldSelector: podFieldSelector) { event in
            send(build(Self.object(of: event).metadata.namespace ?? ""))
        }
        pods.cache = podInformer.cache
        informers.append(podInformer)
        if slices {
            let sliceInformer = informer(EndpointSlice.self, namespace: namespace, role: .endpointslice) { event in
                send([Self.group(event, role: .endpointSlice) { KubernetesTargets.endpointSlice($0, service: serviceLookup, pod: podLookup) }])
            }
            slicesCache.cache = sliceInformer.cache
            informers.append(sliceInformer)
        } else {
            let endpointsInformer = informer(Endpoints.self, namespace: namespace, role: .endpoints) { event in
                send([Self.group(event, role: .endpoints) { KubernetesTargets.endpoints($0, service: serviceLookup, pod: podLookup) }])
            }
            endpointsCache.cache = endpointsInformer.cache
            informers.append(endpointsInformer)
        }
        return informers
    }

    static func object<T>(of event: InformerEvent<T>) -> T {
        switch event {
        case .added(let object), .deleted(let object): object
        case .updated(_, let new): new
        }
    }

    /// The group for an informer event: built from the object, or empty when it was deleted.
    static func group<T: KubernetesObject>(_ event: InformerEvent<T>, role: KubernetesRole, build: (T) -> TargetGroup) -> TargetGroup {
        switch event {
        case .added(let object), .updated(_, let object): build(object)
        case .deleted(let object): TargetGroup.deleted(source: role.source(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? ""))
        }
    }
}

/// An informer of any type, to run them side by side.
protocol RunnableInformer: Sendable {
    func run() async throws
}

extension Informer: RunnableInformer {}

/// Holds an informer's cache for lookups from other informers' handlers (set once, before they run).
final class CacheBox<Object: KubernetesObject>: Sendable {
    private let box = Mutex<ObjectCache<Object>?>(nil)
    var cache: ObjectCache<Object>? {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}
