import EMF
import Metrics

/// The agent's self-telemetry for EMF conversion, recorded through swift-metrics (served on `/metrics`).
enum AgentMetrics {
    /// The counters of one scrape job, created once per scrape loop rather than looked up on every scrape.
    struct JobCounters: Sendable {
        let job: String
        let events: Counter
        let bytes: Counter
        let metrics: Counter
        let baselines: Counter
        let resets: Counter
        let evicted: Counter

        init(job: String) {
            let dimensions = [("scrape_job", job)]
            self.job = job
            events = Counter(label: "promwatch_emf_events_total", dimensions: dimensions)
            bytes = Counter(label: "promwatch_emf_bytes_total", dimensions: dimensions)
            metrics = Counter(label: "promwatch_emf_metrics_total", dimensions: dimensions)
            baselines = Counter(label: "promwatch_emf_baselines_total", dimensions: dimensions)
            resets = Counter(label: "promwatch_emf_resets_total", dimensions: dimensions)
            evicted = Counter(label: "promwatch_emf_series_evicted_total", dimensions: dimensions)
        }

        func record(_ report: ConversionReport) {
            events.increment(by: report.events)
            bytes.increment(by: report.bytes)
            metrics.increment(by: report.metricsEmitted)
            baselines.increment(by: report.baselinesStored)
            resets.increment(by: report.resets)
            evicted.increment(by: report.seriesEvicted)
            AgentMetrics.recordDrops(report.dropped, job: job)
        }
    }

    static func record(_ report: ConversionReport, job: String) {
        let dimensions = [("scrape_job", job)]
        Counter(label: "promwatch_emf_events_total", dimensions: dimensions).increment(by: report.events)
        Counter(label: "promwatch_emf_bytes_total", dimensions: dimensions).increment(by: report.bytes)
        Counter(label: "promwatch_emf_metrics_total", dimensions: dimensions).increment(by: report.metricsEmitted)
        Counter(label: "promwatch_emf_baselines_total", dimensions: dimensions).increment(by: report.baselinesStored)
        Counter(label: "promwatch_emf_resets_total", dimensions: dimensions).increment(by: report.resets)
        Counter(label: "promwatch_emf_series_evicted_total", dimensions: dimensions).increment(by: report.seriesEvicted)
        recordDrops(report.dropped, job: job)
    }

    static func recordDrops(_ drops: ConversionReport.Drops, job: String) {
        for (reason, count) in [
            ("non_finite", drops.nonFinite), ("invalid_dimension_value", drops.invalidDimensionValue),
            ("no_dimension_set", drops.noDimensionSet), ("unselected", drops.unselected),
            ("oversize", drops.oversize), ("duplicate", drops.duplicate), ("invalid_name", drops.invalidName),
            ("timestamp_out_of_range", drops.timestampOutOfRange), ("malformed", drops.malformed),
        ] where count > 0 {
            Counter(label: "promwatch_emf_dropped_total", dimensions: [("scrape_job", job), ("reason", reason)])
                .increment(by: count)
        }
    }
}
