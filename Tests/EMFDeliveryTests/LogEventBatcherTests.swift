import EMF
import Testing

/// The batching conformance cases of reference §6, and the acceptance window.
struct LogEventBatcherTests {
    let now: Int64 = 1_750_000_000_000

    /// A message of exactly `bytes` bytes.
    func event(_ id: Int, bytes: Int, at timestamp: Int64? = nil, stream: String = "s") -> EMFLogEvent {
        makeEvent(id, stream: stream, timestamp: timestamp ?? now, size: bytes)
    }

    @Test func tenThousandEventsOf78BytesAreOneRequest() {
        let events = (0..<10_000).map { event($0, bytes: 78) }
        #expect(events.allSatisfy { $0.message.count == 78 })
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.count == 1)
        #expect(result.batches[0].events.count == 10_000)
        #expect(result.batches[0].byteCount == 1_040_000)
        #expect(result.dropped.isEmpty)
    }

    @Test func theTenThousandAndFirstEventStartsASecondRequest() {
        let events = (0..<10_001).map { event($0, bytes: 78) }
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.map(\.events.count) == [10_000, 1])
        #expect(result.batches[1].sourceIndices == [10_000])
    }

    @Test func oneByteOverTheBatchLimitIsTwoRequests() {
        // (524,263 + 26) + (524,262 + 26) = 1,048,577.
        let events = [event(0, bytes: 524_263), event(1, bytes: 524_262)]
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.count == 2)
        #expect(result.batches.allSatisfy { $0.byteCount <= 1_048_576 })
    }

    @Test func exactlyTheBatchLimitIsOneRequest() {
        let events = [event(0, bytes: 524_262), event(1, bytes: 524_262)]  // 2 × 524,288 = 1,048,576
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.count == 1)
        #expect(result.batches[0].byteCount == 1_048_576)
    }

    @Test func outOfOrderTimestampsAreSortedStably() {
        let stamps: [Int64] = [5, 3, 4, 1, 3, 2]
        let events = stamps.enumerated().map { event($0.offset, bytes: 40, at: now - 1000 + $0.element) }
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.count == 1)
        #expect(result.batches[0].events.map(\.timestampMilliseconds) == [1, 2, 3, 3, 4, 5].map { now - 1000 + $0 })
        // Equal timestamps keep input order (index 1 before index 4).
        #expect(result.batches[0].sourceIndices == [3, 5, 1, 4, 2, 0])
    }

    @Test func aTwentyFiveHourSpanIsTwoRequests() {
        let hour: Int64 = 3_600_000
        let events = [event(0, bytes: 50, at: now - 25 * hour), event(1, bytes: 50, at: now)]
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.count == 2)
        #expect(result.batches.map(\.sourceIndices) == [[0], [1]])
    }

    @Test func spanJustUnderADayIsOneRequest() {
        let events = [event(0, bytes: 50, at: now - 86_399_999), event(1, bytes: 50, at: now)]
        #expect(LogEventBatcher.batches(for: events, nowMilliseconds: now).batches.count == 1)
    }

    @Test func eventsOutsideTheWindowAreDroppedAndCounted() {
        let day: Int64 = 86_400_000
        let events = [
            event(0, bytes: 50, at: now - 14 * day - 1),  // too old
            event(1, bytes: 50, at: now - 14 * day),  // just inside
            event(2, bytes: 50, at: now + 2 * 3_600_000),  // just inside
            event(3, bytes: 50, at: now + 2 * 3_600_000 + 1),  // too new
            EMFLogEvent(logGroupName: "g", logStreamName: "s", timestampMilliseconds: now, message: []),  // empty
            event(5, bytes: 1_048_551),  // 1,048,551 + 26 > 1,048,576
        ]
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.droppedCount(.tooOld) == 1)
        #expect(result.droppedCount(.tooNew) == 1)
        #expect(result.droppedCount(.empty) == 1)
        #expect(result.droppedCount(.tooLarge) == 1)
        #expect(result.dropped.map(\.index) == [0, 3, 4, 5])
        // Events 1 and 2 are 14 d + 2 h apart: two requests.
        #expect(result.batches.flatMap(\.sourceIndices).sorted() == [1, 2])
    }

    @Test func streamsAreBatchedSeparatelyInOrderOfFirstAppearance() {
        let events = (0..<6).map { event($0, bytes: 60, at: now - Int64(6 - $0), stream: $0 % 2 == 0 ? "b" : "a") }
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.batches.map(\.logStreamName) == ["b", "a"])
        #expect(result.batches.map(\.sourceIndices) == [[0, 2, 4], [1, 3, 5]])
    }

    @Test func everyBatchRespectsEveryLimit() {
        // A mixed load: sizes 1…4,000 bytes, timestamps spread over 3 days, three streams.
        var generator = SplitMix64(seed: 42)
        let events = (0..<12_000).map { id in
            event(
                id, bytes: 30 + Int(generator.next() % 4_000), at: now - Int64(generator.next() % (3 * 86_400_000)),
                stream: ["x", "y", "z"][Int(generator.next() % 3)])
        }
        let result = LogEventBatcher.batches(for: events, nowMilliseconds: now)
        #expect(result.dropped.isEmpty)
        #expect(result.batches.reduce(0) { $0 + $1.events.count } == events.count)
        #expect(Set(result.batches.flatMap(\.sourceIndices)).count == events.count)
        for batch in result.batches {
            #expect(batch.events.count <= 10_000)
            #expect(batch.byteCount == batch.events.reduce(0) { $0 + $1.message.count + 26 })
            #expect(batch.byteCount <= 1_048_576)
            #expect(zip(batch.events, batch.events.dropFirst()).allSatisfy { $0.timestampMilliseconds <= $1.timestampMilliseconds })
            #expect(batch.events.last!.timestampMilliseconds - batch.events.first!.timestampMilliseconds < 86_400_000)
            #expect(batch.events.allSatisfy { $0.logStreamName == batch.logStreamName })
        }
    }
}

/// A small deterministic generator for reproducible test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
