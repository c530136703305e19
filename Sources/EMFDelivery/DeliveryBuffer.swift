import EMF

/// A (log group, log stream) pair.
struct LogStreamKey: Hashable, Sendable {
    var group: String
    var stream: String

    init(_ event: EMFLogEvent) {
        group = event.logGroupName
        stream = event.logStreamName
    }

    init(group: String, stream: String) {
        self.group = group
        self.stream = stream
    }
}

/// The bounded in-memory queue between the pipeline and the sender (pure state; the sink holds it in a `Mutex`).
///
/// Bytes are counted as CloudWatch counts them (message + 26) and include the chunk being sent, so memory stays
/// within `capacity` however long an outage lasts. Tracks, per stream, whether a full batch is waiting, so the
/// sender can flush on size as well as on time.
struct DeliveryBuffer<Instant: InstantProtocol> {
    let capacity: Int
    let limits: LogEventBatchLimits

    private var storage: [EMFLogEvent] = []
    private var head = 0
    /// Pending bytes: buffered and not yet taken by the sender.
    private(set) var pendingBytes = 0
    /// Bytes taken by the sender and not yet delivered or dropped.
    private(set) var inFlightBytes = 0
    private var tallies: [LogStreamKey: (bytes: Int, events: Int)] = [:]
    /// How many streams have a full batch pending.
    private(set) var fullStreams = 0
    /// When the buffer last went from empty to non-empty (the flush-interval clock).
    private(set) var oldestPendingSince: Instant?

    init(capacity: Int, limits: LogEventBatchLimits) {
        self.capacity = capacity
        self.limits = limits
    }

    var pendingCount: Int { storage.count - head }
    var totalBytes: Int { pendingBytes + inFlightBytes }
    var freeBytes: Int { capacity - totalBytes }

    /// Appends `events` (costing `bytes`) if they fit.
    /// - Returns: `nil` when they do not fit; else whether the sender should wake (first pending data, or a batch
    ///   became full).
    mutating func enqueue(_ events: some Collection<EMFLogEvent>, bytes: Int, now: Instant) -> Bool? {
        guard bytes <= freeBytes else { return nil }
        return append(events, bytes: bytes, now: now)
    }

    /// Appends without a capacity check (the caller made room).
    mutating func append(_ events: some Collection<EMFLogEvent>, bytes: Int, now: Instant) -> Bool {
        let wasEmpty = pendingCount == 0
        let fullBefore = fullStreams
        storage.append(contentsOf: events)
        pendingBytes += bytes
        tally(events, sign: 1)
        if wasEmpty, !events.isEmpty { oldestPendingSince = now }
        return (wasEmpty && !events.isEmpty) || fullStreams > fullBefore
    }

    /// Removes the oldest pending events until at least `bytes` are freed (or nothing is pending).
    mutating func removeOldestPending(atLeast bytes: Int) -> [EMFLogEvent] {
        var freed = 0
        var end = head
        while end < storage.count, freed < bytes {
            freed += limits.cost(of: storage[end])
            end += 1
        }
        let removed = Array(storage[head..<end])
        tally(removed, sign: -1)
        pendingBytes -= freed
        head = end
        compact()
        return removed
    }

    /// Moves the oldest pending events, about `maxBytes` of them (at least one), to in-flight.
    mutating func take(maxBytes: Int) -> [EMFLogEvent] {
        var bytes = 0
        var end = head
        while end < storage.count {
            let cost = limits.cost(of: storage[end])
            if end > head, bytes + cost > maxBytes { break }
            bytes += cost
            end += 1
        }
        let taken = Array(storage[head..<end])
        tally(taken, sign: -1)
        pendingBytes -= bytes
        inFlightBytes += bytes
        head = end
        compact()
        return taken
    }

    /// In-flight bytes delivered or dropped.
    mutating func release(bytes: Int) {
        inFlightBytes = max(0, inFlightBytes - bytes)
    }

    /// Everything pending, and forgets in-flight (shutdown).
    mutating func drain() -> [EMFLogEvent] {
        let rest = Array(storage[head...])
        storage = []
        head = 0
        pendingBytes = 0
        inFlightBytes = 0
        tallies = [:]
        fullStreams = 0
        oldestPendingSince = nil
        return rest
    }

    /// Adds (`sign` 1) or removes (-1) `events` in the per-stream tallies. Consecutive events of one stream (the
    /// usual case: a scrape's events share their group and stream) cost one dictionary update together.
    private mutating func tally(_ events: some Collection<EMFLogEvent>, sign: Int) {
        let done: Void? = events.withContiguousStorageIfAvailable { tally($0, sign: sign) }
        if done == nil { tally(Array(events), sign: sign) }
    }

    /// Elements are read in place (borrowed, not copied: an event holds two references).
    private mutating func tally(_ events: UnsafeBufferPointer<EMFLogEvent>, sign: Int) {
        guard !events.isEmpty else { return }
        var runFirst = 0
        var runBytes = 0
        for i in events.indices {
            if i > runFirst, events[i].destination != events[runFirst].destination {
                tally(LogStreamKey(events[runFirst]), bytes: sign * runBytes, events: sign * (i - runFirst))
                runFirst = i
                runBytes = 0
            }
            runBytes += limits.cost(of: events[i])
        }
        tally(LogStreamKey(events[runFirst]), bytes: sign * runBytes, events: sign * (events.count - runFirst))
    }

    private mutating func tally(_ key: LogStreamKey, bytes: Int, events: Int) {
        let old = tallies[key] ?? (0, 0)
        let new = (bytes: old.bytes + bytes, events: old.events + events)
        let wasFull = isFull(old)
        let nowFull = isFull(new)
        if new.events <= 0 { tallies[key] = nil } else { tallies[key] = new }
        if nowFull && !wasFull { fullStreams += 1 }
        if wasFull && !nowFull { fullStreams -= 1 }
    }

    private func isFull(_ tally: (bytes: Int, events: Int)) -> Bool {
        tally.bytes >= limits.maximumBatchBytes || tally.events >= limits.maximumEvents
    }

    private mutating func compact() {
        if head == storage.count {
            storage.removeAll(keepingCapacity: storage.count < 65536)
            head = 0
            oldestPendingSince = nil
        } else if head > 4096, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}
