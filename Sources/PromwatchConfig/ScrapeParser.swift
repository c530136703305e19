import Relabel
import Yams

/// Job defaults that `global` sets but ``GlobalConfiguration`` does not keep.
struct JobDefaults {
    var sampleLimit = 0
    var labelLimit = 0
    var bodySizeLimit = ScrapeConfiguration.defaultBodySizeLimit
    var labelNameLengthLimit = 0
    var labelValueLengthLimit = 0
    var scrapeProtocols: [ScrapeProtocol]?
}

/// Prometheus's `global` and `scrape_configs`, with Prometheus's defaulting rules.
enum ScrapeParser {
    static func global(_ value: YAMLValue?) throws(ConfigError) -> (GlobalConfiguration, JobDefaults) {
        var global = GlobalConfiguration()
        var defaults = JobDefaults()
        guard let value else { return (global, defaults) }
        let mapping = try value.mapping(Schemas.global)
        // As in Prometheus, a zero duration means "not set".
        if let interval = mapping["scrape_interval"] {
            let duration = try interval.duration()
            if duration != .zero { global.scrapeInterval = duration }
        }
        if let timeout = mapping["scrape_timeout"], case let duration = try timeout.duration(), duration != .zero {
            guard duration <= global.scrapeInterval else {
                throw timeout.error(
                    .invalidValue,
                    "scrape_timeout \(PrometheusDuration.format(duration)) is greater than scrape_interval "
                        + PrometheusDuration.format(global.scrapeInterval))
            }
            global.scrapeTimeout = duration
        } else {
            global.scrapeTimeout = min(GlobalConfiguration.defaultScrapeTimeout, global.scrapeInterval)
        }
        if let labels = mapping["external_labels"] {
            global.externalLabels = try labels.stringMap(labelNames: true)
        }
        if let limit = mapping["sample_limit"] { defaults.sampleLimit = try limit.nonNegativeInt() }
        if let limit = mapping["label_limit"] { defaults.labelLimit = try limit.nonNegativeInt() }
        if let limit = mapping["body_size_limit"] { defaults.bodySizeLimit = try limit.byteSize() }
        if let limit = mapping["label_name_length_limit"] { defaults.labelNameLengthLimit = try limit.nonNegativeInt() }
        if let limit = mapping["label_value_length_limit"] {
            defaults.labelValueLengthLimit = try limit.nonNegativeInt()
        }
        if let protocols = mapping["scrape_protocols"] { defaults.scrapeProtocols = try scrapeProtocols(protocols) }
        return (global, defaults)
    }

    static func scrapeConfigs(_ value: YAMLValue?, global: GlobalConfiguration, defaults: JobDefaults)
        throws(ConfigError) -> [ScrapeConfiguration]
    {
        guard let value else { return [] }
        var jobs: [ScrapeConfiguration] = []
        var firstLines: [String: Int?] = [:]
        for item in try value.list() {
            let (job, nameValue) = try scrapeConfig(item, global: global, defaults: defaults)
            if let firstLine = firstLines[job.jobName] {
                let where_ = firstLine.map { " (first defined at line \($0))" } ?? ""
                throw nameValue.error(.duplicateJobName, "duplicate job_name \"\(job.jobName)\"\(where_)")
            }
            firstLines[job.jobName] = nameValue.mark?.line
            jobs.append(job)
        }
        return jobs
    }

    private static func scrapeConfig(_ item: YAMLValue, global: GlobalConfiguration, defaults: JobDefaults)
        throws(ConfigError) -> (ScrapeConfiguration, YAMLValue)
    {
        guard case .mapping = item.node else { throw item.typeMismatch("a mapping (a scrape config)") }
        let mapping = try item.mapping(Schemas.scrapeConfig)
        guard let nameValue = mapping["job_name"] else {
            throw item.source.error(
                .missingKey, path: KeyPath.child(of: item.path, key: "job_name", userKey: false), mark: item.mark,
                "missing required key \"job_name\"")
        }
        let name = try nameValue.string()
        guard !name.isEmpty else { throw nameValue.error(.invalidValue, "job_name must not be empty") }

        var job = ScrapeConfiguration(
            jobName: name, scrapeInterval: global.scrapeInterval, scrapeTimeout: global.scrapeTimeout,
            sampleLimit: defaults.sampleLimit, labelLimit: defaults.labelLimit, bodySizeLimit: defaults.bodySizeLimit,
            labelNameLengthLimit: defaults.labelNameLengthLimit, labelValueLengthLimit: defaults.labelValueLengthLimit,
            scrapeProtocols: defaults.scrapeProtocols)

        // Interval and timeout, by Prometheus's rules: unset (or zero) takes the global value, and an inherited
        // timeout longer than the job's interval is cut to the interval; a timeout set on the job must fit.
        let intervalValue = mapping["scrape_interval"]
        if let intervalValue {
            let duration = try intervalValue.duration()
            if duration != .zero { job.scrapeInterval = duration }
        }
        if let timeout = mapping["scrape_timeout"], case let duration = try timeout.duration(), duration != .zero {
            guard duration <= job.scrapeInterval else {
                let inherited = intervalValue == nil ? " (from global)" : ""
                throw timeout.error(
                    .invalidValue,
                    "scrape_timeout \(PrometheusDuration.format(duration)) is greater than scrape_interval "
                        + "\(PrometheusDuration.format(job.scrapeInterval))\(inherited)")
            }
            job.scrapeTimeout = duration
        } else {
            job.scrapeTimeout = min(global.scrapeTimeout, job.scrapeInterval)
        }

        if let path = mapping["metrics_path"] {
            job.metricsPath = try path.string()
            guard job.metricsPath.hasPrefix("/") else {
                throw path.error(.invalidValue, "metrics_path \"\(job.metricsPath)\" must start with \"/\"")
            }
        }
        if let scheme = mapping["scheme"] { job.scheme = try scheme.oneOf(Scheme.self, what: "scheme") }
        if let params = mapping["params"] {
            for entry in try params.userEntries() {
                job.params[entry.key] = try entry.value.stringList()
            }
        }
        if let staticConfigs = mapping["static_configs"] {
            job.staticConfigs = []
            for group in try staticConfigs.list() {
                job.staticConfigs.append(try staticConfig(group))
            }
        }
        if let sdConfigs = mapping["kubernetes_sd_configs"] {
            for entry in try sdConfigs.list() {
                job.kubernetesSDConfigs.append(try kubernetesSDConfig(entry))
            }
        }
        if let rules = mapping["relabel_configs"] { job.relabelConfigs = try relabelConfigs(rules) }
        if let rules = mapping["metric_relabel_configs"] { job.metricRelabelConfigs = try relabelConfigs(rules) }
        if let honor = mapping["honor_labels"] { job.honorLabels = try honor.bool() }
        if let honor = mapping["honor_timestamps"] { job.honorTimestamps = try honor.bool() }

        try checkAtMostOne(
            of: ["basic_auth", "authorization", "bearer_token", "bearer_token_file"], in: mapping)
        if let basicAuth = mapping["basic_auth"] { job.basicAuth = try self.basicAuth(basicAuth) }
        if let authorization = mapping["authorization"] { job.authorization = try self.authorization(authorization) }
        if let token = mapping["bearer_token"] {
            job.authorization = Authorization(type: "Bearer", credentials: Secret(try token.string()))
        }
        if let file = mapping["bearer_token_file"] {
            job.authorization = Authorization(type: "Bearer", credentialsFile: try filePath(file))
        }
        if let tls = mapping["tls_config"] { job.tlsConfig = try tlsConfig(tls) }

        if let limit = mapping["sample_limit"] { job.sampleLimit = try limit.nonNegativeInt() }
        if let limit = mapping["label_limit"] { job.labelLimit = try limit.nonNegativeInt() }
        if let limit = mapping["body_size_limit"] { job.bodySizeLimit = try limit.byteSize() }
        if let limit = mapping["label_name_length_limit"] { job.labelNameLengthLimit = try limit.nonNegativeInt() }
        if let limit = mapping["label_value_length_limit"] { job.labelValueLengthLimit = try limit.nonNegativeInt() }
        if let protocols = mapping["scrape_protocols"] { job.scrapeProtocols = try scrapeProtocols(protocols) }
        return (job, nameValue)
    }

    /// `scrape_protocols`: a non-empty list of distinct ``ScrapeProtocol`` names (Prometheus's
    /// `validateAcceptScrapeProtocols`).
    private static func scrapeProtocols(_ value: YAMLValue) throws(ConfigError) -> [ScrapeProtocol] {
        let items = try value.list()
        guard !items.isEmpty else {
            throw value.error(
                .invalidValue,
                "scrape_protocols must not be empty (expected some of: "
                    + ScrapeProtocol.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var protocols: [ScrapeProtocol] = []
        for item in items {
            let scrapeProtocol = try item.oneOf(ScrapeProtocol.self, what: "scrape protocol")
            if protocols.contains(scrapeProtocol) {
                throw item.error(.invalidValue, "duplicate scrape protocol \"\(scrapeProtocol.rawValue)\"")
            }
            protocols.append(scrapeProtocol)
        }
        return protocols
    }

    private static func staticConfig(_ group: YAMLValue) throws(ConfigError) -> StaticConfiguration {
        guard case .mapping = group.node else { throw group.typeMismatch("a mapping with targets and labels") }
        let mapping = try group.mapping(Schemas.staticConfig)
        var config = StaticConfiguration()
        if let targets = mapping["targets"] {
            for target in try targets.list() {
                config.targets.append(try HostPort.check(target, allowPortZero: false, what: "target"))
            }
        }
        if let labels = mapping["labels"] { config.labels = try labels.stringMap(labelNames: true) }
        return config
    }

    private static func basicAuth(_ value: YAMLValue) throws(ConfigError) -> BasicAuth {
        let mapping = try value.mapping(Schemas.basicAuth)
        try checkAtMostOne(of: ["password", "password_file"], in: mapping)
        var auth = BasicAuth()
        if let username = mapping["username"] { auth.username = try username.string() }
        if let password = mapping["password"] { auth.password = Secret(try password.string()) }
        if let file = mapping["password_file"] { auth.passwordFile = try filePath(file) }
        return auth
    }

    private static func authorization(_ value: YAMLValue) throws(ConfigError) -> Authorization {
        let mapping = try value.mapping(Schemas.authorization)
        try checkAtMostOne(of: ["credentials", "credentials_file"], in: mapping)
        var auth = Authorization()
        if let type = mapping["type"] {
            let text = try type.string()
            if text.lowercased() == "basic" {
                throw type.error(.invalidValue, "authorization type \"\(text)\" is not allowed; use basic_auth")
            }
            if !text.isEmpty { auth.type = text }
        }
        if let credentials = mapping["credentials"] { auth.credentials = Secret(try credentials.string()) }
        if let file = mapping["credentials_file"] { auth.credentialsFile = try filePath(file) }
        return auth
    }

    private static func tlsConfig(_ value: YAMLValue) throws(ConfigError) -> TLSConfiguration {
        let mapping = try value.mapping(Schemas.tlsConfig)
        var tls = TLSConfiguration()
        if let file = mapping["ca_file"] { tls.caFile = try filePath(file) }
        if let file = mapping["cert_file"] { tls.certFile = try filePath(file) }
        if let file = mapping["key_file"] { tls.keyFile = try filePath(file) }
        if let name = mapping["server_name"] { tls.serverName = try name.string() }
        if let skip = mapping["insecure_skip_verify"] { tls.insecureSkipVerify = try skip.bool() }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            let present = mapping["cert_file"] ?? mapping["key_file"] ?? value
            throw present.error(.missingKey, "cert_file and key_file must be set together")
        }
        return tls
    }

    /// A `relabel_configs` / `metric_relabel_configs` list, each rule checked as Prometheus 2 checks it (legacy
    /// label names); an error points at the rule.
    static func relabelConfigs(_ value: YAMLValue) throws(ConfigError) -> [RelabelConfiguration] {
        var rules: [RelabelConfiguration] = []
        for item in try value.list() {
            guard case .mapping = item.node else { throw item.typeMismatch("a mapping (a relabel config)") }
            let mapping = try item.mapping(Schemas.relabelConfig)
            var sourceLabels: [String] = []
            if let labels = mapping["source_labels"] { sourceLabels = try labels.stringList() }
            var action = RelabelConfiguration.Action.replace
            if let actionValue = mapping["action"] {
                let text = try actionValue.string()
                do throws(RelabelConfigurationError) {
                    action = try RelabelConfiguration.Action(parsing: text)
                } catch {
                    throw actionValue.error(.invalidValue, error.description)
                }
            }
            var modulus: UInt64 = 0
            if let value = mapping["modulus"] { modulus = UInt64(try value.nonNegativeInt()) }
            let separator = try mapping["separator"]?.string() ?? RelabelConfiguration.defaultSeparator
            let regex = try mapping["regex"]?.string()
            let targetLabel = try mapping["target_label"]?.string() ?? ""
            let replacement = try mapping["replacement"]?.string() ?? RelabelConfiguration.defaultReplacement
            do throws(RelabelConfigurationError) {
                rules.append(
                    try RelabelConfiguration(
                        sourceLabels: sourceLabels, separator: separator, regex: regex, modulus: modulus,
                        targetLabel: targetLabel, replacement: replacement, action: action, nameValidation: .legacy))
            } catch {
                // Point at the key the problem is about, else at the rule.
                let key =
                    switch error.code {
                    case .invalidRegex: "regex"
                    case .missingModulus: "modulus"
                    case .invalidReplacement: "replacement"
                    default: "target_label"
                    }
                throw (mapping[key] ?? item).error(.invalidValue, error.description)
            }
        }
        return rules
    }

    /// One `kubernetes_sd_configs` entry, checked as Prometheus's `SDConfig.UnmarshalYAML` checks it.
    private static func kubernetesSDConfig(_ value: YAMLValue) throws(ConfigError) -> KubernetesSDConfiguration {
        guard case .mapping = value.node else { throw value.typeMismatch("a mapping (a kubernetes_sd_config)") }
        let mapping = try value.mapping(Schemas.kubernetesSDConfig)
        guard let roleValue = mapping["role"] else {
            throw value.source.error(
                .missingKey, path: KeyPath.child(of: value.path, key: "role", userKey: false), mark: value.mark,
                "missing required key \"role\" (one of pod, service, endpoints, endpointslice, node)")
        }
        var config = KubernetesSDConfiguration(role: try roleValue.oneOf(KubernetesSDConfiguration.Role.self, what: "role"))
        try checkAtMostOne(of: ["api_server", "kubeconfig_file"], in: mapping)
        if let server = mapping["api_server"] {
            let url = try server.string()
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw server.error(.invalidValue, "api_server \"\(url)\" must be an http:// or https:// URL")
            }
            config.apiServer = url
        }
        if let file = mapping["kubeconfig_file"] { config.kubeconfigFile = try filePath(file) }
        if let namespaces = mapping["namespaces"] {
            let entries = try namespaces.mapping(Schemas.kubernetesNamespaces)
            if let names = entries["names"] { config.namespaces = try names.stringList() }
            if let own = entries["own_namespace"] { config.ownNamespace = try own.bool() }
        }
        if let selectors = mapping["selectors"] {
            let allowed = KubernetesSDConfiguration.allowedSelectorRoles(for: config.role)
            for item in try selectors.list() {
                let entries = try item.mapping(Schemas.kubernetesSelector)
                guard let selectorRole = entries["role"] else {
                    throw item.error(.missingKey, "a selector needs a role")
                }
                let role = try selectorRole.oneOf(KubernetesSDConfiguration.Role.self, what: "selector role")
                guard allowed.contains(role) else {
                    throw selectorRole.error(
                        .invalidValue,
                        "selector role \"\(role.rawValue)\" is not allowed with role \"\(config.role.rawValue)\" "
                            + "(allowed: \(allowed.map(\.rawValue).joined(separator: ", ")))")
                }
                guard config.selector(for: role) == nil else {
                    throw selectorRole.error(.invalidValue, "duplicate selector role \"\(role.rawValue)\"")
                }
                var selector = KubernetesSDConfiguration.Selector(role: role)
                if let label = entries["label"] { selector.label = try label.string() }
                if let field = entries["field"] { selector.field = try field.string() }
                config.selectors.append(selector)
            }
        }
        if let attach = mapping["attach_metadata"] {
            let entries = try attach.mapping(Schemas.kubernetesAttachMetadata)
            if let node = entries["node"] { config.attachNodeMetadata = try node.bool() }
        }
        try checkAtMostOne(of: ["authorization", "bearer_token_file"], in: mapping)
        if let authorization = mapping["authorization"] { config.authorization = try self.authorization(authorization) }
        if let file = mapping["bearer_token_file"] {
            config.authorization = Authorization(type: "Bearer", credentialsFile: try filePath(file))
        }
        if let tls = mapping["tls_config"] {
            config.tlsConfig = try tlsConfig(tls)
            if config.tlsConfig.insecureSkipVerify {
                throw tls.error(.invalidValue, "insecure_skip_verify is not allowed for the Kubernetes API: promwatch always verifies TLS")
            }
        }
        if config.apiServer == nil, config.authorization != nil || mapping["tls_config"] != nil {
            throw value.error(.invalidValue, "authorization, bearer_token_file and tls_config need api_server (in-cluster and kubeconfig_file bring their own)")
        }
        return config
    }

    /// A non-empty path, resolved against the directory of the file it is in.
    private static func filePath(_ value: YAMLValue) throws(ConfigError) -> String {
        let path = try value.string()
        guard !path.isEmpty else { throw value.error(.invalidValue, "the path must not be empty") }
        return value.source.resolve(path)
    }

    /// Fails at the second of `keys` (in document order) that has a non-null value.
    private static func checkAtMostOne(of keys: [String], in mapping: YAMLMapping) throws(ConfigError) {
        let present = mapping.entries.filter { keys.contains($0.key) && !$0.value.isNull }
        guard present.count > 1 else { return }
        let names = keys.dropLast().joined(separator: ", ") + (keys.count > 2 ? "," : "") + " and " + keys.last!  // `keys` is never empty.
        throw present[1].value.error(.conflictingKeys, "at most one of \(names) may be set")
    }
}
