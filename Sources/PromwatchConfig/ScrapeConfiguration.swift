public import Relabel
/// One Prometheus `scrape_configs` entry (a scrape job), with every default already resolved.
///
/// YAML keys (Prometheus's names and semantics):
/// - `job_name` (string, required, unique across jobs).
/// - `scrape_interval` (duration, default `global.scrape_interval`).
/// - `scrape_timeout` (duration, default `global.scrape_timeout`, capped at this job's `scrape_interval`); must not
///   exceed `scrape_interval`.
/// - `metrics_path` (string starting with `/`, default `/metrics`).
/// - `scheme` (`http` | `https`, default `http`).
/// - `params` (map of name → list of strings): URL query parameters.
/// - `static_configs` (list of ``StaticConfiguration``).
/// - `honor_labels` (bool, default `false`), `honor_timestamps` (bool, default `true`).
/// - `basic_auth` (``BasicAuth``), `authorization` (``Authorization``), or the legacy `bearer_token` /
///   `bearer_token_file` (read into ``authorization`` with type `Bearer`); at most one of these.
/// - `tls_config` (``TLSConfiguration``).
/// - `sample_limit` (int ≥ 0, default `global.sample_limit` or 0 = no limit).
/// - `label_limit` (int ≥ 0, default `global.label_limit` or 0 = no limit).
/// - `body_size_limit` (size, default `global.body_size_limit` or 64 MiB): a number of bytes, or a number with one
///   of Prometheus's units `B`, `KB`/`KiB`, `MB`/`MiB`, `GB`/`GiB`, `TB`/`TiB`, `PB`/`PiB`, `EB`/`EiB` (as in
///   Prometheus, all powers of 1024: `10MB` = 10 MiB). `0` means no limit.
/// - `label_name_length_limit`, `label_value_length_limit` (int ≥ 0, default the `global` keys of the same names
///   or 0 = no limit): the longest label name and label value (bytes, after unescaping) a scraped sample may have;
///   a longer one fails the scrape, as in Prometheus. They bound the labels the target exposes (`le` and
///   `quantile` included); unlike Prometheus, target labels and the metric name are not counted. A key set to
///   more than 0 replaces the parser's own bound of that kind; at 0 the parser's defaults still apply
///   (`PromExposition.ExpositionLimits`: label names 1 KiB, label values 64 KiB). The parser's maximum line length
///   is 1 MiB whatever the keys say.
/// - `scrape_protocols` (list of ``ScrapeProtocol`` names, default the `global` key, else none): the formats to
///   ask for, in order of preference: `PrometheusProto`, `OpenMetricsText1.0.0`, `OpenMetricsText0.0.1`,
///   `PrometheusText1.0.0`, `PrometheusText0.0.4`. Non-empty, no repeats. The `Accept` header is built as
///   Prometheus 3 builds it (``ScrapeProtocol/acceptHeader(for:)``); list `PrometheusProto` first to scrape
///   protobuf. Unset, promwatch sends Prometheus 2.42's header (OpenMetrics first, then text 0.0.4; no protobuf).
///
/// Relative file paths (`password_file`, `credentials_file`, `bearer_token_file`, `tls_config.*_file`) are resolved
/// against the directory of the file that names them, as Prometheus does. Other Prometheus keys
/// (`relabel_configs`, service discovery, `oauth2`, …) are rejected as unsupported.
public struct ScrapeConfiguration: Sendable, Hashable {
    public var jobName: String
    public var scrapeInterval: Duration
    public var scrapeTimeout: Duration
    public var metricsPath: String
    public var scheme: Scheme
    public var params: [String: [String]]
    public var staticConfigs: [StaticConfiguration]
    /// Kubernetes service discovery (`kubernetes_sd_configs`).
    public var kubernetesSDConfigs: [KubernetesSDConfiguration] = []
    /// `relabel_configs`: applied to every discovered (and static) target before it is scraped.
    public var relabelConfigs: [RelabelConfiguration] = []
    /// `metric_relabel_configs`: applied to every scraped sample (its labels merged with the target's, and
    /// `__name__`) before `sample_limit`, `label_limit` and the EMF conversion.
    public var metricRelabelConfigs: [RelabelConfiguration] = []
    public var honorLabels: Bool
    public var honorTimestamps: Bool
    public var basicAuth: BasicAuth?
    public var authorization: Authorization?
    public var tlsConfig: TLSConfiguration
    /// Most samples accepted from one scrape; 0 means no limit.
    public var sampleLimit: Int
    /// Most labels on one sample (target labels included); 0 means no limit.
    public var labelLimit: Int
    /// Most (uncompressed) body bytes read from one scrape; 0 means no limit.
    public var bodySizeLimit: Int
    /// Longest label name (bytes) on a scraped sample; 0 means no limit beyond the parser's own.
    public var labelNameLengthLimit: Int
    /// Longest label value (bytes, unescaped) on a scraped sample; 0 means no limit beyond the parser's own.
    public var labelValueLengthLimit: Int
    /// The formats to ask for, most preferred first; `nil` sends Prometheus 2.42's default `Accept` header.
    public var scrapeProtocols: [ScrapeProtocol]?

    /// 64 MiB.
    public static let defaultBodySizeLimit = 64 * 1024 * 1024

    /// Creates a job; defaults are the ones an entry with only `job_name` gets under an empty `global`.
    public init(
        jobName: String,
        scrapeInterval: Duration = GlobalConfiguration.defaultScrapeInterval,
        scrapeTimeout: Duration = GlobalConfiguration.defaultScrapeTimeout,
        metricsPath: String = "/metrics",
        scheme: Scheme = .http,
        params: [String: [String]] = [:],
        staticConfigs: [StaticConfiguration] = [],
        honorLabels: Bool = false,
        honorTimestamps: Bool = true,
        basicAuth: BasicAuth? = nil,
        authorization: Authorization? = nil,
        tlsConfig: TLSConfiguration = TLSConfiguration(),
        sampleLimit: Int = 0,
        labelLimit: Int = 0,
        bodySizeLimit: Int = ScrapeConfiguration.defaultBodySizeLimit,
        labelNameLengthLimit: Int = 0,
        labelValueLengthLimit: Int = 0,
        scrapeProtocols: [ScrapeProtocol]? = nil
    ) {
        self.jobName = jobName
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.metricsPath = metricsPath
        self.scheme = scheme
        self.params = params
        self.staticConfigs = staticConfigs
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.basicAuth = basicAuth
        self.authorization = authorization
        self.tlsConfig = tlsConfig
        self.sampleLimit = sampleLimit
        self.labelLimit = labelLimit
        self.bodySizeLimit = bodySizeLimit
        self.labelNameLengthLimit = labelNameLengthLimit
        self.labelValueLengthLimit = labelValueLengthLimit
        self.scrapeProtocols = scrapeProtocols
    }

    /// The URL scheme used to scrape a job's targets.
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        case http
        case https
    }
}

/// The scheme of a scrape job (`ScrapeConfiguration.Scheme`).
public typealias Scheme = ScrapeConfiguration.Scheme

/// One `static_configs` entry: a target group.
///
/// YAML keys:
/// - `targets` (list of `host:port`; IPv6 hosts in brackets, e.g. `[::1]:9090`; no scheme or path).
/// - `labels` (map of label name → value): added to every sample of these targets.
public struct StaticConfiguration: Sendable, Hashable {
    public var targets: [String]
    public var labels: [String: String]

    public init(targets: [String] = [], labels: [String: String] = [:]) {
        self.targets = targets
        self.labels = labels
    }
}

/// `basic_auth`: HTTP Basic credentials.
///
/// YAML keys:
/// - `username` (string, default empty).
/// - `password` (string, secret) or `password_file` (path, read at scrape time); at most one.
public struct BasicAuth: Sendable, Hashable {
    public var username: String
    public var password: Secret?
    public var passwordFile: String?

    public init(username: String = "", password: Secret? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }
}

/// `authorization`: an `Authorization: <type> <credentials>` header.
///
/// YAML keys:
/// - `type` (string, default `Bearer`; `Basic` is rejected, use `basic_auth`).
/// - `credentials` (string, secret) or `credentials_file` (path, read at scrape time); at most one.
///
/// The legacy job keys `bearer_token` and `bearer_token_file` become an `Authorization` of type `Bearer`.
public struct Authorization: Sendable, Hashable {
    public var type: String
    public var credentials: Secret?
    public var credentialsFile: String?

    public init(type: String = "Bearer", credentials: Secret? = nil, credentialsFile: String? = nil) {
        self.type = type
        self.credentials = credentials
        self.credentialsFile = credentialsFile
    }
}

/// `tls_config`: how `https` targets are verified and how the agent authenticates to them.
///
/// YAML keys:
/// - `ca_file` (path): CA certificates to verify the target with, instead of the system roots.
/// - `cert_file`, `key_file` (paths): client certificate and key; both or neither.
/// - `server_name` (string): the name to send in SNI and verify the certificate against.
/// - `insecure_skip_verify` (bool, default `false`): skip certificate verification.
public struct TLSConfiguration: Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var serverName: String?
    public var insecureSkipVerify: Bool

    public init(
        caFile: String? = nil,
        certFile: String? = nil,
        keyFile: String? = nil,
        serverName: String? = nil,
        insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// A credential from the configuration. Printing, debug-printing and dumping show `<secret>`, never the value.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The credential itself; read it only to put it on the wire.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// Always `<secret>`.
    public var description: String { "<secret>" }
    /// Always `<secret>`.
    public var debugDescription: String { "<secret>" }
    /// A mirror without children, so `dump` and reflection-based printing don't reveal the value either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
