import Metrics
import Synchronization

/// Why delivery gave up on events (the `reason` label of `promwatch_logs_dropped_events_total`).
public enum LogsDropReason: String, Sendable, Hashable, CaseIterable {
    /// The memory buffer was full, the write waited `write_wait_timeout`, and there is no spool: oldest dropped.
    case bufferFull = "buffer_full"
    /// The spool was over `spool_bytes`: its oldest segment was dropped.
    case spoolBudget = "spool_budget"
    /// The spool could not be written (disk full, IO error).
    case spoolError = "spool_error"
    /// Older than 14 days when it was due to be sent.
    case tooOld = "too_old"
    /// More than 2 hours ahead when it was due to be sent.
    case tooNew = "too_new"
    /// Rejected as invalid: empty, larger than a batch, or isolated by bisection after `InvalidParameterException`.
    case invalid = "invalid"
    /// Left at shutdown with no spool to keep it.
    case shutdown = "shutdown"
}

/// Why the service rejected events it otherwise accepted (`rejectedLogEventsInfo`).
public enum LogsRejectReason: String, Sendable, Hashable, CaseIterable {
    case tooNew = "too_new"
    case tooOld = "too_old"
    case expired = "expired"
}

/// Delivery counters since the sink was created (the same numbers as its swift-metrics metrics).
public struct LogsDeliveryStatistics: Sendable, Equatable {
    /// Events the service accepted (rejected ones not included).
    public var eventsSent = 0
    /// Message bytes of accepted events.
    public var bytesSent = 0
    /// Successful PutLogEvents calls.
    public var batchesSent = 0
    /// Failed calls that were retried.
    public var retries = 0
    /// `ThrottlingException`s.
    public var throttles = 0
    /// Events rejected inside successful responses.
    public var rejected: [LogsRejectReason: Int] = [:]
    /// Events given up on.
    public var dropped: [LogsDropReason: Int] = [:]
    /// Events written to the spool.
    public var eventsSpooled = 0
    /// Bytes of spool found corrupt (torn writes) and skipped.
    public var spoolCorruptBytes = 0
    /// Log groups and streams created.
    public var groupsCreated = 0
    public var streamsCreated = 0
    /// Buffered bytes now (pending and being sent).
    public var bufferBytes = 0
    /// Spool bytes on disk now.
    public var spoolBytes = 0

    public init() {}

    public func dropped(_ reason: LogsDropReason) -> Int { dropped[reason, default: 0] }
    public func rejected(_ reason: LogsRejectReason) -> Int { rejected[reason, default: 0] }
    public var droppedTotal: Int { dropped.values.reduce(0, +) }
}

/// Records delivery metrics through swift-metrics (registered once, at creation) and keeps the same numbers as
/// ``LogsDeliveryStatistics``.
final class DeliveryMetrics: Sendable {
    private let statistics = Mutex(LogsDeliveryStatistics())
    private let eventsSent = Counter(label: "promwatch_logs_events_sent_total")
    private let bytesSent = Counter(label: "promwatch_logs_bytes_sent_total")
    private let batches = Counter(label: "promwatch_logs_batches_total")
    private let retriesCounter = Counter(label: "promwatch_logs_retries_total")
    private let throttlesCounter = Counter(label: "promwatch_logs_throttles_total")
    private let spooled = Counter(label: "promwatch_logs_spooled_events_total")
    private let spoolCorrupt = Counter(label: "promwatch_logs_spool_corrupt_bytes_total")
    private let groupsCreated = Counter(label: "promwatch_logs_resources_created_total", dimensions: [("resource", "log_group")])
    private let streamsCreated = Counter(label: "promwatch_logs_resources_created_total", dimensions: [("resource", "log_stream")])
    private let rejectedCounters: [LogsRejectReason: Counter]
    private let droppedCounters: [LogsDropReason: Counter]
    private let bufferGauge = Gauge(label: "promwatch_logs_buffer_bytes")
    private let spoolGauge = Gauge(label: "promwatch_logs_spool_bytes")

    init() {
        var rejected: [LogsRejectReason: Counter] = [:]
        for reason in LogsRejectReason.allCases {
            rejected[reason] = Counter(label: "promwatch_logs_rejected_events_total", dimensions: [("reason", reason.rawValue)])
        }
        rejectedCounters = rejected
        var dropped: [LogsDropReason: Counter] = [:]
        for reason in LogsDropReason.allCases {
            dropped[reason] = Counter(label: "promwatch_logs_dropped_events_total", dimensions: [("reason", reason.rawValue)])
        }
        droppedCounters = dropped
    }

    var snapshot: LogsDeliveryStatistics { statistics.withLock { $0 } }

    func sent(events: Int, bytes: Int) {
        eventsSent.increment(by: events)
        bytesSent.increment(by: bytes)
        batches.increment()
        statistics.withLock {
            $0.eventsSent += events
            $0.bytesSent += bytes
            $0.batchesSent += 1
        }
    }

    func retry(throttled: Bool) {
        retriesCounter.increment()
        if throttled { throttlesCounter.increment() }
        statistics.withLock {
            $0.retries += 1
            if throttled { $0.throttles += 1 }
        }
    }

    func rejected(_ reason: LogsRejectReason, _ count: Int) {
        guard count > 0 else { return }
        rejectedCounters[reason]?.increment(by: count)
        statistics.withLock { $0.rejected[reason, default: 0] += count }
    }

    func dropped(_ reason: LogsDropReason, _ count: Int) {
        guard count > 0 else { return }
        droppedCounters[reason]?.increment(by: count)
        statistics.withLock { $0.dropped[reason, default: 0] += count }
    }

    func spooled(_ count: Int) {
        guard count > 0 else { return }
        spooled.increment(by: count)
        statistics.withLock { $0.eventsSpooled += count }
    }

    func spoolCorrupt(bytes: Int) {
        guard bytes > 0 else { return }
        spoolCorrupt.increment(by: bytes)
        statistics.withLock { $0.spoolCorruptBytes += bytes }
    }

    func createdGroup() {
        groupsCreated.increment()
        statistics.withLock { $0.groupsCreated += 1 }
    }

    func createdStream() {
        streamsCreated.increment()
        statistics.withLock { $0.streamsCreated += 1 }
    }

    func bufferBytes(_ bytes: Int) {
        bufferGauge.record(bytes)
        statistics.withLock { $0.bufferBytes = bytes }
    }

    func spoolBytes(_ bytes: Int) {
        spoolGauge.record(bytes)
        statistics.withLock { $0.spoolBytes = bytes }
    }
}
