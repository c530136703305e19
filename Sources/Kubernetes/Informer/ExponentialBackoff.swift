/// Delays that double from `initial` to `maximum`, with up to `jitter` (a fraction) added, as client-go's
/// reflector backs off (0.8 s → 30 s). `reset()` after a success.
public struct ExponentialBackoff: Sendable, Hashable {
    public let initial: Duration
    public let maximum: Duration
    public let jitter: Double
    private var current: Duration?

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), jitter: Double = 0.1) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The next delay; `random` in 0..<1 picks the jitter (injected so tests are exact).
    public mutating func next(random: Double = Double.random(in: 0..<1)) -> Duration {
        let base = current.map { min($0 * 2, maximum) } ?? initial
        current = base
        return base + base * (jitter * random)
    }

    public mutating func reset() { current = nil }
}
