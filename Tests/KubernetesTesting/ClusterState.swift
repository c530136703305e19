import Foundation
public import JSON

/// Where an object lives inside one resource: namespace (`""` for cluster-scoped) and name. Sorted the way etcd keys
/// sort (`/registry/pods/<namespace>/<name>`), which is the order of LIST results.
struct ObjectKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// `namespace/name` or `name`, as used in continue tokens.
    var path: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// One committed write: the unit of the event history (the emulator's etcd revision log).
struct Change: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    var revision: Int
    var resource: GroupResource
    var key: ObjectKey
    var kind: Kind
    /// The object before the write (`nil` for ADDED).
    var old: JSONValue?
    /// The object after the write; for DELETED the final state, stamped with the deletion revision.
    var new: JSONValue
}

/// An event on a watch stream, as sent on the wire: `{"type": …, "object": …}`.
public struct WatchEvent: Sendable, Hashable {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    public var type: String
    public var object: JSONValue

    public init(type: String, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// The wire form.
    public var json: JSONValue { ["type": .string(type), "object": object] }
}

/// What a watch stream carries from the store to the HTTP writer.
enum WatchStreamItem: Sendable {
    case event(WatchEvent)
    /// Drop the connection without ending the chunked response (fault injection).
    case abort
}

/// Namespace plus label and field selectors, as LIST and WATCH apply them.
struct ObjectFilter: Sendable {
    var namespace: String?
    var labelSelector: LabelSelector?
    var fieldSelector: FieldSelector?

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, (object[path: ["metadata", "namespace"]]?.stringValue ?? "") != namespace { return false }
        if let labelSelector {
            var labels: [String: String] = [:]
            for (key, value) in object[path: ["metadata", "labels"]]?.objectValue ?? JSONObject() {
                labels[key] = value.stringValue ?? value.serialized
            }
            if !labelSelector.matches(labels) { return false }
        }
        if let fieldSelector {
            return fieldSelector.matches { field in
                switch object[path: field.jsonPathComponents] {
                case .string(let s)?: return s
                case .bool(let b)?: return b ? "true" : "false"
                case .integer(let i)?: return String(i)
                case nil, .null?: return ""
                case let other?: return other.serialized
                }
            }
        }
        return true
    }
}

/// How a write reached the store; decides status handling and field-manager bookkeeping.
struct WriteOptions: Sendable {
    /// Field manager to record an `Update` entry for; `nil` records nothing (the Swift seeding API).
    var manager: String?
    /// `status` or `scale` for subresource writes.
    var subresource: String?
    /// HTTP writes follow the API server's strategies (status dropped on create, ignored on main-resource update);
    /// the Swift seeding API stores what it is given.
    var fromHTTP: Bool

    static let seed = WriteOptions(manager: nil, subresource: nil, fromHTTP: false)
}

/// The whole emulated cluster: registered resources, objects, the revision counter and history, and the open
/// watches. A value type mutated only inside ``ClusterStore``'s lock, so every write, its history entry and its
/// delivery to watchers happen atomically and in revision order.
struct ClusterState {
    var revision = 0
    /// Watches from (and continue tokens at) a revision below this answer 410 Expired.
    var compactedRevision = 0
    var historyLimit: Int
    private var history: [Change] = []
    private var historyStart = 0
    var definitions: [GroupResource: ResourceDefinition] = [:]
    var objects: [GroupResource: [ObjectKey: JSONValue]] = [:]
    var watchers: [Int: WatcherRecord] = [:]
    var nextWatcherID = 1
    var nextClusterIP = 1
    let clock: @Sendable () -> Date

    struct WatcherRecord {
        var definition: ResourceDefinition
        var version: String
        var filter: ObjectFilter
        var allowBookmarks: Bool
        var continuation: AsyncStream<WatchStreamItem>.Continuation
    }

    init(historyLimit: Int, clock: @escaping @Sendable () -> Date) {
        self.historyLimit = max(1, historyLimit)
        self.clock = clock
        for definition in ResourceDefinition.builtIns { definitions[definition.groupResource] = definition }
    }

    var now: String { clock().formatted(.iso8601) }

    // MARK: Lookup

    func definition(group: String, version: String, resource: String) -> ResourceDefinition? {
        guard let definition = definitions[GroupResource(group: group, resource: resource)],
            definition.versions.contains(version)
        else { return nil }
        return definition
    }

    func definition(apiVersion: String, kind: String) -> ResourceDefinition? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", apiVersion)
        return definitions.values.first { $0.group == group && $0.kind == kind && $0.versions.contains(version) }
    }

    func object(_ resource: GroupResource, _ key: ObjectKey) -> JSONValue? { objects[resource]?[key] }

    /// Sets `apiVersion` for the requested version and keeps `kind`/`apiVersion`/`metadata` first.
    static func render(_ object: JSONValue, _ definition: ResourceDefinition, version: String) -> JSONValue {
        var out = JSONObject()
        out["kind"] = .string(definition.kind)
        out["apiVersion"] = .string(definition.apiVersion(version))
        out["metadata"] = object["metadata"] ?? .emptyObject
        for (key, value) in object.objectValue ?? JSONObject() where out[key] == nil { out[key] = value }
        return .object(out)
    }

    // MARK: Commit and history

    /// Stamps the next revision on `new`, stores (or removes) it, records the change and delivers it to watchers.
    @discardableResult
    mutating func commit(
        _ resource: GroupResource, _ key: ObjectKey, kind: Change.Kind, old: JSONValue?, new: JSONValue
    ) -> JSONValue {
        revision += 1
        var stored = new
        stored[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        if kind == .deleted {
            objects[resource]?[key] = nil
        } else {
            objects[resource, default: [:]][key] = stored
        }
        let change = Change(revision: revision, resource: resource, key: key, kind: kind, old: old, new: stored)
        history.append(change)
        if history.count - historyStart > historyLimit {
            compactedRevision = history[historyStart].revision
            historyStart += 1
        }
        if historyStart > 1024 && historyStart * 2 > history.count {
            history.removeFirst(historyStart)
            historyStart = 0
        }
        deliver(change)
        return stored
    }

    /// Forgets history up to and including `revision` (as etcd compaction does).
    mutating func compact(through revision: Int) {
        let target = min(revision, self.revision)
        guard target > compactedRevision else { return }
        compactedRevision = target
        while historyStart < history.count, history[historyStart].revision <= target { historyStart += 1 }
        history.removeFirst(historyStart)
        historyStart = 0
    }

    /// Changes after `revision`, oldest first; `nil` when compaction has discarded some of them.
    func changes(after revision: Int) -> ArraySlice<Change>? {
        guard revision >= compactedRevision else { return nil }
        let live = history[historyStart...]
        guard let first = live.firstIndex(where: { $0.revision > revision }) else { return live[live.endIndex...] }
        return live[first...]
    }

    /// The objects of `resource` as they were at `revision` (MVCC read), rebuilt by undoing later changes.
    func snapshot(_ resource: GroupResource, at revision: Int) -> [ObjectKey: JSONValue]? {
        guard let later = changes(after: revision) else { return nil }
        var snapshot = objects[resource] ?? [:]
        for change in later.reversed() where change.resource == resource {
            switch change.kind {
            case .added: snapshot[change.key] = nil
            case .modified, .deleted: snapshot[change.key] = change.old
            }
        }
        return snapshot
    }

    // MARK: Watchers

    private func deliver(_ change: Change) {
        for watcher in watchers.values where watcher.definition.groupResource == change.resource {
            if let event = Self.event(for: change, watcher: watcher) {
                watcher.continuation.yield(.event(event))
            }
        }
    }

    /// The event a watcher with selectors sees, following the watch cache: an object that starts matching arrives as
    /// ADDED, one that stops matching as DELETED (carrying its new state), non-matching changes are not sent.
    static func event(for change: Change, watcher: WatcherRecord) -> WatchEvent? {
        let newMatches = watcher.filter.matches(change.new)
        let oldMatches = change.old.map(watcher.filter.matches) ?? false
        let type: String
        switch (change.kind, oldMatches, newMatches) {
        case (.added, _, true): type = "ADDED"
        case (.modified, true, true): type = "MODIFIED"
        case (.modified, false, true): type = "ADDED"
        case (.modified, true, false): type = "DELETED"
        case (.deleted, true, _), (.deleted, _, true): type = "DELETED"
        default: return nil
        }
        return WatchEvent(type: type, object: render(change.new, watcher.definition, version: watcher.version))
    }

    func bookmark(for watcher: WatcherRecord, initialEventsEnd: Bool = false) -> WatchEvent {
        var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return WatchEvent(
            type: "BOOKMARK",
            object: [
                "kind": .string(watcher.definition.kind),
                "apiVersion": .string(watcher.definition.apiVersion(watcher.version)), "metadata": metadata,
            ])
    }
}
