import FoundationEssentials
import Testing

@testable import Kubernetes

struct LeaseLockStateTests {
    let wall = Date(timeIntervalSince1970: 1_790_000_000.25)
    let timings = LeaderElectionTimings()

    func lease(_ spec: LeaseSpec) -> Lease {
        Lease(metadata: ObjectMeta(name: "promwatch", namespace: "kube-system"), spec: spec)
    }

    @Test func defaultsAreValid() {
        #expect(timings.isValid)
        #expect(!LeaderElectionTimings(leaseDuration: .seconds(10), renewDeadline: .seconds(10), retryPeriod: .seconds(2)).isValid)
        #expect(!LeaderElectionTimings(leaseDuration: .seconds(15), renewDeadline: .seconds(2), retryPeriod: .seconds(2)).isValid)
    }

    @Test func aMissingLeaseIsCreated() {
        var lock = LeaseLockState(identity: "a", timings: timings)
        guard case .create(let spec) = lock.decide(lease: nil, now: .zero, wallTime: wall) else {
            Issue.record("expected create")
            return
        }
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseDurationSeconds == 15)
        #expect(spec.acquireTime == "2026-09-21T14:13:20.250000Z")
        #expect(spec.renewTime == spec.acquireTime)
        #expect(spec.leaseTransitions == 0)
    }

    @Test func anotherHoldersLeaseIsTakenOnlyAfterItWentUnrenewedForItsDuration() {
        var lock = LeaseLockState(identity: "b", timings: timings)
        let held = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t0", leaseTransitions: 3)
        #expect(lock.decide(lease: lease(held), now: .seconds(100), wallTime: wall) == .heldByOther(holder: "a"))
        #expect(lock.decide(lease: lease(held), now: .seconds(114), wallTime: wall) == .heldByOther(holder: "a"))
        // The holder renews: the local observation time moves, whatever the timestamps say.
        var renewed = held
        renewed.renewTime = "t1"
        #expect(lock.decide(lease: lease(renewed), now: .seconds(114), wallTime: wall) == .heldByOther(holder: "a"))
        #expect(lock.decide(lease: lease(renewed), now: .seconds(128), wallTime: wall) == .heldByOther(holder: "a"))
        // 15 s without a change: taken over, a transition counted.
        guard case .update(let spec) = lock.decide(lease: lease(renewed), now: .seconds(129), wallTime: wall) else {
            Issue.record("expected update")
            return
        }
        #expect(spec.holderIdentity == "b")
        #expect(spec.leaseTransitions == 4)
        #expect(spec.acquireTime == spec.renewTime)
    }

    @Test func ourOwnLeaseIsRenewedKeepingItsAcquireTime() {
        var lock = LeaseLockState(identity: "a", timings: timings)
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "t0", renewTime: "t0", leaseTransitions: 2)
        guard case .update(let spec) = lock.decide(lease: lease(mine), now: .seconds(5), wallTime: wall) else {
            Issue.record("expected update")
            return
        }
        #expect(spec.acquireTime == "t0")
        #expect(spec.renewTime == "2026-09-21T14:13:20.250000Z")
        #expect(spec.leaseTransitions == 2)
    }

    @Test func aReleasedLeaseIsTakenAtOnce() {
        var lock = LeaseLockState(identity: "b", timings: timings)
        let released = lock.releaseSpec(of: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 1), wallTime: wall)
        #expect(released.holderIdentity == nil)
        #expect(released.leaseDurationSeconds == 1)
        guard case .update(let spec) = lock.decide(lease: lease(released), now: .zero, wallTime: wall) else {
            Issue.record("expected update")
            return
        }
        #expect(spec.holderIdentity == "b")
        #expect(spec.leaseTransitions == 2)
    }

    @Test func microTimeHasSixFractionalDigits() {
        #expect(LeaseLockState.microTime(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(LeaseLockState.microTime(Date(timeIntervalSince1970: 1.5)) == "1970-01-01T00:00:01.500000Z")
    }
}
