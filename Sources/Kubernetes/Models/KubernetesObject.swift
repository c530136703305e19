public import JSON

/// Where a kind of object lives in the API: `/api/v1/namespaces/{namespace}/pods` is group "", version "v1",
/// plural "pods", namespaced.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    /// The URL path segment, lower-case plural (`pods`, `endpointslices`, `k8smetricalarms`).
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` for the core group, else `group/version`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `pods`, `leases.coordination.k8s.io`: how the API server names it in messages.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// `/api/v1` or `/apis/{group}/{version}`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The collection path, in `namespace` (ignored for cluster-scoped kinds; `nil` = all namespaces).
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(groupVersionPath)/namespaces/\(namespace)/\(plural)" }
        return "\(groupVersionPath)/\(plural)"
    }

    /// The path of one object, optionally of one of its subresources (`status`, `scale`).
    public func objectPath(name: String, namespace: String?, subresource: String? = nil) -> String {
        let path = "\(collectionPath(namespace: namespace))/\(name)"
        return subresource.map { "\(path)/\($0)" } ?? path
    }
}

/// A typed Kubernetes object: its type (where it lives) and its metadata.
public protocol KubernetesObject: Codable, Sendable {
    static var resourceType: ResourceType { get }
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues.
    public var key: String {
        let name = metadata.name ?? ""
        if let namespace = metadata.namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }
}

/// A page of a list: `items` and the list's metadata.
public struct KubernetesList<Item: Codable & Sendable>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = .init(), items: [Item]) {
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // `items: null` is how the API server writes an empty list.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// A custom resource (or any object) kept as JSON, with typed access to its metadata.
public struct UnstructuredObject: Codable, Sendable, Hashable {
    public var json: JSONObject

    public init(json: JSONObject) { self.json = json }

    public init(from decoder: any Decoder) throws { json = try JSONObject(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    public var apiVersion: String? { json["apiVersion"]?.stringValue }
    public var kind: String? { json["kind"]?.stringValue }
    public var name: String? { json["metadata"]?["name"]?.stringValue }
    public var namespace: String? { json["metadata"]?["namespace"]?.stringValue }
    public var resourceVersion: String? { json["metadata"]?["resourceVersion"]?.stringValue }
    public var spec: JSONValue? { json["spec"] }
    public var status: JSONValue? { json["status"] }
}
