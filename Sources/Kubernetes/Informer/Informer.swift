public import Logging
public import ServiceLifecycle
import Synchronization

/// A change the informer saw, after its cache was updated.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)
}

/// Keeps an ``ObjectCache`` in step with the API server the way client-go's reflector does: list (in pages), then
/// watch from the list's resourceVersion with bookmarks and a 5–10 min server-side timeout, resume after each
/// timeout or break from the last version seen, relist on 410 Gone, and back off 0.8 s → 30 s on errors.
///
/// `handler` is called for every change in order, after the cache holds it. After a relist it gets the difference
/// from what the cache held (added, updated, deleted), so handlers can be level-based.
public final class Informer<Object: KubernetesObject>: ServiceLifecycle.Service, Sendable {
    public let cache: ObjectCache<Object>
    private let client: KubernetesClient
    private let namespace: String?
    private let labelSelector: String?
    private let fieldSelector: String?
    private let pageSize: Int
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger
    private let handler: @Sendable (InformerEvent<Object>) async -> Void
    private let synced = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// - Parameters:
    ///   - namespace: one namespace, or `nil` for all.
    ///   - labelSelector, fieldSelector: what to watch (e.g. `spec.nodeName=node-1` for a DaemonSet agent).
    ///   - indexers: indexes the cache keeps (``ObjectCache/objects(index:value:)``).
    ///   - pageSize: items per list page.
    public init(
        client: KubernetesClient, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        indexers: [String: ObjectCache<Object>.IndexFunction] = [:], pageSize: Int = 500,
        clock: some Clock<Duration> = ContinuousClock(), logger: Logger,
        handler: @escaping @Sendable (InformerEvent<Object>) async -> Void = { _ in }
    ) {
        self.cache = ObjectCache(indexers: indexers)
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.sleep = { try await clock.sleep(for: $0, tolerance: nil) }
        var logger = logger
        logger[metadataKey: "kubernetes.resource"] = "\(Object.resourceType)"
        self.logger = logger
        self.handler = handler
    }

    /// Whether the first list has been stored.
    public var hasSynced: Bool { synced.withLock { $0.done } }

    /// Returns once the first list has been stored (or at once if it has).
    public func waitUntilSynced() async {
        await withCheckedContinuation { continuation in
            let done = synced.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    public func run() async throws {
        var backoff = ExponentialBackoff()
        while !Task.isCancelled {
            let version: String
            do {
                version = try await relist()
                backoff.reset()
            } catch {
                let delay = backoff.next()
                logger.warning("List failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try await sleep(error: error, delay)
                continue
            }
            try await watchLoop(from: version, backoff: &backoff)
        }
    }

    /// Lists everything and replaces the cache; returns the list's resourceVersion.
    private func relist() async throws(KubernetesError) -> String {
        let list = try await client.listAll(
            Object.resourceType, namespace: namespace,
            options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize), of: Object.self)
        let previous = cache.replaceAll(list.items)
        var seen = Set<String>()
        for object in list.items {
            let key = object.key
            seen.insert(key)
            if let old = previous[key] {
                if old.metadata.resourceVersion != object.metadata.resourceVersion { await handler(.updated(old: old, new: object)) }
            } else {
                await handler(.added(object))
            }
        }
        for (key, old) in previous where !seen.contains(key) { await handler(.deleted(old)) }
        let waiters = synced.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("Listed", metadata: ["count": "\(list.items.count)", "resource_version": "\(list.metadata.resourceVersion ?? "")"])
        return list.metadata.resourceVersion ?? "0"
    }

    /// Watches from `version` until a 410 (return: relist) or cancellation; resumes after timeouts and errors.
    private func watchLoop(from version: String, backoff: inout ExponentialBackoff) async throws {
        var version = version
        while !Task.isCancelled {
            do {
                try await client.watch(
                    Object.resourceType, namespace: namespace,
                    options: WatchOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: version),
                    of: Object.self
                ) { event in
                    version = await self.apply(event) ?? version
                }
                backoff.reset()  // a clean end (the server-side timeout): watch again at once
            } catch let error as KubernetesError where error.code == .gone {
                logger.info("Watch expired (410); relisting", metadata: ["resource_version": "\(version)"])
                return
            } catch let error as KubernetesError {
                let delay = backoff.next()
                logger.warning("Watch failed; resuming", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try await sleep(error: error, delay)
            }
        }
    }

    /// Applies a watch event to the cache and tells the handler; returns the resourceVersion it carries.
    private func apply(_ event: WatchEvent<Object>) async -> String? {
        switch event {
        case .bookmark(let version):
            return version.isEmpty ? nil : version
        case .added(let object), .modified(let object):
            if let old = cache.upsert(object) {
                await handler(.updated(old: old, new: object))
            } else {
                await handler(.added(object))
            }
            return object.metadata.resourceVersion
        case .deleted(let object):
            let old = cache.remove(object.key)
            await handler(.deleted(old ?? object))
            return object.metadata.resourceVersion
        }
    }

    /// Waits `delay`, or what the server asked for (429 `Retry-After`) if longer.
    private func sleep(error: KubernetesError, _ delay: Duration) async throws {
        let requested = error.retryAfterSeconds.map { Duration.seconds($0) } ?? .zero
        try await sleep(max(delay, requested))
    }
}
