#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall-clock time source for signing and credential expiry (injected so tests can pin or skew it).
public protocol AWSWallClock: Sendable {
    /// Milliseconds since the Unix epoch, UTC.
    func nowMilliseconds() -> Int64
}

/// The system's real-time clock.
public struct SystemWallClock: AWSWallClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A fixed offset between our wall clock and the servers', learnt from clock-skew errors. Shared by every client
/// built from one ``AWSClientConfiguration``.
public final class AWSClockSkew: Sendable {
    private let box = LockedBox<Int64>(0)

    public init() {}

    /// Milliseconds to add to the local wall clock to get the server's time.
    public var offsetMilliseconds: Int64 {
        get { box.value }
        set { box.value = newValue }
    }
}

/// Pure clock-skew logic: given a clock-skew error with the server's `Date`, the offset to apply, if any.
public enum AWSClockSkewCorrection {
    /// The offset below which a skew error is not blamed on our clock (the `Date` header has 1 s resolution).
    public static let threshold: Int64 = 60_000

    /// The new offset (server time − local time, ms) when `error` is a clock-skew error and the server's `Date` is at
    /// least ``threshold`` away from our corrected clock; `nil` otherwise.
    public static func offset(
        for error: AWSError, localMilliseconds: Int64, currentOffset: Int64
    ) -> Int64? {
        guard error.isClockSkewError, let serverSeconds = error.serverDateSeconds else { return nil }
        let serverMilliseconds = serverSeconds * 1000
        let corrected = localMilliseconds + currentOffset
        guard abs(serverMilliseconds - corrected) >= threshold else { return nil }
        return serverMilliseconds - localMilliseconds
    }
}
