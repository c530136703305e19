public import ServiceLifecycle
import Synchronization
public import DequeModule

/// client-go's rate limiter for retries: per item, 5 ms doubling to 1000 s, under an overall token bucket of 10 per
/// second with a burst of 100; an item waits the longer of the two.
public struct RetryRateLimiter: Sendable {
    public var baseDelay: Duration = .milliseconds(5)
    public var maximumDelay: Duration = .seconds(1000)
    public var bucketRate: Double = 10
    public var bucketBurst: Double = 100
    private var failures: [AnyHashableSendable: Int] = [:]
    private var tokens: Double
    private var lastRefill: Duration?

    public init() { tokens = bucketBurst }

    /// The delay before retrying `item` at `now` (a time since any fixed origin), counting this failure.
    public mutating func delay(for item: some Hashable & Sendable, now: Duration) -> Duration {
        let key = AnyHashableSendable(item)
        let count = failures[key, default: 0]
        failures[key] = count + 1
        // 5 ms × 2^count, without overflowing for long failure streaks.
        let perItem = count >= 40 ? maximumDelay : min(maximumDelay, baseDelay * Double(1 << UInt64(min(count, 62))))
        return max(perItem, bucketDelay(now: now))
    }

    /// Forgets `item`'s failures (after it succeeded).
    public mutating func forget(_ item: some Hashable & Sendable) { failures[AnyHashableSendable(item)] = nil }

    /// Failures counted for `item`.
    public func failureCount(_ item: some Hashable & Sendable) -> Int { failures[AnyHashableSendable(item), default: 0] }

    private mutating func bucketDelay(now: Duration) -> Duration {
        if let lastRefill {
            let elapsed = Double((now - lastRefill).components.seconds) + Double((now - lastRefill).components.attoseconds) / 1e18
            tokens = min(bucketBurst, tokens + max(0, elapsed) * bucketRate)
        }
        lastRefill = now
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .seconds(-tokens / bucketRate)
    }
}

/// A `Hashable` box that is `Sendable`.
struct AnyHashableSendable: Hashable, @unchecked Sendable {
    // Only ever built from `Hashable & Sendable` values.
    let value: AnyHashable
    init(_ value: some Hashable & Sendable) { self.value = AnyHashable(value) }
}

/// The state of a ``WorkQueue``: client-go's "stingy" queue. An item is queued at most once (`dirty`), and an item
/// being processed is not handed out again until `done`; if it was added meanwhile it is queued again then.
public struct WorkQueueState<Item: Hashable & Sendable>: Sendable {
    public private(set) var queue: Deque<Item> = []
    public private(set) var dirty: Set<Item> = []
    public private(set) var processing: Set<Item> = []
    public private(set) var isShuttingDown = false

    public init() {}

    /// Queues `item` unless it is already queued; returns whether a waiting worker should be woken.
    public mutating func add(_ item: Item) -> Bool {
        guard !isShuttingDown, dirty.insert(item).inserted else { return false }
        if processing.contains(item) { return false }  // queued again by `done`
        queue.append(item)
        return true
    }

    /// The next item to process, now marked processing.
    public mutating func next() -> Item? {
        guard let item = queue.popFirst() else { return nil }
        processing.insert(item)
        dirty.remove(item)
        return item
    }

    /// Ends processing of `item`; returns whether it was re-added meanwhile (and is queued again).
    public mutating func done(_ item: Item) -> Bool {
        processing.remove(item)
        guard dirty.contains(item) else { return false }
        queue.append(item)
        return true
    }

    public mutating func shutDown() { isShuttingDown = true }

    public var count: Int { queue.count }
}

/// A deduplicating work queue with delayed and rate-limited adds, for level-based controllers: keys go in from
/// informer handlers, workers take them with ``next()``, and must call ``done(_:)``; failures are retried with
/// ``addRateLimited(_:)`` and successes ``forget(_:)`` their failure count.
///
/// `run()` (a `Service`) waits out delayed adds as child tasks; ``shutDown()`` makes ``next()`` return `nil` once
/// the queue is drained.
public final class WorkQueue<Item: Hashable & Sendable>: ServiceLifecycle.Service, Sendable {
    private struct Shared {
        var state = WorkQueueState<Item>()
        var limiter = RetryRateLimiter()
        var waiters: Deque<CheckedContinuation<Item?, Never>> = []
    }

    private let shared = Mutex(Shared())
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let delayed: AsyncStream<(Item, Duration)>
    private let delayedInput: AsyncStream<(Item, Duration)>.Continuation

    public init<C: Clock>(clock: C = ContinuousClock()) where C.Duration == Duration {
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
        self.sleep = { try await clock.sleep(for: $0, tolerance: nil) }
        (delayed, delayedInput) = AsyncStream.makeStream(of: (Item, Duration).self)
    }

    /// Queues `item` now.
    public func add(_ item: Item) {
        // A waiting worker gets the oldest queued item (taken under the lock), resumed outside it.
        let handOff = shared.withLock { shared -> (CheckedContinuation<Item?, Never>, Item)? in
            guard shared.state.add(item), !shared.waiters.isEmpty, let next = shared.state.next() else { return nil }
            return (shared.waiters.removeFirst(), next)
        }
        if let (waiter, next) = handOff { waiter.resume(returning: next) }
    }

    /// Queues `item` after `delay` (once `run()` is running).
    public func add(_ item: Item, after delay: Duration) {
        if delay <= .zero { return add(item) }
        delayedInput.yield((item, delay))
    }

    /// Queues `item` after its retry delay (``RetryRateLimiter``); returns the delay.
    @discardableResult
    public func addRateLimited(_ item: Item) -> Duration {
        let now = elapsed()
        let delay = shared.withLock { $0.limiter.delay(for: item, now: now) }
        add(item, after: delay)
        return delay
    }

    /// Forgets `item`'s failures.
    public func forget(_ item: Item) { shared.withLock { $0.limiter.forget(item) } }

    /// Failures of `item` since it was last forgotten.
    public func failureCount(_ item: Item) -> Int { shared.withLock { $0.limiter.failureCount(item) } }

    /// The next item, waiting for one; `nil` once shut down and drained.
    public func next() async -> Item? {
        await withCheckedContinuation { continuation in
            let ready = shared.withLock { shared -> (Bool, Item?) in
                if let item = shared.state.next() { return (true, item) }
                if shared.state.isShuttingDown { return (true, nil) }
                shared.waiters.append(continuation)
                return (false, nil)
            }
            if ready.0 { continuation.resume(returning: ready.1) }
        }
    }

    /// Ends processing of `item` (queues it again if it was added meanwhile).
    public func done(_ item: Item) {
        let waiter = shared.withLock { shared -> (CheckedContinuation<Item?, Never>, Item)? in
            guard shared.state.done(item), !shared.waiters.isEmpty, let next = shared.state.next() else { return nil }
            return (shared.waiters.removeFirst(), next)
        }
        if let (continuation, next) = waiter { continuation.resume(returning: next) }
    }

    /// Stops handing out items once the queue is empty; waiting workers get `nil`.
    public func shutDown() {
        let waiters = shared.withLock { shared -> Deque<CheckedContinuation<Item?, Never>> in
            shared.state.shutDown()
            guard shared.state.count == 0 else { return [] }
            defer { shared.waiters = [] }
            return shared.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        delayedInput.finish()
    }

    /// Items queued (not processing, not delayed).
    public var count: Int { shared.withLock { $0.state.count } }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for await (item, delay) in delayed.cancelOnGracefulShutdown() {
                group.addTask { [sleep] in
                    guard (try? await sleep(delay)) != nil else { return }
                    self.add(item)
                }
            }
            group.cancelAll()
        }
        shutDown()
    }
}
