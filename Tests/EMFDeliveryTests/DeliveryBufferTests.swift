import EMF
import Testing

@testable import EMFDelivery

/// The sink's in-memory queue: order, byte accounting and per-stream fullness, whether the sender takes everything
/// pending or only part of it.
struct DeliveryBufferTests {
    let limits = LogEventBatchLimits(maximumBatchBytes: 1_000, maximumEvents: 3)

    func events(_ ids: Range<Int>, stream: String = "s") -> [EMFLogEvent] {
        ids.map { makeEvent($0, stream: stream, timestamp: 1_750_000_000_000, size: 74) }
    }

    @Test func takingEverythingThenAppendingKeepsOrderAndCounts() {
        var buffer = DeliveryBuffer<ContinuousClock.Instant>(capacity: 10_000, limits: limits)
        let first = events(0..<2)
        #expect(buffer.enqueue(first, bytes: 200, now: .now) == true)  // first pending data wakes the sender
        #expect(buffer.fullStreams == 0)
        let taken = buffer.take(maxBytes: 10_000)
        #expect(taken.map(eventID) == [0, 1])
        #expect(buffer.pendingCount == 0)
        #expect(buffer.pendingBytes == 0)
        #expect(buffer.inFlightBytes == 200)
        #expect(buffer.oldestPendingSince == nil)

        // What was taken is the sender's: later appends never show up in it, nor in the caller's array.
        #expect(buffer.enqueue(events(2..<4), bytes: 200, now: .now) == true)
        #expect(buffer.enqueue(events(4..<5), bytes: 100, now: .now) == true)  // 3 events: a full batch
        #expect(taken.map(eventID) == [0, 1])
        #expect(first.map(eventID) == [0, 1])
        #expect(buffer.fullStreams == 1)
        #expect(buffer.take(maxBytes: 10_000).map(eventID) == [2, 3, 4])
        #expect(buffer.fullStreams == 0)
        buffer.release(bytes: 500)
        #expect(buffer.totalBytes == 0)
    }

    @Test func takingPartOfThePendingEventsLeavesTheRestInOrder() {
        var buffer = DeliveryBuffer<ContinuousClock.Instant>(capacity: 10_000, limits: limits)
        _ = buffer.enqueue(events(0..<3), bytes: 300, now: .now)
        _ = buffer.enqueue(events(3..<5, stream: "t"), bytes: 200, now: .now)
        #expect(buffer.fullStreams == 1)
        #expect(buffer.take(maxBytes: 250).map(eventID) == [0, 1])
        #expect(buffer.pendingCount == 3)
        #expect(buffer.fullStreams == 0)
        #expect(buffer.pendingBytes == 300)
        #expect(buffer.oldestPendingSince != nil)
        // Taking the rest starts mid-queue; then the buffer is empty.
        #expect(buffer.take(maxBytes: 10_000).map(eventID) == [2, 3, 4])
        #expect(buffer.pendingCount == 0)
        #expect(buffer.inFlightBytes == 500)
        _ = buffer.enqueue(events(5..<6), bytes: 100, now: .now)
        #expect(buffer.drain().map(eventID) == [5])
    }

    @Test func aFullBufferRefusesAndEvictsOldestFirst() {
        var buffer = DeliveryBuffer<ContinuousClock.Instant>(capacity: 300, limits: limits)
        #expect(buffer.enqueue(events(0..<3), bytes: 300, now: .now) != nil)
        #expect(buffer.enqueue(events(3..<4), bytes: 100, now: .now) == nil)
        #expect(buffer.removeOldestPending(atLeast: 150).map(eventID) == [0, 1])
        #expect(buffer.freeBytes == 200)
        #expect(buffer.take(maxBytes: 10_000).map(eventID) == [2])
    }
}
