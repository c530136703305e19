import Foundation
import JSON

/// The API verbs over ``ClusterState``, each one atomic (called inside the store's lock).
extension ClusterState {
    // MARK: Create

    /// CREATE: assigns uid, creationTimestamp, generation and (for `generateName`) a name, applies the kind's
    /// create strategy, and commits an ADDED change.
    /// - Parameters:
    ///   - namespace: The namespace from the URL (namespaced resources), `nil` to take the body's.
    /// - Throws: 409 AlreadyExists, 422 Invalid, 400 BadRequest.
    mutating func create(
        _ definition: ResourceDefinition, version: String, namespace: String?, body: JSONValue, options: WriteOptions
    ) throws(KubernetesStatusError) -> JSONValue {
        guard body.objectValue != nil else { throw .badRequest("the body of the request must be a JSON object") }
        var object = body
        let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
        var resolvedNamespace = ""
        if definition.namespaced {
            if let namespace {
                if !bodyNamespace.isEmpty && bodyNamespace != namespace {
                    throw .badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request")
                }
                resolvedNamespace = namespace
            } else {
                resolvedNamespace = bodyNamespace.isEmpty ? "default" : bodyNamespace
            }
            object[path: ["metadata", "namespace"]] = .string(resolvedNamespace)
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            // Same alphabet and length as apiserver's names.SimpleNameGenerator; retried on the (unlikely) clash.
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            repeat {
                name = prefix + String((0..<5).map { _ in alphabet.randomElement()! })
            } while self.object(definition.groupResource, ObjectKey(namespace: resolvedNamespace, name: name)) != nil
        }
        guard !name.isEmpty else {
            throw .invalid(
                kind: definition.kind, group: definition.group, name: "",
                causes: [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")])
        }
        object[path: ["metadata", "name"]] = .string(name)
        let key = ObjectKey(namespace: resolvedNamespace, name: name)
        if self.object(definition.groupResource, key) != nil {
            throw .alreadyExists(definition.groupResource, name)
        }
        object[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        object[path: ["metadata", "creationTimestamp"]] = .string(now)
        object[path: ["metadata", "generation"]] = .integer(1)
        object[path: ["metadata", "resourceVersion"]] = nil
        object[path: ["metadata", "deletionTimestamp"]] = nil
        object[path: ["metadata", "deletionGracePeriodSeconds"]] = nil
        object[path: ["metadata", "selfLink"]] = nil
        try prepareForCreate(definition, &object, options: options)
        object = Self.render(object, definition, version: version)
        if let manager = options.manager {
            ManagedFields.recordUpdate(
                old: nil, new: &object, manager: manager, apiVersion: definition.apiVersion(version),
                subresource: nil, scope: definition.hasStatusSubresource ? .allButStatus : .all, time: now)
        }
        if definition.groupResource == .customResourceDefinitions {
            try registerCRD(&object)
        }
        return commit(definition.groupResource, key, kind: .added, old: nil, new: object)
    }

    /// Per-kind create strategies (the parts clients observe).
    private mutating func prepareForCreate(
        _ definition: ResourceDefinition, _ object: inout JSONValue, options: WriteOptions
    ) throws(KubernetesStatusError) {
        if options.fromHTTP && definition.hasStatusSubresource { object["status"] = nil }
        switch definition.groupResource {
        case .pods where options.fromHTTP || object[path: ["status", "phase"]] == nil:
            object[path: ["status", "phase"]] = "Pending"
        case .namespaces:
            if object[path: ["spec", "finalizers"]] == nil { object[path: ["spec", "finalizers"]] = ["kubernetes"] }
            object[path: ["status", "phase"]] = "Active"
        case .deployments, .statefulSets, .replicaSets:
            if object[path: ["spec", "replicas"]] == nil { object[path: ["spec", "replicas"]] = 1 }
        case .services:
            if object[path: ["spec", "clusterIP"]] == nil && object[path: ["spec", "type"]]?.stringValue != "ExternalName" {
                let n = nextClusterIP
                nextClusterIP += 1
                object[path: ["spec", "clusterIP"]] = .string("10.96.\(n / 250).\(n % 250 + 1)")
            }
            if object[path: ["spec", "type"]] == nil { object[path: ["spec", "type"]] = "ClusterIP" }
        default:
            break
        }
        if definition.groupResource == .secrets { Self.foldStringData(&object) }
    }

    /// Secrets: `stringData` is write-only and merged into base64 `data`.
    private static func foldStringData(_ object: inout JSONValue) {
        guard let stringData = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? JSONObject()
        for (key, value) in stringData {
            data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    // MARK: Update

    /// A read-modify-write: `transform` receives the current object (rendered for `version`) and returns the
    /// proposed one, which then goes through ``finishUpdate(_:version:key:old:proposed:options:trackFields:)``.
    /// - Throws: 404 NotFound, and whatever `transform` or the update rules throw.
    mutating func update(
        _ definition: ResourceDefinition, version: String, key: ObjectKey, options: WriteOptions,
        trackFields: Bool = true,
        _ transform: (JSONValue) throws(KubernetesStatusError) -> JSONValue
    ) throws(KubernetesStatusError) -> JSONValue {
        guard let current = object(definition.groupResource, key) else {
            throw .notFound(definition.groupResource, key.name)
        }
        let proposed = try transform(Self.render(current, definition, version: version))
        return try finishUpdate(
            definition, version: version, key: key, old: current, proposed: proposed, options: options,
            trackFields: trackFields)
    }

    /// The update rules shared by PUT, PATCH, apply and the subresources: optimistic concurrency on
    /// `metadata.resourceVersion`, immutable server fields, status-subresource separation, finalizer rules,
    /// generation, managed fields, no-op detection, and deletion once the last finalizer is gone.
    mutating func finishUpdate(
        _ definition: ResourceDefinition, version: String, key: ObjectKey, old: JSONValue, proposed: JSONValue,
        options: WriteOptions, trackFields: Bool
    ) throws(KubernetesStatusError) -> JSONValue {
        guard proposed.objectValue != nil else { throw .badRequest("the body of the request must be a JSON object") }
        let resource = definition.groupResource
        if let rv = proposed[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
            rv != old[path: ["metadata", "resourceVersion"]]?.stringValue
        {
            throw .staleResourceVersion(resource, key.name)
        }
        var new: JSONValue
        let scope: ManagedFields.Scope
        if options.subresource == "status" {
            new = old
            new["status"] = proposed["status"]
            scope = .statusOnly
        } else {
            new = proposed
            if definition.hasStatusSubresource && options.fromHTTP {
                new["status"] = old["status"]
                scope = .allButStatus
            } else {
                scope = .all
            }
        }
        for field in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            new[path: ["metadata", field]] = old[path: ["metadata", field]]
        }
        new[path: ["metadata", "resourceVersion"]] = old[path: ["metadata", "resourceVersion"]]
        if new[path: ["metadata", "managedFields"]] == nil {
            new[path: ["metadata", "managedFields"]] = old[path: ["metadata", "managedFields"]]
        }
        if resource == .secrets { Self.foldStringData(&new) }
        if resource == .namespaces { new[path: ["status", "phase"]] = old[path: ["status", "phase"]] }
        new = Self.render(new, definition, version: version)

        if old[path: ["metadata", "deletionTimestamp"]] != nil {
            let before = Set(Self.finalizers(old))
            let added = Self.finalizers(new).filter { !before.contains($0) }
            if !added.isEmpty {
                let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
                throw .invalid(
                    kind: definition.kind, group: definition.group, name: key.name,
                    causes: [(
                        "metadata.finalizers", "FieldValueForbidden",
                        "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}"
                    )])
            }
        }
        if Self.specPart(new) != Self.specPart(old) {
            new[path: ["metadata", "generation"]] = .integer((old[path: ["metadata", "generation"]]?.intValue ?? 0) + 1)
        }
        if trackFields, let manager = options.manager {
            ManagedFields.recordUpdate(
                old: old, new: &new, manager: manager, apiVersion: definition.apiVersion(version),
                subresource: options.subresource, scope: scope, time: now)
        }
        let deleting = new[path: ["metadata", "deletionTimestamp"]] != nil && Self.finalizers(new).isEmpty
        if !deleting && Self.comparable(new) == Self.comparable(Self.render(old, definition, version: version)) {
            return new  // A no-op update writes nothing and keeps the resourceVersion, as in Kubernetes.
        }
        if deleting {
            let final = commit(resource, key, kind: .deleted, old: old, new: new)
            afterDelete(definition, key: key, object: final)
            return final
        }
        if resource == .customResourceDefinitions { try registerCRD(&new) }
        return commit(resource, key, kind: .modified, old: old, new: new)
    }

    static func finalizers(_ object: JSONValue) -> [String] {
        (object[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// Everything but `metadata` and `status`: a change here bumps `metadata.generation`.
    private static func specPart(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy["metadata"] = nil
        copy["status"] = nil
        return copy
    }

    /// For no-op detection: without resourceVersion and managed-field timestamps.
    private static func comparable(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy[path: ["metadata", "resourceVersion"]] = nil
        let entries = ManagedFields.entries(of: object).map { entry -> JSONValue in
            var entry = entry
            entry.time = nil
            return entry.json
        }
        copy[path: ["metadata", "managedFields"]] = entries.isEmpty ? nil : .array(entries)
        return copy
    }

    // MARK: Delete

    /// DELETE with `preconditions`; objects with finalizers only get `deletionTimestamp` (graceful deletion is
    /// immediate otherwise: the emulator has no kubelet to wait for).
    /// - Returns: The object after the call and whether it is gone.
    mutating func delete(
        _ definition: ResourceDefinition, version: String, key: ObjectKey, preconditions: JSONValue?
    ) throws(KubernetesStatusError) -> (object: JSONValue, removed: Bool) {
        let resource = definition.groupResource
        guard let current = object(resource, key) else { throw .notFound(resource, key.name) }
        if let uid = preconditions?["uid"]?.stringValue,
            let actual = current[path: ["metadata", "uid"]]?.stringValue, uid != actual
        {
            throw .conflict(
                resource, key.name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(actual)")
        }
        if let rv = preconditions?["resourceVersion"]?.stringValue,
            let actual = current[path: ["metadata", "resourceVersion"]]?.stringValue, rv != actual
        {
            throw .conflict(
                resource, key.name,
                "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(actual)")
        }
        if !Self.finalizers(current).isEmpty {
            if current[path: ["metadata", "deletionTimestamp"]] != nil {
                return (Self.render(current, definition, version: version), false)
            }
            var marked = current
            marked[path: ["metadata", "deletionTimestamp"]] = .string(now)
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
            marked[path: ["metadata", "generation"]] = .integer(
                (current[path: ["metadata", "generation"]]?.intValue ?? 0) + 1)
            let stored = commit(resource, key, kind: .modified, old: current, new: marked)
            return (Self.render(stored, definition, version: version), false)
        }
        let final = commit(resource, key, kind: .deleted, old: current, new: current)
        afterDelete(definition, key: key, object: final)
        return (Self.render(final, definition, version: version), true)
    }

    /// Cascades the emulator does in place of controllers: a namespace takes its objects along (as the namespace
    /// controller would), a CRD its custom resources and its API endpoints.
    private mutating func afterDelete(_ definition: ResourceDefinition, key: ObjectKey, object: JSONValue) {
        switch definition.groupResource {
        case .namespaces:
            for (resource, byKey) in objects {
                for objectKey in byKey.keys.sorted() where objectKey.namespace == key.name {
                    if let stored = objects[resource]?[objectKey] {
                        commit(resource, objectKey, kind: .deleted, old: stored, new: stored)
                    }
                }
            }
        case .customResourceDefinitions:
            let group = object[path: ["spec", "group"]]?.stringValue ?? ""
            let plural = object[path: ["spec", "names", "plural"]]?.stringValue ?? ""
            let resource = GroupResource(group: group, resource: plural)
            guard definitions[resource]?.isCustom == true else { return }
            for objectKey in (objects[resource] ?? [:]).keys.sorted() {
                if let stored = objects[resource]?[objectKey] {
                    commit(resource, objectKey, kind: .deleted, old: stored, new: stored)
                }
            }
            objects[resource] = nil
            definitions[resource] = nil
            for (id, watcher) in watchers where watcher.definition.groupResource == resource {
                watcher.continuation.finish()
                watchers[id] = nil
            }
        default:
            break
        }
    }

    // MARK: CRDs

    /// Registers (or re-registers) the resource a CRD declares and marks the CRD `Established`.
    private mutating func registerCRD(_ crd: inout JSONValue) throws(KubernetesStatusError) {
        let definition = try ResourceDefinition.fromCRD(crd)
        if let existing = definitions[definition.groupResource], !existing.isCustom {
            throw .invalid(
                kind: "CustomResourceDefinition", group: "apiextensions.k8s.io",
                name: crd[path: ["metadata", "name"]]?.stringValue ?? "",
                causes: [("spec.group", "FieldValueInvalid", "Invalid value: \"\(definition.group)\": conflicts with a built-in resource")])
        }
        definitions[definition.groupResource] = definition
        let time = crd[path: ["status", "conditions"]]?[0]?["lastTransitionTime"]?.stringValue ?? now
        let storage = (crd[path: ["spec", "versions"]]?.arrayValue ?? []).first { $0["storage"]?.boolValue == true }
        crd["status"] = [
            "conditions": [
                [
                    "type": "NamesAccepted", "status": "True", "lastTransitionTime": .string(time),
                    "reason": "NoConflicts", "message": "no conflicts found",
                ],
                [
                    "type": "Established", "status": "True", "lastTransitionTime": .string(time),
                    "reason": "InitialNamesAccepted", "message": "the initial names have been accepted",
                ],
            ],
            "acceptedNames": crd[path: ["spec", "names"]] ?? .emptyObject,
            "storedVersions": .array([storage?["name"] ?? .string(definition.versions[0])]),
        ]
    }

    // MARK: Scale

    /// The `autoscaling/v1` `Scale` view of a scalable object.
    static func scale(of object: JSONValue, _ definition: ResourceDefinition) -> JSONValue {
        // Force-unwrap: callers check that the definition has a scale subresource.
        let scale = definition.scale!
        let selector: String
        if let path = scale.labelSelectorPath {
            let value = object[path: path.jsonPathComponents]
            selector = scale.selectorIsStructured ? LabelSelector.render(value) : (value?.stringValue ?? "")
        } else {
            selector = ""
        }
        var metadata: JSONValue = .emptyObject
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object[path: ["metadata", field]] { metadata[field] = value }
        }
        var status: JSONValue = [
            "replicas": .integer(object[path: scale.statusReplicasPath.jsonPathComponents]?.intValue ?? 0)
        ]
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": .integer(object[path: scale.specReplicasPath.jsonPathComponents]?.intValue ?? 0)],
            "status": status,
        ]
    }

    // MARK: List

    /// LIST with selectors, `limit`/`continue` pagination over a consistent snapshot, and `resourceVersion` +
    /// `resourceVersionMatch=Exact` reads.
    /// - Throws: 410 Expired for a continue token (or exact revision) older than the compacted revision, 400 for a
    ///   malformed token.
    func list(
        _ definition: ResourceDefinition, version: String, filter: ObjectFilter, limit: Int?, continueToken: String?,
        exactRevision: Int?
    ) throws(KubernetesStatusError) -> JSONValue {
        var snapshotRevision = revision
        var startAfter: String?
        if let continueToken, !continueToken.isEmpty {
            guard let data = Data(base64Encoded: continueToken),
                let token = try? JSONValue(parsing: Array(data)),
                let rv = token["rv"]?.intValue, let start = token["start"]?.stringValue
            else {
                throw .badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
            }
            snapshotRevision = rv
            startAfter = start
        } else if let exactRevision {
            snapshotRevision = exactRevision
        }
        let source: [ObjectKey: JSONValue]
        if snapshotRevision == revision {
            source = objects[definition.groupResource] ?? [:]
        } else if let snapshot = snapshot(definition.groupResource, at: snapshotRevision) {
            source = snapshot
        } else if continueToken != nil {
            throw .expired(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
            )
        } else {
            throw .expired("too old resource version: \(snapshotRevision) (\(compactedRevision + 1))")
        }
        var keys = source.keys.sorted()
        if let startAfter { keys = keys.filter { $0.path > startAfter } }
        var items: [JSONValue] = []
        var lastKey: ObjectKey?
        var index = 0
        while index < keys.count {
            let key = keys[index]
            index += 1
            // Force-unwrap: `key` comes from `source.keys`.
            let object = source[key]!
            guard filter.matches(object) else { continue }
            var item = Self.render(object, definition, version: version)
            if !definition.isCustom {
                // Typed lists omit the items' kind and apiVersion on the wire; unstructured (CRD) lists keep them.
                item["kind"] = nil
                item["apiVersion"] = nil
            }
            items.append(item)
            lastKey = key
            if let limit, limit > 0, items.count == limit { break }
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(snapshotRevision))]
        let hasMore = index < keys.count && keys[index...].contains { filter.matches(source[$0]!) }
        if hasMore, let lastKey {
            let token: JSONValue = ["v": "meta.k8s.io/v1", "rv": .integer(snapshotRevision), "start": .string(lastKey.path)]
            metadata["continue"] = .string(Data(token.serializedBytes).base64EncodedString())
            if filter.labelSelector == nil && filter.fieldSelector == nil {
                metadata["remainingItemCount"] = .integer(keys.count - index)
            }
        }
        return [
            "kind": .string(definition.listKind), "apiVersion": .string(definition.apiVersion(version)),
            "metadata": metadata, "items": .array(items),
        ]
    }

    // MARK: Watch

    /// Registers a watcher and queues what it must see first: synthetic ADDED events for the current state (no
    /// `resourceVersion`, `"0"`, or `sendInitialEvents=true`), or the history after `resourceVersion`, or an ERROR
    /// 410 Expired (after which the stream ends) when that history is compacted.
    mutating func watch(
        _ definition: ResourceDefinition, version: String, filter: ObjectFilter, resourceVersion: Int?,
        sendInitialEvents: Bool?, allowBookmarks: Bool
    ) -> (id: Int, stream: AsyncStream<WatchStreamItem>) {
        let (stream, continuation) = AsyncStream<WatchStreamItem>.makeStream()
        let id = nextWatcherID
        nextWatcherID += 1
        let record = WatcherRecord(
            definition: definition, version: version, filter: filter, allowBookmarks: allowBookmarks,
            continuation: continuation)
        let initial = sendInitialEvents ?? (resourceVersion == nil || resourceVersion == 0)
        if initial {
            let current = objects[definition.groupResource] ?? [:]
            for key in current.keys.sorted() {
                // Force-unwrap: `key` comes from `current.keys`.
                let object = current[key]!
                if filter.matches(object) {
                    continuation.yield(.event(WatchEvent(type: "ADDED", object: Self.render(object, definition, version: version))))
                }
            }
            if sendInitialEvents == true && allowBookmarks {
                continuation.yield(.event(bookmark(for: record, initialEventsEnd: true)))
            }
        } else if let resourceVersion, resourceVersion > 0 {
            guard let later = changes(after: resourceVersion) else {
                let error = KubernetesStatusError.expired(
                    "too old resource version: \(resourceVersion) (\(compactedRevision + 1))")
                continuation.yield(.event(WatchEvent(type: "ERROR", object: error.status)))
                continuation.finish()
                return (id, stream)
            }
            for change in later where change.resource == definition.groupResource {
                if let event = Self.event(for: change, watcher: record) { continuation.yield(.event(event)) }
            }
        }
        watchers[id] = record
        return (id, stream)
    }
}
