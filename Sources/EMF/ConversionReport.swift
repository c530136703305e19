/// What one ``EMFConverter/convert(_:target:state:scrapeTimeMilliseconds:synthetic:into:)`` call did.
///
/// "Metric" here means one output value: a gauge sample, a counter or summary `_sum`/`_count` delta, or one
/// histogram (a distribution).
public struct ConversionReport: Sendable, Equatable {
    /// Samples in the batch plus synthetic samples.
    public var samplesSeen = 0
    /// Metric values written with a MetricDefinition (extracted by CloudWatch). Each chunk of a split
    /// distribution counts once.
    public var metricsEmitted = 0
    /// Metric values written as plain log fields without a MetricDefinition (`emit_unselected`).
    public var fieldsEmitted = 0
    /// Log events produced.
    public var events = 0
    /// Total message bytes of those events (in the converter's message encoding).
    public var bytes = 0
    /// First samples of cumulative series stored as a baseline and not emitted (`initial_value`), per metric.
    public var baselinesStored = 0
    /// Cumulative series (a counter, or one summary's or histogram's series together) whose reset was detected.
    public var resets = 0
    /// Per-series delta states removed because their series was absent from this scrape.
    public var seriesEvicted = 0
    /// Dimension sets that applied to a selected metric but were disabled by an invalid label value.
    public var dimensionSetsDisabled = 0
    /// Metric values not extracted, by reason.
    public var dropped = Drops()

    /// Metric values not extracted as CloudWatch metrics, by reason. With `emit_unselected`, values dropped as
    /// `unselected`, `noDimensionSet` or `invalidDimensionValue` are still written as plain fields and counted
    /// in ``ConversionReport/fieldsEmitted`` as well.
    public struct Drops: Sendable, Equatable {
        /// NaN or ±Inf (or beyond CloudWatch's ±2^360), including any non-finite part of a histogram or summary.
        public var nonFinite = 0
        /// Selected, but every dimension set that applied was disabled by an invalid label value (non-ASCII,
        /// control characters, blank, or longer than 1024 bytes).
        public var invalidDimensionValue = 0
        /// Selected, but none of the selecting declarations' dimension sets has all its labels on the sample.
        public var noDimensionSet = 0
        /// No `metric_declaration` selects it.
        public var unselected = 0
        /// A single metric (or one chunk of a split distribution) makes an event larger than `max_event_bytes`
        /// even alone.
        public var oversize = 0
        /// Same metric name again in one event (duplicate series in the exposition); the first one is kept.
        public var duplicate = 0
        /// Metric name longer than 255 bytes, empty, or `_aws`.
        public var invalidName = 0
        /// The sample's own timestamp is more than 14 days before or 2 hours after the scrape time.
        public var timestampOutOfRange = 0
        /// A histogram whose buckets cannot be read (`le` unparsable or repeated, cumulative counts decreasing
        /// with `le`), or a histogram or summary sample of a role its type does not have.
        public var malformed = 0

        public init() {}

        public var total: Int {
            nonFinite + invalidDimensionValue + noDimensionSet + unselected + oversize + duplicate + invalidName
                + timestampOutOfRange + malformed
        }
    }

    public init() {}
}
