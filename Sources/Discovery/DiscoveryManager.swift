public import Logging
public import PromwatchConfig
public import Relabel
public import Scrape
public import ServiceLifecycle
import Synchronization

/// Gathers the target groups of every job's `static_configs` and `kubernetes_sd_configs`, turns them into scrape
/// targets through the job's `relabel_configs` (``TargetLabeling``), and publishes complete target sets for the
/// ``ScrapeManager`` — at once for the first set, then at most every `updateInterval` (Prometheus: 5 s), so a
/// burst of pod changes is one update. Unchanged targets keep their scrape loops (the manager diffs by id).
public final class DiscoveryManager: Service, Sendable {
    /// Groups by job, then by provider (`static/0`, `kubernetes/1`, …), then by source.
    private typealias GroupState = [String: [String: [String: TargetGroup]]]

    private let jobs: [ScrapeConfiguration]
    private let relabelers: [String: Relabeler]
    private let providers: [String: [any TargetGroupProvider]]
    private let output: AsyncStream<[ScrapeTarget]>.Continuation
    private let updateInterval: Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger
    private let groups = Mutex<GroupState>([:])
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    private let dropped = Mutex<[String: String]>([:])

    /// - Parameters:
    ///   - jobs: the scrape jobs; each one's `relabel_configs` is applied to its discovered targets.
    ///   - providers: the dynamic discoverers of each job (by job name), e.g. ``KubernetesDiscoverer``s.
    ///   - output: where complete target sets go (the scrape manager's input); finished when `run()` ends.
    public init<C: Clock>(
        jobs: [ScrapeConfiguration], providers: [String: [any TargetGroupProvider]],
        output: AsyncStream<[ScrapeTarget]>.Continuation, updateInterval: Duration = .seconds(5),
        clock: C = ContinuousClock(), logger: Logger
    ) where C.Duration == Duration {
        self.jobs = jobs
        self.relabelers = Dictionary(jobs.map { ($0.jobName, Relabeler($0.relabelConfigs)) }, uniquingKeysWith: { first, _ in first })
        self.providers = providers
        self.output = output
        self.updateInterval = updateInterval
        self.sleep = { try await clock.sleep(for: $0, tolerance: nil) }
        self.logger = logger
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var initial: GroupState = [:]
        for job in jobs {
            for (index, config) in job.staticConfigs.enumerated() {
                let group = TargetGroup(
                    source: "\(index)", labels: config.labels, targets: config.targets.map { ["__address__": $0] })
                initial[job.jobName, default: [:]]["static/\(index)", default: [:]][group.source] = group
            }
        }
        groups.withLock { $0 = initial }
    }

    /// Replaces groups of `provider` in `job` (an empty group removes its source's targets).
    public func update(job: String, provider: String, groups updates: [TargetGroup]) {
        groups.withLock { state in
            for group in updates {
                if group.targets.isEmpty {
                    state[job, default: [:]][provider, default: [:]][group.source] = nil
                } else {
                    state[job, default: [:]][provider, default: [:]][group.source] = group
                }
            }
        }
        changed.yield()
    }

    /// The targets of the current groups, relabelled, in a stable order.
    public func currentTargets() -> [ScrapeTarget] {
        let state = groups.withLock { $0 }
        var targets: [ScrapeTarget] = []
        var seen = Set<String>()
        var drops: [String: String] = [:]
        for job in jobs {
            let relabeler = relabelers[job.jobName] ?? Relabeler([])
            for provider in (state[job.jobName] ?? [:]).keys.sorted() {
                let bySource = state[job.jobName]?[provider] ?? [:]
                for source in bySource.keys.sorted() {
                    for labels in bySource[source]?.mergedTargets ?? [] {
                        do {
                            let target = try TargetLabeling.target(job: job, labels: labels, relabeler: relabeler)
                            if seen.insert(target.id).inserted { targets.append(target) }
                        } catch {
                            if case .byRelabeling = error { continue }
                            drops["\(job.jobName) \(source) \(labels["__address__"] ?? "")"] = error.description
                        }
                    }
                }
            }
        }
        // Targets that cannot be scraped for a reason other than a relabel rule are worth a warning, once.
        let new = dropped.withLock { previous -> [(String, String)] in
            defer { previous = drops }
            return drops.filter { previous[$0.key] != $0.value }.map { ($0.key, $0.value) }
        }
        for (target, reason) in new.sorted(by: { $0.0 < $1.0 }) {
            logger.warning("Discovered target not scraped", metadata: ["target": "\(target)", "reason": "\(reason)"])
        }
        return targets
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for (job, list) in providers {
                for (index, provider) in list.enumerated() {
                    let name = "\(provider.kind)/\(index)"
                    group.addTask {
                        do {
                            try await provider.run { updates in self.update(job: job, provider: name, groups: updates) }
                        } catch is CancellationError {
                            // Shutting down.
                        }
                    }
                }
            }
            group.addTask {
                do {
                    try await self.publish()
                } catch is CancellationError {
                    // Shutting down.
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func publish() async throws {
        defer { output.finish() }
        output.yield(currentTargets())
        for await _ in changes {
            try await sleep(updateInterval)
            output.yield(currentTargets())
        }
    }
}

/// A source of target groups for one job (one `kubernetes_sd_configs` entry).
public protocol TargetGroupProvider: Sendable {
    /// Names the provider in logs and state (`kubernetes`).
    var kind: String { get }
    /// Discovers until cancelled, sending groups as objects change (each replaces the group of its source).
    func run(send: @escaping @Sendable ([TargetGroup]) -> Void) async throws
}
