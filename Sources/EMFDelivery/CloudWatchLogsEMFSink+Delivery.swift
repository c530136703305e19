import EMF
import Logging
import Synchronization

extension CloudWatchLogsEMFSink {
    /// Batches `chunk` and sends its batches, up to ``maximumConcurrentRequests`` at once, each until it is resolved
    /// or the task is cancelled (shutdown deadline).
    func deliver(_ chunk: InFlightChunk) async {
        let batching = LogEventBatcher.batches(for: chunk.events, nowMilliseconds: wallClock(), limits: limits)
        if !batching.dropped.isEmpty {
            for reason in LogEventDropReason.allCases {
                metrics.dropped(Self.dropReason(reason), batching.droppedCount(reason))
            }
            logger.debug(
                "Dropped EMF events outside CloudWatch Logs' acceptance window or limits",
                metadata: ["events": "\(batching.dropped.count)"])
            resolved(batching.dropped.map(\.index), in: chunk)
        }
        await withTaskGroup(of: Void.self) { group in
            var batches = batching.batches.makeIterator()
            for _ in 0..<maximumConcurrentRequests {
                guard let batch = batches.next() else { break }
                group.addTask { await self.deliver(batch.events, indices: batch.sourceIndices, of: chunk) }
            }
            while await group.next() != nil {
                if let batch = batches.next() {
                    group.addTask { await self.deliver(batch.events, indices: batch.sourceIndices, of: chunk) }
                }
            }
        }
    }

    static func dropReason(_ reason: LogEventDropReason) -> LogsDropReason {
        switch reason {
        case .tooOld: .tooOld
        case .tooNew: .tooNew
        case .tooLarge, .empty: .invalid
        }
    }

    /// Sends one batch (one stream, sorted) until the service answers it, retrying and provisioning as needed.
    /// `indices` are the events' positions in `chunk`.
    private func deliver(_ events: [EMFLogEvent], indices: [Int], of chunk: InFlightChunk) async {
        guard let first = events.first else { return }
        let group = first.logGroupName
        let stream = first.logStreamName
        var events = events
        var indices = indices
        var attempt = 0
        var provisionedRetries = 0
        while !Task.isCancelled {
            if attempt > 0 {
                // Time passed while retrying: drop what the service would now reject.
                let now = wallClock()
                var keptEvents: [EMFLogEvent] = []
                var keptIndices: [Int] = []
                var droppedIndices: [Int] = []
                for (event, index) in zip(events, indices) {
                    if let reason = limits.verdict(for: event, nowMilliseconds: now) {
                        metrics.dropped(Self.dropReason(reason), 1)
                        droppedIndices.append(index)
                    } else {
                        keptEvents.append(event)
                        keptIndices.append(index)
                    }
                }
                if !droppedIndices.isEmpty {
                    resolved(droppedIndices, in: chunk)
                    events = keptEvents
                    indices = keptIndices
                }
                if events.isEmpty { return }
            }

            var failure: LogsWriteError
            do throws(LogsWriteError) {
                let outcome = try await client.putLogEvents(group: group, stream: stream, events: events)
                record(outcome, events: events, group: group, stream: stream)
                outage.succeeded()
                resolved(indices, in: chunk)
                return
            } catch {
                if Task.isCancelled { return }  // shutdown deadline: the batch stays unresolved
                failure = error
            }
            var error = failure

            if error.code == .resourceNotFound {
                if let provisioningError = await provisioner.provision(group: group, stream: stream) {
                    error = provisioningError
                } else if provisionedRetries < 2 {
                    provisionedRetries += 1
                    continue  // created: retry at once
                }
            }
            if error.code == .invalidParameter {
                if events.count == 1 {
                    metrics.dropped(.invalid, 1)
                    logger.warning(
                        "CloudWatch Logs rejected an event as invalid; dropped it (the rest of its batch is delivered)",
                        metadata: [
                            "aws.log_group": "\(group)", "aws.log_stream": "\(stream)", "error": "\(error)",
                            "event.bytes": "\(events[0].message.count)", "event.timestamp": "\(events[0].timestampMilliseconds)",
                        ])
                    resolved(indices, in: chunk)
                    return
                }
                // Bisect: one bad event must not cost its batch.
                let middle = events.count / 2
                await deliver(Array(events[..<middle]), indices: Array(indices[..<middle]), of: chunk)
                await deliver(Array(events[middle...]), indices: Array(indices[middle...]), of: chunk)
                return
            }

            outage.failed(error, group: group, stream: stream)
            metrics.retry(throttled: error.code == .throttled)
            let delay = Backoff.delay(attempt: attempt, retryable: error.isRetryable)
            attempt += 1
            do {
                try await clock.sleep(for: delay)
            } catch {
                return  // cancelled
            }
        }
    }

    /// Counts an answered PutLogEvents: accepted events and bytes, and rejected ones by reason.
    private func record(_ outcome: PutLogEventsOutcome, events: [EMFLogEvent], group: String, stream: String) {
        var rejectedBefore = 0
        var rejectedFrom = events.count
        if let info = outcome.rejectedLogEventsInfo {
            let counts = info.rejectedCounts(outOf: events.count)
            metrics.rejected(.tooNew, counts.tooNew)
            metrics.rejected(.tooOld, counts.tooOld)
            metrics.rejected(.expired, counts.expired)
            rejectedBefore = counts.tooOld + counts.expired
            rejectedFrom = events.count - counts.tooNew
            if rejectedBefore > 0 || rejectedFrom < events.count {
                logger.debug(
                    "CloudWatch Logs rejected some events of a batch",
                    metadata: [
                        "aws.log_group": "\(group)", "aws.log_stream": "\(stream)", "too_new": "\(counts.tooNew)",
                        "too_old": "\(counts.tooOld)", "expired": "\(counts.expired)",
                    ])
            }
        }
        var bytes = 0
        if rejectedBefore < rejectedFrom {
            for event in events[rejectedBefore..<rejectedFrom] { bytes += event.message.count }
        }
        metrics.sent(events: max(0, rejectedFrom - rejectedBefore), bytes: bytes)
    }
}

/// Exponential backoff with jitter.
enum Backoff {
    /// Retryable failures (throttling, 5xx, transport): full jitter over 200 ms × 2^attempt, capped at 30 s.
    /// Others (credentials, permissions, 4xx): uniform in [d/2, d) with d = 5 s × 2^attempt capped at 5 min, so
    /// a misconfigured agent never spins.
    static func delay(attempt: Int, retryable: Bool) -> Duration {
        let exponent = min(attempt, 20)
        if retryable {
            let ceiling = min(30_000, 200 << exponent)
            return .milliseconds(Int.random(in: 0...ceiling))
        }
        let ceiling = min(300_000, 5_000 << exponent)
        return .milliseconds(Int.random(in: (ceiling / 2)..<ceiling))
    }
}

/// Creates log groups and streams after `ResourceNotFoundException` (reference §2.6): CreateLogGroup (when allowed;
/// "already exists" is success; retention set once when the agent created the group), then CreateLogStream ("already
/// exists" is success). Known groups and streams are cached; CreateLogGroup calls are spaced 200 ms apart (5 TPS)
/// and CreateLogStream 20 ms (50 TPS).
final class Provisioner<C: Clock>: Sendable where C.Duration == Duration {
    private let client: any CloudWatchLogsWriting
    private let createGroups: Bool
    private let retentionInDays: Int?
    private let logger: Logger
    private let metrics: DeliveryMetrics
    private let known = Mutex<(groups: Set<String>, streams: Set<LogStreamKey>)>(([], []))
    private let groupsBeingCreated = Mutex<[String: Task<LogsWriteError?, Never>]>([:])
    private let groupSpacer: RateSpacer<C>
    private let streamSpacer: RateSpacer<C>

    init(
        client: any CloudWatchLogsWriting, clock: C, createGroups: Bool, retentionInDays: Int?, logger: Logger,
        metrics: DeliveryMetrics
    ) {
        self.client = client
        self.createGroups = createGroups
        self.retentionInDays = retentionInDays
        self.logger = logger
        self.metrics = metrics
        self.groupSpacer = RateSpacer(clock: clock, interval: .milliseconds(200))
        self.streamSpacer = RateSpacer(clock: clock, interval: .milliseconds(20))
    }

    /// Makes sure `group` and `stream` exist. Returns `nil` when they do, else the failure to back off on.
    func provision(group: String, stream: String) async -> LogsWriteError? {
        let key = LogStreamKey(group: group, stream: stream)
        let groupKnown = known.withLock { known -> Bool in
            // Known yet reported missing: deleted under us; forget both.
            if known.streams.remove(key) != nil { known.groups.remove(group) }
            return known.groups.contains(group)
        }
        if !groupKnown, createGroups, let error = await ensureGroup(group) { return error }
        if var error = await createStream(group: group, stream: stream) {
            guard error.code == .resourceNotFound else { return error }
            // The group is missing.
            known.withLock { _ = $0.groups.remove(group) }
            guard createGroups else {
                error = LogsWriteError(
                    code: .clientError, message: "log group \(group) does not exist and create_groups is off",
                    awsErrorCode: error.awsErrorCode, httpStatus: error.httpStatus)
                return error
            }
            if let error = await ensureGroup(group) { return error }
            if let error = await createStream(group: group, stream: stream) { return error }
        }
        known.withLock { _ = $0.streams.insert(key) }
        return nil
    }

    private func createStream(group: String, stream: String) async -> LogsWriteError? {
        await streamSpacer.wait()
        do throws(LogsWriteError) {
            try await client.createLogStream(group: group, stream: stream)
            metrics.createdStream()
            logger.debug("Created log stream", metadata: ["aws.log_group": "\(group)", "aws.log_stream": "\(stream)"])
        } catch {
            if error.code != .alreadyExists { return error }
        }
        return nil
    }

    /// Creates `group` unless it is known; concurrent callers for one group share one CreateLogGroup call, so two
    /// streams of a new group never create it twice (nor set its retention twice).
    private func ensureGroup(_ group: String) async -> LogsWriteError? {
        let creation = groupsBeingCreated.withLock { creating -> Task<LogsWriteError?, Never>? in
            if known.withLock({ $0.groups.contains(group) }) { return nil }
            if let running = creating[group] { return running }
            let task = Task { await self.createGroup(group) }
            creating[group] = task
            return task
        }
        guard let creation else { return nil }
        let result = await creation.value
        // `createGroup` marked the group known before finishing, so later callers see it known, not missing.
        groupsBeingCreated.withLock { creating in
            if creating[group] == creation { creating[group] = nil }
        }
        return result
    }

    private func createGroup(_ group: String) async -> LogsWriteError? {
        await groupSpacer.wait()
        do throws(LogsWriteError) {
            try await client.createLogGroup(group)
            metrics.createdGroup()
            logger.info("Created log group", metadata: ["aws.log_group": "\(group)"])
            if let days = retentionInDays {
                do throws(LogsWriteError) {
                    try await client.putRetentionPolicy(group: group, days: days)
                } catch {
                    logger.warning(
                        "Could not set retention on the new log group",
                        metadata: ["aws.log_group": "\(group)", "retention_in_days": "\(days)", "error": "\(error)"])
                }
            }
        } catch {
            if error.code != .alreadyExists { return error }
        }
        known.withLock { _ = $0.groups.insert(group) }
        return nil
    }
}

/// Spaces calls at least `interval` apart (a client-side rate limit).
final class RateSpacer<C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private let interval: Duration
    private let next = Mutex<C.Instant?>(nil)

    init(clock: C, interval: Duration) {
        self.clock = clock
        self.interval = interval
    }

    func wait() async {
        let slot = next.withLock { next -> C.Instant in
            let now = clock.now
            let slot = next.map { max($0, now) } ?? now
            next = slot.advanced(by: interval)
            return slot
        }
        if slot > clock.now { try? await clock.sleep(until: slot, tolerance: nil) }
    }
}

/// Logs an outage once when it starts (and when its kind changes) and once when it ends, not once per retry.
final class OutageReporter: Sendable {
    private struct State {
        var failing = false
        var sinceMilliseconds: Int64 = 0
        var failures = 0
        var lastCode: LogsWriteError.Code?
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let wallClock: @Sendable () -> Int64

    init(logger: Logger, wallClock: @escaping @Sendable () -> Int64) {
        self.logger = logger
        self.wallClock = wallClock
    }

    func failed(_ error: LogsWriteError, group: String, stream: String) {
        let report = state.withLock { state -> Bool in
            state.failures += 1
            defer { state.lastCode = error.code }
            if !state.failing {
                state.failing = true
                state.sinceMilliseconds = wallClock()
                return true
            }
            return state.lastCode != error.code
        }
        guard report else { return }
        let metadata: Logger.Metadata = [
            "error": "\(error)", "error.code": "\(error.code)", "aws.log_group": "\(group)", "aws.log_stream": "\(stream)",
        ]
        if error.isRetryable {
            logger.warning(
                "CloudWatch Logs delivery is failing; retrying with backoff, events are kept (buffer, then spool)",
                metadata: metadata)
        } else {
            logger.error(
                """
                CloudWatch Logs refuses delivery (\(error.code)): \(error.message). Events are kept (buffer, then \
                spool, within their budgets) and retried every few minutes. Check the credentials, the IAM \
                permissions (logs:PutLogEvents, logs:CreateLogGroup, logs:CreateLogStream, logs:PutRetentionPolicy) \
                and the log group and stream names.
                """,
                metadata: metadata)
        }
    }

    func succeeded() {
        let recovered = state.withLock { state -> (failures: Int, seconds: Int64)? in
            guard state.failing else { return nil }
            defer { state = State() }
            return (state.failures, (wallClock() - state.sinceMilliseconds) / 1000)
        }
        guard let recovered else { return }
        logger.notice(
            "CloudWatch Logs delivery recovered",
            metadata: ["failed_attempts": "\(recovered.failures)", "outage_seconds": "\(recovered.seconds)"])
    }
}
