import Foundation
import PromwatchTestSupport
import Testing

/// The `make run` path: the built `promwatch` binary runs `config/quickstart.yaml` and prints EMF on stdout.
@Suite(.serialized)
struct QuickstartTests {
    /// `PROMWATCH_BINARY`, else the debug build in `.build/debug`.
    static var binary: String {
        ProcessInfo.processInfo.environment["PROMWATCH_BINARY"]
            ?? TestPaths.repositoryRoot.appendingPathComponent(".build/debug/promwatch").path
    }

    @Test func quickstartPrintsEMFForTwoIntervals() async throws {
        let agent = try RealProcess(Self.binary, ["agent", "--config", "config/quickstart.yaml"], name: "promwatch")
        // Two 10 s intervals, plus up to one interval of start offset.
        let deadline = ContinuousClock.now + .seconds(45)
        var timesByJob: [String: Set<Int64>] = [:]
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            timesByJob = [:]
            for line in agent.stdout.split(separator: "\n") {
                guard let event = try? DecodedEvent(Array(line.utf8)), let job = event.string("job") else { continue }
                timesByJob[job, default: []].formUnion(event.timestamp.map { [$0] } ?? [])
            }
            if (timesByJob["demo"]?.count ?? 0) >= 2 && (timesByJob["promwatch"]?.count ?? 0) >= 2 { break }
        }
        let status = await agent.stop()
        let stdout = agent.stdout
        #expect(status == 0, "clean exit on SIGTERM; stderr: \(agent.stderr.suffix(2000))")
        #expect((timesByJob["demo"]?.count ?? 0) >= 2, "demo events at two scrape times; stderr: \(agent.stderr.suffix(2000))")
        #expect((timesByJob["promwatch"]?.count ?? 0) >= 2, "self-scrape events at two scrape times")

        // stdout is pure EMF: every line one JSON object with _aws.
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(!lines.isEmpty)
        var metrics: Set<String> = []
        for line in lines {
            let event = try DecodedEvent(Array(line.utf8))
            event.checkStructure()
            #expect(event.string("ClusterName") == "quickstart")
            metrics.formUnion(event.metricNames)
        }
        #expect(metrics.contains("demo_http_requests_in_flight"))
        #expect(metrics.contains("demo_http_requests_total"), "counter deltas after the first interval")
        #expect(metrics.contains("up"))
        // The agent's own logs went to stderr.
        #expect(agent.stderr.contains("promwatch agent starting"))
    }
}
