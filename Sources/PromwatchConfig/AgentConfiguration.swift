public import EMF
public import EMFDelivery

/// Everything the agent reads from its configuration file.
///
/// Loaded by ``ConfigLoader``. YAML keys at the top level (see `config/full.yaml` for a commented example):
/// - `global` (``GlobalConfiguration``): defaults for every scrape job.
/// - `scrape_configs` (list of ``ScrapeConfiguration``, in Prometheus's own format).
/// - `prometheus_config_path` (string): instead of inline `global`/`scrape_configs`, read them from a Prometheus
///   configuration file, relative to this file's directory (as the CloudWatch agent does). Other top-level
///   Prometheus keys in that file (`rule_files`, `alerting`, `remote_write`, …) are ignored.
/// - `emf` (``EMFConfiguration``, the CloudWatch agent's `emf_processor` shape); `emf_processor` is accepted as an
///   alias (not both).
/// - `emf.cloudwatch` (``LogsDeliveryConfiguration``): how events reach CloudWatch Logs when `emf.output` is
///   `cloudwatch` (buffer, disk spool, flush interval, retention).
/// - `aws` (``AWSConfiguration``): region, profile and endpoint overrides for every AWS call.
/// - `server` (``ServerConfiguration``): the agent's own HTTP endpoints.
/// - `demo_exporter` (``DemoExporterConfiguration``, optional): when present, the agent also runs the built-in demo
///   workload in-process.
///
/// Unknown keys are errors everywhere except among the top-level keys of a `prometheus_config_path` file.
public struct AgentConfiguration: Sendable, Equatable {
    /// `global`: defaults for every scrape job (already applied to ``scrapeConfigs``).
    public var global: GlobalConfiguration
    /// `scrape_configs`: the scrape jobs, with every default resolved.
    public var scrapeConfigs: [ScrapeConfiguration]
    /// `emf` (or `emf_processor`): how samples become EMF events.
    public var emf: EMFConfiguration
    /// `emf.cloudwatch`: delivery to CloudWatch Logs (used when `emf.output` is `cloudwatch`).
    public var cloudWatchLogs: LogsDeliveryConfiguration
    /// `aws`: region, profile and endpoints for AWS calls.
    public var aws: AWSConfiguration
    /// `server`: the agent's own `/metrics`, `/healthz` and `/readyz`.
    public var server: ServerConfiguration
    /// `demo_exporter`: `nil` unless the key is present.
    public var demoExporter: DemoExporterConfiguration?

    /// Creates a configuration; every argument defaults to what an empty configuration file yields.
    public init(
        global: GlobalConfiguration = GlobalConfiguration(),
        scrapeConfigs: [ScrapeConfiguration] = [],
        emf: EMFConfiguration = EMFConfiguration(),
        cloudWatchLogs: LogsDeliveryConfiguration = LogsDeliveryConfiguration(),
        aws: AWSConfiguration = AWSConfiguration(),
        server: ServerConfiguration = ServerConfiguration(),
        demoExporter: DemoExporterConfiguration? = nil
    ) {
        self.global = global
        self.scrapeConfigs = scrapeConfigs
        self.emf = emf
        self.cloudWatchLogs = cloudWatchLogs
        self.aws = aws
        self.server = server
        self.demoExporter = demoExporter
    }
}

/// Prometheus's `global` block.
///
/// YAML keys:
/// - `scrape_interval` (duration, default `1m`): default for every job's `scrape_interval`.
/// - `scrape_timeout` (duration, default `10s`, or `scrape_interval` when that is shorter): default for every
///   job's `scrape_timeout`; must not exceed `scrape_interval`.
/// - `external_labels` (map of label name → value, default empty).
/// - `sample_limit`, `label_limit`, `body_size_limit`, `label_name_length_limit`, `label_value_length_limit`,
///   `scrape_protocols`: defaults for the jobs' keys of the same names (applied to ``ScrapeConfiguration``; not
///   stored here).
/// - `evaluation_interval`, `rule_query_offset`, `query_log_file`: accepted for compatibility with Prometheus
///   files and ignored.
///
/// Durations use Prometheus's syntax: `((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?` or `0`.
public struct GlobalConfiguration: Sendable, Hashable {
    /// The default scrape interval.
    public var scrapeInterval: Duration
    /// The default scrape timeout.
    public var scrapeTimeout: Duration
    /// Labels describing this agent (Prometheus's `external_labels`).
    public var externalLabels: [String: String]

    public static let defaultScrapeInterval: Duration = .seconds(60)
    public static let defaultScrapeTimeout: Duration = .seconds(10)

    /// Creates a global block; defaults are Prometheus's (`1m`, `10s`, no labels).
    public init(
        scrapeInterval: Duration = GlobalConfiguration.defaultScrapeInterval,
        scrapeTimeout: Duration = GlobalConfiguration.defaultScrapeTimeout,
        externalLabels: [String: String] = [:]
    ) {
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.externalLabels = externalLabels
    }
}

/// The agent's own HTTP server: `/metrics`, `/healthz`, `/readyz`.
///
/// YAML keys:
/// - `listen_address` (`host:port`, default `0.0.0.0:9481`; port `0` picks a free port).
public struct ServerConfiguration: Sendable, Hashable {
    /// Where the agent listens, `host:port` (IPv6 hosts in brackets).
    public var listenAddress: String

    public static let defaultListenAddress = "0.0.0.0:9481"

    /// Creates a server block.
    public init(listenAddress: String = ServerConfiguration.defaultListenAddress) {
        self.listenAddress = listenAddress
    }
}

/// Where and how promwatch calls AWS. Credentials are never configured here: they come from the standard chain
/// (environment, shared files and profiles, web identity/IRSA, container credentials/EKS Pod Identity, IMDSv2).
///
/// YAML keys:
/// - `region` (string, optional): else `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's `region`.
/// - `profile` (string, optional): the shared-config profile; else `AWS_PROFILE` or `default`.
/// - `endpoints` (map, optional): endpoint URL per service — `logs`, `monitoring`, `sns`, `sts` — e.g. for a
///   VPC endpoint or a local stand-in; else `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`.
/// - `max_attempts` (int, default 3): attempts per API call on throttling, 5xx and transport errors.
public struct AWSConfiguration: Sendable, Hashable {
    public var region: String?
    public var profile: String?
    /// Endpoint URL by service endpoint prefix (`logs`, `monitoring`, `sns`, `sts`).
    public var endpoints: [String: String]
    public var maxAttempts: Int

    /// The services `endpoints` may name.
    public static let endpointServices = ["logs", "monitoring", "sns", "sts"]

    public init(region: String? = nil, profile: String? = nil, endpoints: [String: String] = [:], maxAttempts: Int = 3) {
        self.region = region
        self.profile = profile
        self.endpoints = endpoints
        self.maxAttempts = maxAttempts
    }
}

/// The built-in demo workload, started in-process when `demo_exporter` is present.
///
/// YAML keys:
/// - `listen_address` (`host:port`, default `127.0.0.1:9482`; port `0` picks a free port).
///
/// `demo_exporter: {}`, `demo_exporter:` (null) and `demo_exporter: true` enable it with defaults;
/// `demo_exporter: false` or no key leaves it off.
public struct DemoExporterConfiguration: Sendable, Hashable {
    /// Where the demo workload serves its `/metrics`, `host:port`.
    public var listenAddress: String

    public static let defaultListenAddress = "127.0.0.1:9482"

    /// Creates a demo exporter block.
    public init(listenAddress: String = DemoExporterConfiguration.defaultListenAddress) {
        self.listenAddress = listenAddress
    }
}
