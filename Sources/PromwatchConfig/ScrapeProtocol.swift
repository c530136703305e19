/// One entry of `scrape_protocols`: an exposition format to ask targets for, by Prometheus's name
/// (`config.ScrapeProtocol`).
public enum ScrapeProtocol: String, Sendable, Hashable, CaseIterable {
    /// Protobuf-delimited `io.prometheus.client.MetricFamily` messages.
    case prometheusProto = "PrometheusProto"
    /// OpenMetrics 1.0 text.
    case openMetricsText1_0_0 = "OpenMetricsText1.0.0"
    /// OpenMetrics 0.0.1 text (what prometheus_client for Python serves).
    case openMetricsText0_0_1 = "OpenMetricsText0.0.1"
    /// Prometheus text 1.0.0 (0.0.4's syntax; UTF-8 names escaped as requested).
    case prometheusText1_0_0 = "PrometheusText1.0.0"
    /// Prometheus text 0.0.4.
    case prometheusText0_0_4 = "PrometheusText0.0.4"

    /// The media type Prometheus's `ScrapeProtocolsHeaders` gives the protocol.
    public var mediaType: String {
        switch self {
        case .prometheusProto:
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
        case .openMetricsText1_0_0: "application/openmetrics-text;version=1.0.0"
        case .openMetricsText0_0_1: "application/openmetrics-text;version=0.0.1"
        case .prometheusText1_0_0: "text/plain;version=1.0.0"
        case .prometheusText0_0_4: "text/plain;version=0.0.4"
        }
    }

    /// Prometheus 3's default list (`DefaultScrapeProtocols`): OpenMetrics first, no protobuf.
    public static let textDefault: [ScrapeProtocol] = [
        .openMetricsText1_0_0, .openMetricsText0_0_1, .prometheusText1_0_0, .prometheusText0_0_4,
    ]

    /// Prometheus 3's list when protobuf is wanted (`DefaultProtoFirstScrapeProtocols`).
    public static let protobufFirst: [ScrapeProtocol] = [.prometheusProto] + textDefault

    /// The `Accept` header for `protocols`, built as Prometheus 3's `acceptHeader()` builds it: the protocols in
    /// order with weights descending from `q=0.6` (one more than the number of known protocols, in tenths), then
    /// `*/*` one step lower. The 1.0.0 formats ask for `escaping=underscores`: promwatch's parsers accept only
    /// classic metric and label names, so UTF-8 names are to be escaped by the target (what Prometheus asks for
    /// under `metric_name_validation_scheme: legacy`).
    ///
    /// `[PrometheusProto, OpenMetricsText1.0.0]` gives
    /// `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,`
    /// `application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,*/*;q=0.4`.
    public static func acceptHeader(for protocols: [ScrapeProtocol]) -> String {
        var weight = allCases.count + 1
        var values: [String] = []
        for scrapeProtocol in protocols {
            var value = scrapeProtocol.mediaType
            if scrapeProtocol == .openMetricsText1_0_0 || scrapeProtocol == .prometheusText1_0_0 {
                value += ";escaping=underscores"
            }
            values.append(value + ";q=0.\(weight)")
            weight -= 1
        }
        values.append("*/*;q=0.\(weight)")
        return values.joined(separator: ",")
    }
}
