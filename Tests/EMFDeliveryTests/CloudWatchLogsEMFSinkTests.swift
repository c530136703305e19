import EMF
@testable import EMFDelivery
import Logging
import Synchronization
import Testing

/// Serialized: these tests run on a sped-up clock, and starving them of CPU would distort their virtual time.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CloudWatchLogsEMFSinkTests {
    let recorder = LogRecorder()

    func makeSink(
        _ client: FakeCloudWatchLogs, _ configuration: LogsDeliveryConfiguration = .init(), clock: FastClock
    ) throws -> CloudWatchLogsEMFSink<FastClock> {
        try CloudWatchLogsEMFSink(
            client: client, configuration: configuration, clock: clock,
            wallClockMilliseconds: { clock.wallMilliseconds }, logger: recorder.logger())
    }

    func events(_ ids: Range<Int>, streams: Int = 3, size: Int = 200) -> [EMFLogEvent] {
        ids.map { makeEvent($0, stream: "node-\($0 % streams)", timestamp: wallOrigin + Int64($0), size: size) }
    }

    /// Writes `ids` in writes of `per` events.
    func write(_ sink: CloudWatchLogsEMFSink<FastClock>, _ ids: Range<Int>, per: Int = 50, streams: Int = 3, size: Int = 200) async {
        for start in stride(from: ids.lowerBound, to: ids.upperBound, by: per) {
            await sink.write(events(start..<min(start + per, ids.upperBound), streams: streams, size: size))
        }
    }

    /// Every id in `expected` accepted exactly once, and every request within the service's limits.
    func expectDeliveredOnce(_ client: FakeCloudWatchLogs, _ expected: Range<Int>, sourceLocation: SourceLocation = #_sourceLocation) {
        let ids = client.accepted.map(eventID)
        #expect(ids.count == expected.count, "accepted \(ids.count) events, expected \(expected.count)", sourceLocation: sourceLocation)
        #expect(Set(ids) == Set(expected), sourceLocation: sourceLocation)
        #expect(client.violations.isEmpty, "\(client.violations.prefix(3))", sourceLocation: sourceLocation)
    }

    // MARK: Batching and flushing

    @Test func deliversEverythingOnceWithinTheLimits() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<3000)
            try await eventually("3000 events") { client.accepted.count >= 3000 }
        }
        expectDeliveredOnce(client, 0..<3000)
        #expect(sink.statistics.eventsSent == 3000)
        #expect(sink.statistics.droppedTotal == 0)
        #expect(sink.statistics.bufferBytes == 0)
    }

    @Test func tenThousandAndOneEventsAreTwoRequestsSentBeforeTheInterval() async throws {
        let clock = FastClock(scale: 1)  // real time: the flush interval must not be what sends them
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, .init(flushInterval: .seconds(3600)), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await sink.write((0..<10_001).map { makeEvent($0, timestamp: wallOrigin, size: 78) })
            try await eventually("a full batch") { client.accepted.count == 10_001 }
        }
        #expect(client.successfulPuts.map(\.count) == [10_000, 1])
        expectDeliveredOnce(client, 0..<10_001)
    }

    @Test func aPartialBatchWaitsForTheFlushInterval() async throws {
        let clock = FastClock(scale: 10)
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, .init(flushInterval: .seconds(5)), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            let start = clock.elapsedSeconds
            await write(sink, 0..<10)
            try await eventually("the flush") { client.accepted.count == 10 }
            let waited = clock.elapsedSeconds - start
            #expect(waited >= 4.9 && waited < 30, "flushed after \(waited) s")
        }
        #expect(client.putCalls == 3)  // one per stream
    }

    // MARK: Retries

    @Test func thirtyPercentThrottlingLosesAndDuplicatesNothing() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs(fault: { call, index in
            guard case .putLogEvents = call else { return nil }
            var generator = SplitMix64(seed: UInt64(index))
            return generator.next() % 10 < 3 ? .throttled("Rate exceeded") : nil
        })
        let sink = try makeSink(client, .init(maxBatchBytes: 8 << 10), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<5000, streams: 5)
            try await eventually("5000 events") { client.accepted.count >= 5000 }
        }
        expectDeliveredOnce(client, 0..<5000)
        let statistics = sink.statistics
        #expect(statistics.throttles > 10)
        #expect(statistics.retries == statistics.throttles)
        #expect(statistics.droppedTotal == 0)
    }

    @Test func aSixtySecondOutageLosesNothingAndIsLoggedOnce() async throws {
        let clock = FastClock()
        // The outage starts with the first PutLogEvents and lasts 60 virtual seconds.
        let outageEnd = Mutex<Double?>(nil)
        let client = FakeCloudWatchLogs(fault: { call, _ in
            guard case .putLogEvents = call else { return nil }
            let now = clock.elapsedSeconds
            let end = outageEnd.withLock { end in
                if end == nil { end = now + 60 }
                return end!  // set just above
            }
            return now < end ? .serviceUnavailable("Service Unavailable") : nil
        })
        let sink = try makeSink(client, clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            // Keep writing through the outage's first 30 s.
            for round in 0..<20 {
                await write(sink, (round * 100)..<((round + 1) * 100))
                try? await clock.sleep(for: .milliseconds(1500))
            }
            try await eventually("recovery") { client.accepted.count >= 2000 }
            #expect(clock.elapsedSeconds >= outageEnd.withLock { $0 ?? 0 })
        }
        expectDeliveredOnce(client, 0..<2000)
        #expect(recorder.count(containing: "delivery is failing") == 1)
        #expect(recorder.count(containing: "delivery recovered") == 1)
        let retries = sink.statistics.retries
        #expect(retries > 3 && retries < 200, "\(retries) retries")
    }

    @Test func resourceNotFoundCreatesTheGroupAndStreamsThenDelivers() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs(requireResources: true)
        let sink = try makeSink(client, .init(retentionInDays: 7), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<300, streams: 2)
            try await eventually("300 events") { client.accepted.count >= 300 }
        }
        expectDeliveredOnce(client, 0..<300)
        let calls = client.calls
        #expect(calls.filter { $0 == .createLogGroup("/promwatch/test") }.count == 1)
        #expect(calls.filter { $0 == .putRetentionPolicy("/promwatch/test", 7) }.count == 1)
        #expect(calls.contains(.createLogStream("/promwatch/test", "node-0")))
        #expect(calls.contains(.createLogStream("/promwatch/test", "node-1")))
        #expect(sink.statistics.groupsCreated == 1)
        #expect(sink.statistics.streamsCreated == 2)
    }

    @Test func anExistingGroupIsNotGivenRetentionAndAlreadyExistsIsSuccess() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs(requireResources: true, groups: ["/promwatch/test"])
        let sink = try makeSink(client, .init(retentionInDays: 7), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<100, streams: 1)
            try await eventually("100 events") { client.accepted.count >= 100 }
        }
        expectDeliveredOnce(client, 0..<100)
        #expect(!client.calls.contains { if case .putRetentionPolicy = $0 { true } else { false } })
        #expect(sink.statistics.groupsCreated == 0)
    }

    @Test func oneInvalidEventIsIsolatedAndEveryOtherDelivered() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs()
        client.setInvalidMarker("poison")
        let sink = try makeSink(client, .init(flushInterval: .seconds(1)), clock: clock)
        var batch = events(0..<1000, streams: 1)
        batch[617] = EMFLogEvent(
            logGroupName: "/promwatch/test", logStreamName: "node-0", timestampMilliseconds: wallOrigin + 617,
            message: Array("{\"id\":617,\"poison\":true}".utf8))
        let input = batch
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await sink.write(input)
            try await eventually("999 events") { client.accepted.count >= 999 }
        }
        let ids = client.accepted.map(eventID)
        #expect(ids.count == 999)
        #expect(Set(ids) == Set(0..<1000).subtracting([617]))
        #expect(client.violations.isEmpty)
        #expect(sink.statistics.dropped(.invalid) == 1)
        #expect(client.putCalls < 40, "\(client.putCalls) calls to isolate one event")
        #expect(recorder.count(containing: "rejected an event as invalid") == 1)
    }

    @Test func unauthorizedIsLoggedClearlyWithoutABusyLoopAndDataIsKept() async throws {
        let clock = FastClock(scale: 400)
        let client = FakeCloudWatchLogs(fault: { call, _ in
            guard case .putLogEvents = call else { return nil }
            return .unauthorized("The security token included in the request is invalid.")
        })
        let sink = try makeSink(client, clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<100, streams: 1)  // one batch
            try await eventually("the first attempt") { client.putCalls >= 1 }
            try? await clock.sleep(for: .seconds(600))  // ten virtual minutes
            let calls = client.putCalls
            // 5 s doubling to 5 min with [d/2, d) jitter: at most ~10 attempts in 10 minutes.
            #expect(calls >= 2 && calls <= 12, "\(calls) PutLogEvents calls in 10 minutes")
            let errors = recorder.entries(atLeast: .error)
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains("refuses delivery (unauthorized)") == true)
            #expect(errors.first?.message.contains("security token") == true)
            // Credentials fixed: the kept events go out.
            client.setFault(nil)
            try await eventually("delivery after the fix") { client.accepted.count >= 100 }
        }
        expectDeliveredOnce(client, 0..<100)
    }

    @Test func rejectedEventsAreCountedNotRetried() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, clock: clock)
        let day: Int64 = 86_400_000
        // Inside promwatch's window when written; the fake accepts all, so count is what the sink saw sent.
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await sink.write([
                makeEvent(0, timestamp: clock.wallMilliseconds - 15 * day),  // too old: dropped before sending
                makeEvent(1, timestamp: clock.wallMilliseconds + 3 * 3_600_000),  // too new: dropped before sending
                makeEvent(2, timestamp: clock.wallMilliseconds),
            ])
            try await eventually("1 event") { client.accepted.count >= 1 }
        }
        #expect(client.accepted.map(eventID) == [2])
        #expect(sink.statistics.dropped(.tooOld) == 1)
        #expect(sink.statistics.dropped(.tooNew) == 1)
    }

    // MARK: Back-pressure and budgets

    @Test func aFullBufferWithoutSpoolMakesWritesWaitThenDropsTheOldest() async throws {
        let clock = FastClock()
        let client = FakeCloudWatchLogs(fault: { call, _ in
            if case .putLogEvents = call { return .transport("connection refused") }
            return nil
        })
        let sink = try makeSink(client, .init(bufferBytes: 64 << 10, writeWaitTimeout: .seconds(1)), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            let start = clock.elapsedSeconds
            await write(sink, 0..<1000, per: 20)
            #expect(clock.elapsedSeconds - start >= 1, "writes never waited")
            #expect(sink.statistics.bufferBytes <= 64 << 10)
            client.setFault(nil)
            do {
                try await eventually("the survivors") {
                    let statistics = sink.statistics
                    return client.accepted.count + statistics.dropped(.bufferFull) >= 1000 && statistics.bufferBytes == 0
                }
            } catch {
                Issue.record("\(sink.statistics) accepted \(client.accepted.count) calls \(client.putCalls)")
                throw error
            }
        }
        let statistics = sink.statistics
        let ids = client.accepted.map(eventID).sorted()
        #expect(statistics.dropped(.bufferFull) > 0)
        #expect(ids.count + statistics.dropped(.bufferFull) == 1000)
        #expect(Set(ids).count == ids.count)
        expectOldestDropped(ids, total: 1000)
    }

    @Test func overTheSpoolBudgetTheOldestAreDroppedAndCounted() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let clock = FastClock()
        let client = FakeCloudWatchLogs(fault: { call, _ in
            if case .putLogEvents = call { return .serviceUnavailable("down") }
            return nil
        })
        let configuration = LogsDeliveryConfiguration(
            bufferBytes: 64 << 10, spoolDirectory: directory, spoolBytes: 128 << 10, writeWaitTimeout: .milliseconds(100))
        let sink = try makeSink(client, configuration, clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<3000, per: 20)
            #expect(sink.statistics.spoolBytes <= 128 << 10)
            client.setFault(nil)
            try await eventually("the survivors") {
                let statistics = sink.statistics
                return client.accepted.count + statistics.dropped(.spoolBudget) >= 3000 && statistics.bufferBytes == 0
            }
        }
        let statistics = sink.statistics
        let ids = client.accepted.map(eventID).sorted()
        #expect(statistics.dropped(.spoolBudget) > 0)
        #expect(statistics.dropped(.bufferFull) == 0)
        #expect(ids.count + statistics.dropped(.spoolBudget) == 3000)
        #expect(Set(ids).count == ids.count)
        #expect(recorder.count(containing: "dropping its oldest segment") > 0)
        expectOldestDropped(ids, total: 3000)
    }

    /// Delivered ids are the chunk that was being sent when the outage began (one block) plus the newest (a suffix):
    /// whatever was lost was older than everything kept after it.
    func expectOldestDropped(_ sortedIDs: [Int], total: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let last = sortedIDs.last else {
            Issue.record("nothing delivered", sourceLocation: sourceLocation)
            return
        }
        #expect(last == total - 1, sourceLocation: sourceLocation)
        let gaps = zip(sortedIDs, sortedIDs.dropFirst()).filter { $1 != $0 + 1 }
        #expect(gaps.count <= 1, "delivered ids have \(gaps.count) gaps", sourceLocation: sourceLocation)
    }

    // MARK: Spool across restarts

    @Test func aRestartDuringAnOutageLosesAndDuplicatesNothing() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let configuration = LogsDeliveryConfiguration(
            bufferBytes: 64 << 10, spoolDirectory: directory, shutdownTimeout: .seconds(2), maxBatchBytes: 8 << 10,
            writeWaitTimeout: .milliseconds(200))

        // 1. CloudWatch is unreachable: everything ends up in the spool (overflow, then shutdown).
        let clockA = FastClock()
        let down = FakeCloudWatchLogs(fault: { _, _ in .transport("connection refused") })
        let sinkA = try makeSink(down, configuration, clock: clockA)
        _ = try await withRunningSink(sinkA, clock: clockA, logger: recorder.logger()) {
            await write(sinkA, 0..<2000, per: 20)
        }
        #expect(down.accepted.count == 0)
        #expect(sinkA.statistics.droppedTotal == 0)
        #expect(sinkA.statistics.eventsSpooled == 2000)

        // 2. Restart; CloudWatch accepts three requests, then fails again: a spool chunk is half delivered.
        let clockB = FastClock()
        let flaky = FakeCloudWatchLogs(fault: { call, index in
            guard case .putLogEvents = call else { return nil }
            return index < 3 ? nil : .serviceUnavailable("down again")
        })
        let sinkB = try makeSink(flaky, configuration, clock: clockB)
        _ = try await withRunningSink(sinkB, clock: clockB, logger: recorder.logger()) {
            try await eventually("partial delivery") { flaky.putCalls >= 6 }
        }
        let firstIDs = flaky.accepted.map(eventID)
        #expect(firstIDs.count > 0 && firstIDs.count < 2000)
        #expect(sinkB.statistics.droppedTotal == 0)

        // 3. Restart; CloudWatch is back: the rest, once.
        let clockC = FastClock()
        let healthy = FakeCloudWatchLogs()
        let sinkC = try makeSink(healthy, configuration, clock: clockC)
        _ = try await withRunningSink(sinkC, clock: clockC, logger: recorder.logger()) {
            try await eventually("the rest") { healthy.accepted.count + firstIDs.count >= 2000 }
            try await eventually("spool drained") { sinkC.statistics.spoolBytes == 0 }
        }
        let allIDs = firstIDs + healthy.accepted.map(eventID)
        #expect(allIDs.count == 2000)
        #expect(Set(allIDs) == Set(0..<2000))
        #expect(healthy.violations.isEmpty && flaky.violations.isEmpty)
        #expect(try SpoolFileSystemProbe.segmentCount(directory) == 0)
    }

    @Test func spooledEventsFromAPreviousRunGoFirst() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let configuration = LogsDeliveryConfiguration(spoolDirectory: directory, shutdownTimeout: .seconds(1))
        let clockA = FastClock()
        let down = FakeCloudWatchLogs(fault: { _, _ in .transport("no route to host") })
        let sinkA = try makeSink(down, configuration, clock: clockA)
        _ = try await withRunningSink(sinkA, clock: clockA, logger: recorder.logger()) {
            await write(sinkA, 0..<100, streams: 1)
        }
        #expect(sinkA.statistics.dropped(.shutdown) == 0)

        let clockB = FastClock()
        let healthy = FakeCloudWatchLogs()
        let sinkB = try makeSink(healthy, configuration, clock: clockB)
        _ = try await withRunningSink(sinkB, clock: clockB, logger: recorder.logger()) {
            await write(sinkB, 100..<200, streams: 1)
            try await eventually("200 events") { healthy.accepted.count >= 200 }
        }
        expectDeliveredOnce(healthy, 0..<200)
        #expect(healthy.successfulPuts.first.map { $0.map(eventID) } == Array(0..<100))
    }

    @Test func aCorruptSpoolTailIsSkippedAtStart() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let configuration = LogsDeliveryConfiguration(spoolDirectory: directory, shutdownTimeout: .seconds(1))
        let clockA = FastClock()
        let sinkA = try makeSink(FakeCloudWatchLogs(fault: { _, _ in .transport("down") }), configuration, clock: clockA)
        _ = try await withRunningSink(sinkA, clock: clockA, logger: recorder.logger()) {
            await write(sinkA, 0..<10, streams: 1)
        }
        try SpoolFileSystemProbe.chopLastSegment(directory, bytes: 50)

        let clockB = FastClock()
        let healthy = FakeCloudWatchLogs()
        let sinkB = try makeSink(healthy, configuration, clock: clockB)
        #expect(sinkB.statistics.spoolCorruptBytes > 0)
        _ = try await withRunningSink(sinkB, clock: clockB, logger: recorder.logger()) {
            try await eventually("9 events") { healthy.accepted.count >= 9 }
        }
        expectDeliveredOnce(healthy, 0..<9)
    }

    // MARK: Shutdown

    @Test func gracefulShutdownFlushesWithinTheDeadline() async throws {
        let clock = FastClock(scale: 10)
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, .init(flushInterval: .seconds(3600)), clock: clock)
        let (_, seconds) = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<500)
            #expect(client.accepted.count == 0)
        }
        expectDeliveredOnce(client, 0..<500)
        #expect(seconds < 10)
    }

    @Test func shutdownDuringAnOutageStopsAtTheDeadlineAndCountsTheRest() async throws {
        let clock = FastClock(scale: 10)
        let client = FakeCloudWatchLogs(fault: { _, _ in .serviceUnavailable("down") })
        let sink = try makeSink(client, .init(shutdownTimeout: .seconds(10)), clock: clock)
        let (_, seconds) = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            await write(sink, 0..<500)
        }
        #expect(seconds >= 9.5 && seconds < 30, "shutdown took \(seconds) s")
        #expect(sink.statistics.dropped(.shutdown) == 500)
        #expect(recorder.count(containing: "no spool; dropped") == 1)
    }

    @Test func flushWaitsForDelivery() async throws {
        let clock = FastClock(scale: 10)
        let client = FakeCloudWatchLogs()
        let sink = try makeSink(client, .init(flushInterval: .seconds(3600)), clock: clock)
        _ = try await withRunningSink(sink, clock: clock, logger: recorder.logger()) {
            try await eventually("the sink to run") { sink.isRunning }
            await write(sink, 0..<50)
            await sink.flush()
            #expect(client.accepted.count == 50)
        }
    }
}

/// File-level checks on a spool directory, through the public file system only.
enum SpoolFileSystemProbe {
    static func segmentCount(_ directory: String) throws -> Int {
        try segments(directory).count
    }

    static func segments(_ directory: String) throws -> [String] {
        try FileManagerProbe.list(directory).filter { $0.hasPrefix("segment-") }.sorted()
    }

    static func chopLastSegment(_ directory: String, bytes: Int) throws {
        let path = directory + "/" + (try segments(directory).last!)
        try FileManagerProbe.truncate(path, by: bytes)
    }
}
