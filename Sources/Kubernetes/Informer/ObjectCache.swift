import Synchronization

/// The informer's cache: objects by key (`namespace/name`), with indexes (e.g. pods by node) kept up to date.
/// Safe to read from any task while the informer writes.
public final class ObjectCache<Object: KubernetesObject>: Sendable {
    /// Computes the index values of an object (e.g. `[pod.spec.nodeName]`).
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private struct State {
        var objects: [String: Object] = [:]
        var indices: [String: [String: Set<String>]] = [:]
    }

    private let state = Mutex(State())
    private let indexers: [String: IndexFunction]

    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    public func get(_ key: String) -> Object? { state.withLock { $0.objects[key] } }

    public var keys: [String] { state.withLock { Array($0.objects.keys) } }

    public var objects: [Object] { state.withLock { Array($0.objects.values) } }

    public var count: Int { state.withLock { $0.objects.count } }

    /// The objects whose index `name` includes `value`.
    public func objects(index name: String, value: String) -> [Object] {
        state.withLock { state in
            (state.indices[name]?[value] ?? []).compactMap { state.objects[$0] }
        }
    }

    /// Stores `object`; returns the one it replaced.
    @discardableResult
    func upsert(_ object: Object) -> Object? {
        let key = object.key
        return state.withLock { state in
            let old = state.objects.updateValue(object, forKey: key)
            if let old { unindex(old, key: key, in: &state) }
            index(object, key: key, in: &state)
            return old
        }
    }

    /// Removes the object at `key`; returns it.
    @discardableResult
    func remove(_ key: String) -> Object? {
        state.withLock { state in
            guard let old = state.objects.removeValue(forKey: key) else { return nil }
            unindex(old, key: key, in: &state)
            return old
        }
    }

    /// Replaces everything (after a list): returns what was there before.
    func replaceAll(_ objects: [Object]) -> [String: Object] {
        state.withLock { state in
            let old = state.objects
            state = State()
            for object in objects {
                state.objects[object.key] = object
                index(object, key: object.key, in: &state)
            }
            return old
        }
    }

    private func index(_ object: Object, key: String, in state: inout State) {
        for (name, function) in indexers {
            for value in function(object) { state.indices[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ object: Object, key: String, in state: inout State) {
        for (name, function) in indexers {
            for value in function(object) {
                state.indices[name]?[value]?.remove(key)
                if state.indices[name]?[value]?.isEmpty == true { state.indices[name]?[value] = nil }
            }
        }
    }
}
