public import FoundationEssentials

/// Leader election timings (client-go / controller-runtime defaults: 15 s, 10 s, 2 s). Valid when
/// `leaseDuration > renewDeadline > 1.2 × retryPeriod`.
public struct LeaderElectionTimings: Sendable, Hashable {
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    public var isValid: Bool { leaseDuration > renewDeadline && renewDeadline > retryPeriod * 1.2 }
}

/// The pure decision of one acquire-or-renew attempt, from the Lease as read: what to write, or to wait.
///
/// As client-go, a contender never trusts the holder's timestamps (clocks differ): it notes *locally* when it
/// last saw the lease record change, and takes over only after `leaseDuration` without a change.
public struct LeaseLockState: Sendable {
    public let identity: String
    public let timings: LeaderElectionTimings
    /// The record last seen and when (local monotonic time, as a duration since any origin).
    private var observedSpec: LeaseSpec?
    private var observedAt: Duration = .zero

    public init(identity: String, timings: LeaderElectionTimings) {
        self.identity = identity
        self.timings = timings
    }

    public enum Decision: Sendable, Equatable {
        /// No Lease exists: create it with this spec.
        case create(LeaseSpec)
        /// Write this spec (with the read resourceVersion: a race loses with 409).
        case update(LeaseSpec)
        /// Another holder's lease is still valid.
        case heldByOther(holder: String)
    }

    /// - Parameters:
    ///   - lease: the Lease read now, `nil` when it does not exist.
    ///   - now: local monotonic time.
    ///   - wallTime: the time to write into `acquireTime`/`renewTime`.
    public mutating func decide(lease: Lease?, now: Duration, wallTime: Date) -> Decision {
        let stamp = Self.microTime(wallTime)
        let seconds = Int(timings.leaseDuration.components.seconds)
        guard let lease else {
            return .create(LeaseSpec(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
        }
        let current = lease.spec ?? LeaseSpec()
        if current != observedSpec {
            observedSpec = current
            observedAt = now
        }
        let holder = current.holderIdentity ?? ""
        let held = !holder.isEmpty && holder != identity
        // The holder's own duration counts (it may differ from ours).
        let duration = current.leaseDurationSeconds.map { Duration.seconds($0) } ?? timings.leaseDuration
        if held && observedAt + duration > now {
            return .heldByOther(holder: holder)
        }
        var next = current
        next.holderIdentity = identity
        next.leaseDurationSeconds = seconds
        next.renewTime = stamp
        if holder != identity {
            next.acquireTime = stamp
            next.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        }
        return .update(next)
    }

    /// Records a successful write, so our own renewals don't look like changes by someone else.
    public mutating func wrote(_ spec: LeaseSpec, now: Duration) {
        observedSpec = spec
        observedAt = now
    }

    /// The spec that gives the lease up (client-go's release on cancel): no holder, a 1 s duration.
    public func releaseSpec(of current: LeaseSpec, wallTime: Date) -> LeaseSpec {
        var next = current
        next.holderIdentity = nil
        next.leaseDurationSeconds = 1
        next.renewTime = Self.microTime(wallTime)
        next.acquireTime = next.renewTime
        return next
    }

    /// `MicroTime`: RFC 3339 in UTC with exactly six fractional digits.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded(.down))
        let base = Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: whole))
        // `base` ends with "Z"; put the microseconds before it.
        let digits = String(micros)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
    }
}
