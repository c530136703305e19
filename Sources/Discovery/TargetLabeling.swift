public import PromwatchConfig
public import Relabel
public import Scrape

/// Turns a discovered label set into a scrape target as Prometheus's `PopulateLabels` does: add the job's defaults
/// (`job`, `__scheme__`, `__metrics_path__`, `__scrape_interval__`, `__scrape_timeout__`, `__param_<name>`) where the
/// discovered labels don't set them, run `relabel_configs`, require `__address__` (a missing port gets the scheme's
/// default), let `__scrape_interval__`/`__scrape_timeout__` override the job's, drop `__meta_*` labels, and default
/// `instance` to the address.
public enum TargetLabeling {
    /// Why a discovered target is not scraped.
    public enum Dropped: Error, Sendable, Hashable, CustomStringConvertible {
        /// A `keep`/`drop`/… rule dropped it (the normal way to select targets).
        case byRelabeling
        /// No `__address__` after relabelling.
        case noAddress
        /// `__scrape_interval__` or `__scrape_timeout__` is not a duration, or the timeout exceeds the interval.
        case invalidInterval(String)

        public var description: String {
            switch self {
            case .byRelabeling: "dropped by relabel_configs"
            case .noAddress: "no __address__ label after relabelling"
            case .invalidInterval(let message): message
            }
        }
    }

    /// The scrape target for `labels` (a target group's labels merged with one target's) in `job`.
    ///
    /// - Throws: ``Dropped`` when the target is not to be scraped.
    public static func target(job: ScrapeConfiguration, labels discovered: [String: String], relabeler: Relabeler) throws(Dropped) -> ScrapeTarget {
        var pairs = discovered
        func setDefault(_ name: String, _ value: String) {
            if pairs[name, default: ""].isEmpty { pairs[name] = value }
        }
        setDefault("job", job.jobName)
        setDefault("__scrape_interval__", PrometheusDuration.format(job.scrapeInterval))
        setDefault("__scrape_timeout__", PrometheusDuration.format(job.scrapeTimeout))
        setDefault("__metrics_path__", job.metricsPath)
        setDefault("__scheme__", job.scheme.rawValue)
        for (name, values) in job.params {
            if let first = values.first { setDefault("__param_" + name, first) }
        }
        // Relabelling sees empty values as absent, as Prometheus's labels do.
        var labels = Labels(pairs.filter { !$0.value.isEmpty }.map { ($0.key, $0.value) })
        guard relabeler.process(&labels) else { throw .byRelabeling }

        var result: [String: String] = [:]
        for label in labels where !label.name.hasPrefix("__meta_") { result[label.name] = label.value }
        guard var address = result.removeValue(forKey: "__address__"), !address.isEmpty else { throw .noAddress }
        let scheme = result["__scheme__"] ?? job.scheme.rawValue
        if !hasPort(address) { address = joinHostPort(address, port: scheme == "https" ? "443" : "80") }

        var job = job
        if let text = result.removeValue(forKey: "__scrape_interval__"), text != PrometheusDuration.format(job.scrapeInterval) {
            guard let interval = PrometheusDuration.parse(text), interval > .zero else {
                throw .invalidInterval("invalid __scrape_interval__ \"\(text)\"")
            }
            job.scrapeInterval = interval
        }
        if let text = result.removeValue(forKey: "__scrape_timeout__"), text != PrometheusDuration.format(job.scrapeTimeout) {
            guard let timeout = PrometheusDuration.parse(text), timeout > .zero else {
                throw .invalidInterval("invalid __scrape_timeout__ \"\(text)\"")
            }
            job.scrapeTimeout = timeout
        }
        guard job.scrapeTimeout <= job.scrapeInterval else {
            throw .invalidInterval(
                "scrape timeout \(PrometheusDuration.format(job.scrapeTimeout)) greater than scrape interval "
                    + PrometheusDuration.format(job.scrapeInterval))
        }
        if result["instance", default: ""].isEmpty { result["instance"] = address }
        // The target keeps `__metrics_path__`, `__param_*` and `__scheme__` for its URL and drops other `__` labels.
        return ScrapeTarget(job: job, address: address, extraLabels: result)
    }

    /// Whether `address` (`host`, `host:port`, `[v6]` or `[v6]:port`) has a port.
    static func hasPort(_ address: String) -> Bool {
        if address.hasPrefix("[") { return address.contains("]:") }
        return address.contains(":") && address.split(separator: ":").count == 2
    }

    /// `host:port`, with brackets around an IPv6 host (Go's `net.JoinHostPort`).
    static func joinHostPort(_ host: String, port: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
