public import AWSCore
public import Logging
import Synchronization

/// A wall clock tests set and advance by hand.
public final class ManualWallClock: AWSWallClock {
    private let now: Mutex<Int64>

    public init(milliseconds: Int64) { now = Mutex(milliseconds) }

    public func nowMilliseconds() -> Int64 { now.withLock { $0 } }

    public func advance(byMilliseconds delta: Int64) { now.withLock { $0 += delta } }

    public func set(milliseconds: Int64) { now.withLock { $0 = milliseconds } }
}

/// A clock whose `sleep` returns at once, advancing its time and recording how long each sleep was.
public final class RecordingClock: Clock {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Instant, sleeps: [Duration])>((Instant(offset: .zero), []))

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The durations slept so far.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append($0.now.duration(to: deadline))
            if $0.now < deadline { $0.now = deadline }
        }
    }

    /// Moves time forward without a sleep (e.g. to simulate a slow request).
    public func advance(by duration: Duration) { state.withLock { $0.now = $0.now.advanced(by: duration) } }
}

/// An ``AWSHTTPTransport`` that answers from a script and records what was sent: unit tests of retries, skew
/// correction and error decoding without a server.
public final class ScriptedTransport: AWSHTTPTransport {
    public typealias Step = @Sendable (AWSHTTPRequest) -> Result<AWSHTTPResponse, AWSError>

    private let state: Mutex<(steps: [Step], sent: [AWSHTTPRequest])>
    private let onSend: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - steps: one per request, in order; the last one repeats.
    ///   - onSend: called on every send (e.g. to advance a test clock).
    public init(_ steps: [Step], onSend: (@Sendable () -> Void)? = nil) {
        precondition(!steps.isEmpty, "a script needs at least one step")  // programmer error in a test
        state = Mutex((steps, []))
        self.onSend = onSend
    }

    /// A step answering `status` with a body.
    public static func respond(_ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> Step {
        { _ in .success(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8))) }
    }

    /// A step failing without a response.
    public static func fail(_ code: AWSError.Code, _ message: String = "scripted failure") -> Step {
        { _ in .failure(AWSError(code, message)) }
    }

    /// The requests sent so far.
    public var sent: [AWSHTTPRequest] { state.withLock { $0.sent } }

    public func send(_ request: AWSHTTPRequest, timeout: Duration, logger: Logger) async throws(AWSError) -> AWSHTTPResponse {
        onSend?()
        let step: Step = state.withLock {
            $0.sent.append(request)
            return $0.steps.count > 1 ? $0.steps.removeFirst() : $0.steps[0]
        }
        return try step(request).get()
    }
}
