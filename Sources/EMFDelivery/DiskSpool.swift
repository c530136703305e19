import EMF
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Spooled events handed to the sender: consecutive records of one segment, minus those already acknowledged.
struct SpoolChunk: Sendable {
    /// The segment the records are in.
    let segment: UInt64
    /// The offset just past the chunk's last record; the cursor moves here when the chunk is complete.
    let endOffset: Int64
    /// The events, in spool order.
    var events: [EMFLogEvent]
    /// For each event, its record's bytes in the segment (what ``DiskSpool/acknowledge(segment:records:)`` takes).
    var records: [Range<Int64>]
}

/// An append-only, checksummed, crash-tolerant on-disk queue of EMF log events (format: ``SpoolFormat``).
///
/// **Durability (fsync policy).** Each ``append(_:)`` writes its records and fsyncs the segment before returning;
/// a new segment's directory entry is fsynced when it is created. The acknowledgment file is replaced atomically
/// (write `ack.tmp`, fsync, rename, fsync the directory) on every acknowledgment. A crash can therefore lose only
/// the append in progress, which shows up at the next start as a torn tail and is skipped and counted.
///
/// **No loss, no duplicates.** Events reach the spool before the memory that held them is released. The sender
/// reads one chunk at a time from the cursor; after each PutLogEvents that the service answered (accepted or
/// rejected) — and for each event dropped on purpose — the events' record ranges are acknowledged and the ack file
/// rewritten *before* anything else happens. When every record of a chunk is acknowledged the cursor moves past it,
/// and a segment whose end the cursor has passed is deleted (cursor first, then the file). On start, records before
/// the cursor and inside acknowledged ranges are never read again, so a restart in the middle of a chunk resends
/// only what the service never acknowledged. The one unavoidable window: a process killed between a PutLogEvents
/// response and the ack write (microseconds) resends that one batch — PutLogEvents has no idempotency key.
///
/// **Budget.** The files' total size stays within `budgetBytes`: before an append would exceed it, the oldest
/// segment not currently being sent is deleted and its unsent events counted (`spool_budget`) and logged.
///
/// Thread-safe; blocking IO under one lock (appends happen on overflow and at shutdown, reads on the sender).
final class DiskSpool: Sendable {
    struct Segment {
        var number: UInt64
        /// The end of the last valid record.
        var validEnd: Int64
        /// The size on disk (counts against the budget).
        var fileSize: Int64
        var records: Int
        /// Records delivered or dropped on purpose (before the cursor or acknowledged).
        var resolved: Int
    }

    struct State {
        /// Ascending by number; the active (appendable) segment, when open, is the last.
        var segments: [Segment] = []
        var activeFD: Int32?
        var cursorSegment: UInt64 = 0
        var cursorOffset: Int64 = Int64(SpoolFormat.segmentHeaderSize)
        /// Acknowledged record ranges in the cursor's segment beyond the cursor; sorted, merged.
        var acked: [Range<Int64>] = []
        /// The segment of the chunk being sent; never dropped for the budget.
        var pinned: UInt64?
        var nextSegmentNumber: UInt64 = 0

        var totalBytes: Int64 { segments.reduce(0) { $0 + $1.fileSize } }
    }

    struct AppendResult: Equatable {
        var spooled = 0
        /// Events lost to the budget: in dropped segments, or incoming events that could not fit at all.
        var droppedForBudget = 0
        /// Events that could not be written (IO error) or encoded.
        var failed = 0
    }

    let directory: String
    let budgetBytes: Int64
    let segmentBytes: Int64
    private let logger: Logger
    private let metrics: DeliveryMetrics
    private let state: Mutex<State>

    private static let header = Int64(SpoolFormat.segmentHeaderSize)

    /// Opens (creating if needed) the spool in `directory`, validates every segment and loads the cursor.
    /// - Throws: ``SpoolError`` when the directory cannot be created or read.
    init(directory: String, budgetBytes: Int, logger: Logger, metrics: DeliveryMetrics) throws(SpoolError) {
        self.directory = directory
        self.budgetBytes = Int64(budgetBytes)
        self.segmentBytes = max(4096, min(64 << 20, Int64(budgetBytes) / 16))
        self.logger = logger
        self.metrics = metrics
        try SpoolFileSystem.makeDirectory(directory)
        let names = try SpoolFileSystem.listDirectory(directory)
        var numbers = names.compactMap(SpoolFormat.segmentNumber(fileName:)).sorted()
        if names.contains("ack.tmp") { SpoolFileSystem.remove(directory + "/ack.tmp") }

        var initial = State()
        let ackPath = directory + "/ack"
        if names.contains("ack") {
            if let ack = Self.loadAck(path: ackPath) {
                initial.cursorSegment = ack.segment
                initial.cursorOffset = ack.offset
                initial.acked = ack.ranges
            } else {
                logger.warning(
                    "Spool acknowledgment file is corrupt; resending everything spooled (duplicates possible)",
                    metadata: ["spool.directory": "\(directory)"])
                initial.cursorSegment = numbers.first ?? 0
            }
        } else {
            initial.cursorSegment = numbers.first ?? 0
        }
        // Segments before the cursor were delivered; a crash may have left them behind.
        for number in numbers where number < initial.cursorSegment {
            SpoolFileSystem.remove(directory + "/" + SpoolFormat.segmentFileName(number))
        }
        numbers.removeAll { $0 < initial.cursorSegment }
        initial.nextSegmentNumber = max((numbers.last.map { $0 + 1 }) ?? 0, initial.cursorSegment)

        for number in numbers {
            initial.segments.append(Self.scanSegment(number, directory: directory, state: initial, logger: logger, metrics: metrics))
        }
        if !initial.segments.contains(where: { $0.number == initial.cursorSegment }) {
            initial.cursorSegment = initial.segments.first(where: { $0.number > initial.cursorSegment })?.number ?? initial.nextSegmentNumber
            initial.cursorOffset = Self.header
            initial.acked = []
        }
        state = Mutex(initial)
        metrics.spoolBytes(Int(initial.totalBytes))
        let unsent = initial.segments.reduce(0) { $0 + $1.records - $1.resolved }
        if unsent > 0 {
            logger.info(
                "Spool holds undelivered events from a previous run; delivering them first",
                metadata: ["spool.directory": "\(directory)", "spool.events": "\(unsent)", "spool.bytes": "\(initial.totalBytes)"])
        }
    }

    deinit {
        state.withLock { state in
            if let fd = state.activeFD { SpoolFileSystem.close(fd) }
            state.activeFD = nil
        }
    }

    // MARK: Queries

    /// Bytes on disk.
    var totalBytes: Int { Int(state.withLock { $0.totalBytes }) }

    /// Events spooled and not yet delivered or dropped.
    var unsentEvents: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.records - $1.resolved } } }

    /// Whether records lie beyond the cursor (some of them may turn out to be acknowledged already).
    var hasUnsent: Bool {
        state.withLock { state in
            state.segments.contains { segment in
                segment.number > state.cursorSegment
                    ? segment.validEnd > Self.header
                    : segment.number == state.cursorSegment && state.cursorOffset < segment.validEnd
            }
        }
    }

    // MARK: Appending

    /// Appends `events` in order, dropping the oldest segments (or, when nothing else can go, the oldest of
    /// `events`) to stay within the budget; durable (fsynced) on return.
    func append(_ events: some Collection<EMFLogEvent>) -> AppendResult {
        guard !events.isEmpty else { return AppendResult() }
        var result = AppendResult()
        var encodable: [(event: EMFLogEvent, size: Int64)] = []
        encodable.reserveCapacity(events.count)
        for event in events {
            if let size = SpoolFormat.recordSize(of: event) { encodable.append((event, Int64(size))) } else { result.failed += 1 }
        }
        state.withLock { state in
            var incoming = encodable.reduce(Int64(0)) { $0 + $1.size }
            var first = 0
            func dropIncomingUntilFits(_ limit: Int64) {
                while first < encodable.count, incoming > limit {
                    incoming -= encodable[first].size
                    first += 1
                    result.droppedForBudget += 1
                }
            }
            // What can never fit goes first (oldest of the incoming).
            dropIncomingUntilFits(budgetBytes - 2 * Self.header)
            while state.totalBytes + incoming + Self.header > budgetBytes,
                let index = state.segments.firstIndex(where: { $0.number != state.pinned })
            {
                result.droppedForBudget += dropSegment(at: index, reason: "over spool_bytes", state: &state)
            }
            dropIncomingUntilFits(budgetBytes - state.totalBytes - Self.header)

            var pending: [UInt8] = []
            var pendingRecords = 0
            for (event, size) in encodable[first...] {
                let activeSize = state.activeFD != nil ? state.segments[state.segments.count - 1].validEnd : 0
                if state.activeFD == nil || (activeSize + Int64(pending.count) + size > segmentBytes && activeSize + Int64(pending.count) > Self.header) {
                    if state.activeFD != nil {
                        result.failed += flush(&pending, records: &pendingRecords, state: &state)
                        sealActive(state: &state)
                    }
                    if !openNewSegment(state: &state) {
                        result.failed += 1
                        continue
                    }
                }
                SpoolFormat.appendRecord(event, to: &pending)
                pendingRecords += 1
            }
            result.failed += flush(&pending, records: &pendingRecords, state: &state)
            if let fd = state.activeFD {
                do throws(SpoolError) {
                    try SpoolFileSystem.sync(fd, path: activePath(state))
                } catch {
                    logger.error("Spool fsync failed; spooled events may not survive a power loss", metadata: ["error": "\(error)"])
                }
            }
            result.spooled = encodable.count - first - result.failed
        }
        metrics.spoolBytes(totalBytes)
        return result
    }

    /// Writes `pending` to the active segment; returns how many records failed.
    private func flush(_ pending: inout [UInt8], records: inout Int, state: inout State) -> Int {
        defer {
            pending.removeAll(keepingCapacity: true)
            records = 0
        }
        guard !pending.isEmpty, let fd = state.activeFD else { return records }
        let index = state.segments.count - 1
        do throws(SpoolError) {
            try SpoolFileSystem.writeAll(fd, pending, path: activePath(state))
            state.segments[index].validEnd += Int64(pending.count)
            state.segments[index].fileSize = state.segments[index].validEnd
            state.segments[index].records += records
            return 0
        } catch {
            logger.error("Spool write failed; events lost", metadata: ["error": "\(error)", "spool.events": "\(records)"])
            // Cut the partial write so later appends are readable; if that fails the reader stops at validEnd.
            if !SpoolFileSystem.truncate(fd, to: state.segments[index].validEnd) {
                state.segments[index].fileSize = (try? SpoolFileSystem.fileSize(fd, path: activePath(state))) ?? state.segments[index].fileSize
            }
            sealActive(state: &state)
            return records
        }
    }

    private func activePath(_ state: State) -> String {
        directory + "/" + SpoolFormat.segmentFileName(state.segments[state.segments.count - 1].number)
    }

    private func sealActive(state: inout State) {
        guard let fd = state.activeFD else { return }
        _ = try? SpoolFileSystem.sync(fd, path: activePath(state))
        SpoolFileSystem.close(fd)
        state.activeFD = nil
    }

    private func openNewSegment(state: inout State) -> Bool {
        let number = state.nextSegmentNumber
        let path = directory + "/" + SpoolFormat.segmentFileName(number)
        do throws(SpoolError) {
            let fd = try SpoolFileSystem.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
            do throws(SpoolError) {
                try SpoolFileSystem.writeAll(fd, SpoolFormat.segmentHeader(number), path: path)
            } catch {
                SpoolFileSystem.close(fd)
                SpoolFileSystem.remove(path)
                throw error
            }
            SpoolFileSystem.syncDirectory(directory)
            state.nextSegmentNumber = number + 1
            state.segments.append(Segment(number: number, validEnd: Self.header, fileSize: Self.header, records: 0, resolved: 0))
            state.activeFD = fd
            return true
        } catch {
            logger.error("Spool segment could not be created; events lost", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Deletes the segment at `index` for the budget; returns the unsent events it held.
    private func dropSegment(at index: Int, reason: String, state: inout State) -> Int {
        let segment = state.segments[index]
        let lost = segment.records - segment.resolved
        logger.warning(
            "Spool over budget: dropping its oldest segment",
            metadata: [
                "spool.directory": "\(directory)", "spool.segment": "\(segment.number)", "spool.events": "\(lost)",
                "spool.bytes": "\(segment.fileSize)", "spool.budget": "\(budgetBytes)",
            ])
        removeSegment(at: index, state: &state)
        return lost
    }

    /// Removes the segment at `index`: moves the cursor past it first (persisted), then deletes the file.
    private func removeSegment(at index: Int, state: inout State) {
        let segment = state.segments.remove(at: index)
        if index == state.segments.count, let fd = state.activeFD {
            SpoolFileSystem.close(fd)
            state.activeFD = nil
        }
        if segment.number == state.cursorSegment {
            state.cursorSegment = index < state.segments.count ? state.segments[index].number : state.nextSegmentNumber
            state.cursorOffset = Self.header
            state.acked = []
            persistAck(state)
        }
        SpoolFileSystem.remove(directory + "/" + SpoolFormat.segmentFileName(segment.number))
    }

    // MARK: Reading and acknowledging

    /// The next records to send, from the cursor, about `maxBytes` of events (at least one record), skipping
    /// acknowledged ones; `nil` when everything spooled is delivered or a chunk is already out.
    func nextChunk(maxBytes: Int) -> SpoolChunk? {
        let chunk: SpoolChunk? = state.withLock { state in
            guard state.pinned == nil else { return nil }
            while true {
                guard let index = state.segments.firstIndex(where: { $0.number >= state.cursorSegment }) else { return nil }
                if state.segments[index].number != state.cursorSegment {
                    state.cursorSegment = state.segments[index].number
                    state.cursorOffset = Self.header
                    state.acked = []
                }
                let segment = state.segments[index]
                let isActive = index == state.segments.count - 1 && state.activeFD != nil
                if state.cursorOffset >= segment.validEnd {
                    if isActive { return nil }
                    removeSegment(at: index, state: &state)
                    continue
                }
                let path = directory + "/" + SpoolFormat.segmentFileName(segment.number)
                var events: [EMFLogEvent] = []
                var records: [Range<Int64>] = []
                var bytes = 0
                let acked = state.acked
                var ackedIndex = 0
                let outcome: (stoppedAt: Int64, corrupt: Bool)
                do throws(SpoolError) {
                    let fd = try SpoolFileSystem.open(path, flags: O_RDONLY)
                    defer { SpoolFileSystem.close(fd) }
                    outcome = try Self.forEachRecord(fd: fd, path: path, from: state.cursorOffset, to: segment.validEnd, decode: true) {
                        start, size, event in
                        if bytes >= maxBytes { return false }
                        let range = start..<(start + Int64(size))
                        while ackedIndex < acked.count, acked[ackedIndex].upperBound <= range.lowerBound { ackedIndex += 1 }
                        if ackedIndex < acked.count, acked[ackedIndex].lowerBound <= range.lowerBound,
                            acked[ackedIndex].upperBound >= range.upperBound
                        {
                            return true  // delivered before a restart
                        }
                        if let event {
                            events.append(event)
                            records.append(range)
                            bytes += event.message.count + 26
                        }
                        return true
                    }
                } catch {
                    logger.error("Spool segment unreadable; skipping it", metadata: ["error": "\(error)"])
                    metrics.spoolCorrupt(bytes: Int(segment.validEnd - state.cursorOffset))
                    state.segments[index].validEnd = state.cursorOffset
                    continue
                }
                if outcome.corrupt {
                    // The file changed under us since the start-up scan; stop reading it here.
                    metrics.spoolCorrupt(bytes: Int(segment.validEnd - outcome.stoppedAt))
                    state.segments[index].validEnd = outcome.stoppedAt
                }
                if events.isEmpty {
                    state.cursorOffset = outcome.stoppedAt
                    state.acked.removeAll { $0.upperBound <= outcome.stoppedAt }
                    persistAck(state)
                    continue
                }
                state.pinned = segment.number
                return SpoolChunk(segment: segment.number, endOffset: outcome.stoppedAt, events: events, records: records)
            }
        }
        return chunk
    }

    /// Records that the events in `records` (of `segment`) need never be sent again: delivered, rejected by the
    /// service, or dropped on purpose. Persisted before returning.
    func acknowledge(segment: UInt64, records: [Range<Int64>]) {
        guard !records.isEmpty else { return }
        state.withLock { state in
            guard segment == state.cursorSegment,
                let index = state.segments.firstIndex(where: { $0.number == segment })
            else { return }
            state.segments[index].resolved += records.count
            state.acked = Self.merged(state.acked + records)
            persistAck(state)
        }
    }

    /// The chunk is done (every event acknowledged): moves the cursor past it and deletes finished segments.
    func complete(_ chunk: SpoolChunk) {
        state.withLock { state in
            state.pinned = nil
            guard chunk.segment == state.cursorSegment,
                let index = state.segments.firstIndex(where: { $0.number == chunk.segment })
            else { return }
            state.cursorOffset = max(state.cursorOffset, chunk.endOffset)
            state.acked.removeAll { $0.upperBound <= state.cursorOffset }
            if state.cursorOffset >= state.segments[index].validEnd {
                removeSegment(at: index, state: &state)  // persists the cursor first
            } else {
                persistAck(state)
            }
        }
        metrics.spoolBytes(totalBytes)
    }

    /// Gives the chunk back unfinished (shutdown): what was acknowledged stays acknowledged.
    func release(_ chunk: SpoolChunk) {
        state.withLock { $0.pinned = nil }
    }

    // MARK: Acknowledgment file

    private func persistAck(_ state: State) {
        var bytes = SpoolFormat.ackMagic
        SpoolFormat.appendUInt64(state.cursorSegment, to: &bytes)
        SpoolFormat.appendUInt64(UInt64(state.cursorOffset), to: &bytes)
        SpoolFormat.appendUInt32(UInt32(state.acked.count), to: &bytes)
        for range in state.acked {
            SpoolFormat.appendUInt64(UInt64(range.lowerBound), to: &bytes)
            SpoolFormat.appendUInt64(UInt64(range.upperBound), to: &bytes)
        }
        SpoolFormat.appendUInt32(CRC32C.checksum(bytes), to: &bytes)
        let temporary = directory + "/ack.tmp"
        do throws(SpoolError) {
            let fd = try SpoolFileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            defer { SpoolFileSystem.close(fd) }
            try SpoolFileSystem.writeAll(fd, bytes, path: temporary)
            try SpoolFileSystem.sync(fd, path: temporary)
            try SpoolFileSystem.rename(temporary, directory + "/ack")
            SpoolFileSystem.syncDirectory(directory)
        } catch {
            logger.error(
                "Spool acknowledgment could not be saved; delivered events may be sent again after a restart",
                metadata: ["error": "\(error)"])
        }
    }

    private static func loadAck(path: String) -> (segment: UInt64, offset: Int64, ranges: [Range<Int64>])? {
        guard let fd = try? SpoolFileSystem.open(path, flags: O_RDONLY) else { return nil }
        defer { SpoolFileSystem.close(fd) }
        guard let bytes = try? SpoolFileSystem.read(fd, count: 16 << 20, at: 0, path: path), bytes.count >= 32 else { return nil }
        return bytes.withUnsafeBytes { raw -> (UInt64, Int64, [Range<Int64>])? in
            guard raw.prefix(8).elementsEqual(SpoolFormat.ackMagic) else { return nil }
            let count = Int(SpoolFormat.loadUInt32(raw, at: 24))
            guard raw.count == 28 + 16 * count + 4 else { return nil }
            let crc = SpoolFormat.loadUInt32(raw, at: raw.count - 4)
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])) == crc else { return nil }
            var ranges: [Range<Int64>] = []
            for i in 0..<count {
                let lower = Int64(SpoolFormat.loadUInt64(raw, at: 28 + 16 * i))
                let upper = Int64(SpoolFormat.loadUInt64(raw, at: 36 + 16 * i))
                guard lower <= upper else { return nil }
                ranges.append(lower..<upper)
            }
            let offset = Int64(SpoolFormat.loadUInt64(raw, at: 16))
            guard offset >= 0 else { return nil }
            return (SpoolFormat.loadUInt64(raw, at: 8), offset, merged(ranges))
        }
    }

    static func merged(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var out: [Range<Int64>] = []
        out.reserveCapacity(sorted.count)
        for range in sorted {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    // MARK: Scanning

    /// Validates a segment at start-up: counts records, finds the end of the valid ones (a torn tail is skipped and
    /// counted) and how many are already resolved according to the cursor and acknowledged ranges.
    private static func scanSegment(
        _ number: UInt64, directory: String, state: State, logger: Logger, metrics: DeliveryMetrics
    ) -> Segment {
        let path = directory + "/" + SpoolFormat.segmentFileName(number)
        var segment = Segment(number: number, validEnd: 0, fileSize: 0, records: 0, resolved: 0)
        do throws(SpoolError) {
            let fd = try SpoolFileSystem.open(path, flags: O_RDONLY)
            defer { SpoolFileSystem.close(fd) }
            segment.fileSize = try SpoolFileSystem.fileSize(fd, path: path)
            let header = try SpoolFileSystem.read(fd, count: SpoolFormat.segmentHeaderSize, at: 0, path: path)
            guard header == SpoolFormat.segmentHeader(number) else {
                logger.warning("Spool segment has a bad header; skipping it", metadata: ["spool.segment": "\(path)"])
                metrics.spoolCorrupt(bytes: Int(segment.fileSize))
                return segment
            }
            let isCursorSegment = number == state.cursorSegment
            var ackedIndex = 0
            let outcome = try forEachRecord(fd: fd, path: path, from: Self.header, to: segment.fileSize, decode: false) {
                start, size, _ in
                segment.records += 1
                if isCursorSegment {
                    let end = start + Int64(size)
                    if end <= state.cursorOffset {
                        segment.resolved += 1
                    } else {
                        while ackedIndex < state.acked.count, state.acked[ackedIndex].upperBound <= start { ackedIndex += 1 }
                        if ackedIndex < state.acked.count, state.acked[ackedIndex].lowerBound <= start,
                            state.acked[ackedIndex].upperBound >= end
                        {
                            segment.resolved += 1
                        }
                    }
                }
                return true
            }
            segment.validEnd = outcome.stoppedAt
            if outcome.corrupt || segment.validEnd < segment.fileSize {
                logger.warning(
                    "Spool segment has a corrupt or truncated tail (crash mid-write?); skipping it",
                    metadata: [
                        "spool.segment": "\(path)", "spool.valid_bytes": "\(segment.validEnd)",
                        "spool.skipped_bytes": "\(segment.fileSize - segment.validEnd)",
                    ])
                metrics.spoolCorrupt(bytes: Int(segment.fileSize - segment.validEnd))
            }
        } catch {
            logger.warning("Spool segment unreadable; skipping it", metadata: ["error": "\(error)"])
        }
        return segment
    }

    /// Calls `body(start, size, event)` for each valid record in `[offset, end)` until it returns `false`.
    /// - Returns: where it stopped (the start of the first record not consumed) and whether because of corruption.
    private static func forEachRecord(
        fd: Int32, path: String, from offset: Int64, to end: Int64, decode: Bool,
        _ body: (Int64, Int, EMFLogEvent?) -> Bool
    ) throws(SpoolError) -> (stoppedAt: Int64, corrupt: Bool) {
        var position = offset
        var buffer: [UInt8] = []
        var bufferStart = offset
        while position < end {
            let inBuffer = Int(position - bufferStart)
            let available = max(0, min(buffer.count - inBuffer, Int(end - position)))
            let parsed: SpoolFormat.Parse =
                available == 0
                ? .incomplete(size: nil)
                : buffer.withUnsafeBytes { SpoolFormat.parseRecord(UnsafeRawBufferPointer(rebasing: $0[inBuffer..<(inBuffer + available)]), decode: decode) }
            switch parsed {
            case .record(let event, let size):
                guard body(position, size, event) else { return (position, false) }
                position += Int64(size)
            case .incomplete(let size):
                if position + Int64(available) >= end { return (position, true) }
                let want = min(Int64(max(size ?? 0, 1 << 20)), end - position)
                buffer = try SpoolFileSystem.read(fd, count: Int(want), at: position, path: path)
                bufferStart = position
                if buffer.count <= available { return (position, true) }  // the file is shorter than it should be
            case .corrupt:
                return (position, true)
            }
        }
        return (position, false)
    }
}
