import Foundation
import JSON

/// Maps Kubernetes REST requests onto ``ClusterState`` verbs: discovery, CRUD, PATCH in four flavours, server-side
/// apply, the `status` and `scale` subresources, LIST with selectors and pagination, WATCH.
struct APIRouter: Sendable {
    let store: ClusterStore
    let configuration: KubernetesAPIEmulator.Configuration
    let serverAddress: String

    func route(_ request: RecordedRequest) -> APIResponse {
        do {
            return try routeThrowing(request)
        } catch {
            return .failure(error)
        }
    }

    private func routeThrowing(_ request: RecordedRequest) throws(KubernetesStatusError) -> APIResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "api":
            if segments.count == 1 { return try discoveryOnly(request, coreVersions) }
            guard segments[1] == "v1" else { throw .pageNotFound() }
            if segments.count == 2 { return try discoveryOnly(request, resourceList(group: "", version: "v1")) }
            return try resourceRequest(request, group: "", version: "v1", rest: Array(segments[2...]))
        case "apis":
            switch segments.count {
            case 1: return try discoveryOnly(request, groupList())
            case 2:
                guard let group = apiGroup(segments[1]) else { throw .pageNotFound() }
                return try discoveryOnly(request, group)
            case 3:
                let list = resourceList(group: segments[1], version: segments[2])
                guard list["resources"]?.arrayValue?.isEmpty == false else { throw .pageNotFound() }
                return try discoveryOnly(request, list)
            default:
                return try resourceRequest(request, group: segments[1], version: segments[2], rest: Array(segments[3...]))
            }
        case "version":
            return try discoveryOnly(
                request,
                [
                    "major": "1", "minor": "33", "gitVersion": "v1.33.0-promwatch-emulator",
                    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
                    "platform": "linux/amd64",
                ])
        case "healthz", "livez", "readyz":
            return .text(status: 200, body: "ok")
        default:
            throw .pageNotFound()
        }
    }

    private func discoveryOnly(_ request: RecordedRequest, _ body: JSONValue) throws(KubernetesStatusError) -> APIResponse {
        guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
        return .ok(body)
    }

    // MARK: Discovery

    private var coreVersions: JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    private func groupVersions(_ group: String) -> [String] {
        let definitions = store.read { Array($0.definitions.values) }.filter { $0.group == group }
        var versions: [String] = []
        // Preferred version first: the first version of the first-registered-looking (sorted) resource.
        for definition in definitions.sorted(by: { $0.resource < $1.resource }) {
            for version in definition.versions where !versions.contains(version) { versions.append(version) }
        }
        return versions
    }

    private func apiGroup(_ name: String) -> JSONValue? {
        let versions = groupVersions(name)
        guard let preferred = versions.first, !name.isEmpty else { return nil }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(name),
            "versions": .array(versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }),
            "preferredVersion": ["groupVersion": .string("\(name)/\(preferred)"), "version": .string(preferred)],
        ]
    }

    private func groupList() -> JSONValue {
        let groups = Set(store.read { $0.definitions.keys.map(\.group) }).filter { !$0.isEmpty }.sorted()
        var list: [JSONValue] = []
        for group in groups {
            guard var entry = apiGroup(group) else { continue }
            entry["kind"] = nil
            entry["apiVersion"] = nil
            list.append(entry)
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(list)]
    }

    private func resourceList(group: String, version: String) -> JSONValue {
        let definitions = store.read { Array($0.definitions.values) }
            .filter { $0.group == group && $0.versions.contains(version) }
            .sorted { $0.resource < $1.resource }
        var resources: [JSONValue] = []
        let verbs: JSONValue = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        for definition in definitions {
            var entry: JSONValue = [
                "name": .string(definition.resource), "singularName": .string(definition.singular),
                "namespaced": .bool(definition.namespaced), "kind": .string(definition.kind), "verbs": verbs,
            ]
            if !definition.shortNames.isEmpty { entry["shortNames"] = .array(definition.shortNames.map(JSONValue.string)) }
            if !definition.categories.isEmpty { entry["categories"] = .array(definition.categories.map(JSONValue.string)) }
            resources.append(entry)
            if definition.hasStatusSubresource {
                resources.append([
                    "name": .string("\(definition.resource)/status"), "singularName": "",
                    "namespaced": .bool(definition.namespaced), "kind": .string(definition.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
            if definition.scale != nil {
                resources.append([
                    "name": .string("\(definition.resource)/scale"), "singularName": "",
                    "namespaced": .bool(definition.namespaced), "group": "autoscaling", "version": "v1",
                    "kind": "Scale", "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
        ]
    }

    // MARK: Resources

    private func resourceRequest(
        _ request: RecordedRequest, group: String, version: String, rest: [String]
    ) throws(KubernetesStatusError) -> APIResponse {
        var segments = rest
        var namespace: String?
        if segments.count >= 3, segments[0] == "namespaces",
            !(segments.count == 3 && (segments[2] == "status" || segments[2] == "finalize"))
        {
            namespace = segments[1]
            segments = Array(segments.dropFirst(2))
        }
        guard (1...3).contains(segments.count),
            let definition = store.read({ $0.definition(group: group, version: version, resource: segments[0]) })
        else { throw .pageNotFound() }
        if namespace != nil && !definition.namespaced { throw .pageNotFound() }
        let name = segments.count > 1 ? segments[1] : nil
        let subresource = segments.count > 2 ? segments[2] : nil
        if name != nil && definition.namespaced && namespace == nil { throw .pageNotFound() }
        let context = RequestContext(
            request: request, definition: definition, version: version, namespace: namespace,
            router: self)

        guard let name else {
            switch request.method {
            case "GET": return request.isWatch ? try context.watch() : try context.list()
            case "POST":
                guard namespace != nil || !definition.namespaced else { throw .methodNotAllowed(request.method) }
                return try context.create()
            case "DELETE": return try context.deleteCollection()
            default: throw .methodNotAllowed(request.method)
            }
        }
        let key = ObjectKey(namespace: namespace ?? "", name: name)
        switch subresource {
        case nil:
            switch request.method {
            case "GET": return try context.get(key)
            case "PUT": return try context.replace(key, subresource: nil)
            case "PATCH": return try context.patch(key, subresource: nil)
            case "DELETE": return try context.delete(key)
            default: throw .methodNotAllowed(request.method)
            }
        case "status"?:
            guard definition.hasStatusSubresource else { throw .pageNotFound() }
            switch request.method {
            case "GET": return try context.get(key)
            case "PUT": return try context.replace(key, subresource: "status")
            case "PATCH": return try context.patch(key, subresource: "status")
            default: throw .methodNotAllowed(request.method)
            }
        case "scale"?:
            guard definition.scale != nil else { throw .pageNotFound() }
            switch request.method {
            case "GET": return try context.getScale(key)
            case "PUT": return try context.replaceScale(key)
            case "PATCH": return try context.patchScale(key)
            default: throw .methodNotAllowed(request.method)
            }
        default:
            throw .pageNotFound()
        }
    }
}

/// One resource request being served.
private struct RequestContext {
    let request: RecordedRequest
    let definition: ResourceDefinition
    let version: String
    let namespace: String?
    let router: APIRouter

    var store: ClusterStore { router.store }
    var query: [String: String] { request.query }

    /// The field manager: `fieldManager` if given, else the User-Agent's product token (as the API server does).
    var manager: String {
        if let manager = query["fieldManager"], !manager.isEmpty { return manager }
        let agent = request.header("User-Agent") ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return prefix.isEmpty ? "unknown" : String(prefix.prefix(128))
    }

    func options(subresource: String?) -> WriteOptions {
        WriteOptions(manager: manager, subresource: subresource, fromHTTP: true)
    }

    func body() throws(KubernetesStatusError) -> JSONValue {
        // Only JSON bodies: protobuf (which kubectl's typed clients prefer) and CBOR get 415, as from a server
        // without those serializers.
        let contentType = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingSpaces.lowercased()
        } ?? ""
        if !contentType.isEmpty && contentType != "application/json" && !contentType.hasSuffix("+json") {
            throw KubernetesStatusError(
                code: 415, reason: .unsupportedMediaType,
                message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
                details: .emptyObject)
        }
        do {
            return try JSONValue(parsing: request.body)
        } catch {
            throw .badRequest("the body of the request was in an unknown format - \(error)")
        }
    }

    func filter() throws(KubernetesStatusError) -> ObjectFilter {
        var filter = ObjectFilter(namespace: namespace)
        if let text = query["labelSelector"], !text.isEmpty { filter.labelSelector = try LabelSelector(parsing: text) }
        if let text = query["fieldSelector"], !text.isEmpty {
            let selector = try FieldSelector(parsing: text)
            for requirement in selector.requirements
            where requirement.field != "metadata.name" && requirement.field != "metadata.namespace"
                && !definition.selectableFields.contains(requirement.field)
            {
                throw .badRequest("field label not supported: \(requirement.field)")
            }
            filter.fieldSelector = selector
        }
        return filter
    }

    func render(_ object: JSONValue) -> JSONValue { ClusterState.render(object, definition, version: version) }

    // MARK: Read

    func get(_ key: ObjectKey) throws(KubernetesStatusError) -> APIResponse {
        guard let object = store.read({ $0.object(definition.groupResource, key) }) else {
            throw .notFound(definition.groupResource, key.name)
        }
        return .ok(render(object))
    }

    func list() throws(KubernetesStatusError) -> APIResponse {
        let filter = try filter()
        var limit: Int?
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw .badRequest("invalid limit: \(text)") }
            limit = value
        }
        var exactRevision: Int?
        if query["resourceVersionMatch"] == "Exact" {
            guard let text = query["resourceVersion"], let rv = Int(text), rv > 0 else {
                throw .badRequest("resourceVersionMatch \"Exact\" requires a non-zero resourceVersion")
            }
            exactRevision = rv
        }
        let list = try store.withState { state throws(KubernetesStatusError) in
            try state.list(
                definition, version: version, filter: filter, limit: limit, continueToken: query["continue"],
                exactRevision: exactRevision)
        }
        return .ok(list)
    }

    func watch() throws(KubernetesStatusError) -> APIResponse {
        let filter = try filter()
        var resourceVersion: Int?
        if let text = query["resourceVersion"], !text.isEmpty {
            guard let rv = Int(text), rv >= 0 else { throw .badRequest("invalid resource version: \(text)") }
            resourceVersion = rv
        }
        let sendInitialEvents = query["sendInitialEvents"].map { $0 == "true" || $0 == "1" }
        let allowBookmarks = query["allowWatchBookmarks"] == "true" || query["allowWatchBookmarks"] == "1"
        var timeout = router.configuration.defaultWatchTimeout
        if let text = query["timeoutSeconds"], !text.isEmpty {
            guard let seconds = Int(text), seconds >= 0 else { throw .badRequest("invalid timeoutSeconds: \(text)") }
            if seconds > 0 { timeout = .seconds(seconds) }
        }
        let (id, stream) = store.read {
            $0.watch(
                definition, version: version, filter: filter, resourceVersion: resourceVersion,
                sendInitialEvents: sendInitialEvents, allowBookmarks: allowBookmarks)
        }
        return .watch(WatchSession(id: id, stream: stream, allowBookmarks: allowBookmarks, timeout: timeout))
    }

    // MARK: Write

    func create() throws(KubernetesStatusError) -> APIResponse {
        let body = try body()
        let options = options(subresource: nil)
        let created = try store.withState { state throws(KubernetesStatusError) in
            try state.create(definition, version: version, namespace: namespace, body: body, options: options)
        }
        return .ok(render(created), status: 201)
    }

    func replace(_ key: ObjectKey, subresource: String?) throws(KubernetesStatusError) -> APIResponse {
        let body = try body()
        if let bodyName = body[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != key.name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(key.name))")
        }
        if definition.namespaced, let bodyNamespace = body[path: ["metadata", "namespace"]]?.stringValue,
            !bodyNamespace.isEmpty, bodyNamespace != key.namespace
        {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let options = options(subresource: subresource)
        let updated = try store.withState { state throws(KubernetesStatusError) in
            try state.update(definition, version: version, key: key, options: options) { _ in body }
        }
        return .ok(render(updated))
    }

    enum PatchType {
        case merge, strategicMerge, json, apply
    }

    func patchType() throws(KubernetesStatusError) -> PatchType {
        let contentType = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingSpaces.lowercased()
        } ?? ""
        switch contentType {
        case "application/merge-patch+json": return .merge
        case "application/strategic-merge-patch+json": return .strategicMerge
        case "application/json-patch+json": return .json
        case "application/apply-patch+yaml", "application/apply-patch+json": return .apply
        default:
            throw KubernetesStatusError(
                code: 415, reason: .unsupportedMediaType,
                message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                details: .emptyObject)
        }
    }

    /// Applies a non-apply patch document to `current`.
    func applyPatch(_ type: PatchType, _ patch: JSONValue, to current: JSONValue) throws(KubernetesStatusError) -> JSONValue {
        switch type {
        case .merge, .strategicMerge:
            // Strategic merge patch is treated as a JSON merge patch: lists are replaced, not merged by key, and
            // `$patch`-style directives are not interpreted.
            guard patch.objectValue != nil else { throw .badRequest("merge patch must be a JSON object") }
            return JSONPatch.mergePatch(patch, into: current)
        case .json:
            do {
                return try JSONPatch.apply(patch, to: current)
            } catch {
                switch error.kind {
                case .malformed: throw .badRequest(error.message)
                case .testFailed, .missingPath:
                    throw KubernetesStatusError(code: 422, reason: .invalid, message: error.message)
                }
            }
        case .apply:
            preconditionFailure("apply is handled by applyConfiguration")
        }
    }

    func patch(_ key: ObjectKey, subresource: String?) throws(KubernetesStatusError) -> APIResponse {
        let type = try patchType()
        if type == .apply { return try applyConfiguration(key, subresource: subresource) }
        if query["force"] == "true" { throw .badRequest("force must be unset for non-apply patch requests") }
        let patch = try body()
        let options = options(subresource: subresource)
        let updated = try store.withState { state throws(KubernetesStatusError) in
            try state.update(definition, version: version, key: key, options: options) {
                current throws(KubernetesStatusError) in
                try applyPatch(type, patch, to: current)
            }
        }
        return .ok(render(updated))
    }

    /// Server-side apply (see ``ManagedFields`` for the ownership model).
    func applyConfiguration(_ key: ObjectKey, subresource: String?) throws(KubernetesStatusError) -> APIResponse {
        guard let manager = query["fieldManager"], !manager.isEmpty else {
            // The real server validates PatchOptions and answers 422 Invalid with exactly this message.
            throw .invalid(
                kind: "PatchOptions", group: "meta.k8s.io", name: "",
                causes: [("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")])
        }
        var configuration = try JSONValue.parseJSONOrYAML(request.body)
        guard configuration.objectValue != nil else { throw .badRequest("apply patch must be an object") }
        let expected = definition.apiVersion(version)
        if let apiVersion = configuration["apiVersion"]?.stringValue, apiVersion != expected {
            throw .badRequest(
                "Incorrect version specified in apply patch. Specified patch version: \(apiVersion), expected: \(expected)")
        }
        if let kind = configuration["kind"]?.stringValue, kind != definition.kind {
            throw .badRequest("apply patch kind \(kind) does not match the resource kind \(definition.kind)")
        }
        if let name = configuration[path: ["metadata", "name"]]?.stringValue, !name.isEmpty, name != key.name {
            throw .badRequest("the name of the object (\(name)) does not match the name on the URL (\(key.name))")
        }
        configuration[path: ["metadata", "name"]] = .string(key.name)
        if definition.namespaced { configuration[path: ["metadata", "namespace"]] = .string(key.namespace) }
        let force = query["force"] == "true"
        let scope: ManagedFields.Scope =
            subresource == "status" ? .statusOnly : (definition.hasStatusSubresource ? .allButStatus : .all)
        let requestedRV = configuration[path: ["metadata", "resourceVersion"]]
        let options = WriteOptions(manager: manager, subresource: subresource, fromHTTP: true)
        let definition = definition
        let version = version
        let result = try store.withState { state throws(KubernetesStatusError) -> JSONValue in
            let time = state.now
            guard state.object(definition.groupResource, key) != nil else {
                guard subresource == nil else { throw .notFound(definition.groupResource, key.name) }
                let merged = try ManagedFields.apply(
                    configuration, to: nil, manager: manager, apiVersion: expected, subresource: nil, scope: scope,
                    force: force, time: time, resource: definition.groupResource, name: key.name)
                var body = merged
                body["apiVersion"] = .string(expected)
                body["kind"] = .string(definition.kind)
                body[path: ["metadata", "name"]] = .string(key.name)
                return try state.create(
                    definition, version: version, namespace: definition.namespaced ? key.namespace : nil, body: body,
                    options: WriteOptions(manager: nil, subresource: nil, fromHTTP: true))
            }
            return try state.update(definition, version: version, key: key, options: options, trackFields: false) {
                current throws(KubernetesStatusError) in
                var merged = try ManagedFields.apply(
                    configuration, to: current, manager: manager, apiVersion: expected, subresource: subresource,
                    scope: scope, force: force, time: time, resource: definition.groupResource, name: key.name)
                merged[path: ["metadata", "resourceVersion"]] = requestedRV
                return merged
            }
        }
        return .ok(render(result))
    }

    func delete(_ key: ObjectKey) throws(KubernetesStatusError) -> APIResponse {
        let options = request.body.isEmpty ? JSONValue.emptyObject : try body()
        let policy = query["propagationPolicy"] ?? options["propagationPolicy"]?.stringValue
        if let policy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw .badRequest("\(policy) is not a valid propagation policy")
        }
        let preconditions = options["preconditions"]
        let (object, removed) = try store.withState { state throws(KubernetesStatusError) in
            try state.delete(definition, version: version, key: key, preconditions: preconditions)
        }
        if removed && !definition.returnsDeletedObject {
            return .ok([
                "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success",
                "details": KubernetesStatusError.details(
                    name: key.name, resource: definition.groupResource,
                    uid: object[path: ["metadata", "uid"]]?.stringValue),
            ])
        }
        return .ok(object)
    }

    func deleteCollection() throws(KubernetesStatusError) -> APIResponse {
        let filter = try filter()
        let definition = definition
        let version = version
        let deleted = try store.withState { state throws(KubernetesStatusError) -> [JSONValue] in
            let keys = (state.objects[definition.groupResource] ?? [:]).filter { filter.matches($0.value) }.keys.sorted()
            var deleted: [JSONValue] = []
            for key in keys { deleted.append(try state.delete(definition, version: version, key: key, preconditions: nil).object) }
            return deleted
        }
        return .ok([
            "kind": .string(definition.listKind), "apiVersion": .string(definition.apiVersion(version)),
            "metadata": ["resourceVersion": .string(String(store.read { $0.revision }))], "items": .array(deleted),
        ])
    }

    // MARK: Scale

    func getScale(_ key: ObjectKey) throws(KubernetesStatusError) -> APIResponse {
        guard let object = store.read({ $0.object(definition.groupResource, key) }) else {
            throw .notFound(definition.groupResource, key.name)
        }
        return .ok(ClusterState.scale(of: object, definition))
    }

    func replaceScale(_ key: ObjectKey) throws(KubernetesStatusError) -> APIResponse {
        let body = try body()
        return try writeScale(key) { _ throws(KubernetesStatusError) in body }
    }

    func patchScale(_ key: ObjectKey) throws(KubernetesStatusError) -> APIResponse {
        let type = try patchType()
        guard type != .apply else { throw .badRequest("apply patches are not supported on the scale subresource") }
        let patch = try body()
        return try writeScale(key) { scale throws(KubernetesStatusError) in try applyPatch(type, patch, to: scale) }
    }

    /// Scale writes change only the parent's replica count; a `metadata.resourceVersion` in the Scale is checked
    /// against the parent's.
    private func writeScale(
        _ key: ObjectKey, _ newScale: (JSONValue) throws(KubernetesStatusError) -> JSONValue
    ) throws(KubernetesStatusError) -> APIResponse {
        let definition = definition
        // Force-unwrap: the router only sends scale requests for resources with a scale subresource.
        let paths = definition.scale!
        let options = options(subresource: "scale")
        let updated = try store.withState { state throws(KubernetesStatusError) -> JSONValue in
            try state.update(definition, version: version, key: key, options: options) {
                current throws(KubernetesStatusError) in
                let scale = try newScale(ClusterState.scale(of: current, definition))
                guard let replicas = scale[path: ["spec", "replicas"]]?.intValue, replicas >= 0 else {
                    throw .invalid(
                        kind: "Scale", group: "autoscaling", name: key.name,
                        causes: [("spec.replicas", "FieldValueInvalid", "Invalid value: must be greater than or equal to 0")])
                }
                var proposed = current
                proposed[path: paths.specReplicasPath.jsonPathComponents] = .integer(replicas)
                if let rv = scale[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty {
                    proposed[path: ["metadata", "resourceVersion"]] = .string(rv)
                }
                return proposed
            }
        }
        return .ok(ClusterState.scale(of: updated, definition))
    }
}
