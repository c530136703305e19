import EMF
import PromwatchConfig
import PromwatchTestSupport
import Relabel
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses `yaml` as `test.yaml` with no base directory.
func parse(_ yaml: String) throws(ConfigError) -> AgentConfiguration {
    try ConfigLoader.parse(yaml: yaml, fileName: "test.yaml", baseDirectory: nil)
}

/// The error parsing `yaml` throws, or `nil` when it parses.
func parseError(_ yaml: String, fileName: String = "test.yaml", baseDirectory: String? = nil) -> ConfigError? {
    do {
        _ = try ConfigLoader.parse(yaml: yaml, fileName: fileName, baseDirectory: baseDirectory)
        return nil
    } catch {
        return error
    }
}

/// A fresh directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("promwatch-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

@Suite struct DefaultsTests {
    @Test func emptyFileGivesDefaults() throws {
        let config = try parse("")
        #expect(config == AgentConfiguration())
        #expect(config.global.scrapeInterval == .seconds(60))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.global.externalLabels.isEmpty)
        #expect(config.scrapeConfigs.isEmpty)
        #expect(config.emf == EMFConfiguration())
        #expect(config.server.listenAddress == "0.0.0.0:9481")
        #expect(config.demoExporter == nil)
    }

    @Test func commentsOnlyGiveDefaults() throws {
        #expect(try parse("# nothing here\n") == AgentConfiguration())
    }

    @Test func minimalJobGetsEveryDefault() throws {
        let config = try parse(
            """
            scrape_configs:
              - job_name: only
            """)
        let job = try #require(config.scrapeConfigs.first)
        #expect(job == ScrapeConfiguration(jobName: "only"))
        #expect(job.scrapeInterval == .seconds(60))
        #expect(job.scrapeTimeout == .seconds(10))
        #expect(job.metricsPath == "/metrics")
        #expect(job.scheme == .http)
        #expect(job.params.isEmpty)
        #expect(job.staticConfigs.isEmpty)
        #expect(job.honorLabels == false)
        #expect(job.honorTimestamps == true)
        #expect(job.basicAuth == nil)
        #expect(job.authorization == nil)
        #expect(job.tlsConfig == TLSConfiguration())
        #expect(job.tlsConfig.insecureSkipVerify == false)
        #expect(job.sampleLimit == 0)
        #expect(job.labelLimit == 0)
        #expect(job.bodySizeLimit == 64 * 1024 * 1024)
    }

    @Test func jobsInheritGlobalSettings() throws {
        let config = try parse(
            """
            global:
              scrape_interval: 15s
              scrape_timeout: 5s
              sample_limit: 100
              label_limit: 20
              body_size_limit: 1MiB
            scrape_configs:
              - job_name: inherits
              - job_name: overrides
                scrape_interval: 30s
                scrape_timeout: 20s
                sample_limit: 7
                label_limit: 8
                body_size_limit: 2048
            """)
        #expect(config.global == GlobalConfiguration(scrapeInterval: .seconds(15), scrapeTimeout: .seconds(5)))
        let inherits = config.scrapeConfigs[0]
        #expect(inherits.scrapeInterval == .seconds(15))
        #expect(inherits.scrapeTimeout == .seconds(5))
        #expect(inherits.sampleLimit == 100)
        #expect(inherits.labelLimit == 20)
        #expect(inherits.bodySizeLimit == 1_048_576)
        let overrides = config.scrapeConfigs[1]
        #expect(overrides.scrapeInterval == .seconds(30))
        #expect(overrides.scrapeTimeout == .seconds(20))
        #expect(overrides.sampleLimit == 7)
        #expect(overrides.labelLimit == 8)
        #expect(overrides.bodySizeLimit == 2048)
    }

    @Test func inheritedTimeoutIsCutToAShorterInterval() throws {
        // Prometheus: an unset timeout is the global one, but never longer than the job's interval.
        let config = try parse(
            """
            global:
              scrape_interval: 5s
            scrape_configs:
              - job_name: fast
                scrape_interval: 2s
              - job_name: default
            """)
        #expect(config.global.scrapeTimeout == .seconds(5))
        #expect(config.scrapeConfigs[0].scrapeTimeout == .seconds(2))
        #expect(config.scrapeConfigs[1].scrapeInterval == .seconds(5))
        #expect(config.scrapeConfigs[1].scrapeTimeout == .seconds(5))
    }

    @Test func zeroDurationsMeanUnset() throws {
        let config = try parse(
            """
            global:
              scrape_interval: 0
            scrape_configs:
              - job_name: a
                scrape_interval: 0s
                scrape_timeout: "0"
            """)
        #expect(config.global.scrapeInterval == .seconds(60))
        #expect(config.scrapeConfigs[0].scrapeInterval == .seconds(60))
        #expect(config.scrapeConfigs[0].scrapeTimeout == .seconds(10))
    }

    @Test(arguments: [
        ("", nil),
        ("demo_exporter:", DemoExporterConfiguration()),
        ("demo_exporter: {}", DemoExporterConfiguration()),
        ("demo_exporter: true", DemoExporterConfiguration()),
        ("demo_exporter: false", nil),
        ("demo_exporter:\n  listen_address: 127.0.0.1:0", DemoExporterConfiguration(listenAddress: "127.0.0.1:0")),
    ] as [(String, DemoExporterConfiguration?)])
    func demoExporterPresence(yaml: String, expected: DemoExporterConfiguration?) throws {
        #expect(try parse(yaml).demoExporter == expected)
    }
}

@Suite struct EveryKeyTests {
    @Test func inlineConfigurationWithEveryKey() throws {
        let config = try ConfigLoader.parse(
            yaml: """
                server:
                  listen_address: "[::1]:9000"
                demo_exporter:
                  listen_address: 127.0.0.1:9100
                global:
                  scrape_interval: 1m30s
                  scrape_timeout: 45s
                  external_labels: {region: eu-west-1, agent: a1}
                  evaluation_interval: 1m
                scrape_configs:
                  - job_name: full
                    scrape_interval: 1h
                    scrape_timeout: 1m
                    metrics_path: /probe
                    scheme: https
                    params:
                      module: [http_2xx, tcp]
                      "target.name": [x]
                    honor_labels: true
                    honor_timestamps: false
                    authorization:
                      type: Token
                      credentials_file: /run/token
                    tls_config:
                      ca_file: ca.pem
                      cert_file: tls/cert.pem
                      key_file: /abs/key.pem
                      server_name: example.internal
                      insecure_skip_verify: yes
                    sample_limit: 10
                    label_limit: 11
                    body_size_limit: 512KiB
                    static_configs:
                      - targets: [a:1, "b:2"]
                        labels: {env: prod, port: 80}
                      - targets:
                          - "[fd00::1]:65535"
                  - job_name: basic
                    basic_auth:
                      username: u
                      password: p
                  - job_name: basic-file
                    basic_auth: {password_file: pw}
                  - job_name: creds
                    authorization: {credentials: c}
                  - job_name: bearer
                    bearer_token: t
                  - job_name: bearer-file
                    bearer_token_file: token
                emf:
                  metric_namespace: NS
                  metric_unit: {a_seconds: Seconds, b: Count/Second, "c.d": None}
                  metric_declaration:
                    - source_labels: [job, env]
                      label_separator: "|"
                      label_matcher: "^full\\\\|prod$"
                      dimensions: [[instance], [env, instance]]
                      metric_selectors: ["^a_seconds$", "^b$"]
                    - metric_selectors: [c]
                      dimensions: [[]]
                  log_group_name: /g/{ClusterName}
                  log_stream_name: s-{JobName}
                  output: stdout
                  emit_unselected: true
                  cluster_name: c1
                  constant_labels: {team: t}
                  initial_value: keep
                  max_event_bytes: 100000
                  metric_declaration_dedup: true
                """,
            fileName: "conf/promwatch.yaml", baseDirectory: "conf")

        let full = ScrapeConfiguration(
            jobName: "full", scrapeInterval: .seconds(3600), scrapeTimeout: .seconds(60), metricsPath: "/probe",
            scheme: .https, params: ["module": ["http_2xx", "tcp"], "target.name": ["x"]],
            staticConfigs: [
                StaticConfiguration(targets: ["a:1", "b:2"], labels: ["env": "prod", "port": "80"]),
                StaticConfiguration(targets: ["[fd00::1]:65535"]),
            ],
            honorLabels: true, honorTimestamps: false,
            authorization: Authorization(type: "Token", credentialsFile: "/run/token"),
            tlsConfig: TLSConfiguration(
                caFile: "conf/ca.pem", certFile: "conf/tls/cert.pem", keyFile: "/abs/key.pem",
                serverName: "example.internal", insecureSkipVerify: true),
            sampleLimit: 10, labelLimit: 11, bodySizeLimit: 512 * 1024)
        let interval: Duration = .seconds(90)
        let timeout: Duration = .seconds(45)
        func job(_ name: String) -> ScrapeConfiguration {
            ScrapeConfiguration(jobName: name, scrapeInterval: interval, scrapeTimeout: timeout)
        }
        var basic = job("basic")
        basic.basicAuth = BasicAuth(username: "u", password: Secret("p"))
        var basicFile = job("basic-file")
        basicFile.basicAuth = BasicAuth(passwordFile: "conf/pw")
        var creds = job("creds")
        creds.authorization = Authorization(credentials: Secret("c"))
        var bearer = job("bearer")
        bearer.authorization = Authorization(type: "Bearer", credentials: Secret("t"))
        var bearerFile = job("bearer-file")
        bearerFile.authorization = Authorization(type: "Bearer", credentialsFile: "conf/token")

        let expected = AgentConfiguration(
            global: GlobalConfiguration(
                scrapeInterval: interval, scrapeTimeout: timeout, externalLabels: ["region": "eu-west-1", "agent": "a1"]),
            scrapeConfigs: [full, basic, basicFile, creds, bearer, bearerFile],
            emf: EMFConfiguration(
                namespace: "NS",
                metricUnits: ["a_seconds": .seconds, "b": .countPerSecond, "c.d": MetricUnit.none],
                declarations: [
                    MetricDeclaration(
                        sourceLabels: ["job", "env"], labelSeparator: "|", labelMatcher: "^full\\|prod$",
                        dimensions: [["instance"], ["env", "instance"]], metricSelectors: ["^a_seconds$", "^b$"]),
                    MetricDeclaration(dimensions: [[]], metricSelectors: ["c"]),
                ],
                logGroupName: "/g/{ClusterName}", logStreamName: "s-{JobName}", output: .stdout, emitUnselected: true,
                clusterName: "c1", constantLabels: ["team": "t"], initialValue: .keep, maxEventBytes: 100_000),
            server: ServerConfiguration(listenAddress: "[::1]:9000"),
            demoExporter: DemoExporterConfiguration(listenAddress: "127.0.0.1:9100"))
        #expect(config.global == expected.global)
        for (got, want) in zip(config.scrapeConfigs, expected.scrapeConfigs) {
            #expect(got == want)
        }
        #expect(config.emf == expected.emf)
        #expect(config == expected)
    }

    @Test func emfProcessorIsAnAliasOfEMF() throws {
        let viaAlias = try parse(
            """
            emf_processor:
              metric_namespace: CWAgent/Prometheus
              metric_unit: {jvm_threads_current: Count}
              metric_declaration:
                - source_labels: [job]
                  label_matcher: "^tomcat$"
                  dimensions: [[ClusterName, job]]
                  metric_selectors: ["^jvm_threads_current$"]
            """)
        let viaEMF = try parse(
            """
            emf:
              metric_namespace: CWAgent/Prometheus
              metric_unit: {jvm_threads_current: Count}
              metric_declaration:
                - source_labels: [job]
                  label_matcher: "^tomcat$"
                  dimensions: [[ClusterName, job]]
                  metric_selectors: ["^jvm_threads_current$"]
            """)
        #expect(viaAlias == viaEMF)
        #expect(viaAlias.emf.namespace == "CWAgent/Prometheus")
        #expect(viaAlias.emf.metricUnits == ["jvm_threads_current": .count])
        #expect(viaAlias.emf.declarations.first?.labelMatcher == "^tomcat$")
    }

    @Test func cloudWatchAgentJSONIsAccepted() throws {
        // CloudWatch agent users paste JSON; YAML is a superset.
        let config = try parse(
            """
            {"emf_processor": {"metric_declaration_dedup": true, "metric_namespace": "X",
              "metric_declaration": [{"source_labels": ["job"], "label_matcher": "^a$",
                "dimensions": [["job"]], "metric_selectors": ["^up$"]}]}}
            """)
        #expect(config.emf.namespace == "X")
        #expect(config.emf.declarations == [
            MetricDeclaration(sourceLabels: ["job"], labelMatcher: "^a$", dimensions: [["job"]], metricSelectors: ["^up$"])
        ])
    }

    @Test func mergeKeysAreExpanded() throws {
        let config = try parse(
            """
            scrape_configs:
              - &base
                job_name: a
                scrape_interval: 20s
                static_configs: [{targets: ["x:1"]}]
              - <<: *base
                job_name: b
            """)
        #expect(config.scrapeConfigs.map(\.jobName) == ["a", "b"])
        #expect(config.scrapeConfigs[1].scrapeInterval == .seconds(20))
        #expect(config.scrapeConfigs[1].staticConfigs == [StaticConfiguration(targets: ["x:1"])])
    }

    @Test func secretsNeverAppearInDescriptions() throws {
        let config = try parse(
            """
            scrape_configs:
              - job_name: a
                basic_auth: {username: user, password: hunter2-password}
              - job_name: b
                authorization: {credentials: s3cr3t-credentials}
              - job_name: c
                bearer_token: legacy-bearer-token
            """)
        #expect(config.scrapeConfigs[0].basicAuth?.password?.value == "hunter2-password")
        var dumped = ""
        dump(config, to: &dumped)
        let renderings = [
            String(describing: config), String(reflecting: config), "\(config)", dumped,
            String(describing: config.scrapeConfigs[0].basicAuth!), String(describing: Secret("x-value")),
        ]
        for rendering in renderings {
            for secret in ["hunter2-password", "s3cr3t-credentials", "legacy-bearer-token", "x-value"] {
                #expect(!rendering.contains(secret), "\(secret) leaked")
            }
        }
        #expect(String(describing: config).contains("<secret>"))
        #expect(Secret("x").description == "<secret>")
    }
}

@Suite struct PrometheusConfigPathTests {
    @Test func readsGlobalAndScrapeConfigsRelativeToTheConfigFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/prom", withIntermediateDirectories: true)
        try write(
            """
            global:
              scrape_interval: 20s
              evaluation_interval: 30s
            rule_files: [rules.yml]
            alerting:
              alertmanagers: [{static_configs: [{targets: ["am:9093"]}]}]
            remote_write: [{url: "http://x"}]
            scrape_configs:
              - job_name: prometheus
                bearer_token_file: token
                static_configs: [{targets: ["localhost:9090"]}]
            """, to: directory + "/prom/prometheus.yml")
        try write(
            """
            prometheus_config_path: prom/prometheus.yml
            emf: {metric_namespace: N}
            """, to: directory + "/promwatch.yaml")

        let config = try ConfigLoader.load(path: directory + "/promwatch.yaml")
        #expect(config.global.scrapeInterval == .seconds(20))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.scrapeConfigs.count == 1)
        let job = try #require(config.scrapeConfigs.first)
        #expect(job.jobName == "prometheus")
        #expect(job.scrapeInterval == .seconds(20))
        #expect(job.staticConfigs == [StaticConfiguration(targets: ["localhost:9090"])])
        // Paths in the Prometheus file are relative to that file.
        #expect(job.authorization == Authorization(type: "Bearer", credentialsFile: directory + "/prom/token"))
        #expect(config.emf.namespace == "N")
    }

    @Test func errorsInThePrometheusFileNameThatFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(
            """
            rule_files: []
            scrape_configs:
              - job_name: p
                oauth2: {}
            """, to: directory + "/prometheus.yml")
        let error = try #require(
            parseError("prometheus_config_path: prometheus.yml\n", fileName: "main.yaml", baseDirectory: directory))
        #expect(error.code == .unsupportedKey)
        #expect(error.file == directory + "/prometheus.yml")
        #expect(
            error.description
                == "\(directory)/prometheus.yml:4:5: scrape_configs[0].oauth2: \"oauth2\" is not supported by promwatch: use authorization or basic_auth"
        )
    }

    @Test func unknownKeyInsidePrometheusScrapeConfigIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write("scrape_configs:\n  - job_name: p\n    scrape_interva: 1m\n", to: directory + "/p.yml")
        let error = try #require(
            parseError("prometheus_config_path: p.yml\n", fileName: "main.yaml", baseDirectory: directory))
        #expect(error.code == .unknownKey)
        #expect(error.line == 3)
        #expect(error.column == 5)
        #expect(error.message == "unknown key \"scrape_interva\" (did you mean \"scrape_interval\"?)")
    }

    @Test func likelyTypoOfATopLevelKeyIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write("scrape_config:\n  - job_name: p\n", to: directory + "/p.yml")
        let error = try #require(
            parseError("prometheus_config_path: p.yml\n", fileName: "main.yaml", baseDirectory: directory))
        #expect(error.description == "\(directory)/p.yml:1:1: scrape_config: unknown key \"scrape_config\" (did you mean \"scrape_configs\"?)")
    }

    @Test func missingPrometheusFileIsReportedAtTheKey() throws {
        let error = try #require(
            parseError("server: {}\nprometheus_config_path: nope.yml\n", fileName: "main.yaml", baseDirectory: "/nonexistent"))
        #expect(error.code == .unreadableFile)
        #expect(
            error.description
                == "main.yaml:2:1: prometheus_config_path: cannot read Prometheus configuration \"nope.yml\" (/nonexistent/nope.yml): no such file"
        )
    }

    @Test func cannotBeCombinedWithInlineScrapeConfigs() throws {
        let error = try #require(parseError("prometheus_config_path: p.yml\nscrape_configs: []\n"))
        #expect(error.code == .conflictingKeys)
        #expect(error.line == 2)
        #expect(error.keyPath == "scrape_configs")
    }
}

@Suite struct ShippedConfigurationTests {
    static let fullPath = TestPaths.repositoryRoot.appendingPathComponent("config/full.yaml").path
    static let quickstartPath = TestPaths.repositoryRoot.appendingPathComponent("config/quickstart.yaml").path

    @Test func fullExampleLoads() throws {
        let config = try ConfigLoader.load(path: Self.fullPath)
        let configDirectory = TestPaths.repositoryRoot.appendingPathComponent("config").path
        #expect(config.server.listenAddress == "0.0.0.0:9481")
        #expect(config.demoExporter == DemoExporterConfiguration(listenAddress: "127.0.0.1:9482"))
        #expect(config.global == GlobalConfiguration(scrapeInterval: .seconds(30), scrapeTimeout: .seconds(10), externalLabels: ["region": "eu-west-1"]))
        #expect(config.scrapeConfigs.map(\.jobName) == ["promwatch", "node", "api", "legacy"])
        let node = config.scrapeConfigs[1]
        #expect(node.scrapeInterval == .seconds(60))
        #expect(node.scrapeTimeout == .seconds(15))
        #expect(node.scheme == .https)
        #expect(node.params == ["collect[]": ["cpu", "meminfo"]])
        #expect(node.bodySizeLimit == 10 * 1024 * 1024)
        #expect(node.basicAuth == BasicAuth(username: "promwatch", passwordFile: configDirectory + "/secrets/node-password"))
        #expect(node.tlsConfig.caFile == configDirectory + "/certs/ca.pem")
        #expect(node.staticConfigs.count == 2)
        #expect(node.staticConfigs[1].targets == ["[fd00::3]:9100"])
        #expect(node.metricRelabelConfigs.map(\.action) == [.drop, .replace, .labelDrop])
        #expect(node.metricRelabelConfigs[1].targetLabel == "cpu_mode")
        #expect(config.scrapeConfigs[3].authorization == Authorization(credentials: Secret("not-a-real-token")))
        #expect(config.emf.declarations.count == 2)
        #expect(config.emf.metricUnits["http_request_duration_seconds"] == .seconds)
        #expect(config.emf.clusterName == "demo-cluster")
        #expect(config.emf.initialValue == .auto)
    }

    /// `config/quickstart.yaml` is written by the lead; this test runs (and must pass) once it exists.
    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: ShippedConfigurationTests.quickstartPath),
            "config/quickstart.yaml does not exist yet"))
    func quickstartLoads() throws {
        let config = try ConfigLoader.load(path: Self.quickstartPath)
        #expect(config.server.listenAddress == "127.0.0.1:9481")
        #expect(config.demoExporter?.listenAddress == "127.0.0.1:9482")
        #expect(config.global.scrapeInterval == .seconds(10))
        #expect(Set(config.scrapeConfigs.map(\.jobName)).isSuperset(of: ["promwatch", "demo"]))
        #expect(!config.emf.declarations.isEmpty)
    }

    @Test func loadReportsAMissingFile() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/promwatch.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.description == "/nonexistent/promwatch.yaml: cannot read configuration file: no such file")
        }
    }
}
