public import NIOCore
import Synchronization

/// A monotonic clock whose sleeps are timers of a SwiftNIO event loop.
///
/// `ContinuousClock.sleep` arms a libdispatch timer: every wake-up passes through dispatch's timer-manager thread
/// and a worker thread before the task runs again on the executor. With a scrape loop per target waking every
/// interval, those hops cost more than the timers themselves. An event loop's timer fires on the loop's own thread
/// (its `epoll_wait` deadline), which is also where the agent's tasks run once NIO is the global executor.
///
/// Instants are `ContinuousClock`'s (`CLOCK_MONOTONIC`, like `NIODeadline`), so the two clocks agree.
public struct EventLoopClock: Clock {
    public typealias Instant = ContinuousClock.Instant
    public typealias Duration = Swift.Duration

    private let eventLoopGroup: any EventLoopGroup

    /// - Parameter eventLoopGroup: each sleep arms its timer on the group's loop the caller runs on (or any other).
    public init(eventLoopGroup: any EventLoopGroup) {
        self.eventLoopGroup = eventLoopGroup
    }

    public var now: Instant { .now }

    public var minimumResolution: Duration { ContinuousClock().minimumResolution }

    /// Sleeps until `deadline` (at once if it has passed); throws `CancellationError` when the task is cancelled,
    /// and then releases the timer.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let remaining = Instant.now.duration(to: deadline)
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let delay: TimeAmount =
            nanoseconds.overflow
            ? .nanoseconds(.max) : .nanoseconds(nanoseconds.partialValue &+ attoseconds / 1_000_000_000)

        let timer = SleepTimer()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // `any()` is the loop the caller runs on when it runs on one of the group's: the task then wakes
                // where it slept, and a scrape loop stays on its connection's loop without hopping threads.
                let scheduled = eventLoopGroup.any().scheduleTask(in: delay) {}
                scheduled.futureResult.whenComplete { result in
                    switch result {
                    case .success: continuation.resume()
                    case .failure: continuation.resume(throwing: CancellationError())
                    }
                }
                timer.arm(scheduled)
            }
        } onCancel: {
            timer.cancel()
        }
    }
}

/// The timer of one sleep, cancellable before or after it is armed (the cancellation handler can run first).
private final class SleepTimer: Sendable {
    private enum State {
        case idle
        case armed(Scheduled<Void>)
        case cancelled
    }
    private let state = Mutex(State.idle)

    func arm(_ scheduled: Scheduled<Void>) {
        let cancelNow = state.withLock { state -> Bool in
            if case .cancelled = state { return true }
            state = .armed(scheduled)
            return false
        }
        if cancelNow { scheduled.cancel() }
    }

    func cancel() {
        let armed = state.withLock { state -> Scheduled<Void>? in
            defer { state = .cancelled }
            if case .armed(let scheduled) = state { return scheduled }
            return nil
        }
        armed?.cancel()
    }
}
