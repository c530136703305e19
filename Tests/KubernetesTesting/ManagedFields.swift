import JSON

/// Field ownership for server-side apply, approximated at leaf granularity.
///
/// The real API server tracks ownership with structured-merge-diff over typed schemas (list items by merge key,
/// maps of maps, `.` for owning a map itself). The emulator tracks *leaf paths*: a path to a scalar, to an array
/// (arrays are atomic), or to an empty object. That is enough for the conflicts controllers meet in practice — two
/// managers setting `.spec.replicas` or the same label — and for "apply removes what it stopped applying". Ownership
/// is stored where Kubernetes stores it, in `metadata.managedFields` entries with `fieldsType: FieldsV1`, so entries
/// written by a client (or by a real cluster) round-trip.
struct ManagedFieldsEntry: Hashable {
    var manager: String
    var operation: String
    var apiVersion: String
    var time: String?
    var subresource: String?
    var fields: Set<[String]>

    /// Identity of an entry: Kubernetes keeps one entry per (manager, operation, subresource).
    func sameOwner(as other: ManagedFieldsEntry) -> Bool {
        manager == other.manager && operation == other.operation && (subresource ?? "") == (other.subresource ?? "")
    }

    init(
        manager: String, operation: String, apiVersion: String, time: String?, subresource: String?,
        fields: Set<[String]>
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    init?(_ json: JSONValue) {
        guard let manager = json["manager"]?.stringValue else { return nil }
        self.manager = manager
        operation = json["operation"]?.stringValue ?? "Update"
        apiVersion = json["apiVersion"]?.stringValue ?? ""
        time = json["time"]?.stringValue
        subresource = json["subresource"]?.stringValue
        fields = Self.paths(fromFieldsV1: json["fieldsV1"] ?? .emptyObject, prefix: [])
    }

    var json: JSONValue {
        var entry: JSONValue = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
        ]
        if let time { entry["time"] = .string(time) }
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = Self.fieldsV1(fields)
        if let subresource { entry["subresource"] = .string(subresource) }
        return entry
    }

    /// `{"f:spec":{"f:replicas":{}}}` → `[["spec","replicas"]]`; `k:`/`v:`/`i:` list keys and `.` are folded into
    /// their parent (the emulator treats lists atomically).
    static func paths(fromFieldsV1 value: JSONValue, prefix: [String]) -> Set<[String]> {
        guard let object = value.objectValue else { return [] }
        var children: Set<[String]> = []
        for (key, child) in object where key.hasPrefix("f:") {
            children.formUnion(paths(fromFieldsV1: child, prefix: prefix + [String(key.dropFirst(2))]))
        }
        if children.isEmpty && !prefix.isEmpty { return [prefix] }
        return children
    }

    static func fieldsV1(_ paths: Set<[String]>) -> JSONValue {
        var root: JSONValue = .emptyObject
        for path in paths.sorted(by: { $0.lexicographicallyPrecedes($1) }) where !path.isEmpty {
            let keys = path.map { "f:" + $0 }
            if root[path: keys] == nil { root[path: keys] = .emptyObject }
        }
        return root
    }
}

enum ManagedFields {
    /// Metadata fields the server owns; never tracked.
    static let serverOwnedMetadata: Set<String> = [
        "name", "namespace", "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields",
        "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName",
    ]

    /// Which part of an object a write may touch.
    enum Scope {
        /// Everything except `status` (main resource of a kind with a status subresource).
        case allButStatus
        /// Only `status`.
        case statusOnly
        /// Everything.
        case all
    }

    /// Leaf path → value for the tracked part of `object`.
    static func leaves(of object: JSONValue, scope: Scope) -> [[String]: JSONValue] {
        var result: [[String]: JSONValue] = [:]
        guard let top = object.objectValue else { return result }
        for (key, value) in top {
            switch key {
            case "apiVersion", "kind": continue
            case "status" where scope == .allButStatus: continue
            case "metadata":
                guard scope != .statusOnly, let metadata = value.objectValue else { continue }
                for (metaKey, metaValue) in metadata where !serverOwnedMetadata.contains(metaKey) {
                    collect(metaValue, path: ["metadata", metaKey], into: &result)
                }
                continue
            default:
                if scope == .statusOnly && key != "status" { continue }
                collect(value, path: [key], into: &result)
            }
        }
        return result
    }

    private static func collect(_ value: JSONValue, path: [String], into result: inout [[String]: JSONValue]) {
        if case .object(let object) = value, !object.isEmpty {
            for (key, child) in object { collect(child, path: path + [key], into: &result) }
        } else {
            result[path] = value
        }
    }

    static func entries(of object: JSONValue) -> [ManagedFieldsEntry] {
        (object[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.init)
    }

    static func store(_ entries: [ManagedFieldsEntry], in object: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }
        object[path: ["metadata", "managedFields"]] = kept.isEmpty ? nil : .array(kept.map(\.json))
    }

    /// Records a non-apply write: the writer takes ownership of every leaf it changed; removed leaves lose their
    /// owners.
    static func recordUpdate(
        old: JSONValue?, new: inout JSONValue, manager: String, apiVersion: String, subresource: String?,
        scope: Scope, time: String
    ) {
        let oldLeaves = old.map { leaves(of: $0, scope: scope) } ?? [:]
        let newLeaves = leaves(of: new, scope: scope)
        let changed = Set(newLeaves.compactMap { path, value in oldLeaves[path] == value ? nil : path })
        let removed = Set(oldLeaves.keys).subtracting(newLeaves.keys)
        var entries = entries(of: new)
        let mine = ManagedFieldsEntry(
            manager: manager, operation: "Update", apiVersion: apiVersion, time: time, subresource: subresource,
            fields: [])
        guard !changed.isEmpty || !removed.isEmpty else { return }
        for i in entries.indices {
            entries[i].fields.subtract(removed)
            if !entries[i].sameOwner(as: mine) { entries[i].fields.subtract(changed) }
        }
        if let i = entries.firstIndex(where: { $0.sameOwner(as: mine) }) {
            entries[i].fields.formUnion(changed)
            entries[i].time = time
            entries[i].apiVersion = apiVersion
        } else if !changed.isEmpty {
            var entry = mine
            entry.fields = changed
            entries.append(entry)
        }
        store(entries, in: &new)
    }

    /// Server-side apply of `configuration` onto `current` (nil: the object does not exist yet).
    /// - Returns: The merged object with updated `managedFields`.
    /// - Throws: 409 Conflict listing the conflicting fields when another manager owns a field with a different
    ///   value and `force` is false.
    static func apply(
        _ configuration: JSONValue, to current: JSONValue?, manager: String, apiVersion: String,
        subresource: String?, scope: Scope, force: Bool, time: String, resource: GroupResource, name: String
    ) throws(KubernetesStatusError) -> JSONValue {
        let configLeaves = leaves(of: configuration, scope: scope)
        let currentLeaves = current.map { leaves(of: $0, scope: scope) } ?? [:]
        var entries = current.map(entries(of:)) ?? []
        let mine = ManagedFieldsEntry(
            manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, subresource: subresource,
            fields: Set(configLeaves.keys))
        var conflicts: [(manager: String, apiVersion: String, path: [String])] = []
        for i in entries.indices where !entries[i].sameOwner(as: mine) {
            for path in entries[i].fields.intersection(configLeaves.keys).sorted(by: { $0.lexicographicallyPrecedes($1) })
            where currentLeaves[path] != configLeaves[path] {
                conflicts.append((entries[i].manager, entries[i].apiVersion, path))
                if force { entries[i].fields.remove(path) }
            }
        }
        if !conflicts.isEmpty && !force {
            throw conflictError(conflicts, resource: resource, name: name)
        }
        var merged = deepMerge(configuration, into: current ?? .emptyObject, scope: scope)
        // Fields this manager applied before but not now are removed, unless someone else still owns them.
        let previous = entries.first { $0.sameOwner(as: mine) }?.fields ?? []
        for path in previous.subtracting(configLeaves.keys)
        where !entries.contains(where: { !$0.sameOwner(as: mine) && $0.fields.contains(path) }) {
            merged[path: path] = nil
        }
        if let i = entries.firstIndex(where: { $0.sameOwner(as: mine) }) {
            entries[i] = mine
        } else {
            entries.append(mine)
        }
        store(entries, in: &merged)
        return merged
    }

    /// Objects merge recursively; scalars and arrays replace. Keys outside `scope` are not taken from `patch`.
    private static func deepMerge(_ patch: JSONValue, into target: JSONValue, scope: Scope) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in patchObject {
            if scope == .allButStatus && key == "status" { continue }
            if scope == .statusOnly && key != "status" { continue }
            if key == "metadata", case .object(let metadata) = value {
                var merged = result["metadata"]?.objectValue ?? JSONObject()
                for (metaKey, metaValue) in metadata where !serverOwnedMetadata.contains(metaKey) {
                    merged[metaKey] = deepMerge(metaValue, into: merged[metaKey] ?? .null, scope: .all)
                }
                result["metadata"] = .object(merged)
                continue
            }
            result[key] = deepMerge(value, into: result[key] ?? .null, scope: .all)
        }
        return .object(result)
    }

    private static func conflictError(
        _ conflicts: [(manager: String, apiVersion: String, path: [String])], resource: GroupResource, name: String
    ) -> KubernetesStatusError {
        func render(_ path: [String]) -> String { "." + path.joined(separator: ".") }
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message = "Apply failed with 1 conflict: conflict with \"\(only.manager)\" using \(only.apiVersion): \(render(only.path))"
        } else {
            let lines = conflicts.map { "conflict with \"\($0.manager)\" using \($0.apiVersion): \(render($0.path))" }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        var details = KubernetesStatusError.details(name: name, resource: resource)
        details["causes"] = .array(
            conflicts.map {
                [
                    "reason": "FieldManagerConflict",
                    "message": .string("conflict with \"\($0.manager)\" using \($0.apiVersion)"),
                    "field": .string(render($0.path)),
                ]
            })
        return KubernetesStatusError(code: 409, reason: .conflict, message: message, details: details)
    }
}
