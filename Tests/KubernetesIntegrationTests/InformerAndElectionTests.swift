import Foundation
import JSON
import Kubernetes
import KubernetesTesting
import Logging
import Synchronization
import Testing

/// Records informer events as strings, in order.
/// A value shared with tasks.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}

final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    var all: [String] { events.withLock { $0 } }
    func record(_ event: InformerEvent<ConfigMap>) {
        let line: String
        switch event {
        case .added(let map): line = "added \(map.metadata.name ?? "")"
        case .updated(_, let map): line = "updated \(map.metadata.name ?? "") \(map.data?["v"] ?? "")"
        case .deleted(let map): line = "deleted \(map.metadata.name ?? "")"
        }
        events.withLock { $0.append(line) }
    }
}

@Suite(.timeLimit(.minutes(2))) struct InformerTests {
    @Test func listsThenFollowsChangesWithIndexes() async throws {
        try await TestCluster.run { cluster in
            _ = try await cluster.client.create(configMap("one", namespace: cluster.namespace, data: ["v": "1"]))
            let log = EventLog()
            let informer = Informer<ConfigMap>(
                client: cluster.client, namespace: cluster.namespace,
                indexers: ["v": { [$0.data?["v"] ?? ""] }], logger: TestCluster.logger, handler: log.record)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                await informer.waitUntilSynced()
                #expect(informer.cache.get("\(cluster.namespace)/one") != nil)
                _ = try await cluster.client.create(configMap("two", namespace: cluster.namespace, data: ["v": "1"]))
                _ = try await cluster.client.patch(ConfigMap.self, name: "one", namespace: cluster.namespace, .merge(["data": .object(["v": .string("2")])]))
                try await cluster.client.delete(ConfigMap.self, name: "two", namespace: cluster.namespace)
                try await TestCluster.eventually("three changes") { log.all.count >= 4 }
                #expect(log.all == ["added one", "added two", "updated one 2", "deleted two"])
                #expect(informer.cache.objects(index: "v", value: "2").map(\.metadata.name) == ["one"])
                #expect(informer.cache.objects(index: "v", value: "1").isEmpty)
                group.cancelAll()
            }
        }
    }

    @Test(.disabled(if: TestCluster.e2eKubeconfig != nil, "needs the emulator's fault injection"))
    func relistsAfter410AndReportsWhatChangedMeanwhile() async throws {
        try await TestCluster.run { cluster in
            let emulator = try #require(cluster.emulator)
            _ = try await cluster.client.create(configMap("stays", namespace: cluster.namespace, data: ["v": "1"]))
            _ = try await cluster.client.create(configMap("goes", namespace: cluster.namespace))
            let log = EventLog()
            let informer = Informer<ConfigMap>(client: cluster.client, namespace: cluster.namespace, logger: TestCluster.logger, handler: log.record)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                await informer.waitUntilSynced()
                // While the watch is down: changes, then history compaction so resuming gets 410.
                emulator.failNextRequests(100, matching: RequestMatcher(watch: true), with: .closeConnection)
                _ = emulator.dropWatchConnections()
                _ = try await cluster.client.patch(ConfigMap.self, name: "stays", namespace: cluster.namespace, .merge(["data": .object(["v": .string("2")])]))
                try await cluster.client.delete(ConfigMap.self, name: "goes", namespace: cluster.namespace)
                _ = try await cluster.client.create(configMap("new", namespace: cluster.namespace))
                emulator.compactHistory()
                emulator.clearFaults()
                // The informer may be in its backoff (0.8 s doubling) from the failed watches: allow for it.
                try await TestCluster.eventually("the relist", timeout: .seconds(90)) { informer.cache.count == 2 && informer.cache.get("\(cluster.namespace)/new") != nil }
                #expect(informer.cache.get("\(cluster.namespace)/stays")?.data == ["v": "2"])
                let afterSync = Array(log.all.dropFirst(2))
                #expect(Set(afterSync) == ["updated stays 2", "deleted goes", "added new"])
                group.cancelAll()
            }
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct LeaderElectionTests {
    // A quick retry period, and lease and renew deadlines long enough that a loaded machine never misses them.
    static let timings = LeaderElectionTimings(leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .milliseconds(300))

    func elector(_ cluster: TestCluster, _ identity: String) -> LeaseElector {
        LeaseElector(client: cluster.client, namespace: cluster.namespace, name: "promwatch-controller", identity: identity, timings: Self.timings, logger: TestCluster.logger)
    }

    @Test func oneContenderLeadsAndTheOtherTakesOverWhenItReleases() async throws {
        try await TestCluster.run { cluster in
            let leading = Box<[String]>([])
            let first = elector(cluster, "a")
            let second = elector(cluster, "b")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await first.run {
                        leading.withLock { $0.append("a") }
                        try await Task.sleep(for: .seconds(2))  // lead for a while, then finish: release
                    }
                }
                try await TestCluster.eventually("a to lead") { leading.withLock { $0 } == ["a"] }
                group.addTask {
                    try await second.run {
                        leading.withLock { $0.append("b") }
                    }
                }
                // b must wait while a holds the lease, and take over once a releases it (well before its 15 s expiry).
                try await Task.sleep(for: .milliseconds(900))
                #expect(leading.withLock { $0 } == ["a"])
                try await TestCluster.eventually("b to lead after the release") { leading.withLock { $0 } == ["a", "b"] }
                try await group.waitForAll()
            }
            let lease = try await cluster.client.get(Lease.self, name: "promwatch-controller", namespace: cluster.namespace)
            #expect(lease.spec?.holderIdentity == nil, "b released it too")
            #expect(lease.spec?.leaseTransitions == 1)
        }
    }

    @Test func losingTheLeaseStopsTheWork() async throws {
        try await TestCluster.run { cluster in
            let elector = elector(cluster, "a")
            let workCancelled = Box(false)
            let error = await #expect(throws: LeaseElector.LeadershipLost.self) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await elector.run {
                            do {
                                try await Task.sleep(for: .seconds(60))
                            } catch {
                                workCancelled.withLock { $0 = true }
                                throw error
                            }
                        }
                    }
                    try await TestCluster.eventually("the lease") {
                        (try? await cluster.client.get(Lease.self, name: "promwatch-controller", namespace: cluster.namespace))?.spec?.holderIdentity == "a"
                    }
                    // Someone else takes the lease (as after a partition): a's next renewal sees another holder.
                    // a renews every 300 ms, so this write may race a renewal: re-read and retry on 409.
                    var taken = false
                    while !taken {
                        var lease = try await cluster.client.get(Lease.self, name: "promwatch-controller", namespace: cluster.namespace)
                        lease.spec?.holderIdentity = "intruder"
                        lease.spec?.renewTime = LeaseLockState.microTime(Date())
                        do {
                            _ = try await cluster.client.update(lease)
                            taken = true
                        } catch let error as KubernetesError where error.code == .conflict {
                            continue
                        }
                    }
                    try await group.next()
                }
            }
            #expect(error?.description.contains("another holder") == true)
            #expect(workCancelled.withLock { $0 })
        }
    }
}
