import Foundation
import JSON
import Synchronization

/// The lock around ``ClusterState``. Every operation runs entirely inside the lock, including the yields to watcher
/// streams (non-blocking), which is what keeps events in revision order with none lost under concurrent writers.
final class ClusterStore: Sendable {
    private let state: Mutex<ClusterState>

    init(historyLimit: Int, clock: @escaping @Sendable () -> Date) {
        state = Mutex(ClusterState(historyLimit: historyLimit, clock: clock))
    }

    /// Runs `body` atomically on the state.
    func withState<T: Sendable>(
        _ body: (inout ClusterState) throws(KubernetesStatusError) -> T
    ) throws(KubernetesStatusError) -> T {
        try state.withLock { (state: inout ClusterState) throws(KubernetesStatusError) -> T in try body(&state) }
    }

    /// Runs `body` atomically on the state (non-throwing).
    func read<T: Sendable>(_ body: (inout ClusterState) -> T) -> T {
        state.withLock { body(&$0) }
    }

    /// Queues a BOOKMARK at the current revision for watcher `id` (if it still exists).
    func bookmark(_ id: Int) {
        state.withLock { state in
            guard let watcher = state.watchers[id] else { return }
            watcher.continuation.yield(.event(state.bookmark(for: watcher)))
        }
    }

    /// Ends watcher `id`'s stream cleanly, optionally after a final BOOKMARK (sent just before the server-side
    /// timeout, as the API server does for watchers that allow bookmarks).
    func finishWatcher(_ id: Int, finalBookmark: Bool) {
        state.withLock { state in
            guard let watcher = state.watchers.removeValue(forKey: id) else { return }
            if finalBookmark { watcher.continuation.yield(.event(state.bookmark(for: watcher))) }
            watcher.continuation.finish()
        }
    }

    /// Removes watcher `id` after its connection ended.
    func removeWatcher(_ id: Int) {
        let removed = state.withLock { $0.watchers.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Makes every open watch drop its connection abruptly (no terminating chunk). Returns how many there were.
    @discardableResult
    func abortAllWatchers() -> Int {
        state.withLock { state in
            let all = state.watchers
            state.watchers = [:]
            for watcher in all.values {
                watcher.continuation.yield(.abort)
                watcher.continuation.finish()
            }
            return all.count
        }
    }

    /// Ends every open watch cleanly (shutdown).
    func finishAllWatchers() {
        state.withLock { state in
            for watcher in state.watchers.values { watcher.continuation.finish() }
            state.watchers = [:]
        }
    }
}
