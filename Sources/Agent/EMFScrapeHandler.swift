import EMF
import Logging
import Metrics
import PromExposition
import PromwatchConfig
import Scrape

/// Turns each scrape into EMF events (by the configured `metric_declaration` rules) and hands them to the sink.
struct EMFScrapeHandler: ScrapeResultHandler {
    let converter: EMFConverter
    let sink: any EMFEventSink
    let onEventsConverted: (@Sendable ([EMFLogEvent]) -> Void)?
    let logger: Logger

    struct TargetState: Sendable {
        var target: EMFTarget
        var series = TargetSeriesState()
        var events: [EMFLogEvent] = []
        /// How many events the previous scrape produced: the next array is reserved at that size at once.
        var lastEventCount = 0
        var metrics: AgentMetrics.JobCounters
    }

    func makeState(for target: ScrapeTarget, discoveredAfterStartup: Bool) -> TargetState {
        TargetState(
            target: EMFTarget(
                jobName: target.jobName,
                labels: target.labels.map { (name: $0.name, value: $0.value) },
                // After metric_relabel_configs the samples carry every label the rules set; the target's labels
                // only fill in (see MetricRelabeling).
                honorLabels: target.job.honorLabels || !target.job.metricRelabelConfigs.isEmpty,
                honorTimestamps: target.job.honorTimestamps,
                discoveredAfterStartup: discoveredAfterStartup
            ),
            metrics: AgentMetrics.JobCounters(job: target.jobName)
        )
    }

    func handle(target: ScrapeTarget, outcome: ScrapeOutcome, batch: SampleBatch, state: inout TargetState) async {
        var scraped = 0
        if case .success(let report) = outcome.result { scraped = report.samplesScraped }
        // Target health as Prometheus synthesizes it; emitted only when a declaration selects these names.
        let synthetic = [
            SyntheticSample(name: "up", value: outcome.isUp ? 1 : 0),
            SyntheticSample(name: "scrape_duration_seconds", value: outcome.durationSeconds),
            SyntheticSample(name: "scrape_samples_scraped", value: Double(scraped)),
            SyntheticSample(name: "scrape_samples_post_metric_relabeling", value: Double(batch.samples.count)),
        ]
        state.events.removeAll(keepingCapacity: true)
        state.events.reserveCapacity(state.lastEventCount)
        // After a failed scrape the batch is empty: the converter then keeps every series' delta state for the
        // next success and emits only the synthetic health samples.
        var lines: ArraySlice<UInt8> = []
        let report = converter.convert(
            batch,
            target: state.target,
            state: &state.series,
            scrapeTimeMilliseconds: outcome.startMilliseconds,
            synthetic: synthetic,
            into: &state.events,
            lines: &lines
        )
        state.lastEventCount = state.events.count
        state.metrics.record(report)
        onEventsConverted?(state.events)
        await sink.write(state.events, lines: lines)
        // The events are the sink's now: don't keep a scrape's worth of messages per target until the next scrape.
        state.events = []
    }
}
