public import PromExposition
import Synchronization

/// Source of converter identities, so a ``TargetSeriesState`` notices a new configuration.
private let converterIdentities = Atomic<UInt64>(0)

/// Scratch buffers shared by all conversions (one per conversion in flight).
private let conversionScratchPool = ConversionScratchPool()

final class ConversionScratchPool: Sendable {
    private let idle = Mutex<[ConversionScratch]>([])
    private let maximumIdle = 4

    func take() -> ConversionScratch {
        idle.withLock { $0.popLast() } ?? ConversionScratch()
    }

    /// Takes `scratch` back, leaving an empty one in its place.
    func give(_ scratch: inout ConversionScratch) {
        var returned = ConversionScratch()
        swap(&returned, &scratch)
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < maximumIdle else { return false }
            idle.append(returned)
            return true
        }
        if kept { returned = ConversionScratch() }
    }
}

/// Turns one scrape of one target (a ``SampleBatch``) into CloudWatch Embedded Metric Format log events, by the
/// CloudWatch agent's `metric_declaration` rules but without its data loss.
///
/// Immutable and `Sendable`: one converter serves every scrape loop; each loop owns its target's
/// ``TargetSeriesState``. Regular expressions are compiled once here; per-target caches keep them off the
/// steady-state path.
///
/// ## Labels
/// A sample's labels are its scraped labels merged with the target labels as Prometheus merges them: the target
/// label wins, and a conflicting scraped label is kept as `exported_<name>` (`exported_exported_<name>` if that
/// is taken too) — unless `honor_labels`, where the scraped label wins and the target label only fills in. The
/// target's `job` comes from ``EMFTarget/jobName`` when its labels have none. Then `ClusterName` (from
/// `cluster_name`) and `constant_labels` are added where absent. A label with an empty value counts as absent
/// (Prometheus semantics); a label named `_aws` is never written (the key is reserved for EMF metadata).
///
/// ## Metric names and types
/// The type is the family's type as the scraped text declares it (``BatchFamily/type``), never a side cache.
/// - gauge, untyped, unknown, info, stateset: the sample as is, named by the sample name (`x_info`, …).
/// - counter: the delta of the cumulative value, named by the sample name as written (`x_total` in OpenMetrics,
///   usually `x` in text 0.0.4).
/// - summary: `x_sum` and `x_count` as deltas; each quantile as a gauge named `x` that keeps its `quantile`
///   label (so it lands in its own event, and `quantile` can be a dimension).
/// - histogram: one EMF distribution named by the family name (see *Histograms*); `_count` and `_sum` are not
///   emitted separately.
/// - gauge histogram: the same distribution from the current bucket counts (no deltas), `Sum` from `_gsum`.
///
/// ## Selection (`metric_declaration`, as the CloudWatch agent documents it)
/// A declaration selects a metric when the values of its `source_labels`, joined by `label_separator` (a
/// missing label is the empty string), match `label_matcher` anywhere (unanchored), and one of its
/// `metric_selectors` matches the metric name anywhere (unanchored; write `^name$` for exact names). Without
/// `source_labels` the joined string is empty, so the default `label_matcher` `.*` selects every target. A metric's
/// dimension sets are the union of the sets of every declaration selecting it, each set sorted and
/// deduplicated. A set is used only when every key is a label of the metric **and** its value is a valid
/// CloudWatch dimension value (ASCII, no control characters, not blank, at most 1024 bytes): an invalid value
/// disables only the sets that use it, never the event. A selected metric left without any usable set is not
/// extracted (counted as `invalidDimensionValue` or `noDimensionSet`). Metrics no declaration selects are not
/// written, unless `emit_unselected`, which writes them (and selected metrics left without sets) as plain
/// fields without a MetricDefinition.
///
/// ## Cumulative series: deltas
/// Counters, summary `_sum`/`_count` and histogram buckets are converted to the increase since the previous
/// scrape of the same series (keyed by the series text; see ``TargetSeriesState``).
/// - Reset: a counter value that decreases, a summary `_count` that decreases (its `_sum` may legitimately
///   decrease: negative observations), any histogram bucket or `_count` that decreases, or a changed `_created`
///   timestamp. On reset the delta is the current value (everything counted since the restart).
/// - First sample of a series, by `initial_value`: `drop` stores it as the baseline and emits nothing; `keep`
///   emits the whole value; `auto` keeps it when the series' `_created` is at or after the agent's start, or
///   the series appears after the target's first conversion, or the target was discovered after startup —
///   otherwise (the agent just started) it is the baseline, so a restart of the agent never causes a spike.
/// - NaN/±Inf are never emitted; a non-finite value clears the series' previous value, and the next finite
///   value becomes a baseline (or, if `_created` changed meanwhile, a reset), so no false delta follows.
/// - A delta of 0 is emitted (an idle counter is still a data point).
///
/// ## Histograms
/// Per-bucket deltas of the cumulative `_bucket` counts become an EMF distribution
/// `{"Values":[…],"Counts":[…],"Max":…,"Min":…,"Count":…,"Sum":…}` so CloudWatch can compute percentiles:
/// each bucket's value is the midpoint of its bounds (the first bucket's lower bound is 0 when its upper bound
/// is above 0, else the value is the upper bound itself; the `+Inf` bucket uses the largest finite bound, or
/// `Sum/Count` when there is none); its count is the increase of that bucket alone. Only non-zero counts are
/// listed, values ascending. `Min`/`Max` are the smallest/largest listed value, `Count` the sum of `Counts`,
/// `Sum` the increase of `_sum` (estimated from the values when `_sum` is absent). **A histogram with no
/// observations in the interval produces no metric.** More than 100 non-empty buckets are split into chunks of
/// at most 100 values, each in its own event; only the first chunk carries `Sum` (later chunks `"Sum":0`).
///
/// ## Events
/// Metrics are grouped by their full label set (histogram `le` excluded) and timestamp; each group becomes one
/// event holding all its metrics: `_aws` first, then the labels as string fields (sorted by name), then the
/// metric values (in exposition order) — values last keeps them inside Logs Insights' first 200 fields.
/// - Timestamp: the sample's own when `honor_timestamps` and present, else the scrape time (`_aws.Timestamp`,
///   integer milliseconds); samples more than 14 days older or 2 hours newer than the scrape are dropped.
/// - One directive per distinct list of dimension sets; at most 100 MetricDefinitions per event, and at most
///   `max_event_bytes` bytes: more metrics go to further events that repeat the labels. A metric too large for
///   an event on its own is dropped (`oversize`). `Unit` comes from `metric_unit` (omitted when there is none,
///   or it is `None`, CloudWatch's default).
/// - A label whose name equals a metric name in the same event is not written (the metric wins), and dimension
///   sets using that label are not used in that event. The same metric name twice in a group keeps the first.
/// - Metric names must be 1–255 bytes and not `_aws`. Values beyond ±2^360 are dropped like NaN; non-zero
///   magnitudes below 2^-360 are written as 0.
/// - An event without any MetricDefinition (only `emit_unselected` fields) has no `_aws` member.
/// - Messages are the documents, or with ``EMFMessageEncoding/jsonStringContent`` the documents escaped as JSON
///   string content (the form PutLogEvents carries them in); sizes and `max_event_bytes` then count escaped bytes.
/// - `logGroupName`/`logStreamName` come from the templates, resolved from each event's labels (see
///   `log_group_name` in ``EMFConfiguration``).
///
/// Synthetic samples (``SyntheticSample``) are gauges with the target labels only, at the scrape time, emitted
/// only when a declaration selects them.
public struct EMFConverter: Sendable {
    let compiled: CompiledConfiguration
    let identity: UInt64

    /// The configuration this converter was built from.
    public let configuration: EMFConfiguration
    /// How its events' messages hold their documents.
    public var messageEncoding: EMFMessageEncoding { compiled.messageEncoding }
    /// When the agent started (milliseconds since the epoch), for `initial_value: auto`.
    public let agentStartMilliseconds: Int64

    /// Validates and compiles `configuration`.
    ///
    /// - Parameters:
    ///   - configuration: the `emf` section.
    ///   - agentStartMilliseconds: the agent's start time, milliseconds since the epoch.
    ///   - messageEncoding: how the events' messages hold their documents: `.jsonStringContent` for a sink that
    ///     embeds them in JSON strings (PutLogEvents), which then copies instead of escaping.
    /// - Throws: the first problem ``EMFConfiguration/validate()`` finds.
    public init(
        configuration: EMFConfiguration,
        agentStartMilliseconds: Int64,
        messageEncoding: EMFMessageEncoding = .document
    ) throws(EMFConfigurationError) {
        var errors: [EMFConfigurationError] = []
        guard var compiled = CompiledConfiguration.compile(configuration, errors: &errors) else {
            throw errors[0]
        }
        compiled.useMessageEncoding(messageEncoding)
        self.compiled = compiled
        self.configuration = configuration
        self.agentStartMilliseconds = agentStartMilliseconds
        self.identity = converterIdentities.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Converts one scrape of one target into EMF log events.
    ///
    /// - Parameters:
    ///   - batch: the scrape, parsed completely.
    ///   - target: the target it came from.
    ///   - state: the target's state, owned by its scrape loop; updated (deltas, caches, eviction).
    ///   - scrapeTimeMilliseconds: when the scrape started, milliseconds since the epoch.
    ///   - synthetic: `up`, `scrape_duration_seconds`, … for this scrape; emitted only when selected.
    ///   - events: the new events are appended here, in group order.
    /// - Returns: counts of what was seen, written and dropped.
    public func convert(
        _ batch: SampleBatch,
        target: EMFTarget,
        state: inout TargetSeriesState,
        scrapeTimeMilliseconds: Int64,
        synthetic: [SyntheticSample],
        into events: inout [EMFLogEvent]
    ) -> ConversionReport {
        var lines: ArraySlice<UInt8> = []
        return convert(
            batch,
            target: target,
            state: &state,
            scrapeTimeMilliseconds: scrapeTimeMilliseconds,
            synthetic: synthetic,
            into: &events,
            lines: &lines
        )
    }

    /// ``convert(_:target:state:scrapeTimeMilliseconds:synthetic:into:)``, also giving the new events' messages as
    /// one text, each followed by a newline, in the order they were appended (the buffer the messages are slices
    /// of: a line-oriented sink writes it without copying). The text is in the converter's message encoding.
    public func convert(
        _ batch: SampleBatch,
        target: EMFTarget,
        state: inout TargetSeriesState,
        scrapeTimeMilliseconds: Int64,
        synthetic: [SyntheticSample],
        into events: inout [EMFLogEvent],
        lines: inout ArraySlice<UInt8>
    ) -> ConversionReport {
        var run = ConversionRun(
            config: compiled,
            target: target,
            scrapeTime: scrapeTimeMilliseconds,
            agentStart: agentStartMilliseconds
        )
        // Scratch buffers are needed only while converting: borrow them, so targets don't each keep a set.
        state.scratch = conversionScratchPool.take()
        defer { conversionScratchPool.give(&state.scratch) }
        state.begin(converter: identity, run: run)
        // Sized like the previous conversion's output: one allocation, rarely regrown.
        var output = EventOutput(capacity: state.lastOutputBytes + state.lastOutputBytes / 8)
        output.events.reserveCapacity(state.lastOutputEvents)
        batch.bytes.withUnsafeBytes { arena in
            state.collect(batch, arena: arena, run: &run)
            for sample in synthetic { state.collectSynthetic(sample, run: &run) }
            state.writeEvents(batch: batch, arena: arena, run: &run, into: &output)
        }
        state.finish(batchCount: batch.samples.count, run: &run)
        output.trim()
        state.lastOutputBytes = output.bytes.count
        state.lastOutputEvents = output.events.count
        // Every message is a slice of the one buffer (which lives as long as any of them).
        let messages = output.bytes
        lines = messages[...]
        events.reserveCapacity(events.count + output.events.count)
        for event in output.events {
            let destination = state.destinations[Int(event.profile)]
            events.append(
                EMFLogEvent(
                    destination: destination,
                    timestampMilliseconds: event.timestampMilliseconds,
                    message: messages[event.bytes],
                    messageEncoding: compiled.messageEncoding
                )
            )
        }
        return run.report
    }
}

/// The inputs and running report of one conversion.
struct ConversionRun {
    let config: CompiledConfiguration
    let target: EMFTarget
    let scrapeTime: Int64
    let agentStart: Int64
    /// `JSONWriter.integerLength(scrapeTime)`, for the size of every event at the scrape time.
    let scrapeTimeLength: Int
    var report = ConversionReport()

    init(config: CompiledConfiguration, target: EMFTarget, scrapeTime: Int64, agentStart: Int64) {
        self.config = config
        self.target = target
        self.scrapeTime = scrapeTime
        self.agentStart = agentStart
        scrapeTimeLength = JSONWriter.integerLength(scrapeTime)
    }

    /// How far a sample's own timestamp may lie before/after the scrape (CloudWatch Logs' window).
    static let maximumAgeMilliseconds: Int64 = 14 * 24 * 3_600_000
    static let maximumFutureMilliseconds: Int64 = 2 * 3_600_000
}
