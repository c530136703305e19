import AsyncHTTPClient
import DemoExporter
import Logging
import NIOPosix
import PromExposition
import PromwatchConfig
import PromwatchTestSupport
import Scrape
import ServiceLifecycle
import Synchronization
import Testing

/// Records what the manager hands over, per target.
final class RecordingHandler: ScrapeResultHandler {
    struct Record: Sendable {
        var statesMade: [String: Int] = [:]
        var scrapes: [String: [ScrapeOutcome]] = [:]
        var samples: [String: [Int]] = [:]
    }
    let record = Mutex(Record())

    struct TargetState: Sendable {
        var scrapesSeen = 0
    }

    func makeState(for target: ScrapeTarget, discoveredAfterStartup: Bool) -> TargetState {
        record.withLock { $0.statesMade[target.jobName, default: 0] += 1 }
        return TargetState()
    }

    func handle(target: ScrapeTarget, outcome: ScrapeOutcome, batch: SampleBatch, state: inout TargetState) async {
        state.scrapesSeen += 1
        record.withLock {
            $0.scrapes[target.jobName, default: []].append(outcome)
            $0.samples[target.jobName, default: []].append(batch.samples.count)
        }
    }

    func scrapes(_ job: String) -> [ScrapeOutcome] { record.withLock { $0.scrapes[job] ?? [] } }
    func statesMade(_ job: String) -> Int { record.withLock { $0.statesMade[job] ?? 0 } }
    func samples(_ job: String) -> [Int] { record.withLock { $0.samples[job] ?? [] } }
}

@Suite(.serialized)
struct ScrapeManagerTests {
    /// Runs a demo exporter on a free port, a manager over `updates`, and `body`; then shuts everything down.
    func withManager(
        _ body:
            @escaping @Sendable (Int, AsyncStream<[ScrapeTarget]>.Continuation, RecordingHandler, TargetHealthRegistry)
            async throws -> Void
    ) async throws {
        let logger = Logger(label: "scrape-tests")
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let exporter = try DemoExporter(listenAddress: "127.0.0.1:0", logger: logger) { portContinuation.yield($0) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let handler = RecordingHandler()
        let health = TargetHealthRegistry()
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        let manager = ScrapeManager(
            scraper: Scraper(client: client),
            handler: handler,
            health: health,
            targetUpdates: updates,
            // The agent's clock: loops wake on event-loop timers, and removal cancels a loop's pending timer.
            clock: EventLoopClock(eventLoopGroup: MultiThreadedEventLoopGroup.singleton),
            wallClock: SystemWallClock(),
            logger: logger
        )
        let group = ServiceGroup(services: [exporter, manager], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body(port, continuation, handler, health)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await client.shutdown()
    }

    /// A fast interval. The timeout is also the connect deadline for a refused target (AsyncHTTPClient keeps
    /// retrying the connection until it), so it stays short unless a test asks for more.
    static func job(
        _ name: String,
        interval: Duration = .milliseconds(300),
        timeout: Duration? = nil
    ) -> ScrapeConfiguration {
        ScrapeConfiguration(jobName: name, scrapeInterval: interval, scrapeTimeout: timeout ?? interval)
    }

    @Test func unchangedTargetsKeepTheirLoopsAcrossUpdates() async throws {
        try await withManager { port, updates, handler, _ in
            // A timeout a loaded test machine never hits: this test is about loops, not deadlines.
            let a = ScrapeTarget(job: Self.job("a", timeout: .seconds(5)), address: "127.0.0.1:\(port)")
            let b = ScrapeTarget(job: Self.job("b", timeout: .seconds(5)), address: "127.0.0.1:\(port)")
            updates.yield([a])
            try await waitUntil { handler.scrapes("a").count >= 2 }
            updates.yield([a, b])
            try await waitUntil { handler.scrapes("b").count >= 2 }
            let aScrapesBeforeRemoval = handler.scrapes("a").count
            updates.yield([b])
            try await Task.sleep(for: .seconds(1))
            let aScrapesAfterRemoval = handler.scrapes("a").count
            try await Task.sleep(for: .seconds(1))
            // a's loop was made once and kept through the second update, then stopped.
            #expect(handler.statesMade("a") == 1)
            #expect(handler.statesMade("b") == 1)
            #expect(aScrapesAfterRemoval <= aScrapesBeforeRemoval + 1, "at most the in-flight scrape completes")
            #expect(handler.scrapes("a").count == aScrapesAfterRemoval, "no scrapes after removal")
            #expect(handler.scrapes("a").allSatisfy { $0.isUp })
            // The demo exporter's exposition has 19 samples (4 counters, 1 gauge, 14 histogram series).
            #expect(handler.samples("a").allSatisfy { $0 == 19 })
        }
    }

    @Test func aTargetThatRefusesConnectionsIsDownAndOthersContinue() async throws {
        let closedPort = try TestPorts.free()
        try await withManager { port, updates, handler, health in
            let good = ScrapeTarget(job: Self.job("good"), address: "127.0.0.1:\(port)")
            let refused = ScrapeTarget(job: Self.job("refused"), address: "127.0.0.1:\(closedPort)")
            updates.yield([good, refused])
            try await waitUntil { handler.scrapes("good").count >= 3 && handler.scrapes("refused").count >= 2 }
            #expect(handler.scrapes("good").allSatisfy { $0.isUp })
            #expect(handler.scrapes("refused").allSatisfy { !$0.isUp })
            let refusedHealth = health.snapshot().first { $0.jobName == "refused" }
            #expect(refusedHealth?.state == .down)
            #expect(refusedHealth?.lastError != nil)
        }
    }
}

/// Polls `condition` every 50 ms for up to `timeout`.
func waitUntil(timeout: Duration = .seconds(15), _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
