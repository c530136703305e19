import EMF
import Foundation
import PromExposition
import PromwatchTestSupport
import Testing

/// Golden files from exposition text: `Golden/<name>/scrape-N.prom` parsed by the real ``ExpositionParser`` and
/// converted in order → `Golden/<name>/expected.jsonl`. The `readme-example` case is also the worked example in
/// README.md, so the README cannot drift from what promwatch emits.
struct ExpositionGoldenTests {
    /// The README's example: a declaration for request counts by status, one for the queue gauge and latency.
    static let readmeConfiguration = EMFConfiguration(
        namespace: "MyApp",
        metricUnits: ["request_duration_seconds": .seconds, "http_requests_total": .count],
        declarations: [
            MetricDeclaration(
                sourceLabels: ["job"], labelMatcher: "^api$", dimensions: [["job", "code"]],
                metricSelectors: ["^http_requests_total$"]),
            MetricDeclaration(
                sourceLabels: ["job"], labelMatcher: "^api$", dimensions: [["job"]],
                metricSelectors: ["^queue_depth$", "^request_duration_seconds$"]),
        ])

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/readme-example")

    /// Both scrapes of the README example, one event per line.
    static func convertReadmeExample() throws -> [String] {
        var harness = try Harness(
            readmeConfiguration, target: EMFTarget(jobName: "api", labels: [("job", "api"), ("instance", "10.0.0.7:8080")]))
        var lines: [String] = []
        for scrape in 1...2 {
            let text = try [UInt8](Data(contentsOf: directory.appendingPathComponent("scrape-\(scrape).prom")))
            var batch = SampleBatch()
            try ExpositionParser.parse(text, format: .text, into: &batch)
            lines += harness.convert(batch).lines
        }
        return lines
    }

    @Test func readmeExampleMatchesGoldenFile() throws {
        let lines = try Self.convertReadmeExample()
        let url = Self.directory.appendingPathComponent("expected.jsonl")
        if ProcessInfo.processInfo.environment["PROMWATCH_UPDATE_GOLDEN"] == "1" {
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == expected)
        // The first scrape only stores counter and histogram baselines: just the gauge is emitted.
        #expect(lines.count == 4)
        #expect(lines.first?.contains("\"queue_depth\":12") == true)
        #expect(!lines.contains { $0.contains("go_goroutines") }, "unselected metrics are not emitted")
    }

    @Test func readmeShowsTheGoldenOutput() throws {
        let readme = String(decoding: try TestPaths.repositoryFile("README.md"), as: UTF8.self)
        for line in try Self.convertReadmeExample().dropFirst() {
            #expect(readme.contains(line), "README.md shows \(line)")
        }
        let secondScrape = try String(contentsOf: Self.directory.appendingPathComponent("scrape-2.prom"), encoding: .utf8)
        #expect(readme.contains(secondScrape), "README.md shows scrape-2.prom verbatim")
    }
}
