import PromwatchTestSupport
import Testing

@testable import Kubernetes

/// The `WorkQueue` service with a manual clock: delayed and rate-limited adds wait exactly their delay.
@Suite(.timeLimit(.minutes(1))) struct WorkQueueShellTests {
    /// Waits (in real time, briefly) until `condition` holds: the queue's child tasks run concurrently.
    func settle(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test func rateLimitedRetriesWaitTheirBackoffThenArriveOnce() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await queue.run() }
            // A failing item: 5 ms, then 10 ms.
            #expect(queue.addRateLimited("ns/a") == .milliseconds(5))
            try await settle { clock.sleeperCount == 1 }
            #expect(queue.count == 0)
            clock.advance(by: .milliseconds(4))
            #expect(queue.count == 0, "not before its delay")
            clock.advance(by: .milliseconds(1))
            try await settle { queue.count == 1 }
            let first = await queue.next()
            #expect(first == "ns/a")
            #expect(queue.addRateLimited("ns/a") == .milliseconds(10))
            queue.done("ns/a")
            try await settle { clock.sleeperCount == 1 }
            clock.advance(by: .milliseconds(10))
            try await settle { queue.count == 1 }
            // A plain add of the same key while it waits in the queue: still one entry.
            queue.add("ns/a")
            #expect(queue.count == 1)
            queue.forget("ns/a")
            #expect(queue.failureCount("ns/a") == 0)
            queue.shutDown()
            group.cancelAll()
        }
    }

    @Test func workersGetItemsAsTheyComeAndNilAfterShutdown() async throws {
        let queue = WorkQueue<Int>(clock: ManualClock())
        async let first = queue.next()
        async let second = queue.next()
        queue.add(1)
        queue.add(2)
        let taken = await Set([first, second])
        #expect(taken == [1, 2])
        queue.shutDown()
        let afterShutdown = await queue.next()
        #expect(afterShutdown == nil)
    }
}
