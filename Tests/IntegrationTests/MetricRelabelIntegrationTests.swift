import Agent
import EMF
import Foundation
import Logging
import Prometheus
import PromwatchConfig
import PromwatchTestSupport
import Scrape
import ServiceLifecycle
import Testing

/// `metric_relabel_configs` between Debian's node exporter and EMF: the rules decide which samples reach the
/// conversion and with which labels, before `sample_limit`.
@Suite(.serialized)
struct MetricRelabelIntegrationTests {
    @Test func rulesShapeWhatReachesEMF() async throws {
        try await withNodeExporter { nodePort in
            // The node exporter serves several hundred samples; the rules keep about 20, under the sample_limit.
            let yaml = """
                server:
                  listen_address: 127.0.0.1:0
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: node
                    sample_limit: 100
                    static_configs:
                      - targets: [127.0.0.1:\(nodePort)]
                        labels: {team: infra}
                    metric_relabel_configs:
                      - source_labels: [__name__]
                        regex: node_cpu_seconds_total|node_load1
                        action: keep
                      - source_labels: [mode]
                        target_label: cpu_mode
                      - regex: mode
                        action: labeldrop
                      - target_label: instance
                        replacement: node-a
                      - source_labels: [__name__]
                        regex: node_load1
                        target_label: __name__
                        replacement: load_one_minute
                emf:
                  metric_namespace: PromWatch/RelabelTest
                  metric_declaration:
                    - dimensions: [[instance, cpu_mode], [job, instance]]
                      metric_selectors: ["."]
                """
            let configuration = try ConfigLoader.parse(yaml: yaml, fileName: "relabel.yaml", baseDirectory: nil)
            let sink = InMemoryEMFSink()
            var logger = Logger(label: "relabel-integration")
            logger.logLevel = .warning
            let runtime = try buildAgent(
                configuration: configuration,
                registry: PrometheusCollectorRegistry(),
                logger: logger,
                options: AgentOptions(sink: sink)
            )
            let group = runtime.serviceGroup(logger: logger)
            let (sawDeltas, health) = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Baselines on the first scrape, CPU deltas from the second on.
                let saw = try await eventually(timeout: .seconds(60)) {
                    sink.written.contains { String(decoding: $0.message, as: UTF8.self).contains("\"cpu_mode\"") }
                }
                let health = runtime.health.snapshot()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return (saw, health)
            }
            #expect(sawDeltas, "CPU deltas within 60 s")

            let events = try sink.written.map { try DecodedEvent($0.message) }
            for event in events { event.checkStructure() }
            let synthetic: Set<String> = [
                "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
            ]
            let scraped = events.filter { Set($0.valueKeys).isDisjoint(with: synthetic) }
            #expect(!scraped.isEmpty)
            for event in scraped {
                // Only what the rules kept, under the names they gave.
                #expect(
                    Set(event.valueKeys).isSubset(of: ["node_cpu_seconds_total", "load_one_minute"]),
                    "\(event.valueKeys)"
                )
                #expect(event.string("instance") == "node-a")
                #expect(event.string("mode") == nil)
                // Target labels the rules left alone are still there.
                #expect(event.string("job") == "node")
                #expect(event.string("team") == "infra")
            }
            let cpu = scraped.filter { $0.valueKeys.contains("node_cpu_seconds_total") }
            #expect(!cpu.isEmpty)
            for event in cpu {
                #expect(event.string("cpu_mode") != nil)
                #expect(event.dimensionSets.contains(["cpu_mode", "instance"]))
                // Still a counter: a delta since the previous scrape, never negative.
                #expect((event.number("node_cpu_seconds_total") ?? -1) >= 0)
            }
            #expect(scraped.contains { $0.valueKeys.contains("load_one_minute") })
            // The scrape succeeded although the exporter serves more than sample_limit samples: the limit counts
            // what the rules keep.
            let up = events.filter { $0.valueKeys.contains("up") }
            #expect(!up.isEmpty)
            #expect(up.allSatisfy { $0.number("up") == 1 })
            #expect(up.allSatisfy { $0.string("instance") == "127.0.0.1:\(nodePort)" })
            // As in Prometheus: exposed samples before the rules, and what they kept.
            let exposed = try #require(up.last?.number("scrape_samples_scraped"))
            let kept = try #require(up.last?.number("scrape_samples_post_metric_relabeling"))
            #expect(exposed > 100, "the node exporter exposes more than sample_limit samples")
            #expect(kept > 1 && kept <= 100)
            #expect(health.count == 1)
            #expect(health.first?.state == .up, "\(String(describing: health.first?.lastError))")
            #expect(health.first?.samplesScraped == Int(exposed))
        }
    }
}
