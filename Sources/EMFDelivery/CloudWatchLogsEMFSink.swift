public import EMF
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers EMF log events to CloudWatch Logs without losing them (reference §5 items 13–16).
///
/// It is both the pipeline's ``EMFEventSink`` and the `Service` whose ``run()`` does all the sending: put it in
/// the agent's `ServiceGroup` *before* the scrape manager, so that at SIGTERM scraping stops first and the sink
/// drains last. Its ``flush()`` waits (up to `shutdown_timeout`) for what is buffered to be delivered.
///
/// * **Buffer and back-pressure.** ``write(_:)`` appends to a bounded memory buffer (`buffer_bytes`). When it is
///   full, `write` suspends — the scrape loop slows down — for up to `write_wait_timeout`; then the oldest buffered
///   events are moved to the disk spool (or, without a spool, dropped and counted `buffer_full`) to make room.
///   Memory never grows past the budget and nothing crashes.
/// * **Batching.** ``LogEventBatcher`` per group and stream; a chunk is sent when a stream has a full batch, when
///   the oldest buffered event has waited `flush_interval`, on ``flush()`` and at shutdown. Up to four requests run
///   at once.
/// * **Retries.** Throttling, 5xx and transport failures: exponential backoff with full jitter (200 ms doubling,
///   capped at 30 s), forever — the data stays buffered (or spooled) meanwhile. Credentials, permissions and other
///   4xx: logged as an error, data kept, retried with a long backoff (5 s doubling to 5 min) rather than spinning.
///   `ResourceNotFoundException`: create the group (if `create_groups`; retention set once when the agent created
///   it) and the stream, "already exists" counting as success, then retry. `InvalidParameterException`: the batch
///   is bisected until the bad event is isolated and dropped; the rest is delivered. Events that age out of the
///   14-day window while waiting are dropped and counted, and `rejectedLogEventsInfo` is counted by reason.
/// * **Spool** (`spool_directory`): see ``DiskSpool``. On start, spooled events are delivered first, in order.
/// * **Shutdown.** On graceful shutdown the sink stops accepting, keeps sending for up to `shutdown_timeout`, then
///   writes what is left to the spool (or counts it dropped, `shutdown`).
/// * **Logs.** One warning when an outage starts and one notice when it ends, not one per retry.
public final class CloudWatchLogsEMFSink<C: Clock>: EMFEventSink, Service where C.Duration == Duration {
    let client: any CloudWatchLogsWriting
    let configuration: LogsDeliveryConfiguration
    let clock: C
    let wallClock: @Sendable () -> Int64
    let logger: Logger
    let metrics = DeliveryMetrics()
    let spool: DiskSpool?
    let limits: LogEventBatchLimits
    /// The most bytes the sender takes from memory at once.
    let chunkBytes: Int
    let maximumConcurrentRequests = 4
    let provisioner: Provisioner<C>
    let outage: OutageReporter

    struct State {
        var buffer: DeliveryBuffer<C.Instant>
        var shuttingDown = false
        var flushRequested = false
        var running = false
        /// The memory chunk being sent (its unresolved events are spooled or dropped at shutdown). It is never evicted:
        /// it is the oldest data and is retried until delivered.
        var inFlight: InFlightChunk?
    }

    let state: Mutex<State>
    /// Signalled when the sender has something to do.
    let senderWake = Broadcast()
    /// Signalled when buffer space is freed, and at shutdown.
    let space = Broadcast()
    /// Signalled once, when graceful shutdown begins.
    let shutdownStarted = Broadcast()

    /// - Parameters:
    ///   - client: the CloudWatch Logs API.
    ///   - configuration: buffer, spool, timing; see ``LogsDeliveryConfiguration``.
    ///   - clock: for flush intervals, backoff and deadlines.
    ///   - wallClockMilliseconds: Unix epoch milliseconds, for the 14 d / 2 h acceptance window.
    ///   - logger: for outage warnings and spool problems.
    /// - Throws: ``SpoolError`` when the spool directory cannot be created or read.
    public init(
        client: any CloudWatchLogsWriting,
        configuration: LogsDeliveryConfiguration = LogsDeliveryConfiguration(),
        clock: C,
        wallClockMilliseconds: @escaping @Sendable () -> Int64 = systemWallClockMilliseconds,
        logger: Logger
    ) throws(SpoolError) {
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClockMilliseconds
        self.logger = logger
        let limits = LogEventBatchLimits(maximumBatchBytes: min(configuration.maxBatchBytes, 1_048_576))
        self.limits = limits
        // At most half the buffer: the other half stays evictable (spilled or dropped oldest-first) while a chunk
        // is stuck in retries.
        self.chunkBytes = max(4096, min(configuration.bufferBytes / 2, 8 << 20))
        self.state = Mutex(State(buffer: DeliveryBuffer(capacity: configuration.bufferBytes, limits: limits)))
        if let directory = configuration.spoolDirectory {
            self.spool = try DiskSpool(
                directory: directory,
                budgetBytes: configuration.spoolBytes,
                logger: logger,
                metrics: metrics
            )
        } else {
            self.spool = nil
        }
        self.provisioner = Provisioner(
            client: client,
            clock: clock,
            createGroups: configuration.createGroups,
            retentionInDays: configuration.retentionInDays,
            logger: logger,
            metrics: metrics
        )
        self.outage = OutageReporter(logger: logger, wallClock: wallClockMilliseconds)
    }

    /// Whether ``run()`` is running.
    var isRunning: Bool { state.withLock { $0.running } }

    /// Counters since creation (the same numbers as the `promwatch_logs_*` metrics).
    public var statistics: LogsDeliveryStatistics { metrics.snapshot }

    // MARK: EMFEventSink

    /// Buffers `events` for delivery; suspends while the buffer is full (at most `write_wait_timeout`).
    public func write(_ events: [EMFLogEvent]) async {
        var bytes = 0
        var invalid = 0
        for event in events {
            let cost = limits.cost(of: event)
            if event.message.isEmpty || cost > limits.maximumBatchBytes {
                invalid += 1
            } else {
                bytes += cost
            }
        }
        // Usually every event is valid: then the array is buffered as it came, not copied event by event.
        let accepted =
            invalid == 0
            ? events
            : events.filter { !$0.message.isEmpty && limits.cost(of: $0) <= limits.maximumBatchBytes }
        if invalid > 0 {
            metrics.dropped(.invalid, invalid)
            logger.debug(
                "Dropped EMF events that can never be sent (empty or larger than a batch)",
                metadata: ["events": "\(invalid)"]
            )
        }
        guard !accepted.isEmpty else { return }

        let deadline = clock.now.advanced(by: configuration.writeWaitTimeout)
        while true {
            let generation = space.generation
            let outcome = state.withLock { state -> WriteOutcome in
                if state.shuttingDown { return .closed }
                if let wake = state.buffer.enqueue(accepted, bytes: bytes, now: clock.now) {
                    return .enqueued(wake: wake)
                }
                return .full
            }
            switch outcome {
            case .enqueued(let wake):
                if wake { senderWake.signal() }
                metrics.bufferBytes(state.withLock { $0.buffer.totalBytes })
                return
            case .closed:
                spoolOrDrop(accepted, reason: .shutdown)
                return
            case .full:
                if clock.now >= deadline || Task.isCancelled {
                    overflow(accepted, bytes: bytes)
                    return
                }
                await clock.wait(for: space, after: generation, until: deadline)
            }
        }
    }

    /// Asks for everything buffered to be sent now and waits until it is delivered (or `shutdown_timeout` passes).
    /// Returns at once when ``run()`` is not running.
    public func flush() async {
        let running = state.withLock { state -> Bool in
            state.flushRequested = true
            return state.running
        }
        senderWake.signal()
        guard running else { return }
        let deadline = clock.now.advanced(by: configuration.shutdownTimeout)
        while clock.now < deadline, !Task.isCancelled {
            let generation = space.generation
            if state.withLock({ $0.buffer.totalBytes == 0 }) { return }
            await clock.wait(for: space, after: generation, until: deadline)
        }
    }

    /// Makes room for `accepted` after the back-pressure wait: spills the oldest buffered events to the spool (or
    /// drops them, counted), then buffers what fits; what still does not fit goes to the spool (or is dropped).
    private func overflow(_ incoming: [EMFLogEvent], bytes: Int) {
        let (evicted, overflowed, wake) = state.withLock { state -> ([EMFLogEvent], ArraySlice<EMFLogEvent>, Bool) in
            let needed = bytes - state.buffer.freeBytes
            // With a spool, spill a good slice at once: one fsync for many events.
            let target = spool != nil ? max(needed, state.buffer.capacity / 4) : needed
            let evicted = state.buffer.removeOldestPending(atLeast: target)
            // Keep the newest of the incoming that fits; the older rest overflows (spool keeps order: evicted first).
            var start = 0
            var remaining = bytes
            while start < incoming.count, remaining > state.buffer.freeBytes {
                remaining -= limits.cost(of: incoming[start])
                start += 1
            }
            let wake = state.buffer.append(incoming[start...], bytes: remaining, now: clock.now)
            return (evicted, incoming[..<start], wake)
        }
        let spilled = evicted + overflowed
        if spool != nil {
            spoolOrDrop(spilled, reason: .bufferFull)
        } else if !spilled.isEmpty {
            metrics.dropped(.bufferFull, spilled.count)
            logger.debug("Buffer full: dropped the oldest events", metadata: ["events": "\(spilled.count)"])
        }
        if wake { senderWake.signal() }
        metrics.bufferBytes(state.withLock { $0.buffer.totalBytes })
    }

    /// Appends to the spool when there is one (and wakes the sender), else counts the events dropped for `reason`.
    func spoolOrDrop(_ events: [EMFLogEvent], reason: LogsDropReason) {
        guard !events.isEmpty else { return }
        guard let spool else {
            metrics.dropped(reason, events.count)
            return
        }
        let result = spool.append(events)
        metrics.spooled(result.spooled)
        metrics.dropped(.spoolBudget, result.droppedForBudget)
        metrics.dropped(.spoolError, result.failed)
        senderWake.signal()
    }

    // MARK: Service

    /// Sends until graceful shutdown, then drains for up to `shutdown_timeout` and spools (or drops) the rest.
    public func run() async throws {
        state.withLock { $0.running = true }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.senderLoop() }
                group.addTask {
                    await self.shutdownStarted.wait(after: 0)
                    guard !Task.isCancelled else { return }
                    try? await self.clock.sleep(for: self.configuration.shutdownTimeout)
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        finishShutdown()
        state.withLock { $0.running = false }
    }

    private func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
        shutdownStarted.signal()
        senderWake.signal()
        space.signal()
    }

    /// After the sender stopped: whatever is still in memory goes to the spool, or is counted dropped.
    private func finishShutdown() {
        let leftovers = state.withLock { state -> [EMFLogEvent] in
            state.shuttingDown = true
            var leftovers = state.inFlight?.unresolvedEvents() ?? []
            state.inFlight = nil
            leftovers += state.buffer.drain()
            return leftovers
        }
        metrics.bufferBytes(0)
        space.signal()
        guard !leftovers.isEmpty else { return }
        if spool != nil {
            spoolOrDrop(leftovers, reason: .shutdown)
            logger.info("Shutdown: undelivered events written to the spool", metadata: ["events": "\(leftovers.count)"])
        } else {
            metrics.dropped(.shutdown, leftovers.count)
            logger.warning(
                "Shutdown: events could not be delivered within shutdown_timeout and there is no spool; dropped",
                metadata: ["events": "\(leftovers.count)"]
            )
        }
    }

    private enum WriteOutcome {
        case enqueued(wake: Bool)
        case closed
        case full
    }

    private enum SenderStep {
        case finished
        case wait(until: C.Instant?)
        case send(InFlightChunk)
    }

    private func senderLoop() async {
        while !Task.isCancelled {
            if let spool, let chunk = spool.nextChunk(maxBytes: chunkBytes) {
                let inFlight = InFlightChunk(spoolChunk: chunk)
                await deliver(inFlight)
                if inFlight.isComplete { spool.complete(chunk) } else { spool.release(chunk) }
                continue
            }
            let generation = senderWake.generation
            let step = state.withLock { state -> SenderStep in
                if state.buffer.pendingCount == 0 {
                    state.flushRequested = false
                    if state.shuttingDown, spool?.hasUnsent != true { return .finished }
                    return .wait(until: nil)
                }
                if !state.shuttingDown, !state.flushRequested, state.buffer.fullStreams == 0,
                    let since = state.buffer.oldestPendingSince
                {
                    let due = since.advanced(by: configuration.flushInterval)
                    if clock.now < due { return .wait(until: due) }
                }
                let chunk = InFlightChunk(memory: state.buffer.take(maxBytes: chunkBytes), limits: limits)
                state.inFlight = chunk
                return .send(chunk)
            }
            switch step {
            case .finished:
                return
            case .wait(let deadline):
                if spool?.hasUnsent == true { continue }
                await clock.wait(for: senderWake, after: generation, until: deadline)
            case .send(let chunk):
                await deliver(chunk)
                if chunk.isComplete {
                    state.withLock { $0.inFlight = nil }
                }
            }
        }
    }

    /// Called by delivery as events are resolved (accepted, rejected or dropped): frees buffer space, or
    /// acknowledges spool records.
    func resolved(_ indices: [Int], in chunk: InFlightChunk) {
        let newly = chunk.resolve(indices)
        guard !newly.isEmpty else { return }
        if let segment = chunk.spoolSegment, let spool {
            spool.acknowledge(segment: segment, records: newly.map { chunk.spoolRecords[$0] })
        } else {
            let bytes = newly.reduce(0) { $0 + limits.cost(of: chunk.events[$1]) }
            let total = state.withLock { state -> Int in
                state.buffer.release(bytes: bytes)
                return state.buffer.totalBytes
            }
            metrics.bufferBytes(total)
            space.signal()
        }
    }
}

extension CloudWatchLogsEMFSink where C == ContinuousClock {
    /// A sink on the system's continuous clock and wall clock.
    public convenience init(
        client: any CloudWatchLogsWriting,
        configuration: LogsDeliveryConfiguration = LogsDeliveryConfiguration(),
        logger: Logger
    ) throws(SpoolError) {
        try self.init(client: client, configuration: configuration, clock: ContinuousClock(), logger: logger)
    }
}

/// The system's real-time clock in Unix epoch milliseconds.
@Sendable public func systemWallClockMilliseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}

/// A chunk the sender is delivering, and which of its events are resolved.
final class InFlightChunk: Sendable {
    let events: [EMFLogEvent]
    let spoolSegment: UInt64?
    let spoolRecords: [Range<Int64>]
    private let resolvedFlags: Mutex<(flags: [Bool], remaining: Int)>

    init(memory events: [EMFLogEvent], limits: LogEventBatchLimits) {
        self.events = events
        self.spoolSegment = nil
        self.spoolRecords = []
        self.resolvedFlags = Mutex(([Bool](repeating: false, count: events.count), events.count))
    }

    init(spoolChunk: SpoolChunk) {
        self.events = spoolChunk.events
        self.spoolSegment = spoolChunk.segment
        self.spoolRecords = spoolChunk.records
        self.resolvedFlags = Mutex(([Bool](repeating: false, count: spoolChunk.events.count), spoolChunk.events.count))
    }

    /// Marks `indices` resolved; returns those that were not already.
    func resolve(_ indices: [Int]) -> [Int] {
        resolvedFlags.withLock { state in
            var newly: [Int] = []
            newly.reserveCapacity(indices.count)
            for index in indices where !state.flags[index] {
                state.flags[index] = true
                newly.append(index)
            }
            state.remaining -= newly.count
            return newly
        }
    }

    var isComplete: Bool { resolvedFlags.withLock { $0.remaining == 0 } }

    func unresolvedEvents() -> [EMFLogEvent] {
        resolvedFlags.withLock { state in
            var out: [EMFLogEvent] = []
            for (index, done) in state.flags.enumerated() where !done { out.append(events[index]) }
            return out
        }
    }
}
