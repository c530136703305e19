/// How scraped samples become CloudWatch Embedded Metric Format log events.
///
/// Accepts the CloudWatch agent's `emf_processor` shape as-is (`metric_namespace`, `metric_unit`,
/// `metric_declaration`), plus promwatch's own keys. YAML keys (see `config/full.yaml`):
/// - `metric_namespace` (string, default `PromWatch/Prometheus`)
/// - `metric_unit` (map of metric name → one of CloudWatch's 27 unit names)
/// - `metric_declaration` (list of ``MetricDeclaration``)
/// - `log_group_name` (template, default `/promwatch/{ClusterName}/prometheus`)
/// - `log_stream_name` (template, default `{JobName}`)
/// - `output` (`stdout` or `cloudwatch`; CloudWatch Logs delivery settings under `cloudwatch`)
/// - `emit_unselected` (bool, default `false`): also write samples no declaration selects, as plain log fields
/// - `cluster_name` (string, optional): added as label `ClusterName` to every sample that lacks one
/// - `constant_labels` (map, optional): more labels added to every sample that lacks them
/// - `initial_value` (`auto` | `drop` | `keep`, default `auto`): what the first sample of a cumulative series becomes
/// - `max_event_bytes` (int, default 262144, at most 1048550): events larger than this are split by metrics
public struct EMFConfiguration: Sendable, Equatable {
    public var namespace: String
    public var metricUnits: [String: MetricUnit]
    public var declarations: [MetricDeclaration]
    public var logGroupName: String
    public var logStreamName: String
    public var output: EMFOutput
    public var emitUnselected: Bool
    public var clusterName: String?
    public var constantLabels: [String: String]
    public var initialValue: InitialValuePolicy
    public var maxEventBytes: Int

    public static let defaultNamespace = "PromWatch/Prometheus"
    /// CloudWatch Logs' event size limit (1 MiB) less the 26 bytes of per-event overhead.
    public static let maximumEventBytes = 1_048_576 - 26

    public init(
        namespace: String = EMFConfiguration.defaultNamespace,
        metricUnits: [String: MetricUnit] = [:],
        declarations: [MetricDeclaration] = [],
        logGroupName: String = "/promwatch/{ClusterName}/prometheus",
        logStreamName: String = "{JobName}",
        output: EMFOutput = .stdout,
        emitUnselected: Bool = false,
        clusterName: String? = nil,
        constantLabels: [String: String] = [:],
        initialValue: InitialValuePolicy = .auto,
        maxEventBytes: Int = 262_144
    ) {
        self.namespace = namespace
        self.metricUnits = metricUnits
        self.declarations = declarations
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
        self.output = output
        self.emitUnselected = emitUnselected
        self.clusterName = clusterName
        self.constantLabels = constantLabels
        self.initialValue = initialValue
        self.maxEventBytes = maxEventBytes
    }
}

/// Where EMF events go.
public enum EMFOutput: String, Sendable, Equatable, CaseIterable {
    /// One JSON document per line on standard output.
    case stdout
    /// CloudWatch Logs `PutLogEvents`, with `x-amzn-logs-format: json/emf` (settings under `emf.cloudwatch`).
    case cloudwatch
}

/// What the first sample of a cumulative series (counter, summary `_sum`/`_count`, histogram bucket) becomes.
public enum InitialValuePolicy: String, Sendable, Equatable, CaseIterable {
    /// Store it as the baseline and emit nothing (the CloudWatch agent's behaviour).
    case drop
    /// Emit the whole cumulative value as the first delta.
    case keep
    /// Keep the value when the series provably started after the agent did — its `_created` timestamp is newer
    /// than the agent's start, or the series appeared on a target after that target's first scrape — and drop it
    /// otherwise, so an agent restart never produces a spike.
    case auto
}

/// One `metric_declaration` entry, in the CloudWatch agent's shape.
///
/// A sample is selected when the values of `source_labels`, joined by `label_separator` (a missing label is the
/// empty string), match `label_matcher` (an unanchored regular expression), and its metric name matches one of
/// `metric_selectors` (unanchored regular expressions). Each dimension set is used only when every one of its
/// labels is present on the sample with a valid CloudWatch dimension value (ASCII, no control characters, not
/// blank, at most 1024 bytes); an invalid value disables only the sets that use it. See ``EMFConverter`` for the
/// full conversion rules and ``EMFConfiguration/validate()`` for what is checked at load time.
public struct MetricDeclaration: Sendable, Equatable {
    public var sourceLabels: [String]
    public var labelSeparator: String
    public var labelMatcher: String
    public var dimensions: [[String]]
    public var metricSelectors: [String]

    public init(
        sourceLabels: [String] = [],
        labelSeparator: String = ";",
        labelMatcher: String = ".*",
        dimensions: [[String]] = [],
        metricSelectors: [String]
    ) {
        self.sourceLabels = sourceLabels
        self.labelSeparator = labelSeparator
        self.labelMatcher = labelMatcher
        self.dimensions = dimensions
        self.metricSelectors = metricSelectors
    }
}

/// CloudWatch's 27 metric units, spelled exactly as the service requires.
public enum MetricUnit: String, Sendable, Equatable, CaseIterable {
    case seconds = "Seconds"
    case microseconds = "Microseconds"
    case milliseconds = "Milliseconds"
    case bytes = "Bytes"
    case kilobytes = "Kilobytes"
    case megabytes = "Megabytes"
    case gigabytes = "Gigabytes"
    case terabytes = "Terabytes"
    case bits = "Bits"
    case kilobits = "Kilobits"
    case megabits = "Megabits"
    case gigabits = "Gigabits"
    case terabits = "Terabits"
    case percent = "Percent"
    case count = "Count"
    case bytesPerSecond = "Bytes/Second"
    case kilobytesPerSecond = "Kilobytes/Second"
    case megabytesPerSecond = "Megabytes/Second"
    case gigabytesPerSecond = "Gigabytes/Second"
    case terabytesPerSecond = "Terabytes/Second"
    case bitsPerSecond = "Bits/Second"
    case kilobitsPerSecond = "Kilobits/Second"
    case megabitsPerSecond = "Megabits/Second"
    case gigabitsPerSecond = "Gigabits/Second"
    case terabitsPerSecond = "Terabits/Second"
    case countPerSecond = "Count/Second"
    case none = "None"
}
