import EMF
import Yams

/// Loads an ``AgentConfiguration`` from YAML, with errors that name the file, line, column and key path.
///
/// The YAML is composed into a node tree (`Yams.compose`) and walked by hand: unknown keys are errors (with a
/// "did you mean" suggestion when a known key is within two edits), wrong types are errors, and every value is
/// checked (durations, `host:port` targets, units, `scrape_timeout` ≤ `scrape_interval`, unique job names).
/// The `emf` section is then checked with `EMFConfiguration.validate()`, whose key path is mapped back to the line
/// of the offending YAML node. See ``AgentConfiguration`` for the keys and `config/full.yaml` for an example.
public enum ConfigLoader {
    /// Reads and parses the configuration file at `path`.
    ///
    /// Relative paths inside it (`prometheus_config_path`, credential and TLS files) are resolved against the
    /// file's directory.
    /// - Parameter path: The configuration file; errors name it as given.
    /// - Returns: The configuration, every default applied.
    /// - Throws: ``ConfigError`` for an unreadable file or any invalid setting.
    public static func load(path: String) throws(ConfigError) -> AgentConfiguration {
        let text: String
        switch TextFile.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure):
            throw ConfigError(
                code: .unreadableFile, file: path, line: nil, column: nil, keyPath: "",
                message: "cannot read configuration file: \(failure.reason)")
        }
        return try parse(yaml: text, fileName: path, baseDirectory: FilePaths.directory(of: path))
    }

    /// Parses configuration text.
    /// - Parameters:
    ///   - yaml: The YAML text.
    ///   - fileName: The name errors give the text.
    ///   - baseDirectory: The directory relative paths in the text are resolved against; `nil` leaves them as
    ///     written (relative to the working directory).
    /// - Returns: The configuration, every default applied.
    /// - Throws: ``ConfigError`` for any invalid setting.
    public static func parse(yaml: String, fileName: String, baseDirectory: String?) throws(ConfigError)
        -> AgentConfiguration
    {
        let source = SourceFile(name: fileName, baseDirectory: baseDirectory)
        guard let root = try source.compose(yaml) else { return AgentConfiguration() }
        guard case .mapping = root.node else {
            throw root.error(.typeMismatch, "expected a mapping of top-level keys (global, scrape_configs, emf, …), found \(root.kind)")
        }
        let top = try root.mapping(Schemas.topLevel)

        // `global` and `scrape_configs`: inline, or from a Prometheus file.
        var globalValue = top["global"]
        var scrapeConfigsValue = top["scrape_configs"]
        if let pathValue = top["prometheus_config_path"] {
            for key in ["global", "scrape_configs"] {
                if let entry = top.entry(key) {
                    throw entry.value.error(
                        .conflictingKeys,
                        "\"\(key)\" cannot be combined with \"prometheus_config_path\"; put it in the Prometheus file")
                }
            }
            let prometheusTop = try loadPrometheusFile(pathValue, from: source)
            globalValue = prometheusTop?["global"]
            scrapeConfigsValue = prometheusTop?["scrape_configs"]
        }

        let (global, jobDefaults) = try ScrapeParser.global(globalValue)
        let scrapeConfigs = try ScrapeParser.scrapeConfigs(scrapeConfigsValue, global: global, defaults: jobDefaults)

        // `emf`, or the CloudWatch agent's `emf_processor`.
        if top.entry("emf") != nil, let aliasEntry = top.entry("emf_processor") {
            throw aliasEntry.value.error(
                .conflictingKeys, "\"emf_processor\" is an alias of \"emf\"; set only one of them")
        }
        let emfKey = top.entry("emf_processor") != nil ? "emf_processor" : "emf"
        let emfValue = top[emfKey]
        let emf = try EMFParser.emf(emfValue)
        try EMFParser.validate(emf, value: top.entry(emfKey)?.value, key: emfKey, source: source)

        let cloudWatchLogs = try CloudWatchParser.delivery(emfValue, source: source)
        let aws = try CloudWatchParser.aws(top["aws"])
        let server = try parseServer(top["server"])
        let demoExporter = try parseDemoExporter(top.entry("demo_exporter"))
        return AgentConfiguration(
            global: global, scrapeConfigs: scrapeConfigs, emf: emf, cloudWatchLogs: cloudWatchLogs, aws: aws,
            server: server, demoExporter: demoExporter)
    }

    /// The top-level mapping of the Prometheus file named by `prometheus_config_path` (`nil` if it is empty).
    private static func loadPrometheusFile(_ pathValue: YAMLValue, from source: SourceFile) throws(ConfigError)
        -> YAMLMapping?
    {
        let written = try pathValue.string()
        let resolved = source.resolve(written)
        let text: String
        switch TextFile.read(resolved) {
        case .success(let contents): text = contents
        case .failure(let failure):
            let shown = resolved == written ? "\"\(written)\"" : "\"\(written)\" (\(resolved))"
            throw pathValue.error(.unreadableFile, "cannot read Prometheus configuration \(shown): \(failure.reason)")
        }
        let prometheusSource = SourceFile(name: resolved, baseDirectory: FilePaths.directory(of: resolved))
        guard let root = try prometheusSource.compose(text) else { return nil }
        return try root.mapping(Schemas.prometheusTopLevel)
    }

    private static func parseServer(_ value: YAMLValue?) throws(ConfigError) -> ServerConfiguration {
        var server = ServerConfiguration()
        guard let value else { return server }
        let mapping = try value.mapping(Schemas.listener)
        if let address = mapping["listen_address"] {
            server.listenAddress = try HostPort.check(address, allowPortZero: true, what: "listen address")
        }
        return server
    }

    private static func parseDemoExporter(_ entry: YAMLEntry?) throws(ConfigError) -> DemoExporterConfiguration? {
        guard let entry else { return nil }
        let value = entry.value
        if value.isNull { return DemoExporterConfiguration() }
        if case .scalar = value.node, value.node.tagName == .bool {
            return try value.bool() ? DemoExporterConfiguration() : nil
        }
        guard case .mapping = value.node else { throw value.typeMismatch("a mapping (or true/false)") }
        var demo = DemoExporterConfiguration()
        let mapping = try value.mapping(Schemas.listener)
        if let address = mapping["listen_address"] {
            demo.listenAddress = try HostPort.check(address, allowPortZero: true, what: "listen address")
        }
        return demo
    }
}

/// `host:port` checks for targets and listen addresses.
enum HostPort {
    /// `value` as a string if it is `host:port` (IPv6 hosts in brackets), else an error at `value`.
    static func check(_ value: YAMLValue, allowPortZero: Bool, what: String) throws(ConfigError) -> String {
        let text = try value.string()
        if let problem = problem(with: text, allowPortZero: allowPortZero) {
            throw value.error(.invalidValue, "invalid \(what) \"\(text)\": \(problem)")
        }
        return text
    }

    /// Why `text` is not `host:port`, or `nil` if it is.
    static func problem(with text: String, allowPortZero: Bool) -> String? {
        if text.contains("://") || text.contains("/") {
            return "expected host:port without scheme or path (set `scheme` and `metrics_path` on the job)"
        }
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return "missing \"]\" after the IPv6 address" }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return "expected host:port, e.g. [::1]:9090" }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return "expected host:port, e.g. localhost:9100" }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return "IPv6 addresses must be in brackets, e.g. [::1]:9090" }
        }
        if host.isEmpty { return "missing host (expected host:port, e.g. localhost:9100)" }
        if host.contains(where: { $0.isWhitespace }) { return "the host contains whitespace" }
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port) else {
            return "invalid port \"\(port)\""
        }
        let lowest = allowPortZero ? 0 : 1
        guard (lowest...65535).contains(number) else { return "port \(number) is out of range \(lowest)-65535" }
        return nil
    }
}

/// The keys of every mapping in the file.
enum Schemas {
    static let topLevel = KeySchema(keys: [
        "global", "scrape_configs", "prometheus_config_path", "emf", "emf_processor", "server", "demo_exporter",
        "aws",
    ])

    static let aws = KeySchema(keys: ["region", "profile", "endpoints", "max_attempts"])

    static let cloudWatchLogs = KeySchema(keys: [
        "buffer_bytes", "spool_directory", "spool_bytes", "flush_interval", "retention_in_days", "shutdown_timeout",
        "max_batch_bytes", "create_groups", "write_wait_timeout",
    ])

    /// A Prometheus file's top level: only `global` and `scrape_configs` are read; the rest is Prometheus's.
    static let prometheusTopLevel = KeySchema(
        keys: ["global", "scrape_configs"],
        unsupported: ["scrape_config_files": "list the scrape configs in the file itself"],
        ignoreUnknown: true
    )

    static let listener = KeySchema(keys: ["listen_address"])

    static let global = KeySchema(
        keys: [
            "scrape_interval", "scrape_timeout", "external_labels", "sample_limit", "label_limit", "body_size_limit",
            "label_name_length_limit", "label_value_length_limit", "scrape_protocols",
        ],
        unsupported: Dictionary(
            uniqueKeysWithValues: [
                "target_limit", "keep_dropped_targets", "scrape_failure_log_file", "metric_name_validation_scheme",
                "metric_name_escaping_scheme", "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb",
                "scrape_native_histograms", "extra_scrape_metrics", "scrape_classic_histograms",
            ].map { ($0, "promwatch does not implement this Prometheus setting") }),
        ignored: ["evaluation_interval", "rule_query_offset", "query_log_file"]
    )

    static let scrapeConfig: KeySchema = {
        let unsupportedKeys = [
            "oauth2": "use authorization or basic_auth",
            "scrape_config_files": "list the scrape configs in the file itself",
        ]
        let generic = [
            "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "follow_redirects",
            "enable_http2", "enable_compression", "http_headers", "fallback_scrape_protocol",
            "scrape_classic_histograms", "always_scrape_classic_histograms", "scrape_native_histograms",
            "convert_classic_histograms_to_nhcb", "native_histogram_bucket_limit",
            "native_histogram_min_bucket_factor", "target_limit", "keep_dropped_targets", "track_timestamps_staleness",
            "metric_name_validation_scheme", "metric_name_escaping_scheme", "scrape_failure_log_file",
        ]
        let discovery = [
            "azure", "consul", "digitalocean", "docker", "dockerswarm", "dns", "ec2", "eureka", "file", "gce",
            "hetzner", "http", "ionos", "kuma", "lightsail", "linode", "marathon", "nerve", "nomad",
            "openstack", "ovhcloud", "puppetdb", "scaleway", "serverset", "stackit", "triton", "uyuni", "vultr",
        ]
        var unsupported = unsupportedKeys
        for key in generic { unsupported[key] = "promwatch does not implement this Prometheus setting" }
        for name in discovery {
            unsupported[name + "_sd_configs"] = "only static_configs and kubernetes_sd_configs are implemented"
        }
        return KeySchema(
            keys: [
                "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params", "static_configs",
                "honor_labels", "honor_timestamps", "basic_auth", "authorization", "bearer_token", "bearer_token_file",
                "tls_config", "sample_limit", "label_limit", "body_size_limit", "label_name_length_limit",
                "label_value_length_limit", "scrape_protocols", "kubernetes_sd_configs", "relabel_configs",
                "metric_relabel_configs",
            ],
            unsupported: unsupported
        )
    }()

    static let staticConfig = KeySchema(keys: ["targets", "labels"])

    static let kubernetesSDConfig = KeySchema(
        keys: [
            "role", "api_server", "kubeconfig_file", "namespaces", "selectors", "attach_metadata", "bearer_token_file",
            "authorization", "tls_config",
        ],
        unsupported: [
            "basic_auth": "use authorization or bearer_token_file", "bearer_token": "use bearer_token_file",
            "oauth2": "use authorization or bearer_token_file", "proxy_url": "promwatch does not implement this Prometheus setting",
            "no_proxy": "promwatch does not implement this Prometheus setting",
            "proxy_from_environment": "promwatch does not implement this Prometheus setting",
            "proxy_connect_header": "promwatch does not implement this Prometheus setting",
            "follow_redirects": "promwatch does not implement this Prometheus setting",
            "enable_http2": "promwatch does not implement this Prometheus setting",
            "http_headers": "promwatch does not implement this Prometheus setting",
        ]
    )

    static let relabelConfig = KeySchema(keys: [
        "source_labels", "separator", "target_label", "regex", "modulus", "replacement", "action",
    ])

    static let kubernetesNamespaces = KeySchema(keys: ["names", "own_namespace"])

    static let kubernetesSelector = KeySchema(keys: ["role", "label", "field"])

    static let kubernetesAttachMetadata = KeySchema(keys: ["node"], ignored: ["namespace"])

    static let basicAuth = KeySchema(
        keys: ["username", "password", "password_file"],
        unsupported: ["username_file": "set username", "username_ref": "set username", "password_ref": "use password_file"]
    )

    static let authorization = KeySchema(
        keys: ["type", "credentials", "credentials_file"],
        unsupported: ["credentials_ref": "use credentials_file"]
    )

    static let tlsConfig = KeySchema(
        keys: ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"],
        unsupported: [
            "ca": "use ca_file", "cert": "use cert_file", "key": "use key_file", "ca_ref": "use ca_file",
            "cert_ref": "use cert_file", "key_ref": "use key_file",
            "min_version": "promwatch does not implement this Prometheus setting",
            "max_version": "promwatch does not implement this Prometheus setting",
        ]
    )

    static let emf = KeySchema(
        keys: [
            "metric_namespace", "metric_unit", "metric_declaration", "log_group_name", "log_stream_name", "output",
            "emit_unselected", "cluster_name", "constant_labels", "initial_value", "max_event_bytes", "cloudwatch",
        ],
        ignored: ["metric_declaration_dedup"]
    )

    static let metricDeclaration = KeySchema(keys: [
        "source_labels", "label_separator", "label_matcher", "dimensions", "metric_selectors",
    ])
}
