import PromwatchConfig
import Testing

/// Every class of error, with its exact `file:line:column: keyPath: message`.
@Suite struct ConfigErrorTests {
    /// The description of the error `yaml` raises (`"no error"` if it parses).
    func describe(_ yaml: String) -> String {
        parseError(yaml)?.description ?? "no error"
    }

    @Test func exampleFromTheDocumentation() throws {
        let yaml = """
            scrape_configs:
              - job_name: demo
                scrape_interval: 1x
            """
        let error = try #require(parseError(yaml, fileName: "quickstart.yaml"))
        #expect(error.code == .invalidValue)
        #expect(error.file == "quickstart.yaml")
        #expect(error.line == 3)
        #expect(error.column == 5)
        #expect(error.keyPath == "scrape_configs[0].scrape_interval")
        #expect(error.message == "invalid duration \"1x\" (expected e.g. 30s, 1m, 1h30m)")
        #expect(
            error.description
                == "quickstart.yaml:3:5: scrape_configs[0].scrape_interval: invalid duration \"1x\" (expected e.g. 30s, 1m, 1h30m)"
        )
    }

    // MARK: Unknown and unsupported keys

    @Test func unknownKeyWithSuggestion() {
        #expect(
            describe(
                """
                scrape_configs:
                  - job_name: a
                    scrape_intervl: 10s
                """)
                == "test.yaml:3:5: scrape_configs[0].scrape_intervl: unknown key \"scrape_intervl\" (did you mean \"scrape_interval\"?)"
        )
    }

    @Test func unknownKeySuggestionsCoverTranspositionsAndCase() {
        #expect(describe("global:\n  scrape_itnerval: 1m\n").hasSuffix("(did you mean \"scrape_interval\"?)"))
        #expect(describe("Server: {}\n") == "test.yaml:1:1: Server: unknown key \"Server\" (did you mean \"server\"?)")
        #expect(describe("emf:\n  metric_units: {}\n").hasSuffix("unknown key \"metric_units\" (did you mean \"metric_unit\"?)"))
    }

    @Test func unknownKeyWithoutSuggestionListsTheKeys() {
        #expect(
            describe("server: {}\nfoo: 1\n")
                == "test.yaml:2:1: foo: unknown key \"foo\" (expected one of: global, scrape_configs, prometheus_config_path, emf, emf_processor, server, demo_exporter, aws)"
        )
    }

    @Test func unknownKeyDeepInside() {
        let yaml = """
            scrape_configs:
              - job_name: a
                static_configs:
                  - targets: ["a:1"]
                  - targets: ["b:2"]
                    label: {x: y}
            """
        #expect(
            describe(yaml)
                == "test.yaml:6:9: scrape_configs[0].static_configs[1].label: unknown key \"label\" (did you mean \"labels\"?)"
        )
        #expect(
            describe("emf:\n  metric_declaration:\n    - metric_selectors: [a]\n      dimension: []\n")
                == "test.yaml:4:7: emf.metric_declaration[0].dimension: unknown key \"dimension\" (did you mean \"dimensions\"?)"
        )
    }

    @Test func unsupportedPrometheusKeys() throws {
        let error = try #require(parseError("scrape_configs:\n  - job_name: k\n    consul_sd_configs: []\n"))
        #expect(error.code == .unsupportedKey)
        #expect(
            error.description
                == "test.yaml:3:5: scrape_configs[0].consul_sd_configs: \"consul_sd_configs\" is not supported by promwatch: only static_configs and kubernetes_sd_configs are implemented"
        )
    }

    // MARK: Types

    @Test func wrongTypes() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    honor_labels: \"yes\"\n")
                == "test.yaml:3:5: scrape_configs[0].honor_labels: expected a boolean (true or false), found a string")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    static_configs:\n      targets: [a:1]\n")
                == "test.yaml:3:5: scrape_configs[0].static_configs: expected a list, found a mapping")
        #expect(
            describe("scrape_configs:\n  - job_name: [a]\n")
                == "test.yaml:2:5: scrape_configs[0].job_name: expected a string, found a list")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    sample_limit: 1.5\n")
                == "test.yaml:3:5: scrape_configs[0].sample_limit: expected an integer, found a number")
        #expect(
            describe("scrape_configs:\n  job_name: a\n")
                == "test.yaml:1:1: scrape_configs: expected a list, found a mapping")
        #expect(
            describe("scrape_configs:\n  - a\n")
                == "test.yaml:2:5: scrape_configs[0]: expected a mapping (a scrape config), found a string")
        #expect(describe("- a\n") == "test.yaml:1:1: expected a mapping of top-level keys (global, scrape_configs, emf, …), found a list")
        #expect(
            describe("emf:\n  metric_unit:\n    a: [Seconds]\n")
                == "test.yaml:3:5: emf.metric_unit.a: expected a string, found a list")
        #expect(
            describe("emf:\n  max_event_bytes: lots\n")
                == "test.yaml:2:3: emf.max_event_bytes: expected an integer, found a string")
    }

    @Test func typeErrorsDoNotEchoSecrets() {
        let message = describe("scrape_configs:\n  - job_name: a\n    basic_auth: {password: [hunter2]}\n")
        #expect(message == "test.yaml:3:18: scrape_configs[0].basic_auth.password: expected a string, found a list")
        #expect(!message.contains("hunter2"))
    }

    // MARK: Values

    @Test func badDurations() {
        #expect(
            describe("global:\n  scrape_timeout: 10\n")
                == "test.yaml:2:3: global.scrape_timeout: invalid duration \"10\" (expected e.g. 30s, 1m, 1h30m)")
        #expect(
            describe("global:\n  scrape_interval: 30m1h\n")
                == "test.yaml:2:3: global.scrape_interval: invalid duration \"30m1h\" (expected e.g. 30s, 1m, 1h30m)")
    }

    @Test func timeoutGreaterThanInterval() throws {
        let error = try #require(
            parseError(
                """
                scrape_configs:
                  - job_name: a
                    scrape_interval: 15s
                    scrape_timeout: 30s
                """))
        #expect(error.code == .invalidValue)
        #expect(
            error.description
                == "test.yaml:4:5: scrape_configs[0].scrape_timeout: scrape_timeout 30s is greater than scrape_interval 15s")
        #expect(
            describe("global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: a\n    scrape_timeout: 1m30s\n")
                == "test.yaml:5:5: scrape_configs[0].scrape_timeout: scrape_timeout 1m30s is greater than scrape_interval 5s (from global)"
        )
        #expect(
            describe("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n")
                == "test.yaml:3:3: global.scrape_timeout: scrape_timeout 6s is greater than scrape_interval 5s")
    }

    @Test func duplicateJobName() throws {
        let error = try #require(
            parseError(
                """
                scrape_configs:
                  - job_name: node
                  - job_name: other
                  - scrape_interval: 1m
                    job_name: node
                """))
        #expect(error.code == .duplicateJobName)
        #expect(
            error.description
                == "test.yaml:5:5: scrape_configs[2].job_name: duplicate job_name \"node\" (first defined at line 2)")
    }

    @Test func missingJobName() throws {
        let error = try #require(parseError("scrape_configs:\n  - job_name: a\n  - metrics_path: /m\n"))
        #expect(error.code == .missingKey)
        #expect(error.description == "test.yaml:3:5: scrape_configs[1].job_name: missing required key \"job_name\"")
    }

    @Test(arguments: [
        ("localhost", "expected host:port, e.g. localhost:9100"),
        ("http://localhost:9100", "expected host:port without scheme or path (set `scheme` and `metrics_path` on the job)"),
        ("localhost:9100/metrics", "expected host:port without scheme or path (set `scheme` and `metrics_path` on the job)"),
        ("::1:9100", "IPv6 addresses must be in brackets, e.g. [::1]:9090"),
        ("localhost:70000", "port 70000 is out of range 1-65535"),
        ("localhost:0", "port 0 is out of range 1-65535"),
        ("localhost:", "invalid port \"\""),
        (":9100", "missing host (expected host:port, e.g. localhost:9100)"),
        ("[::1]9100", "expected host:port, e.g. [::1]:9090"),
    ])
    func badTargets(target: String, problem: String) {
        let yaml = "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets:\n          - ok:1\n          - \"\(target)\"\n"
        #expect(
            describe(yaml)
                == "test.yaml:6:13: scrape_configs[0].static_configs[0].targets[1]: invalid target \"\(target)\": \(problem)")
    }

    @Test func badListenAddress() {
        #expect(
            describe("server:\n  listen_address: 9481\n")
                == "test.yaml:2:3: server.listen_address: invalid listen address \"9481\": expected host:port, e.g. localhost:9100")
    }

    @Test func badSchemeAndPath() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    scheme: HTTPS\n")
                == "test.yaml:3:5: scrape_configs[0].scheme: invalid scheme \"HTTPS\" (did you mean \"https\"?)")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    scheme: gopher\n")
                == "test.yaml:3:5: scrape_configs[0].scheme: invalid scheme \"gopher\" (expected one of: http, https)")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    metrics_path: metrics\n")
                == "test.yaml:3:5: scrape_configs[0].metrics_path: metrics_path \"metrics\" must start with \"/\"")
    }

    @Test func badLimits() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    sample_limit: -1\n")
                == "test.yaml:3:5: scrape_configs[0].sample_limit: must not be negative, got -1")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    body_size_limit: 10mb\n")
                == "test.yaml:3:5: scrape_configs[0].body_size_limit: invalid size \"10mb\" (expected a number of bytes or e.g. 512KiB, 10MB, 1GB; as in Prometheus, KB, MB and GB are powers of 1024)"
        )
        #expect(describe("global:\n  body_size_limit: 1kB\n").hasPrefix("test.yaml:2:3: global.body_size_limit: invalid size \"1kB\""))
    }

    @Test func badLabelNames() {
        #expect(
            describe("global:\n  external_labels:\n    my-label: x\n")
                == "test.yaml:3:5: global.external_labels[\"my-label\"]: invalid label name \"my-label\" (expected [a-zA-Z_][a-zA-Z0-9_]*)"
        )
    }

    @Test func badUnits() throws {
        let error = try #require(parseError("emf:\n  metric_unit:\n    latency_seconds: Second\n"))
        #expect(error.code == .invalidValue)
        #expect(
            error.description == "test.yaml:3:5: emf.metric_unit.latency_seconds: unknown unit \"Second\" (did you mean \"Seconds\"?)")
        #expect(describe("emf:\n  metric_unit: {a: bytes}\n").hasSuffix("unknown unit \"bytes\" (did you mean \"Bytes\"?)"))
        #expect(describe("emf:\n  metric_unit: {a: ms}\n").hasSuffix("unknown unit \"ms\" (did you mean \"Milliseconds\"?)"))
        #expect(
            describe("emf_processor:\n  metric_unit: {\"a.b\": furlongs}\n")
                == "test.yaml:2:17: emf_processor.metric_unit[\"a.b\"]: unknown unit \"furlongs\" (expected one of CloudWatch's units: Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None)"
        )
    }

    @Test func badEnumerations() {
        #expect(
            describe("emf:\n  initial_value: dorp\n")
                == "test.yaml:2:3: emf.initial_value: invalid initial_value \"dorp\" (did you mean \"drop\"?)")
        #expect(
            describe("emf:\n  output: kinesis\n")
                == "test.yaml:2:3: emf.output: invalid output \"kinesis\" (expected one of: stdout, cloudwatch)")
    }

    @Test func missingMetricSelectors() {
        #expect(
            describe("emf:\n  metric_declaration:\n    - source_labels: [job]\n")
                == "test.yaml:3:7: emf.metric_declaration[0].metric_selectors: missing required key \"metric_selectors\" (regular expressions selecting metric names)"
        )
    }

    // MARK: emf.validate()

    @Test func badRegularExpressionReportedByValidate() throws {
        let yaml = """
            emf:
              metric_declaration:
                - metric_selectors: ["^up$"]
                  dimensions: [[]]
                - source_labels: [job]
                  label_matcher: "(unclosed"
                  metric_selectors: ["^up$"]
                  dimensions: [[job]]
            """
        let error = try #require(parseError(yaml))
        #expect(error.code == .invalidEMF)
        #expect(error.keyPath == "emf.metric_declaration[1].label_matcher")
        #expect(error.line == 6)
        #expect(error.column == 7)
        #expect(error.description.hasPrefix("test.yaml:6:7: emf.metric_declaration[1].label_matcher: invalid regular expression"))
    }

    @Test func badSelectorUnderTheAliasIsReportedOnItsLine() throws {
        let yaml = """
            emf_processor:
              metric_declaration:
                - metric_selectors: ["^ok$", "[unclosed"]
                  dimensions: [[]]
            """
        let error = try #require(parseError(yaml))
        #expect(error.code == .invalidEMF)
        #expect(error.keyPath == "emf_processor.metric_declaration[0].metric_selectors[1]")
        #expect(error.line == 3)
        #expect(error.column == 34)
    }

    @Test func otherValidateErrorsAreLocatedToo() {
        #expect(
            describe("emf:\n  metric_namespace: N\n  max_event_bytes: 10\n").hasPrefix("test.yaml:3:3: emf.max_event_bytes: "))
        #expect(
            describe("emf:\n  metric_declaration:\n    - metric_selectors: [a]\n      dimensions:\n        - [job, \":bad\"]\n")
                .hasPrefix("test.yaml:5:17: emf.metric_declaration[0].dimensions[0][1]: "))
        #expect(
            describe("emf:\n  metric_declaration:\n    - metric_selectors: [a]\n")
                .hasPrefix("test.yaml:3:7: emf.metric_declaration[0].dimensions: a declaration without dimension sets"))
        #expect(describe("emf:\n  metric_namespace: AWS/EC2\n").hasPrefix("test.yaml:2:3: emf.metric_namespace: "))
        // An empty metric name is reported at `metric_unit` itself.
        #expect(
            parseError("emf: {metric_unit: {\"\": Count}}\n")?.description.hasPrefix("test.yaml:1:7: emf.metric_unit: ") == true)
    }

    // MARK: Conflicts

    @Test func conflictingKeys() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n")
                == "test.yaml:4:5: scrape_configs[0].bearer_token: at most one of basic_auth, authorization, bearer_token, and bearer_token_file may be set"
        )
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    basic_auth:\n      password: p\n      password_file: f\n")
                == "test.yaml:5:7: scrape_configs[0].basic_auth.password_file: at most one of password and password_file may be set"
        )
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    authorization: {credentials: c, credentials_file: f}\n")
                == "test.yaml:3:37: scrape_configs[0].authorization.credentials_file: at most one of credentials and credentials_file may be set"
        )
        #expect(
            describe("emf: {}\nemf_processor: {}\n")
                == "test.yaml:2:1: emf_processor: \"emf_processor\" is an alias of \"emf\"; set only one of them")
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    authorization: {type: basic}\n")
                == "test.yaml:3:21: scrape_configs[0].authorization.type: authorization type \"basic\" is not allowed; use basic_auth"
        )
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c.pem}\n")
                == "test.yaml:3:18: scrape_configs[0].tls_config.cert_file: cert_file and key_file must be set together")
    }

    // MARK: YAML itself

    @Test func yamlSyntaxError() throws {
        let error = try #require(parseError("scrape_configs:\n  - job_name: a\n   bad: [\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.line != nil)
        #expect(error.keyPath == "")
        #expect(error.description.hasPrefix("test.yaml:\(error.line!):"))
        #expect(error.message.hasPrefix("invalid YAML: "))
    }

    @Test func duplicateKey() throws {
        let error = try #require(parseError("server: {}\nglobal:\n  scrape_interval: 1m\n  scrape_interval: 2m\n"))
        #expect(error.code == .duplicateKey)
        #expect(error.line == 3)
        #expect(error.column == 3)
        #expect(error.message == "duplicate key \"scrape_interval\" in one mapping")
    }
}

extension ConfigErrorTests {
    @Test func tabIndentationGetsAHint() throws {
        let error = try #require(parseError("global:\n\tscrape_interval: 1m\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.line == 2)
        #expect(error.message.hasSuffix("; YAML does not allow tabs for indentation"))
    }
}
