import EMF
import Metrics

/// The agent's self-telemetry for EMF conversion, recorded through swift-metrics (served on `/metrics`).
enum AgentMetrics {
    static func record(_ report: ConversionReport, job: String) {
        let dimensions = [("scrape_job", job)]
        Counter(label: "promwatch_emf_events_total", dimensions: dimensions).increment(by: report.events)
        Counter(label: "promwatch_emf_bytes_total", dimensions: dimensions).increment(by: report.bytes)
        Counter(label: "promwatch_emf_metrics_total", dimensions: dimensions).increment(by: report.metricsEmitted)
        Counter(label: "promwatch_emf_baselines_total", dimensions: dimensions).increment(by: report.baselinesStored)
        Counter(label: "promwatch_emf_resets_total", dimensions: dimensions).increment(by: report.resets)
        Counter(label: "promwatch_emf_series_evicted_total", dimensions: dimensions).increment(by: report.seriesEvicted)
        let drops = report.dropped
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
