import EMF
import Testing

@testable import EMFDelivery

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct DiskSpoolTests {
    let recorder = LogRecorder()

    func openSpool(
        _ directory: String,
        budget: Int = 1 << 20,
        metrics: DeliveryMetrics = DeliveryMetrics()
    ) throws -> DiskSpool {
        try DiskSpool(directory: directory, budgetBytes: budget, logger: recorder.logger(), metrics: metrics)
    }

    func events(_ ids: Range<Int>, size: Int = 200) -> [EMFLogEvent] {
        ids.map { makeEvent($0, stream: "s\($0 % 3)", timestamp: wallOrigin + Int64($0), size: size) }
    }

    /// Reads everything, acknowledging and completing each chunk; returns the ids in read order.
    func drain(_ spool: DiskSpool, maxBytes: Int = 1000) -> [Int] {
        var ids: [Int] = []
        while let chunk = spool.nextChunk(maxBytes: maxBytes) {
            ids += chunk.events.map(eventID)
            spool.acknowledge(segment: chunk.segment, records: chunk.records)
            spool.complete(chunk)
        }
        return ids
    }

    func segmentFiles(_ directory: String) throws -> [String] {
        try SpoolFileSystem.listDirectory(directory).filter { $0.hasPrefix("segment-") }.sorted()
    }

    @Test func recordsRoundTripInOrderAcrossSegmentsAndFinishedSegmentsAreDeleted() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let spool = try openSpool(directory, budget: 64 << 10)  // 4 KiB segments
        let original = events(0..<100)
        for start in stride(from: 0, to: 100, by: 10) {
            #expect(spool.append(original[start..<(start + 10)]) == .init(spooled: 10))
        }
        #expect(try segmentFiles(directory).count > 3)
        #expect(spool.unsentEvents == 100)
        var read: [EMFLogEvent] = []
        while let chunk = spool.nextChunk(maxBytes: 1000) {
            read += chunk.events
            spool.acknowledge(segment: chunk.segment, records: chunk.records)
            spool.complete(chunk)
        }
        #expect(read == original)
        #expect(spool.unsentEvents == 0)
        #expect(try segmentFiles(directory).isEmpty)
        #expect(spool.totalBytes == 0)
        // Reopening finds nothing to send.
        let reopened = try openSpool(directory, budget: 64 << 10)
        #expect(reopened.nextChunk(maxBytes: 1000) == nil)
    }

    @Test func restartMidChunkResendsOnlyWhatWasNotAcknowledged() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        do {
            let spool = try openSpool(directory)
            _ = spool.append(events(0..<20))
            let chunk = try #require(spool.nextChunk(maxBytes: 1 << 20))
            #expect(chunk.events.count == 20)
            // Batches holding the even events were accepted; then the process stopped.
            let even = chunk.events.indices.filter { eventID(chunk.events[$0]) % 2 == 0 }
            spool.acknowledge(segment: chunk.segment, records: even.map { chunk.records[$0] })
            spool.release(chunk)
        }
        let spool = try openSpool(directory)
        #expect(spool.unsentEvents == 10)
        #expect(drain(spool) == Array(stride(from: 1, to: 20, by: 2)))
        #expect(try segmentFiles(directory).isEmpty)
    }

    @Test func aTornTailIsSkippedNotFatal() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        do {
            let spool = try openSpool(directory)
            _ = spool.append(events(0..<10))
        }
        // A crash in the middle of writing the last record: cut it short, then leave garbage after it.
        let path = directory + "/" + (try segmentFiles(directory).last!)
        let fd = open(path, O_RDWR)
        let size = lseek(fd, 0, SEEK_END)
        #expect(ftruncate(fd, size - 37) == 0)
        _ = lseek(fd, 0, SEEK_END)
        let garbage: [UInt8] = [0xFF, 0x00, 0x13, 0x37, 0x42]
        _ = garbage.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)

        let metrics = DeliveryMetrics()
        let spool = try openSpool(directory, metrics: metrics)
        #expect(metrics.snapshot.spoolCorruptBytes > 0)
        #expect(recorder.count(containing: "corrupt or truncated tail") == 1)
        _ = spool.append(events(10..<12))  // appends go to a fresh segment
        #expect(drain(spool) == Array(0..<9) + [10, 11])
    }

    @Test func aFlippedBitEndsTheSegmentThere() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        do {
            let spool = try openSpool(directory)
            _ = spool.append(events(0..<10))
        }
        let path = directory + "/" + (try segmentFiles(directory).last!)
        let fd = open(path, O_RDWR)
        // Record i starts at 16 + i × recordSize; corrupt a message byte of record 6.
        let recordSize = SpoolFormat.recordSize(of: events(0..<1)[0])!
        var byte: UInt8 = 0
        let offset = off_t(16 + 6 * recordSize + 100)
        _ = pread(fd, &byte, 1, offset)
        byte ^= 0x01
        _ = pwrite(fd, &byte, 1, offset)
        close(fd)
        let spool = try openSpool(directory)
        #expect(drain(spool) == Array(0..<6))
    }

    /// An event whose message is JSON string content comes back marked so (the CloudWatch output converts into
    /// that form); a document comes back a document.
    @Test func messageEncodingRoundTrips() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let spool = try openSpool(directory)
        var escaped = makeEvent(7, timestamp: wallOrigin)
        escaped.message = Array(#"{\"id\":7,\"pad\":\"a\\\"b\"}"#.utf8)[...]
        escaped.messageEncoding = .jsonStringContent
        let document = makeEvent(8, timestamp: wallOrigin + 1)
        #expect(spool.append([escaped, document]) == .init(spooled: 2))
        let reopened = try openSpool(directory)
        let chunk = try #require(reopened.nextChunk(maxBytes: 1 << 20))
        #expect(chunk.events == [escaped, document])
        #expect(chunk.events.map(\.messageString) == [#"{"id":7,"pad":"a\"b"}"#, document.messageString])
    }

    @Test func overBudgetTheOldestSegmentsGoFirstAndAreCounted() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let budget = 64 << 10
        let spool = try openSpool(directory, budget: budget)
        var dropped = 0
        for start in stride(from: 0, to: 1000, by: 10) {
            let result = spool.append(events(start..<(start + 10)))
            dropped += result.droppedForBudget
            #expect(result.failed == 0)
            #expect(spool.totalBytes <= budget)
        }
        #expect(dropped > 0)
        #expect(recorder.count(containing: "dropping its oldest segment") > 0)
        let kept = drain(spool)
        #expect(kept.count + dropped == 1000)
        #expect(kept == Array((1000 - kept.count)..<1000))  // the newest survive, in order
    }

    @Test func theSegmentBeingSentIsNotDroppedForTheBudget() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let spool = try openSpool(directory, budget: 64 << 10)
        _ = spool.append(events(0..<20))
        let chunk = try #require(spool.nextChunk(maxBytes: 1000))
        for start in stride(from: 20, to: 1000, by: 10) { _ = spool.append(events(start..<(start + 10))) }
        // The chunk's records are still acknowledgeable and the cursor still moves past them.
        spool.acknowledge(segment: chunk.segment, records: chunk.records)
        spool.complete(chunk)
        let rest = drain(spool)
        #expect(!rest.isEmpty)
        #expect(Set(rest).isDisjoint(with: chunk.events.map(eventID)))
    }

    @Test func aCorruptAckFileMeansResendingNotLosing() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        do {
            let spool = try openSpool(directory)
            _ = spool.append(events(0..<5))
            let chunk = try #require(spool.nextChunk(maxBytes: 400))
            spool.acknowledge(segment: chunk.segment, records: chunk.records)
            spool.complete(chunk)
        }
        let fd = open(directory + "/ack", O_WRONLY | O_TRUNC)
        _ = write(fd, "garbage", 7)
        close(fd)
        let spool = try openSpool(directory)
        #expect(recorder.count(containing: "acknowledgment file is corrupt") == 1)
        #expect(drain(spool) == Array(0..<5))
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}

extension SpoolChunk: Equatable {
    static func == (lhs: SpoolChunk, rhs: SpoolChunk) -> Bool {
        lhs.segment == rhs.segment && lhs.endOffset == rhs.endOffset && lhs.events == rhs.events
            && lhs.records == rhs.records
    }
}
