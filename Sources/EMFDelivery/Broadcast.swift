import Synchronization

/// A wake-up for any number of waiters that cannot be missed: read ``generation`` *before* checking the condition
/// you wait for, then ``wait(after:)`` returns as soon as a ``signal()`` has happened since that read.
/// Continuations are resumed outside the lock (house style §8).
final class Broadcast: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``generation`` differs from `generation`, or the task is cancelled.
    func wait(after generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

extension Clock where Duration == Swift.Duration {
    /// Waits for `broadcast` to signal after `generation`, until `deadline` (forever when `nil`), or cancellation.
    func wait(for broadcast: Broadcast, after generation: UInt64, until deadline: Instant?) async {
        guard let deadline else {
            await broadcast.wait(after: generation)
            return
        }
        guard now < deadline, broadcast.generation == generation else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await broadcast.wait(after: generation) }
            group.addTask { try? await self.sleep(until: deadline, tolerance: nil) }
            await group.next()
            group.cancelAll()
        }
    }
}
