import NIOPosix
import Scrape
import Testing

@Suite struct EventLoopClockTests {
    let clock = EventLoopClock(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)

    @Test func sleepsUntilTheDeadline() async throws {
        let start = ContinuousClock.now
        let deadline = clock.now.advanced(by: .milliseconds(120))
        try await clock.sleep(until: deadline, tolerance: nil)
        // Its instants are ContinuousClock's, so the deadline is checked on that clock.
        #expect(ContinuousClock.now >= deadline)
        #expect(start.duration(to: .now) >= .milliseconds(120))
    }

    @Test func aPastDeadlineReturnsAtOnce() async throws {
        try await clock.sleep(until: clock.now.advanced(by: .seconds(-5)), tolerance: nil)
        try await clock.sleep(for: .zero)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingASleepingTaskEndsItsSleepWithCancellationError() async throws {
        let clock = self.clock
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let sleeper = Task {
            startedContinuation.yield()
            try await clock.sleep(until: clock.now.advanced(by: .seconds(3_600)), tolerance: nil)
        }
        var iterator = started.makeAsyncIterator()
        await iterator.next()
        try await Task.sleep(for: .milliseconds(50))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func aTaskCancelledBeforeItSleepsDoesNotSleep() async throws {
        let clock = self.clock
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: clock.now.advanced(by: .seconds(3_600)), tolerance: nil)
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func manySleepsOnTheGroupAllWake() async throws {
        let clock = self.clock
        let woken = try await withThrowingTaskGroup(of: Int.self) { group in
            for k in 0..<50 {
                group.addTask {
                    try await clock.sleep(until: clock.now.advanced(by: .milliseconds(10 + k)), tolerance: nil)
                    return k
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(woken == Set(0..<50))
    }
}
