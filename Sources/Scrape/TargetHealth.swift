import Synchronization

/// The health of one target after its latest scrape, like Prometheus's target page.
public struct TargetHealth: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case unknown, up, down
    }

    public var jobName: String
    public var instance: String
    public var url: String
    public var state: State
    /// Why the last scrape failed, if it did.
    public var lastError: String?
    /// Wall-clock time of the last scrape start, milliseconds since the epoch.
    public var lastScrapeMilliseconds: Int64?
    public var lastScrapeDurationSeconds: Double
    /// Samples in the last successful scrape (Prometheus's `scrape_samples_scraped`).
    public var samplesScraped: Int

    public init(jobName: String, instance: String, url: String) {
        self.jobName = jobName
        self.instance = instance
        self.url = url
        self.state = .unknown
        self.lastError = nil
        self.lastScrapeMilliseconds = nil
        self.lastScrapeDurationSeconds = 0
        self.samplesScraped = 0
    }
}

/// Health of every active target, shared by scrape loops (writers) and HTTP endpoints (readers).
public final class TargetHealthRegistry: Sendable {
    private let state = Mutex<[String: TargetHealth]>([:])

    public init() {}

    public func update(_ id: String, _ health: TargetHealth) {
        state.withLock { $0[id] = health }
    }

    public func remove(_ id: String) {
        _ = state.withLock { $0.removeValue(forKey: id) }
    }

    /// Every target's health, sorted by job then instance.
    public func snapshot() -> [TargetHealth] {
        state.withLock { Array($0.values) }.sorted {
            ($0.jobName, $0.instance) < ($1.jobName, $1.instance)
        }
    }
}
