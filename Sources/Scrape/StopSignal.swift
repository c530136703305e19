import Synchronization

/// A one-shot signal that interrupts a loop's sleeps without cancelling the work in progress.
///
/// Graceful shutdown and target removal stop a scrape loop at its next wait, so an in-flight scrape still
/// completes and its samples are delivered.
final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopped = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Sleeps until `deadline`; returns `false` early if the signal is (or becomes) stopped or the task is cancelled.
    func sleep<C: Clock>(until deadline: C.Instant, clock: C) async -> Bool where C.Duration == Duration {
        if isStopped { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await clock.sleep(until: deadline, tolerance: nil)
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                await self.waitForStop()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !isStopped
        }
    }

    private func waitForStop() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.stopped || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
