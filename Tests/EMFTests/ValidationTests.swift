import EMF
import Testing

struct ValidationTests {
    @Test func defaultsAreValid() throws {
        try EMFConfiguration().validate()
        _ = try EMFConverter(configuration: EMFConfiguration(), agentStartMilliseconds: 0)
    }

    /// The quickstart's `emf` section, as the config loader builds it.
    @Test func quickstartIsValid() throws {
        let configuration = EMFConfiguration(
            namespace: "PromWatch/Quickstart",
            metricUnits: ["demo_http_request_duration_seconds": .seconds, "demo_http_requests_total": .count],
            declarations: [
                MetricDeclaration(
                    sourceLabels: ["job"],
                    labelMatcher: "^demo$",
                    dimensions: [["ClusterName", "service", "route", "status"], ["ClusterName", "service"]],
                    metricSelectors: ["^demo_http_requests_total$"]
                ),
                MetricDeclaration(
                    sourceLabels: ["job"],
                    labelMatcher: ".*",
                    dimensions: [["ClusterName", "job", "instance"]],
                    metricSelectors: ["^up$"]
                ),
            ],
            clusterName: "quickstart"
        )
        #expect(configuration.validationErrors().isEmpty)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var keyPath: String
        var code: EMFConfigurationError.Code
        var configuration: EMFConfiguration
        var testDescription: String { keyPath }
    }

    static let cases: [Case] = [
        Case(keyPath: "metric_namespace", code: .missingValue, configuration: EMFConfiguration(namespace: "")),
        Case(
            keyPath: "metric_namespace",
            code: .outOfRange,
            configuration: EMFConfiguration(namespace: String(repeating: "n", count: 256))
        ),
        Case(keyPath: "metric_namespace", code: .invalidValue, configuration: EMFConfiguration(namespace: "AWS/EC2")),
        Case(keyPath: "metric_namespace", code: .invalidValue, configuration: EMFConfiguration(namespace: ":x")),
        Case(keyPath: "metric_namespace", code: .invalidValue, configuration: EMFConfiguration(namespace: "Spaß")),
        Case(
            keyPath: "metric_declaration[0].metric_selectors",
            code: .missingValue,
            configuration: EMFConfiguration(declarations: [MetricDeclaration(dimensions: [[]], metricSelectors: [])])
        ),
        Case(
            keyPath: "metric_declaration[1].metric_selectors[1]",
            code: .invalidRegex,
            configuration: EMFConfiguration(declarations: [
                declaration(["^ok$"]), declaration(["^ok$", "*"]),
            ])
        ),
        Case(
            keyPath: "metric_declaration[1].label_matcher",
            code: .invalidRegex,
            configuration: EMFConfiguration(declarations: [
                declaration(["a"]),
                MetricDeclaration(
                    sourceLabels: ["job"],
                    labelMatcher: "(unclosed",
                    dimensions: [[]],
                    metricSelectors: ["a"]
                ),
            ])
        ),
        Case(
            keyPath: "metric_declaration[0].source_labels[1]",
            code: .missingValue,
            configuration: EMFConfiguration(declarations: [
                MetricDeclaration(sourceLabels: ["job", ""], dimensions: [[]], metricSelectors: ["a"])
            ])
        ),
        Case(
            keyPath: "metric_declaration[0].dimensions",
            code: .missingValue,
            configuration: EMFConfiguration(declarations: [declaration(["a"], dimensions: [])])
        ),
        Case(
            keyPath: "metric_declaration[0].dimensions[1]",
            code: .outOfRange,
            configuration: EMFConfiguration(declarations: [
                declaration(["a"], dimensions: [["job"], (0..<31).map { "k\($0)" }])
            ])
        ),
        Case(
            keyPath: "metric_declaration[0].dimensions[0][1]",
            code: .invalidValue,
            configuration: EMFConfiguration(declarations: [declaration(["a"], dimensions: [["job", ":bad"]])])
        ),
        Case(
            keyPath: "metric_declaration[0].dimensions[0][0]",
            code: .invalidValue,
            configuration: EMFConfiguration(declarations: [declaration(["a"], dimensions: [["Größe"]])])
        ),
        Case(
            keyPath: "log_group_name",
            code: .unknownPlaceholder,
            configuration: EMFConfiguration(logGroupName: "/promwatch/{Cluster}")
        ),
        Case(
            keyPath: "log_group_name",
            code: .unknownPlaceholder,
            configuration: EMFConfiguration(logGroupName: "/promwatch/{JobName")
        ),
        Case(
            keyPath: "log_group_name",
            code: .invalidValue,
            configuration: EMFConfiguration(logGroupName: "aws/promwatch")
        ),
        Case(
            keyPath: "log_group_name",
            code: .invalidValue,
            configuration: EMFConfiguration(logGroupName: "/prom watch/{JobName}")
        ),
        Case(keyPath: "log_stream_name", code: .missingValue, configuration: EMFConfiguration(logStreamName: "")),
        Case(
            keyPath: "log_stream_name",
            code: .invalidValue,
            configuration: EMFConfiguration(logStreamName: "{JobName}:{Instance}")
        ),
        Case(keyPath: "max_event_bytes", code: .outOfRange, configuration: EMFConfiguration(maxEventBytes: 100)),
        Case(
            keyPath: "max_event_bytes",
            code: .outOfRange,
            configuration: EMFConfiguration(maxEventBytes: 1_048_551)
        ),
        Case(keyPath: "cluster_name", code: .missingValue, configuration: EMFConfiguration(clusterName: "")),
        Case(
            keyPath: "constant_labels.team",
            code: .missingValue,
            configuration: EMFConfiguration(constantLabels: ["team": ""])
        ),
        Case(
            keyPath: "metric_unit.\(String(repeating: "m", count: 256))",
            code: .outOfRange,
            configuration: EMFConfiguration(metricUnits: [String(repeating: "m", count: 256): .count])
        ),
    ]

    @Test(arguments: cases)
    func reportsKeyPath(_ c: Case) throws {
        let errors = c.configuration.validationErrors()
        #expect(errors.count == 1, "\(errors)")
        let error = try #require(errors.first)
        #expect(error.keyPath == c.keyPath)
        #expect(error.code == c.code)
        #expect(error.description.hasPrefix("\(c.keyPath): "))
        #expect(throws: EMFConfigurationError.self) { try c.configuration.validate() }
        #expect(throws: EMFConfigurationError.self) {
            _ = try EMFConverter(configuration: c.configuration, agentStartMilliseconds: 0)
        }
    }

    @Test func allErrorsAreReportedInKeyOrder() {
        let configuration = EMFConfiguration(
            namespace: "",
            declarations: [declaration(["("], dimensions: [])],
            logStreamName: "{Pod}",
            maxEventBytes: 0
        )
        #expect(
            configuration.validationErrors().map(\.keyPath) == [
                "metric_namespace", "metric_declaration[0].metric_selectors[0]", "metric_declaration[0].dimensions",
                "log_stream_name", "max_event_bytes",
            ]
        )
    }

    @Test func regexMessageNamesThePattern() throws {
        let errors = EMFConfiguration(declarations: [declaration(["*"])]).validationErrors()
        #expect(errors.first?.message.contains("'*'") == true)
    }

    @Test func duplicateDimensionKeysAreDeduplicatedNotCounted() {
        let keys = (0..<30).map { "k\($0)" }
        let configuration = EMFConfiguration(declarations: [declaration(["a"], dimensions: [keys + keys])])
        #expect(configuration.validationErrors().isEmpty)
    }
}
