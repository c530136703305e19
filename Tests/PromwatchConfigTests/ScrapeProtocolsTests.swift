import PromwatchConfig
import PromwatchTestSupport
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `scrape_protocols`, `label_name_length_limit` and `label_value_length_limit`, global and per job.
@Suite struct ScrapeProtocolsTests {
    /// The description of the error `yaml` raises (`"no error"` if it parses).
    func describe(_ yaml: String) -> String {
        parseError(yaml)?.description ?? "no error"
    }

    @Test func unsetMeansPrometheus242DefaultsAndNoLimits() throws {
        let job = try #require(try parse("scrape_configs:\n  - job_name: a\n").scrapeConfigs.first)
        #expect(job.scrapeProtocols == nil)
        #expect(job.labelNameLengthLimit == 0)
        #expect(job.labelValueLengthLimit == 0)
    }

    @Test func globalDefaultsAndJobOverrides() throws {
        let yaml = """
            global:
              scrape_protocols: [PrometheusProto, OpenMetricsText1.0.0]
              label_name_length_limit: 64
              label_value_length_limit: 256
            scrape_configs:
              - job_name: inherits
              - job_name: overrides
                scrape_protocols:
                  - PrometheusText0.0.4
                label_name_length_limit: 0
                label_value_length_limit: 1024
            """
        let jobs = try parse(yaml).scrapeConfigs
        #expect(jobs[0].scrapeProtocols == [.prometheusProto, .openMetricsText1_0_0])
        #expect(jobs[0].labelNameLengthLimit == 64)
        #expect(jobs[0].labelValueLengthLimit == 256)
        #expect(jobs[1].scrapeProtocols == [.prometheusText0_0_4])
        #expect(jobs[1].labelNameLengthLimit == 0)
        #expect(jobs[1].labelValueLengthLimit == 1024)
    }

    @Test func everyProtocolName() throws {
        let yaml = """
            scrape_configs:
              - job_name: all
                scrape_protocols: [PrometheusText1.0.0, OpenMetricsText0.0.1, PrometheusProto, PrometheusText0.0.4, OpenMetricsText1.0.0]
            """
        let job = try #require(try parse(yaml).scrapeConfigs.first)
        #expect(
            job.scrapeProtocols == [
                .prometheusText1_0_0, .openMetricsText0_0_1, .prometheusProto, .prometheusText0_0_4,
                .openMetricsText1_0_0,
            ]
        )
    }

    @Test func acceptHeadersAsPrometheusBuildsThem() {
        // Prometheus 3's default list, with underscores escaping (promwatch parses classic names only).
        #expect(
            ScrapeProtocol.acceptHeader(for: ScrapeProtocol.textDefault)
                == "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,"
                + "text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
        )
        #expect(
            ScrapeProtocol.acceptHeader(for: ScrapeProtocol.protobufFirst)
                == "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                + "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,"
                + "application/openmetrics-text;version=0.0.1;q=0.4,"
                + "text/plain;version=1.0.0;escaping=underscores;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
        )
        #expect(
            ScrapeProtocol.acceptHeader(for: [.prometheusProto, .prometheusText0_0_4])
                == "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.4"
        )
    }

    // MARK: Errors

    @Test func emptyList() throws {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    scrape_protocols: []\n")
                == "test.yaml:3:5: scrape_configs[0].scrape_protocols: scrape_protocols must not be empty (expected some of: "
                + "PrometheusProto, OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4)"
        )
        #expect(
            describe("global:\n  scrape_protocols: []\n").hasPrefix(
                "test.yaml:2:3: global.scrape_protocols: scrape_protocols must not be empty"
            )
        )
        // Null means unset, as for every other key.
        #expect(
            try parse("global:\n  scrape_protocols:\nscrape_configs: [{job_name: a}]\n").scrapeConfigs[0]
                .scrapeProtocols == nil
        )
    }

    @Test func unknownProtocol() throws {
        let error = try #require(
            parseError("scrape_configs:\n  - job_name: a\n    scrape_protocols: [PrometheusText0.0.5]\n")
        )
        #expect(error.code == .invalidValue)
        #expect(error.keyPath == "scrape_configs[0].scrape_protocols[0]")
        #expect(error.line == 3)
        #expect(
            error.message == "invalid scrape protocol \"PrometheusText0.0.5\" (did you mean \"PrometheusText0.0.4\"?)"
        )
        #expect(
            describe("global:\n  scrape_protocols: [protobuf]\n")
                == "test.yaml:2:22: global.scrape_protocols[0]: invalid scrape protocol \"protobuf\" (expected one of: "
                + "PrometheusProto, OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4)"
        )
    }

    @Test func duplicateProtocol() throws {
        let yaml = """
            scrape_configs:
              - job_name: a
                scrape_protocols:
                  - PrometheusProto
                  - PrometheusText0.0.4
                  - PrometheusProto
            """
        #expect(
            describe(yaml)
                == "test.yaml:6:9: scrape_configs[0].scrape_protocols[2]: duplicate scrape protocol \"PrometheusProto\""
        )
    }

    @Test func protocolsMustBeAList() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    scrape_protocols: PrometheusProto\n")
                == "test.yaml:3:5: scrape_configs[0].scrape_protocols: expected a list, found a string"
        )
    }

    @Test func badLengthLimits() {
        #expect(
            describe("scrape_configs:\n  - job_name: a\n    label_name_length_limit: -1\n")
                == "test.yaml:3:5: scrape_configs[0].label_name_length_limit: must not be negative, got -1"
        )
        #expect(
            describe("global:\n  label_value_length_limit: 1KiB\n")
                == "test.yaml:2:3: global.label_value_length_limit: expected an integer, found a string"
        )
    }

    @Test func stillUnsupportedNeighbours() throws {
        let error = try #require(
            parseError("scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: PrometheusText0.0.4\n")
        )
        #expect(error.code == .unsupportedKey)
        #expect(parseError("global:\n  scrape_native_histograms: true\n")?.code == .unsupportedKey)
    }

    @Test func fullExampleSetsTheKeys() throws {
        let path = TestPaths.repositoryRoot.appendingPathComponent("config/full.yaml").path
        let jobs = try ConfigLoader.load(path: path).scrapeConfigs
        let node = try #require(jobs.first { $0.jobName == "node" })
        #expect(node.scrapeProtocols == [.prometheusProto, .openMetricsText1_0_0, .prometheusText0_0_4])
        #expect(node.labelNameLengthLimit == 128)
        #expect(node.labelValueLengthLimit == 4096)
        #expect(jobs.first { $0.jobName == "promwatch" }?.scrapeProtocols == nil)
    }

    @Test func prometheusFileKeysLoad() throws {
        // The same keys inside a Prometheus file named by prometheus_config_path are read too.
        let directory = try makeTemporaryDirectory()
        try write(
            """
            global:
              scrape_protocols: [PrometheusProto, PrometheusText0.0.4]
              label_value_length_limit: 100
            scrape_configs:
              - job_name: node
                static_configs: [{targets: ["127.0.0.1:9100"]}]
            """,
            to: directory + "/prometheus.yml"
        )
        try write("prometheus_config_path: prometheus.yml\n", to: directory + "/promwatch.yaml")
        let job = try #require(try ConfigLoader.load(path: directory + "/promwatch.yaml").scrapeConfigs.first)
        #expect(job.scrapeProtocols == [.prometheusProto, .prometheusText0_0_4])
        #expect(job.labelValueLengthLimit == 100)
    }
}
