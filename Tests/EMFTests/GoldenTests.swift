import EMF
import Foundation
import PromExposition
import Testing

/// Golden files: a configuration and a sequence of scrapes (built with ``BatchBuilder``; the comment above each
/// shows the exposition text it stands for) → the exact EMF JSON lines, one event per line, in
/// `Tests/EMFTests/Golden/<name>.jsonl`. Regenerate with `PROMWATCH_UPDATE_GOLDEN=1 swift test --filter GoldenTests`
/// and review the diff.
struct GoldenTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var configuration: EMFConfiguration
        var target: EMFTarget
        var scrapes: @Sendable () -> [(SampleBatch, [SyntheticSample])]
        var testDescription: String { name }
    }

    static let quickstart = EMFConfiguration(
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
                labelMatcher: "^demo$",
                dimensions: [["ClusterName", "service"]],
                metricSelectors: ["^demo_http_requests_in_flight$", "^demo_http_request_duration_seconds$"]
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

    static let scenarios: [Scenario] = [
        // # TYPE demo_http_requests counter
        // demo_http_requests_total{route="/checkout",status="200"} 10|25
        // demo_http_requests_total{route="/checkout",status="500"} 1|1
        // # TYPE demo_http_requests_in_flight gauge
        // demo_http_requests_in_flight 3|1
        // # TYPE demo_http_request_duration_seconds histogram
        // demo_http_request_duration_seconds_bucket{route="/checkout",le="0.05"} 4|10  (le 0.1: 8|20, 0.5: 10|24, +Inf: 11|26)
        // demo_http_request_duration_seconds_sum{route="/checkout"} 1.5|3.25
        // demo_http_request_duration_seconds_count{route="/checkout"} 11|26
        // + synthetic up 1
        Scenario(
            name: "quickstart-demo",
            configuration: quickstart,
            target: EMFTarget(
                jobName: "demo",
                labels: [("job", "demo"), ("instance", "127.0.0.1:9482"), ("service", "checkout")]
            ),
            scrapes: {
                let shape: [(ok: Double, failed: Double, inFlight: Double, buckets: [Double], sum: Double)] = [
                    (10, 1, 3, [4, 8, 10, 11], 1.5), (25, 1, 1, [10, 20, 24, 26], 3.25),
                ]
                return shape.map { s in
                    let batch = makeBatch { b in
                        b.family("demo_http_requests", .counter, help: "Requests.")
                        b.sample("demo_http_requests_total", [("route", "/checkout"), ("status", "200")], s.ok)
                        b.sample("demo_http_requests_total", [("route", "/checkout"), ("status", "500")], s.failed)
                        b.family("demo_http_requests_in_flight", .gauge)
                        b.sample("demo_http_requests_in_flight", s.inFlight)
                        b.family("demo_http_request_duration_seconds", .histogram)
                        b.histogram(
                            "demo_http_request_duration_seconds",
                            [("route", "/checkout")],
                            bounds: ["0.05", "0.1", "0.5", "+Inf"],
                            cumulative: s.buckets,
                            sum: s.sum
                        )
                    }
                    return (batch, [SyntheticSample(name: "up", value: 1)])
                }
            }
        ),
        // OpenMetrics: counters with _created (one created before, one after the agent start), info, stateset,
        // unknown, a summary; initial_value auto.
        // # TYPE jobs counter
        // jobs_total{queue="a"} 7|9   jobs_created{queue="a"} 1600000000
        // jobs_total{queue="b"} 2|5   jobs_created{queue="b"} 1700000001.5
        // # TYPE build info
        // build_info{version="1.2.3"} 1
        // # TYPE mode stateset
        // mode{mode="active"} 1   mode{mode="standby"} 0
        // # TYPE temperature unknown
        // temperature{room="lab"} 21.5|22
        // # TYPE rpc_duration_seconds summary
        // rpc_duration_seconds{quantile="0.9"} 0.25   rpc_duration_seconds_sum 12.5|13   rpc_duration_seconds_count 50|52
        Scenario(
            name: "openmetrics-types",
            configuration: EMFConfiguration(
                namespace: "Golden/OM",
                metricUnits: ["rpc_duration_seconds_sum": .seconds],
                declarations: [
                    MetricDeclaration(
                        sourceLabels: ["job"],
                        labelMatcher: "^batch$",
                        dimensions: [["job", "queue"], ["job"]],
                        metricSelectors: ["^jobs_total$"]
                    ),
                    MetricDeclaration(dimensions: [["version"]], metricSelectors: ["^build_info$"]),
                    MetricDeclaration(dimensions: [["job"]], metricSelectors: ["^mode$", "^temperature$"]),
                    MetricDeclaration(
                        dimensions: [["job"], ["job", "quantile"]],
                        metricSelectors: ["^rpc_duration_seconds"]
                    ),
                ],
                logGroupName: "/golden/{JobName}",
                logStreamName: "{Instance}"
            ),
            target: EMFTarget(jobName: "batch", labels: [("job", "batch"), ("instance", "10.1.2.3:8080")]),
            scrapes: {
                [(7.0, 2.0, 21.5, 12.5, 50.0), (9, 5, 22, 13, 52)].map { s in
                    let batch = makeBatch { b in
                        b.family("jobs", .counter)
                        b.sample("jobs_total", [("queue", "a")], s.0)
                        b.sample("jobs_created", [("queue", "a")], 1_600_000_000)
                        b.sample("jobs_total", [("queue", "b")], s.1)
                        b.sample("jobs_created", [("queue", "b")], 1_700_000_001.5)
                        b.family("build", .info)
                        b.sample("build_info", [("version", "1.2.3")], 1)
                        b.family("mode", .stateset)
                        b.sample("mode", [("mode", "active")], 1)
                        b.sample("mode", [("mode", "standby")], 0)
                        b.family("temperature", .unknown)
                        b.sample("temperature", [("room", "lab")], s.2)
                        b.family("rpc_duration_seconds", .summary)
                        b.sample("rpc_duration_seconds", [("quantile", "0.9")], 0.25)
                        b.sample("rpc_duration_seconds_sum", s.3)
                        b.sample("rpc_duration_seconds_count", s.4)
                    }
                    return (batch, [])
                }
            }
        ),
        // A label-less exporter with 120 gauges (varnish style) and an event cap of 4 KiB:
        // split by count and by bytes, labels repeated in each event.
        Scenario(
            name: "label-less-split",
            configuration: EMFConfiguration(
                declarations: [MetricDeclaration(dimensions: [[]], metricSelectors: ["^varnish_"])],
                maxEventBytes: 4096
            ),
            target: EMFTarget(jobName: "varnish", labels: [("job", "varnish"), ("instance", "cache-1:9131")]),
            scrapes: {
                [
                    (
                        makeBatch { b in
                            for i in 0..<120 {
                                b.family("varnish_stat_\(i)", .gauge)
                                b.sample("varnish_stat_\(i)", Double(i) / 4)
                            }
                        }, []
                    )
                ]
            }
        ),
    ]

    static var goldenDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    @Test(arguments: scenarios)
    func golden(_ scenario: Scenario) throws {
        var harness = try Harness(scenario.configuration, target: scenario.target)
        var lines: [String] = []
        for (batch, synthetic) in scenario.scrapes() {
            let conversion = harness.convert(batch, synthetic: synthetic)
            lines += conversion.lines
        }
        let actual = lines.joined(separator: "\n") + "\n"
        let url = Self.goldenDirectory.appendingPathComponent("\(scenario.name).jsonl")
        if ProcessInfo.processInfo.environment["PROMWATCH_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count == expectedLines.count, "event count for \(scenario.name)")
        for (index, (got, want)) in zip(lines, expectedLines).enumerated() {
            #expect(got == want, "line \(index + 1) of \(scenario.name).jsonl")
        }
    }

    @Test func goldenLogNames() throws {
        let scenario = Self.scenarios[1]
        var harness = try Harness(scenario.configuration, target: scenario.target)
        let conversion = harness.convert(scenario.scrapes()[0].0)
        #expect(Set(conversion.events.map(\.logGroupName)) == ["/golden/batch"])
        #expect(Set(conversion.events.map(\.logStreamName)) == ["10.1.2.3_8080"])
    }
}
