public import FoundationEssentials
public import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go's: try to acquire every `retryPeriod`; while
/// leading, renew every `retryPeriod`; if no renewal succeeds for `renewDeadline`, leadership is lost and the work is
/// cancelled. When the work ends or is cancelled (graceful shutdown), the lease is released so another replica
/// takes over at once.
public struct LeaseElector: Sendable {
    public let client: KubernetesClient
    public let namespace: String
    public let name: String
    public let identity: String
    public let timings: LeaderElectionTimings
    private let now: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let wallClock: @Sendable () -> Date
    private let logger: Logger

    /// Leadership was lost (renewals failed for `renewDeadline`, or another holder took the lease).
    public struct LeadershipLost: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "leader election lost: \(reason)" }
    }

    public init<C: Clock>(
        client: KubernetesClient, namespace: String, name: String, identity: String,
        timings: LeaderElectionTimings = .init(), clock: C = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) where C.Duration == Duration {
        precondition(timings.isValid, "leaseDuration > renewDeadline > 1.2 × retryPeriod")
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.timings = timings
        let origin = clock.now
        self.now = { origin.duration(to: clock.now) }
        self.sleep = { try await clock.sleep(for: $0, tolerance: nil) }
        self.wallClock = wallClock
        var logger = logger
        logger[metadataKey: "lease"] = "\(namespace)/\(name)"
        logger[metadataKey: "identity"] = "\(identity)"
        self.logger = logger
    }

    /// Waits to become leader, then runs `work` while leading.
    ///
    /// - Returns: when `work` returns (the lease is released first).
    /// - Throws: ``LeadershipLost`` when leadership is lost (`work` is cancelled first); `CancellationError` when
    ///   cancelled (the lease is released if held).
    public func run(whileLeading work: @escaping @Sendable () async throws -> Void) async throws {
        var lock = LeaseLockState(identity: identity, timings: timings)
        // Acquire.
        while true {
            try Task.checkCancellation()
            if try await tryAcquireOrRenew(&lock) == .held { break }
            try await sleep(timings.retryPeriod)
        }
        logger.info("Became leader")
        let held = lock
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    var lock = held
                    try await renewLoop(&lock)
                }
                // The first to finish decides: work done (release), or renewals failed (lost).
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as LeadershipLost {
            logger.error("Lost leadership; stopping work", metadata: ["reason": "\(error.reason)"])
            throw error
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func renewLoop(_ lock: inout LeaseLockState) async throws {
        var lastRenewal = now()
        while true {
            try await sleep(timings.retryPeriod)
            do {
                switch try await tryAcquireOrRenew(&lock) {
                case .held:
                    lastRenewal = now()
                    continue
                case .heldByOther:
                    throw LeadershipLost(reason: "another holder has the lease")
                case .raced:
                    // Someone wrote the Lease between our read and write: a failed attempt, not yet a loss.
                    logger.debug("Lease renewal raced another write; retrying")
                }
            } catch let error as KubernetesError {
                logger.warning("Lease renewal failed", metadata: ["error": "\(error)"])
            }
            if now() - lastRenewal >= timings.renewDeadline {
                throw LeadershipLost(reason: "no renewal for \(timings.renewDeadline)")
            }
        }
    }

    /// What one acquire-or-renew attempt found.
    private enum Attempt {
        /// We hold the lease (acquired or renewed).
        case held
        /// Another holder's lease is valid.
        case heldByOther
        /// Our write lost a race (409): try again next period.
        case raced
    }

    /// One attempt to acquire or renew the lease.
    private func tryAcquireOrRenew(_ lock: inout LeaseLockState) async throws(KubernetesError) -> Attempt {
        var lease: Lease?
        do {
            lease = try await client.get(Lease.self, name: name, namespace: namespace)
        } catch where error.code == .notFound {
            lease = nil
        }
        switch lock.decide(lease: lease, now: now(), wallTime: wallClock()) {
        case .heldByOther:
            return .heldByOther
        case .create(let spec):
            do {
                _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
            } catch where error.code == .alreadyExists || error.code == .conflict {
                return .raced
            }
            lock.wrote(spec, now: now())
            return .held
        case .update(let spec):
            var updated = lease!  // `.update` is only decided for an existing lease
            updated.spec = spec
            do {
                _ = try await client.update(updated)
            } catch where error.code == .conflict {
                return .raced
            }
            lock.wrote(spec, now: now())
            return .held
        }
    }

    /// Gives the lease up if we still hold it (best effort: shutting down anyway).
    private func release() async {
        do {
            var lease = try await client.get(Lease.self, name: name, namespace: namespace)
            guard lease.spec?.holderIdentity == identity else { return }
            let lock = LeaseLockState(identity: identity, timings: timings)
            lease.spec = lock.releaseSpec(of: lease.spec ?? LeaseSpec(), wallTime: wallClock())
            _ = try await client.update(lease)
            logger.info("Released the lease")
        } catch {
            logger.warning("Could not release the lease", metadata: ["error": "\(error)"])
        }
    }
}
