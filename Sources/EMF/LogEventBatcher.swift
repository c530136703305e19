/// The PutLogEvents limits a batch must obey (reference §2.3). The defaults are the service's.
public struct LogEventBatchLimits: Sendable, Equatable {
    /// Σ (UTF-8 message bytes + ``perEventOverhead``) per request. Default 1,048,576.
    public var maximumBatchBytes: Int
    /// Events per request. Default 10,000.
    public var maximumEvents: Int
    /// Bytes the service adds to each message when it sums a batch. 26.
    public var perEventOverhead: Int
    /// A batch's last timestamp minus its first must be below this. Default 24 h.
    public var maximumSpanMilliseconds: Int64
    /// Events older than now minus this are rejected by the service. Default 14 days.
    public var maximumAgeMilliseconds: Int64
    /// Events newer than now plus this are rejected by the service. Default 2 h.
    public var maximumFutureMilliseconds: Int64

    /// The service's limits.
    public static let cloudWatchLogs = LogEventBatchLimits()

    public init(
        maximumBatchBytes: Int = 1_048_576,
        maximumEvents: Int = 10_000,
        perEventOverhead: Int = 26,
        maximumSpanMilliseconds: Int64 = 24 * 3_600_000,
        maximumAgeMilliseconds: Int64 = 14 * 24 * 3_600_000,
        maximumFutureMilliseconds: Int64 = 2 * 3_600_000
    ) {
        self.maximumBatchBytes = maximumBatchBytes
        self.maximumEvents = maximumEvents
        self.perEventOverhead = perEventOverhead
        self.maximumSpanMilliseconds = maximumSpanMilliseconds
        self.maximumAgeMilliseconds = maximumAgeMilliseconds
        self.maximumFutureMilliseconds = maximumFutureMilliseconds
    }

    /// What `event` costs in a batch: its message bytes plus ``perEventOverhead``.
    @inlinable
    public func cost(of event: EMFLogEvent) -> Int { event.message.count + perEventOverhead }

    /// Why the service would refuse `event` at `nowMilliseconds`, or `nil` when it can be sent.
    public func verdict(for event: EMFLogEvent, nowMilliseconds: Int64) -> LogEventDropReason? {
        if event.message.isEmpty { return .empty }
        if event.message.count + perEventOverhead > maximumBatchBytes { return .tooLarge }
        if event.timestampMilliseconds < nowMilliseconds &- maximumAgeMilliseconds { return .tooOld }
        if event.timestampMilliseconds > nowMilliseconds &+ maximumFutureMilliseconds { return .tooNew }
        return nil
    }
}

/// Why the batcher left an event out: the service would reject it.
public enum LogEventDropReason: String, Sendable, Hashable, CaseIterable {
    /// Older than 14 days (``LogEventBatchLimits/maximumAgeMilliseconds``).
    case tooOld = "too_old"
    /// More than 2 hours in the future (``LogEventBatchLimits/maximumFutureMilliseconds``).
    case tooNew = "too_new"
    /// Larger than a whole batch may be.
    case tooLarge = "too_large"
    /// An empty message (the service requires at least one character).
    case empty = "empty"
}

/// One PutLogEvents request's worth of events: one log group and stream, chronological, within the limits.
public struct LogEventBatch: Sendable, Equatable {
    public var logGroupName: String
    public var logStreamName: String
    /// Sorted by timestamp; among equal timestamps, in input order.
    public var events: [EMFLogEvent]
    /// For each of ``events``, its index in the batcher's input.
    public var sourceIndices: [Int]
    /// Σ (message bytes + 26): what the service counts against the 1,048,576-byte limit.
    public var byteCount: Int

    public init(
        logGroupName: String,
        logStreamName: String,
        events: [EMFLogEvent],
        sourceIndices: [Int],
        byteCount: Int
    ) {
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
        self.events = events
        self.sourceIndices = sourceIndices
        self.byteCount = byteCount
    }
}

/// What ``LogEventBatcher/batches(for:nowMilliseconds:limits:)`` made of its input.
public struct LogEventBatching: Sendable, Equatable {
    /// The requests to send, grouped by (log group, log stream) in order of first appearance.
    public var batches: [LogEventBatch]
    /// Events left out, by index in the input, with the reason.
    public var dropped: [(index: Int, reason: LogEventDropReason)]

    public init(batches: [LogEventBatch] = [], dropped: [(index: Int, reason: LogEventDropReason)] = []) {
        self.batches = batches
        self.dropped = dropped
    }

    /// How many events were left out for `reason`.
    public func droppedCount(_ reason: LogEventDropReason) -> Int {
        dropped.reduce(0) { $0 + ($1.reason == reason ? 1 : 0) }
    }

    public static func == (lhs: LogEventBatching, rhs: LogEventBatching) -> Bool {
        lhs.batches == rhs.batches
            && lhs.dropped.elementsEqual(rhs.dropped) { $0.index == $1.index && $0.reason == $1.reason }
    }
}

/// Groups EMF log events into PutLogEvents requests that the service accepts whole (reference §2.3, §5 item 13).
///
/// Pure: values in, batches out; "now" is a parameter. Rules, per (log group, log stream):
/// * events are stably sorted by timestamp (the service requires chronological order);
/// * a batch closes before Σ (message bytes + 26) would exceed ``LogEventBatchLimits/maximumBatchBytes``, at
///   ``LogEventBatchLimits/maximumEvents`` events, or before its span would reach 24 h;
/// * events the service would reject — older than 14 days, more than 2 h ahead, empty, or larger than a batch — are
///   dropped and reported with their reason, never sent.
public enum LogEventBatcher {
    /// Batches `events`.
    /// - Parameters:
    ///   - events: the events, in any order, for any number of log groups and streams.
    ///   - nowMilliseconds: the wall-clock time (Unix epoch milliseconds) the 14 d / 2 h window is measured from.
    ///   - limits: the limits to obey; the service's by default.
    /// - Returns: the batches and the dropped events.
    public static func batches(
        for events: [EMFLogEvent],
        nowMilliseconds: Int64,
        limits: LogEventBatchLimits = .cloudWatchLogs
    ) -> LogEventBatching {
        var result = LogEventBatching()
        // Streams in order of first appearance; each with the indices of its events.
        var streamIndex: [StreamKey: Int] = [:]
        var streams: [[Int]] = []
        // Consecutive events of one stream (a scrape's events usually share it) skip the dictionary.
        var previous: (destination: EMFLogDestination, position: Int)?
        for (index, event) in events.enumerated() {
            if let reason = limits.verdict(for: event, nowMilliseconds: nowMilliseconds) {
                result.dropped.append((index, reason))
                continue
            }
            if let previous, previous.destination == event.destination {
                streams[previous.position].append(index)
                continue
            }
            let key = StreamKey(group: event.logGroupName, stream: event.logStreamName)
            let position: Int
            if let known = streamIndex[key] {
                position = known
                streams[position].append(index)
            } else {
                position = streams.count
                streamIndex[key] = position
                streams.append([index])
            }
            previous = (event.destination, position)
        }
        for var indices in streams {
            // Usually in order already (a scrape's events share a timestamp): then there is nothing to sort.
            let inOrder = indices.indices.dropFirst().allSatisfy {
                events[indices[$0 - 1]].timestampMilliseconds <= events[indices[$0]].timestampMilliseconds
            }
            if !inOrder {
                // Stable: ties keep input order.
                indices.sort { a, b in
                    let ta = events[a].timestampMilliseconds
                    let tb = events[b].timestampMilliseconds
                    return ta < tb || (ta == tb && a < b)
                }
            }
            appendBatches(of: indices, from: events, limits: limits, to: &result.batches)
        }
        return result
    }

    /// Cuts one stream's sorted events into batches.
    private static func appendBatches(
        of sortedIndices: [Int],
        from events: [EMFLogEvent],
        limits: LogEventBatchLimits,
        to batches: inout [LogEventBatch]
    ) {
        guard let firstIndex = sortedIndices.first else { return }
        var current = LogEventBatch(
            logGroupName: events[firstIndex].logGroupName,
            logStreamName: events[firstIndex].logStreamName,
            events: [],
            sourceIndices: [],
            byteCount: 0
        )
        var firstTimestamp: Int64 = 0
        // Sized for the whole stream, up to a batch: appending then never regrows (and re-retains) the events.
        let firstBatch = Swift.min(sortedIndices.count, limits.maximumEvents)
        current.events.reserveCapacity(firstBatch)
        current.sourceIndices.reserveCapacity(firstBatch)
        for (position, index) in sortedIndices.enumerated() {
            let event = events[index]
            let cost = limits.cost(of: event)
            if !current.events.isEmpty,
                current.events.count >= limits.maximumEvents
                    || current.byteCount + cost > limits.maximumBatchBytes
                    || event.timestampMilliseconds - firstTimestamp >= limits.maximumSpanMilliseconds
            {
                batches.append(current)
                let remaining = Swift.min(sortedIndices.count - position, limits.maximumEvents)
                current.events = []
                current.events.reserveCapacity(remaining)
                current.sourceIndices = []
                current.sourceIndices.reserveCapacity(remaining)
                current.byteCount = 0
            }
            if current.events.isEmpty { firstTimestamp = event.timestampMilliseconds }
            current.events.append(event)
            current.sourceIndices.append(index)
            current.byteCount += cost
        }
        batches.append(current)
    }
}

/// A (log group, log stream) pair.
struct StreamKey: Hashable {
    var group: String
    var stream: String
}
