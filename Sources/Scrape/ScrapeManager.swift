public import Logging
import Metrics
public import PromExposition
import PromwatchConfig
public import ServiceLifecycle
import Synchronization

/// The result of one scrape, successful or not, as handed to a ``ScrapeResultHandler``.
public struct ScrapeOutcome: Sendable {
    /// Wall-clock start of the scrape, milliseconds since the epoch.
    public var startMilliseconds: Int64
    public var durationSeconds: Double
    public var result: Result<ScrapeReport, ScrapeError>

    public var isUp: Bool {
        if case .success = result { return true }
        return false
    }
}

/// What happens to scraped samples. One handler serves every scrape loop; each loop owns its `TargetState`.
public protocol ScrapeResultHandler: Sendable {
    associatedtype TargetState: Sendable
    /// State for a new scrape loop. `discoveredAfterStartup` is true for targets that appeared after the first
    /// target set (their counters started after the agent did).
    func makeState(for target: ScrapeTarget, discoveredAfterStartup: Bool) -> TargetState
    /// Called after every scrape. On failure `batch` is empty.
    func handle(
        target: ScrapeTarget,
        outcome: ScrapeOutcome,
        batch: SampleBatch,
        state: inout TargetState
    ) async
}

/// Runs one scrape loop per target and reconciles loops when the target set changes.
///
/// Loops of unchanged targets keep running (and keep their per-series state) across updates; loops of removed
/// targets stop at their next wait. Start times are spread over the interval by a hash of the target, as
/// Prometheus does, so many targets don't scrape at once. On graceful shutdown every loop stops at its next
/// wait: in-flight scrapes finish and are handed over before ``run()`` returns.
public struct ScrapeManager<Handler: ScrapeResultHandler, C: Clock>: Service where C.Duration == Duration {
    private let scraper: Scraper
    private let handler: Handler
    private let health: TargetHealthRegistry
    private let targetUpdates: AsyncStream<[ScrapeTarget]>
    private let clock: C
    private let wallClock: any WallClock
    private let logger: Logger
    private let batchPool = SampleBatchPool()

    /// - Parameters:
    ///   - targetUpdates: complete target sets; each element replaces the previous one. The manager runs until
    ///     graceful shutdown (or until the stream finishes and every loop has stopped).
    public init(
        scraper: Scraper,
        handler: Handler,
        health: TargetHealthRegistry,
        targetUpdates: AsyncStream<[ScrapeTarget]>,
        clock: C,
        wallClock: any WallClock,
        logger: Logger
    ) {
        self.scraper = scraper
        self.handler = handler
        self.health = health
        self.targetUpdates = targetUpdates
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }

    public func run() async {
        // Every loop has ended by then: no scrape uses the connections any more.
        defer { scraper.closeIdleConnections() }
        let running = Mutex<[String: StopSignal]>([:])
        await withDiscardingTaskGroup { group in
            var isFirstSet = true
            await withGracefulShutdownHandler {
                for await targets in targetUpdates.cancelOnGracefulShutdown() {
                    let wanted = Dictionary(targets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    let (toStop, toStart) = running.withLock { running -> ([StopSignal], [ScrapeTarget]) in
                        let stop = running.filter { wanted[$0.key] == nil }
                        for id in stop.keys { running.removeValue(forKey: id) }
                        let start = wanted.values.filter { running[$0.id] == nil }
                        return (Array(stop.values), start)
                    }
                    for signal in toStop { signal.stop() }
                    for target in toStart.sorted(by: { $0.id < $1.id }) {
                        let signal = StopSignal()
                        running.withLock { $0[target.id] = signal }
                        let discoveredAfterStartup = !isFirstSet
                        group.addTask {
                            await runLoop(target, signal: signal, discoveredAfterStartup: discoveredAfterStartup)
                        }
                    }
                    if !toStop.isEmpty || !toStart.isEmpty {
                        logger.debug(
                            "target set updated",
                            metadata: ["scrape.started": "\(toStart.count)", "scrape.stopped": "\(toStop.count)"]
                        )
                    }
                    isFirstSet = false
                }
            } onGracefulShutdown: {
                for signal in running.withLock({ Array($0.values) }) { signal.stop() }
            }
            // The update stream ended (shutdown, or no more discovery): stop every loop at its next wait.
            for signal in running.withLock({ Array($0.values) }) { signal.stop() }
        }
    }

    private func runLoop(_ target: ScrapeTarget, signal: StopSignal, discoveredAfterStartup: Bool) async {
        var logger = self.logger
        logger[metadataKey: "scrape.job"] = "\(target.jobName)"
        logger[metadataKey: "scrape.target"] = "\(target.url)"
        let interval = target.job.scrapeInterval
        let intervalNanos = max(
            1,
            interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        )
        let offset = Duration.nanoseconds(Int64(target.stableHash % UInt64(intervalNanos)))
        var health = TargetHealth(jobName: target.jobName, instance: target.instance, url: target.url)
        self.health.update(target.id, health)
        defer { self.health.remove(target.id) }

        var state = handler.makeState(for: target, discoveredAfterStartup: discoveredAfterStartup)
        // Compiled once per loop: the rules' regular expressions are not rebuilt for every scrape.
        let metricRelabeling = MetricRelabeling(job: target.job)
        let scrapes = Counter(label: "promwatch_scrapes_total", dimensions: [("scrape_job", target.jobName)])
        let samplesCounter = Counter(
            label: "promwatch_scraped_samples_total",
            dimensions: [("scrape_job", target.jobName)]
        )
        let bytesCounter = Counter(label: "promwatch_scraped_bytes_total", dimensions: [("scrape_job", target.jobName)])
        let upGauge = Gauge(
            label: "promwatch_target_up",
            dimensions: [("scrape_job", target.jobName), ("scrape_instance", target.instance)]
        )

        var next = clock.now.advanced(by: offset)
        while await signal.sleep(until: next, clock: clock) {
            let startWall = wallClock.nowMilliseconds()
            let started = clock.now
            let result: Result<ScrapeReport, ScrapeError>
            // A batch is needed only from the scrape to the end of the handler: borrow one from the pool rather
            // than keeping one per target (it holds the whole parsed scrape).
            var batch = batchPool.take()
            defer { batchPool.give(&batch) }
            do {
                let report = try await scraper.scrape(target, into: &batch)
                if let metricRelabeling {
                    // The batch then holds each sample's final labels; see MetricRelabeling for how to convert it.
                    var relabeled = batchPool.take()
                    let applied = metricRelabeling.apply(
                        to: batch,
                        targetLabels: target.labels,
                        honorLabels: target.job.honorLabels,
                        into: &relabeled
                    )
                    swap(&batch, &relabeled)
                    batchPool.give(&relabeled)
                    try MetricRelabeling.checkLimits(applied, job: target.job)
                }
                result = .success(report)
            } catch {
                result = .failure(error)
                batch.removeAll()
            }
            let duration = started.duration(to: clock.now).secondsValue
            let outcome = ScrapeOutcome(startMilliseconds: startWall, durationSeconds: duration, result: result)

            health.lastScrapeMilliseconds = startWall
            health.lastScrapeDurationSeconds = duration
            scrapes.increment()
            switch result {
            case .success(let report):
                if health.state != .up { logger.info("target is up") }
                health.state = .up
                health.lastError = nil
                health.samplesScraped = report.samplesScraped
                samplesCounter.increment(by: report.samplesScraped)
                bytesCounter.increment(by: report.bodyBytes)
                upGauge.record(1)
            case .failure(let error):
                // Logged on the transition only, so a target that stays down doesn't flood the log.
                if health.state != .down || health.lastError != error.message {
                    logger.warning("target is down", metadata: ["scrape.error": "\(error.message)"])
                }
                health.state = .down
                health.lastError = error.message
                health.samplesScraped = 0
                Counter(
                    label: "promwatch_scrape_failures_total",
                    dimensions: [("scrape_job", target.jobName), ("reason", error.shortDescription)]
                ).increment()
                upGauge.record(0)
            }
            self.health.update(target.id, health)
            await handler.handle(target: target, outcome: outcome, batch: batch, state: &state)

            next = next.advanced(by: interval)
            let now = clock.now
            if next < now {
                // Scrapes that would have started while this one ran are skipped, keeping the phase.
                let behind = next.duration(to: now)
                let missed =
                    Int64(behind.components.seconds * 1_000_000_000 + behind.components.attoseconds / 1_000_000_000)
                    / intervalNanos + 1
                next = next.advanced(by: interval * Int(missed))
            }
        }
    }
}

/// Parsed-scrape buffers shared by the scrape loops: only scrapes in flight hold one, so memory follows the
/// number of concurrent scrapes, not the number of targets. Batches keep their capacity between uses.
final class SampleBatchPool: Sendable {
    private let batches = Mutex<[SampleBatch]>([])
    /// More than this many idle batches are freed.
    private let maximumIdle: Int

    init(maximumIdle: Int = 4) {
        self.maximumIdle = maximumIdle
    }

    func take() -> SampleBatch {
        batches.withLock { $0.popLast() } ?? SampleBatch()
    }

    /// Takes `batch` back, leaving an empty one in its place (so the pool holds the only reference).
    func give(_ batch: inout SampleBatch) {
        var returned = SampleBatch()
        swap(&returned, &batch)
        let kept = batches.withLock { batches -> Bool in
            guard batches.count < maximumIdle else { return false }
            batches.append(returned)
            return true
        }
        if kept { returned = SampleBatch() }
    }
}
