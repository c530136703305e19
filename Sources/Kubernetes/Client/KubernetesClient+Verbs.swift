public import JSON
import NIOHTTP1
/// Options of a list (and of the list that starts a watch).
public struct ListOptions: Sendable, Hashable {
    /// `app=web,tier in (a,b),!canary`.
    public var labelSelector: String?
    /// `spec.nodeName=node-1,status.phase!=Succeeded`.
    public var fieldSelector: String?
    /// Page size; `nil` for everything at once.
    public var limit: Int?
    /// The token of the previous page.
    public var `continue`: String?
    /// `"0"` lets the server answer from its cache (any version); `nil` asks for the latest (a quorum read).
    public var resourceVersion: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil, resourceVersion: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let token = `continue` { query.append(("continue", token)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        return query
    }
}

/// A patch body and its content type.
public enum KubernetesPatch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch (`null` removes a member).
    case merge(JSONValue)
    /// RFC 6902 JSON patch operations.
    case json([JSONValue])
    /// Server-side apply of a (partial) object, owned by the field manager given to `patch`.
    case apply(JSONValue)

    var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        case .apply: "application/apply-patch+yaml"
        }
    }

    var body: JSONValue {
        switch self {
        case .merge(let value), .apply(let value): value
        case .json(let operations): .array(operations)
        }
    }
}

/// Conditions a delete must meet (else 409 Conflict).
public struct DeletePreconditions: Sendable, Hashable, Codable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

extension KubernetesClient {
    // MARK: Generic (any resource type, any Codable body)

    /// GET one object.
    public func get<T: Decodable>(_ resource: ResourceType, name: String, namespace: String?, subresource: String? = nil, as type: T.Type = T.self) async throws(KubernetesError) -> T {
        let path = resource.objectPath(name: name, namespace: namespace, subresource: subresource)
        return try decode(T.self, try await send(Request(method: .GET, path: path)), path)
    }

    /// One page of a list (`namespace` nil: all namespaces).
    public func list<T: Codable & Sendable>(_ resource: ResourceType, namespace: String?, options: ListOptions = .init(), of type: T.Type = T.self) async throws(KubernetesError) -> KubernetesList<T> {
        let path = resource.collectionPath(namespace: namespace)
        return try decode(KubernetesList<T>.self, try await send(Request(method: .GET, path: path, query: options.query)), path)
    }

    /// Every page of a list, following `continue` tokens (`options.limit` is the page size). A 410 on a later page
    /// (the token expired) is thrown: start again.
    public func listAll<T: Codable & Sendable>(_ resource: ResourceType, namespace: String?, options: ListOptions = .init(), of type: T.Type = T.self) async throws(KubernetesError) -> KubernetesList<T> {
        var options = options
        var page = try await list(resource, namespace: namespace, options: options, of: T.self)
        var items = page.items
        while let token = page.metadata.continue, !token.isEmpty {
            options.continue = token
            options.resourceVersion = nil  // the token carries the snapshot
            page = try await list(resource, namespace: namespace, options: options, of: T.self)
            items += page.items
        }
        var result = page
        result.items = items
        result.metadata.continue = nil
        return result
    }

    /// POST a new object. 409 `AlreadyExists` if the name is taken.
    public func create<T: Codable & Sendable>(_ resource: ResourceType, _ object: T, namespace: String?, fieldManager: String? = nil) async throws(KubernetesError) -> T {
        let path = resource.collectionPath(namespace: namespace)
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        let body = try encode(object, path)
        return try decode(T.self, try await send(Request(method: .POST, path: path, query: query, body: body)), path)
    }

    /// PUT an object (or its `status`/`scale`). With `metadata.resourceVersion` set, 409 `Conflict` if it is stale.
    public func replace<T: Codable & Sendable>(_ resource: ResourceType, _ object: T, name: String, namespace: String?, subresource: String? = nil, fieldManager: String? = nil) async throws(KubernetesError) -> T {
        let path = resource.objectPath(name: name, namespace: namespace, subresource: subresource)
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        let body = try encode(object, path)
        return try decode(T.self, try await send(Request(method: .PUT, path: path, query: query, body: body)), path)
    }

    /// PATCH an object (or its `status`/`scale`). Server-side apply needs `fieldManager`; `force` takes over fields
    /// other managers own.
    public func patch<T: Decodable>(_ resource: ResourceType, name: String, namespace: String?, _ patch: KubernetesPatch, subresource: String? = nil, fieldManager: String? = nil, force: Bool = false, as type: T.Type = T.self) async throws(KubernetesError) -> T {
        let path = resource.objectPath(name: name, namespace: namespace, subresource: subresource)
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if force { query.append(("force", "true")) }
        if case .apply = patch, fieldManager == nil {
            // The API server answers 422 to this; fail the same way without the round trip.
            throw KubernetesError(code: .invalid, message: "server-side apply needs a field manager")
        }
        let body = try encode(patch.body, path)
        return try decode(T.self, try await send(Request(method: .PATCH, path: path, query: query, body: body, contentType: patch.contentType)), path)
    }

    /// DELETE an object. With finalizers it only gets a `deletionTimestamp` until they are removed.
    public func delete(_ resource: ResourceType, name: String, namespace: String?, preconditions: DeletePreconditions? = nil, propagationPolicy: String? = nil) async throws(KubernetesError) {
        let path = resource.objectPath(name: name, namespace: namespace)
        var options: JSONObject = ["kind": .string("DeleteOptions"), "apiVersion": .string("v1")]
        if let preconditions {
            var object = JSONObject()
            if let uid = preconditions.uid { object["uid"] = .string(uid) }
            if let version = preconditions.resourceVersion { object["resourceVersion"] = .string(version) }
            options["preconditions"] = .object(object)
        }
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy) }
        _ = try await send(Request(method: .DELETE, path: path, body: try encode(options, path)))
    }

    // MARK: Typed

    public func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws(KubernetesError) -> T {
        try await get(T.resourceType, name: name, namespace: namespace, as: T.self)
    }

    public func list<T: KubernetesObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = .init()) async throws(KubernetesError) -> KubernetesList<T> {
        try await list(T.resourceType, namespace: namespace, options: options, of: T.self)
    }

    public func listAll<T: KubernetesObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = .init()) async throws(KubernetesError) -> KubernetesList<T> {
        try await listAll(T.resourceType, namespace: namespace, options: options, of: T.self)
    }

    public func create<T: KubernetesObject>(_ object: T, fieldManager: String? = nil) async throws(KubernetesError) -> T {
        try await create(T.resourceType, object, namespace: object.metadata.namespace, fieldManager: fieldManager)
    }

    /// PUT `object`; its `metadata.resourceVersion` makes the update conditional.
    public func update<T: KubernetesObject>(_ object: T, fieldManager: String? = nil) async throws(KubernetesError) -> T {
        try await replace(T.resourceType, object, name: try name(of: object), namespace: object.metadata.namespace, fieldManager: fieldManager)
    }

    /// PUT `object`'s status through the `status` subresource.
    public func updateStatus<T: KubernetesObject>(_ object: T, fieldManager: String? = nil) async throws(KubernetesError) -> T {
        try await replace(T.resourceType, object, name: try name(of: object), namespace: object.metadata.namespace, subresource: "status", fieldManager: fieldManager)
    }

    public func patch<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String? = nil, _ patch: KubernetesPatch, subresource: String? = nil, fieldManager: String? = nil, force: Bool = false) async throws(KubernetesError) -> T {
        try await self.patch(T.resourceType, name: name, namespace: namespace, patch, subresource: subresource, fieldManager: fieldManager, force: force, as: T.self)
    }

    public func delete<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String? = nil, preconditions: DeletePreconditions? = nil) async throws(KubernetesError) {
        try await delete(T.resourceType, name: name, namespace: namespace, preconditions: preconditions)
    }

    // MARK: Scale

    /// The `scale` subresource of a Deployment, StatefulSet, ReplicaSet or custom resource.
    public func getScale(_ resource: ResourceType, name: String, namespace: String) async throws(KubernetesError) -> Scale {
        try await get(resource, name: name, namespace: namespace, subresource: "scale", as: Scale.self)
    }

    /// Sets the replica count through the `scale` subresource. With `resourceVersion` (from ``getScale``), 409 if the
    /// object changed since.
    public func setScale(_ resource: ResourceType, name: String, namespace: String, replicas: Int, resourceVersion: String? = nil) async throws(KubernetesError) -> Scale {
        var scale = Scale(metadata: ObjectMeta(name: name, namespace: namespace), spec: ScaleSpec(replicas: replicas))
        scale.metadata.resourceVersion = resourceVersion
        return try await replace(resource, scale, name: name, namespace: namespace, subresource: "scale")
    }

    private func name(of object: some KubernetesObject) throws(KubernetesError) -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubernetesError(code: .invalid, message: "\(type(of: object).resourceType) object has no metadata.name")
        }
        return name
    }
}
