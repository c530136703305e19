public import PromExposition
public import PromwatchConfig

/// Content negotiation and parser choice, per job.
extension Scraper {
    /// The `Accept` header for `job`: built from its `scrape_protocols` as Prometheus 3 builds it
    /// (``ScrapeProtocol/acceptHeader(for:)``), or Prometheus 2.42's default (``acceptHeader``) when it has none.
    public static func acceptHeader(for job: ScrapeConfiguration) -> String {
        job.scrapeProtocols.map { ScrapeProtocol.acceptHeader(for: $0) } ?? acceptHeader
    }

    /// The parser bounds for `job`: `label_name_length_limit` and `label_value_length_limit` replace the parser's
    /// defaults when set (> 0); the rest are ``ExpositionLimits``' defaults (lines 1 MiB).
    public static func expositionLimits(for job: ScrapeConfiguration) -> ExpositionLimits {
        var limits = ExpositionLimits()
        if job.labelNameLengthLimit > 0 { limits.maximumLabelNameLength = job.labelNameLengthLimit }
        if job.labelValueLengthLimit > 0 { limits.maximumLabelValueLength = job.labelValueLengthLimit }
        return limits
    }

    /// The parser for a response of `format` (from its `Content-Type`) to `job`. A protobuf message can be as
    /// large as the job's body size limit (or ``ProtobufExpositionParser/defaultMaximumMessageSize`` without one).
    static func makeParser(format: ExpositionFormat, job: ScrapeConfiguration) -> AnyExpositionParser {
        AnyExpositionParser(
            format: format,
            limits: expositionLimits(for: job),
            maximumMessageSize: job.bodySizeLimit > 0
                ? job.bodySizeLimit : ProtobufExpositionParser.defaultMaximumMessageSize
        )
    }

    /// The scrape failure for a parse error: a label longer than the job's `label_name_length_limit` or
    /// `label_value_length_limit` fails with reason `label_limit` and names the key, as Prometheus does; anything
    /// else is `parse`.
    static func parseFailure(_ error: ExpositionParseError, job: ScrapeConfiguration) -> ScrapeError {
        switch error.exceededLimit {
        case .labelNameLength where job.labelNameLengthLimit > 0:
            ScrapeError(.labelLimit, "label_name_length_limit exceeded (limit \(job.labelNameLengthLimit)): \(error)")
        case .labelValueLength where job.labelValueLengthLimit > 0:
            ScrapeError(
                .labelLimit,
                "label_value_length_limit exceeded (limit \(job.labelValueLengthLimit)): \(error)"
            )
        default:
            ScrapeError(.parse, "invalid exposition: \(error)")
        }
    }
}
