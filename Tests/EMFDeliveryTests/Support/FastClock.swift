/// A clock whose time runs `scale` times faster than real time: a 60 s outage passes in 0.6 s at the default
/// 100×, yet everything still happens in order, on real timers, with real concurrency (unlike a clock that jumps).
struct FastClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let origin: ContinuousClock.Instant
    let scale: Int
    /// Unix epoch milliseconds at virtual time zero.
    let wallOrigin: Int64

    init(scale: Int = 100, wallOrigin: Int64 = 1_750_000_000_000) {
        self.origin = ContinuousClock.now
        self.scale = scale
        self.wallOrigin = wallOrigin
    }

    var now: Instant { Instant(offset: (ContinuousClock.now - origin) * scale) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let remaining = now.duration(to: deadline)
        guard remaining > .zero else {
            try Task.checkCancellation()
            await Task.yield()
            return
        }
        try await ContinuousClock().sleep(for: remaining / scale)
    }

    /// The virtual wall clock, Unix epoch milliseconds.
    var wallMilliseconds: Int64 {
        let (seconds, attoseconds) = now.offset.components
        return wallOrigin + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Virtual seconds since the clock was made.
    var elapsedSeconds: Double {
        let (seconds, attoseconds) = now.offset.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
