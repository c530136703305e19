import Testing

@testable import Kubernetes

struct WorkQueueStateTests {
    @Test func anItemIsQueuedOnce() {
        var state = WorkQueueState<String>()
        let added = [state.add("a"), state.add("a"), state.add("b")]
        #expect(added == [true, false, true])
        #expect(state.count == 2)
        let taken = [state.next(), state.next(), state.next()]
        #expect(taken == ["a", "b", nil])
    }

    @Test func anItemAddedWhileProcessingIsQueuedAgainWhenDone() {
        var state = WorkQueueState<String>()
        _ = state.add("a")
        let first = state.next()
        #expect(first == "a")
        // Added twice while a worker has it: queued once, and only after `done`.
        let readded = [state.add("a"), state.add("a")]
        #expect(readded == [false, false])
        let meanwhile = state.next()
        #expect(meanwhile == nil, "an item being processed is not handed to a second worker")
        let requeued = state.done("a")
        #expect(requeued)
        let again = state.next()
        #expect(again == "a")
        let requeuedTwice = state.done("a")
        #expect(!requeuedTwice)
        let empty = state.next()
        #expect(empty == nil)
    }

    @Test func nothingIsAddedAfterShutdown() {
        var state = WorkQueueState<Int>()
        state.shutDown()
        let added = state.add(1)
        #expect(!added)
        #expect(state.count == 0)
    }
}

struct RetryRateLimiterTests {
    @Test func perItemDelaysDoubleFromFiveMillisecondsToTheMaximum() {
        var limiter = RetryRateLimiter()
        var delays: [Duration] = []
        // One failure a minute, so the bucket is always full and only the per-item delay counts.
        for minute in 0..<30 { delays.append(limiter.delay(for: "key", now: .seconds(60 * minute))) }
        #expect(delays[0] == .milliseconds(5))
        #expect(delays[1] == .milliseconds(10))
        #expect(delays[2] == .milliseconds(20))
        #expect(delays[10] == .milliseconds(5 * 1024))
        #expect(delays[29] == .seconds(1000))
        #expect(limiter.failureCount("key") == 30)
        limiter.forget("key")
        #expect(limiter.failureCount("key") == 0)
        let afterForget = limiter.delay(for: "key", now: .seconds(7200))
        #expect(afterForget == .milliseconds(5))
    }

    @Test func theBucketLimitsBurstsToOneHundredThenTenPerSecond() {
        var limiter = RetryRateLimiter()
        // 100 different items at the same instant: the burst; then each waits 0.1 s more.
        let burst = (0..<100).map { limiter.delay(for: $0, now: .zero) }
        #expect(burst.allSatisfy { $0 == .milliseconds(5) })
        let beyond = [limiter.delay(for: 100, now: .zero), limiter.delay(for: 101, now: .zero)]
        #expect(beyond == [.milliseconds(100), .milliseconds(200)])
        // Tokens come back at 10 per second.
        let refilled = limiter.delay(for: 102, now: .seconds(1))
        #expect(refilled == .milliseconds(5))
    }
}

struct ExponentialBackoffTests {
    @Test func doublesFromInitialToMaximumAndResets() {
        var backoff = ExponentialBackoff(initial: .milliseconds(800), maximum: .seconds(30), jitter: 0.1)
        let delays = (0..<8).map { _ in backoff.next(random: 0) }
        #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30)])
        let jittered = backoff.next(random: 0.5)
        #expect(jittered == .seconds(30) + .seconds(30) * 0.05)
        backoff.reset()
        let afterReset = backoff.next(random: 0)
        #expect(afterReset == .milliseconds(800))
    }
}
