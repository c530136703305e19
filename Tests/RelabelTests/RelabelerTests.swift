import Relabel
import Testing

/// One relabelling case: input labels, rules, and the expected output (nil = dropped).
struct RelabelCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: Labels
    var rules: @Sendable () throws -> [RelabelConfiguration]
    var output: Labels?

    var testDescription: String { name }
}

/// Shorthand for a rule in test tables.
func rule(
    _ action: RelabelConfiguration.Action = .replace,
    source: [String] = [],
    separator: String = ";",
    regex: String? = nil,
    modulus: UInt64 = 0,
    target: String = "",
    replacement: String = "$1",
    names: RelabelConfiguration.NameValidation = .utf8
) throws -> RelabelConfiguration {
    try RelabelConfiguration(
        sourceLabels: source,
        separator: separator,
        regex: regex,
        modulus: modulus,
        targetLabel: target,
        replacement: replacement,
        action: action,
        nameValidation: names
    )
}

/// Prometheus's `TestRelabel` (model/relabel/relabel_test.go), every case.
@Suite struct PrometheusRelabelTests {
    static let cases: [RelabelCase] = [
        RelabelCase(
            name: "replace with ${1} twice",
            input: ["a": "foo", "b": "bar", "c": "baz"],
            rules: { [try rule(source: ["a"], regex: "f(.*)", target: "d", replacement: "ch${1}-ch${1}")] },
            output: ["a": "foo", "b": "bar", "c": "baz", "d": "choo-choo"]
        ),
        RelabelCase(
            name: "chained replaces over joined sources",
            input: ["a": "foo", "b": "bar", "c": "baz"],
            rules: {
                [
                    try rule(source: ["a", "b"], regex: "f(.*);(.*)r", target: "a", replacement: "b${1}${2}m"),
                    try rule(source: ["c", "a"], regex: "(b).*b(.*)ba(.*)", target: "d", replacement: "$1$2$2$3"),
                ]
            },
            output: ["a": "boobam", "b": "bar", "c": "baz", "d": "boooom"]
        ),
        RelabelCase(
            name: "drop stops processing",
            input: ["a": "foo"],
            rules: {
                [
                    try rule(.drop, source: ["a"], regex: ".*o.*"),
                    try rule(source: ["a"], regex: "f(.*)", target: "d", replacement: "ch$1-ch$1"),
                ]
            },
            output: nil
        ),
        RelabelCase(
            name: "drop",
            input: ["a": "foo", "b": "bar"],
            rules: { [try rule(.drop, source: ["a"], regex: ".*o.*")] },
            output: nil
        ),
        RelabelCase(
            name: "replace with group",
            input: ["a": "abc"],
            rules: { [try rule(source: ["a"], regex: ".*(b).*", target: "d", replacement: "$1")] },
            output: ["a": "abc", "d": "b"]
        ),
        RelabelCase(
            name: "drop without match",
            input: ["a": "foo"],
            rules: { [try rule(.drop, source: ["a"], regex: "no-match")] },
            output: ["a": "foo"]
        ),
        RelabelCase(
            name: "drop is anchored",
            input: ["a": "foo"],
            rules: { [try rule(.drop, source: ["a"], regex: "f|o")] },
            output: ["a": "foo"]
        ),
        RelabelCase(
            name: "keep without match",
            input: ["a": "foo"],
            rules: { [try rule(.keep, source: ["a"], regex: "no-match")] },
            output: nil
        ),
        RelabelCase(
            name: "keep",
            input: ["a": "foo"],
            rules: { [try rule(.keep, source: ["a"], regex: "f.*")] },
            output: ["a": "foo"]
        ),
        RelabelCase(
            name: "no replacement without match",
            input: ["a": "boo"],
            rules: { [try rule(source: ["a"], regex: "f", target: "b", replacement: "bar")] },
            output: ["a": "boo"]
        ),
        RelabelCase(
            name: "blank replacement deletes",
            input: ["a": "foo", "f": "baz"],
            rules: { [try rule(source: ["a"], regex: "(f).*", target: "$1", replacement: "$2")] },
            output: ["a": "foo"]
        ),
        RelabelCase(
            name: "hashmod",
            input: ["a": "foo", "b": "bar", "c": "baz"],
            rules: { [try rule(.hashMod, source: ["c"], modulus: 1000, target: "d")] },
            output: ["a": "foo", "b": "bar", "c": "baz", "d": "976"]
        ),
        RelabelCase(
            name: "hashmod with newline",
            input: ["a": "foo\nbar"],
            rules: { [try rule(.hashMod, source: ["a"], modulus: 1000, target: "b")] },
            output: ["a": "foo\nbar", "b": "734"]
        ),
        RelabelCase(
            name: "labelmap",
            input: ["a": "foo", "b1": "bar", "b2": "baz"],
            rules: { [try rule(.labelMap, regex: "(b.*)", replacement: "bar_${1}")] },
            output: ["a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"]
        ),
        RelabelCase(
            name: "labelmap meta",
            input: ["a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc"],
            rules: { [try rule(.labelMap, regex: "__meta_(my.*)", replacement: "${1}")] },
            output: [
                "a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc", "my_bar": "aaa",
                "my_baz": "bbb",
            ]
        ),
        RelabelCase(
            name: "target from group",
            input: ["a": "some-name-value"],
            rules: { [try rule(source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${2}")] },
            output: ["a": "some-name-value", "name": "value"]
        ),
        RelabelCase(
            name: "replacement out of range",
            input: ["a": "some-name-value"],
            rules: { [try rule(source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${3}")] },
            output: ["a": "some-name-value"]
        ),
        RelabelCase(
            name: "invalid expanded target labels",
            input: ["a": "some-name-0"],
            rules: {
                [
                    try rule(source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}"),
                    try rule(source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}"),
                    try rule(source: ["a"], regex: "some-([^-]+)(-[^,]+)", target: "${3}", replacement: "${1}"),
                ]
            },
            output: ["a": "some-name-0"]
        ),
        RelabelCase(
            name: "service discovery tags",
            input: ["__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar"],
            rules: {
                [
                    try rule(
                        source: ["__meta_sd_tags"],
                        regex: "(?:.+,|^)path:(/[^,]+).*",
                        target: "__metrics_path__",
                        replacement: "${1}"
                    ),
                    try rule(
                        source: ["__meta_sd_tags"],
                        regex: "(?:.+,|^)job:([^,]+).*",
                        target: "job",
                        replacement: "${1}"
                    ),
                    try rule(
                        source: ["__meta_sd_tags"],
                        regex: "(?:.+,|^)label:([^=]+)=([^,]+).*",
                        target: "${1}",
                        replacement: "${2}"
                    ),
                ]
            },
            output: [
                "__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar", "__metrics_path__": "/secret",
                "job": "some-job", "foo": "bar",
            ]
        ),
        RelabelCase(
            name: "issue 12283",
            input: [
                "__meta_kubernetes_pod_container_port_name": "foo",
                "__meta_kubernetes_pod_annotation_XXX_metrics_port": "9091",
            ],
            rules: {
                [
                    try rule(.labelDrop, regex: "^__meta_kubernetes_pod_container_port_name$"),
                    try rule(
                        source: ["__meta_kubernetes_pod_annotation_XXX_metrics_port"],
                        regex: "(.+)",
                        target: "__meta_kubernetes_pod_container_port_name",
                        replacement: "metrics"
                    ),
                    try rule(.keep, source: ["__meta_kubernetes_pod_container_port_name"], regex: "^metrics$"),
                ]
            },
            output: [
                "__meta_kubernetes_pod_annotation_XXX_metrics_port": "9091",
                "__meta_kubernetes_pod_container_port_name": "metrics",
            ]
        ),
        RelabelCase(
            name: "labelkeep",
            input: ["a": "foo", "b1": "bar", "b2": "baz"],
            rules: { [try rule(.labelKeep, regex: "(b.*)")] },
            output: ["b1": "bar", "b2": "baz"]
        ),
        RelabelCase(
            name: "labeldrop",
            input: ["a": "foo", "b1": "bar", "b2": "baz"],
            rules: { [try rule(.labelDrop, regex: "(b.*)")] },
            output: ["a": "foo"]
        ),
        RelabelCase(
            name: "uppercase and lowercase",
            input: ["foo": "bAr123Foo"],
            rules: {
                [
                    try rule(.uppercase, source: ["foo"], target: "foo_uppercase"),
                    try rule(.lowercase, source: ["foo"], target: "foo_lowercase"),
                ]
            },
            output: ["foo": "bAr123Foo", "foo_lowercase": "bar123foo", "foo_uppercase": "BAR123FOO"]
        ),
        RelabelCase(
            name: "keepequal keeps",
            input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
            rules: { [try rule(.keepEqual, source: ["__tmp_port"], target: "__port1")] },
            output: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"]
        ),
        RelabelCase(
            name: "dropequal drops",
            input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
            rules: { [try rule(.dropEqual, source: ["__tmp_port"], target: "__port1")] },
            output: nil
        ),
        RelabelCase(
            name: "dropequal keeps",
            input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
            rules: { [try rule(.dropEqual, source: ["__tmp_port"], target: "__port2")] },
            output: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"]
        ),
        RelabelCase(
            name: "keepequal drops",
            input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
            rules: { [try rule(.keepEqual, source: ["__tmp_port"], target: "__port2")] },
            output: nil
        ),
        RelabelCase(
            name: "dot matches newline",
            input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
            rules: { [try rule(source: ["a"], regex: "line1.*line2", target: "d", replacement: "match${1}")] },
            output: ["a": "line1\nline2", "b": "bar", "c": "baz", "d": "match"]
        ),
        RelabelCase(
            name: "UTF-8 source label",
            input: ["utf-8.label": "line1\nline2", "b": "bar", "c": "baz"],
            rules: {
                [try rule(source: ["utf-8.label"], regex: "line1.*line2", target: "d", replacement: "match${1}")]
            },
            output: ["utf-8.label": "line1\nline2", "b": "bar", "c": "baz", "d": "match"]
        ),
        RelabelCase(
            name: "UTF-8 target label",
            input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
            rules: {
                [try rule(source: ["a"], regex: "line1.*line2", target: "utf-8.label", replacement: "match${1}")]
            },
            output: ["a": "line1\nline2", "b": "bar", "c": "baz", "utf-8.label": "match"]
        ),
        RelabelCase(
            name: "UTF-8 target label with reference",
            input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
            rules: {
                [try rule(source: ["a"], regex: "line1.*line2", target: "utf-8.label${1}", replacement: "match${1}")]
            },
            output: ["a": "line1\nline2", "b": "bar", "c": "baz", "utf-8.label": "match"]
        ),
        RelabelCase(
            name: "named group references",
            input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
            rules: {
                [
                    try rule(
                        source: ["a"],
                        regex: "(line1).*(?<second>line2)",
                        target: "label1_${1}",
                        replacement: "val_${second}"
                    ),
                    try rule(
                        source: ["a"],
                        regex: "(line1).*(?<second>line2)",
                        target: "label2_$1",
                        replacement: "val_$second"
                    ),
                ]
            },
            output: [
                "a": "line1\nline2", "b": "bar", "c": "baz", "label1_line1": "val_line2", "label2_line1": "val_line2",
            ]
        ),
        RelabelCase(
            name: "type from name",
            input: ["__name__": "http_requests_total"],
            rules: { [try rule(source: ["__name__"], regex: ".*_total$", target: "__type__", replacement: "counter")] },
            output: ["__name__": "http_requests_total", "__type__": "counter"]
        ),
        RelabelCase(
            name: "unit from name",
            input: ["__name__": "disk_usage_bytes"],
            rules: { [try rule(source: ["__name__"], regex: ".*_bytes$", target: "__unit__", replacement: "bytes")] },
            output: ["__name__": "disk_usage_bytes", "__unit__": "bytes"]
        ),
    ]

    @Test(arguments: cases)
    func relabel(_ testCase: RelabelCase) throws {
        let relabeler = Relabeler(try testCase.rules())
        var labels = testCase.input
        let kept = relabeler.process(&labels)
        #expect(kept == (testCase.output != nil))
        if let output = testCase.output { #expect(labels == output) }
    }
}

/// Configurations from Prometheus's `BenchmarkRelabel` and the documentation's typical uses.
@Suite struct RelabelExampleTests {
    static let kubernetesPod: Labels = [
        "__address__": "10.132.183.40:80",
        "__meta_kubernetes_namespace": "loki-boltdb-shipper",
        "__meta_kubernetes_pod_annotation_promtail_loki_boltdb_shipper_hash": "50523b9759094a144adcec2eae0aa4ad",
        "__meta_kubernetes_pod_annotationpresent_promtail_loki_boltdb_shipper_hash": "true",
        "__meta_kubernetes_pod_container_init": "false",
        "__meta_kubernetes_pod_container_name": "promtail",
        "__meta_kubernetes_pod_container_port_name": "http-metrics",
        "__meta_kubernetes_pod_container_port_number": "80",
        "__meta_kubernetes_pod_container_port_protocol": "TCP",
        "__meta_kubernetes_pod_controller_kind": "DaemonSet",
        "__meta_kubernetes_pod_controller_name": "promtail-loki-boltdb-shipper",
        "__meta_kubernetes_pod_host_ip": "10.128.0.178",
        "__meta_kubernetes_pod_ip": "10.132.183.40",
        "__meta_kubernetes_pod_label_controller_revision_hash": "555b77cd7d",
        "__meta_kubernetes_pod_label_name": "promtail-loki-boltdb-shipper",
        "__meta_kubernetes_pod_label_pod_template_generation": "45",
        "__meta_kubernetes_pod_labelpresent_controller_revision_hash": "true",
        "__meta_kubernetes_pod_labelpresent_name": "true",
        "__meta_kubernetes_pod_labelpresent_pod_template_generation": "true",
        "__meta_kubernetes_pod_name": "promtail-loki-boltdb-shipper-jgtr7",
        "__meta_kubernetes_pod_node_name": "gke-dev-us-central-0-main-n2s8-2-14d53341-9hkr",
        "__meta_kubernetes_pod_phase": "Running",
        "__meta_kubernetes_pod_ready": "true",
        "__meta_kubernetes_pod_uid": "4c586419-7f6c-448d-aeec-ca4fa5b05e60",
        "__metrics_path__": "/metrics",
        "__scheme__": "http",
        "__scrape_interval__": "15s",
        "__scrape_timeout__": "10s",
        "job": "kubernetes-pods",
    ]

    /// The "kubernetes" configuration of Prometheus's `BenchmarkRelabel`, keeping hash shard `shard`.
    static func kubernetesRules(shard: String) throws -> [RelabelConfiguration] {
        [
            try rule(.keep, source: ["__meta_kubernetes_pod_container_port_name"], regex: ".*-metrics"),
            try rule(.drop, source: ["__meta_kubernetes_pod_label_name"], regex: ""),
            try rule(.drop, source: ["__meta_kubernetes_pod_phase"], regex: "Succeeded|Failed"),
            try rule(.drop, source: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "false"),
            try rule(
                source: ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"],
                regex: "(https?)",
                target: "__scheme__"
            ),
            try rule(
                source: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                regex: "(.+)",
                target: "__metrics_path__"
            ),
            try rule(
                source: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                regex: #"(.+?)(\:\d+)?;(\d+)"#,
                target: "__address__",
                replacement: "$1:$3"
            ),
            try rule(
                .labelMap,
                regex: "__meta_kubernetes_pod_annotation_prometheus_io_param_(.+)",
                replacement: "__param_$1"
            ),
            try rule(.labelMap, regex: "__meta_kubernetes_pod_label_prometheus_io_label_(.+)"),
            try rule(.labelMap, regex: "__meta_kubernetes_pod_annotation_prometheus_io_label_(.+)"),
            try rule(
                source: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_name"],
                separator: "/",
                target: "job"
            ),
            try rule(source: ["__meta_kubernetes_namespace"], target: "namespace"),
            try rule(source: ["__meta_kubernetes_pod_name"], target: "pod"),
            try rule(source: ["__meta_kubernetes_pod_container_name"], target: "container"),
            try rule(
                source: [
                    "__meta_kubernetes_pod_name", "__meta_kubernetes_pod_container_name",
                    "__meta_kubernetes_pod_container_port_name",
                ],
                separator: ":",
                target: "instance"
            ),
            try rule(target: "cluster", replacement: "dev-us-central-0"),
            try rule(.drop, source: ["__meta_kubernetes_namespace"], regex: "hosted-grafana"),
            try rule(.hashMod, source: ["__address__"], modulus: 3, target: "__tmp_hash"),
            try rule(.keep, source: ["__tmp_hash"], regex: "^\(shard)$"),
            try rule(.labelDrop, regex: "__tmp_hash"),
        ]
    }

    @Test func kubernetesBenchmarkConfiguration() throws {
        // md5("10.132.183.40:80") mod 3 == 1 (checked with Go's crypto/md5), so shard 0 drops the target.
        #expect(Relabeler(try Self.kubernetesRules(shard: "0")).processed(Self.kubernetesPod) == nil)
        let result = try #require(Relabeler(try Self.kubernetesRules(shard: "1")).processed(Self.kubernetesPod))
        var expected = Array(Self.kubernetesPod.elements.map { ($0.name, $0.value) })
        expected += [
            ("job", "loki-boltdb-shipper/promtail-loki-boltdb-shipper"), ("namespace", "loki-boltdb-shipper"),
            ("pod", "promtail-loki-boltdb-shipper-jgtr7"), ("container", "promtail"),
            ("instance", "promtail-loki-boltdb-shipper-jgtr7:promtail:http-metrics"), ("cluster", "dev-us-central-0"),
        ]
        #expect(result == Labels(expected))
    }

    @Test func staticLabelPairs() throws {
        let relabeler = Relabeler([
            try rule(target: "wwwwww", replacement: "wwwwww"),
            try rule(target: "xxxxxxxxx", replacement: "yyyyyyyyyyyy"),
            try rule(target: "yyyyyyyyyyyy", replacement: "xxxxxxxxx"),
            try rule(source: ["something"], target: "with_source_labels", replacement: "value"),
            try rule(target: "${0}", replacement: "dropped"),
            try rule(target: "dropped", replacement: "${0}"),
        ])
        let input: Labels = ["abcdefg01": "hijklmn1", "abcdefg02": "hijklmn2", "job": "foo"]
        let output = relabeler.processed(input)
        #expect(
            output == [
                "abcdefg01": "hijklmn1", "abcdefg02": "hijklmn2", "job": "foo", "wwwwww": "wwwwww",
                "xxxxxxxxx": "yyyyyyyyyyyy", "yyyyyyyyyyyy": "xxxxxxxxx", "with_source_labels": "value",
            ]
        )
    }

    /// The documentation's blackbox-exporter pattern: probe target as parameter, exporter as address.
    @Test func blackboxExporter() throws {
        let relabeler = Relabeler([
            try rule(source: ["__address__"], target: "__param_target"),
            try rule(source: ["__param_target"], target: "instance"),
            try rule(target: "__address__", replacement: "127.0.0.1:9115"),
        ])
        let output = relabeler.processed(["__address__": "https://example.com", "job": "blackbox"])
        #expect(
            output == [
                "__address__": "127.0.0.1:9115", "__param_target": "https://example.com",
                "instance": "https://example.com", "job": "blackbox",
            ]
        )
    }

    /// The classic annotation-driven pod scrape configuration (prometheus.io/scrape, /port, /path).
    @Test func podAnnotations() throws {
        let relabeler = Relabeler([
            try rule(.keep, source: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "true"),
            try rule(
                source: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                regex: "(.+)",
                target: "__metrics_path__"
            ),
            try rule(
                source: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                regex: #"([^:]+)(?::\d+)?;(\d+)"#,
                target: "__address__",
                replacement: "$1:$2"
            ),
            try rule(.labelMap, regex: "__meta_kubernetes_pod_label_(.+)"),
            try rule(source: ["__meta_kubernetes_namespace"], target: "kubernetes_namespace"),
        ])
        let pod: Labels = [
            "__address__": "10.0.0.7:8080", "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true",
            "__meta_kubernetes_pod_annotation_prometheus_io_port": "9102",
            "__meta_kubernetes_pod_annotation_prometheus_io_path": "/stats", "__meta_kubernetes_pod_label_app": "web",
            "__meta_kubernetes_namespace": "prod", "__metrics_path__": "/metrics",
        ]
        let output = try #require(relabeler.processed(pod))
        #expect(output["__address__"] == "10.0.0.7:9102")
        #expect(output["__metrics_path__"] == "/stats")
        #expect(output["app"] == "web")
        #expect(output["kubernetes_namespace"] == "prod")
        var unannotated = pod
        #expect(!Relabeler([try rule(.keep, source: ["missing"], regex: "true")]).process(&unannotated))
        #expect(unannotated == pod)
    }

    /// Hash sharding across 4 scrapers (documented `hashmod` use).
    @Test func hashModSharding() throws {
        let shard = { (address: String) throws -> String? in
            Relabeler([try rule(.hashMod, source: ["__address__"], modulus: 4, target: "__tmp_hash")])
                .processed(["__address__": address])?["__tmp_hash"]
        }
        #expect(try shard("10.132.183.40:80") == "0")
        #expect(try shard("10.0.0.1:9100") == "1")
    }

    @Test func metricRelabelDropByName() throws {
        let relabeler = Relabeler([try rule(.drop, source: ["__name__"], regex: "go_.*|process_.*")])
        #expect(relabeler.processed(["__name__": "go_goroutines"]) == nil)
        #expect(relabeler.processed(["__name__": "process_cpu_seconds_total"]) == nil)
        #expect(relabeler.processed(["__name__": "http_requests_total", "code": "200"]) != nil)
        #expect(relabeler.processed(["__name__": "gc_go_x"]) != nil)
    }

    @Test func lowercaseUppercaseFollowGoSimpleCaseMapping() throws {
        let relabeler = Relabeler([
            try rule(.uppercase, source: ["v"], target: "upper"),
            try rule(.lowercase, source: ["w"], target: "lower"),
        ])
        let output = relabeler.processed(["v": "straße ᾳ ǆ ﬀ İ ı", "w": "İSTANBUL ǅ Σ ẞ"])
        #expect(output?["upper"] == "STRAßE ᾼ Ǆ ﬀ İ I")
        #expect(output?["lower"] == "istanbul ǆ σ ß")
    }

    @Test func emptyLowercaseDeletesTarget() throws {
        let relabeler = Relabeler([try rule(.lowercase, source: ["missing"], target: "a")])
        #expect(relabeler.processed(["a": "x", "b": "y"]) == ["b": "y"])
    }

    @Test func labelMapOrderFollowsPrometheusBuilder() throws {
        // Set labels are walked after untouched ones, so the value set by the first rule wins the collision.
        let relabeler = Relabeler([
            try rule(target: "a", replacement: "x"),
            try rule(.labelMap, regex: "(a|b)", replacement: "c"),
        ])
        #expect(relabeler.processed(["a": "x", "b": "y"]) == ["a": "x", "b": "y", "c": "x"])
    }

    @Test func legacyNameValidationSkipsInvalidExpandedTargets() throws {
        let relabeler = Relabeler([
            try rule(source: ["a"], regex: "(.*)", target: "x_${1}", replacement: "v", names: .legacy)
        ])
        #expect(relabeler.processed(["a": "ok"]) == ["a": "ok", "x_ok": "v"])
        #expect(relabeler.processed(["a": "not-ok"]) == ["a": "not-ok"])
    }
}
