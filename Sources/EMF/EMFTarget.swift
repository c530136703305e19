/// The scrape target a ``SampleBatch`` came from, as the EMF conversion needs to know it.
public struct EMFTarget: Sendable {
    /// The scrape job's name; also the `job` label when ``labels`` has none, and `{JobName}` in log names.
    public var jobName: String
    /// The target's labels after relabelling: `job`, `instance` and static labels. Merged into every sample's
    /// labels as Prometheus does (see ``EMFConverter``). A label with an empty value means "no such label".
    public var labels: [(name: String, value: String)]
    /// Prometheus `honor_labels`: when `true`, a scraped label wins over a target label of the same name; when
    /// `false` (the default) the target label wins and the scraped one is kept as `exported_<name>`.
    public var honorLabels: Bool
    /// Prometheus `honor_timestamps`: when `true` (the default), a sample's own timestamp is its EMF timestamp;
    /// otherwise every sample gets the scrape time.
    public var honorTimestamps: Bool
    /// Whether service discovery found this target after the agent started. Under `initial_value: auto` the first
    /// samples of such a target are kept, since everything it counted happened while the agent was running.
    public var discoveredAfterStartup: Bool

    /// - Parameters:
    ///   - jobName: the scrape job's name.
    ///   - labels: the target's labels (`job`, `instance`, static labels).
    ///   - honorLabels: Prometheus `honor_labels` (default `false`).
    ///   - honorTimestamps: Prometheus `honor_timestamps` (default `true`).
    ///   - discoveredAfterStartup: whether the target appeared after the agent started (default `false`).
    public init(
        jobName: String,
        labels: [(name: String, value: String)] = [],
        honorLabels: Bool = false,
        honorTimestamps: Bool = true,
        discoveredAfterStartup: Bool = false
    ) {
        self.jobName = jobName
        self.labels = labels
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.discoveredAfterStartup = discoveredAfterStartup
    }
}
