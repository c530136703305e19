/// When and how long to wait before retrying a failed AWS call: exponential backoff with full jitter.
///
/// Pure: the decision depends only on the error, the attempt number and the injected random source, so it is unit
/// testable. The sleeping happens in ``AWSServiceClient`` through its injected clock.
public struct AWSRetryPolicy: Sendable {
    /// Attempts in total, the first included (1 = never retry).
    public var maxAttempts: Int
    /// The backoff ceiling for the first retry; doubles per retry.
    public var baseDelay: Duration
    /// The backoff ceiling never exceeds this.
    public var maxDelay: Duration
    /// A uniform random number in `[0, 1)`.
    public var random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(20),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
    }

    /// Never retry.
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case fail
    }

    /// What to do after attempt number `attempt` (1-based) failed with `error`.
    public func decision(for error: AWSError, attempt: Int) -> Decision {
        guard error.isRetryable, attempt < maxAttempts else { return .fail }
        return .retry(after: delay(forRetry: attempt))
    }

    /// The upper bound of the wait before retry number `retry` (1-based): `min(maxDelay, baseDelay · 2^(retry−1))`.
    public func ceiling(forRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 40)
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        return .nanoseconds(Int64((min(cap, base * Double(1 << exponent)) * 1e9).rounded()))
    }

    /// Full jitter: uniform in `[0, ceiling(forRetry:))`.
    public func delay(forRetry retry: Int) -> Duration {
        let ceiling = ceiling(forRetry: retry)
        let nanos = Double(ceiling.components.seconds) * 1e9 + Double(ceiling.components.attoseconds) / 1e9
        let r = min(max(random(), 0), 0.999_999_999)
        return .nanoseconds(Int64(nanos * r))
    }
}
