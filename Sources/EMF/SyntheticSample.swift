/// A sample the scrape loop synthesises about the target itself: `up`, `scrape_duration_seconds`,
/// `scrape_samples_scraped`, ….
///
/// Synthetic samples are gauges carrying the target labels only (plus `ClusterName` and `constant_labels`),
/// stamped with the scrape time. They are emitted **only when a `metric_declaration` selects them** — never as
/// plain fields, even with `emit_unselected` — and share an event with the target's label-less scraped metrics.
public struct SyntheticSample: Sendable, Equatable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}
