/// A set of scrape targets discovered from one Kubernetes object, shaped like Prometheus's `targetgroup.Group`.
///
/// Every target's final label set is the group's ``labels`` overlaid with the target's own labels (a target's label
/// wins on a name clash, as in Prometheus). Each target carries `__address__`. Label values may be empty strings:
/// Prometheus emits some labels with an empty value (for example `__meta_kubernetes_pod_phase` of a pod without a
/// phase), and relabeling treats an empty value like a missing label.
///
/// A group with no targets and no labels (see ``deleted(source:)``) tells the consumer to drop every target it
/// previously got from ``source``: that is what Prometheus sends when the object is deleted or has no targets yet.
public struct TargetGroup: Sendable, Hashable {
    /// Identifies the object the group comes from, exactly as Prometheus spells it: `pod/<namespace>/<name>`,
    /// `svc/<namespace>/<name>`, `node/<name>`, `endpoints/<namespace>/<name>`,
    /// `endpointslice/<namespace>/<name>`. A newer group with the same source replaces the older one.
    public var source: String
    /// Labels shared by all targets of the group.
    public var labels: [String: String]
    /// One label set per target, each with `__address__`.
    public var targets: [[String: String]]

    /// Creates a group.
    ///
    /// - Parameters:
    ///   - source: The source key (see ``source``).
    ///   - labels: Labels shared by all targets.
    ///   - targets: The targets' own label sets.
    public init(source: String, labels: [String: String] = [:], targets: [[String: String]] = []) {
        self.source = source
        self.labels = labels
        self.targets = targets
    }

    /// The empty group for `source`: the object was deleted, or (pods without an IP) has no targets yet.
    ///
    /// - Parameter source: The source key, for example from ``KubernetesRole/source(namespace:name:)``.
    /// - Returns: A group with no labels and no targets.
    public static func deleted(source: String) -> TargetGroup { TargetGroup(source: source) }

    /// Each target's complete label set: the group labels overlaid with the target's labels.
    public var mergedTargets: [[String: String]] {
        targets.map { target in labels.merging(target) { _, targetValue in targetValue } }
    }
}

/// The Kubernetes service-discovery roles promwatch implements, as named in `kubernetes_sd_config.role`.
public enum KubernetesRole: String, Sendable, Hashable, CaseIterable {
    case pod
    case service
    case node
    case endpoints
    case endpointSlice = "endpointslice"

    /// The target-group source of the object `namespace/name` in this role, for example to send
    /// ``TargetGroup/deleted(source:)`` when an informer reports a deletion.
    ///
    /// - Parameters:
    ///   - namespace: The object's namespace; ignored for ``node`` (nodes are cluster-scoped).
    ///   - name: The object's name.
    /// - Returns: `pod/<ns>/<name>`, `svc/<ns>/<name>`, `node/<name>`, `endpoints/<ns>/<name>` or
    ///   `endpointslice/<ns>/<name>`.
    public func source(namespace: String, name: String) -> String {
        switch self {
        case .pod: "pod/\(namespace)/\(name)"
        case .service: "svc/\(namespace)/\(name)"
        case .node: "node/\(name)"
        case .endpoints: "endpoints/\(namespace)/\(name)"
        case .endpointSlice: "endpointslice/\(namespace)/\(name)"
        }
    }
}
