/// Bounds that keep a hostile or broken target from making the parser use unbounded memory or time.
///
/// The sample count and body size are enforced by the scrape loop (`sample_limit`, `body_size_limit`), not here.
/// Exceeding a limit fails the parse with the matching ``ExpositionError/Code``.
public struct ExpositionLimits: Sendable, Hashable {
    /// The longest line accepted, in bytes, without its `\n`. It also bounds the carry buffer that holds a line
    /// split across chunks. Default 1 MiB: real lines are under a few KiB; kube-state-metrics' annotation labels
    /// are the long tail.
    public var maximumLineLength: Int
    /// The most labels on one sample (and on one exemplar). Default 512.
    public var maximumLabelsPerSample: Int
    /// The longest label name, in bytes. Default 1 KiB.
    public var maximumLabelNameLength: Int
    /// The longest label value, in bytes after unescaping. Default 64 KiB.
    public var maximumLabelValueLength: Int

    /// - Parameters:
    ///   - maximumLineLength: bytes per line, without the `\n` (default 1,048,576).
    ///   - maximumLabelsPerSample: labels per sample or exemplar (default 512).
    ///   - maximumLabelNameLength: bytes per label name (default 1,024).
    ///   - maximumLabelValueLength: bytes per unescaped label value (default 65,536).
    public init(
        maximumLineLength: Int = 1 << 20,
        maximumLabelsPerSample: Int = 512,
        maximumLabelNameLength: Int = 1 << 10,
        maximumLabelValueLength: Int = 64 << 10
    ) {
        precondition(
            maximumLineLength > 0 && maximumLabelsPerSample > 0 && maximumLabelNameLength > 0
                && maximumLabelValueLength >= 0,
            "limits must be positive"
        )
        self.maximumLineLength = maximumLineLength
        self.maximumLabelsPerSample = maximumLabelsPerSample
        self.maximumLabelNameLength = maximumLabelNameLength
        self.maximumLabelValueLength = maximumLabelValueLength
    }
}

/// How much of the OpenMetrics specification the parser enforces. Text 0.0.4 is parsed the same way under both.
public enum ExpositionValidation: Sendable, Hashable {
    /// The grammar (ABNF) and structure: single spaces, no blank lines or free comments, no trailing comma,
    /// `# EOF` last, known types (no `untyped`), at most one TYPE/HELP/UNIT per family and none after its
    /// samples, well-formed exemplars. Roughly what Prometheus's own scrape parser enforces, so real exporters
    /// that break value rules (the Go client writes negative histogram sums) still scrape.
    case standard
    /// ``standard`` plus the OpenMetrics 1.0 semantic MUSTs that the OpenMetrics parser test corpus checks:
    /// counter/histogram/summary values, required `le`/`quantile`/stateset labels, bucket order and `+Inf`,
    /// `_count` = `+Inf` bucket, exemplar placement and size, `# UNIT` rules, family name clashes, grouping and
    /// timestamp order. Costs a hash per sample.
    case strict
}
