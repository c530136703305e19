import Discovery
import Logging
import PromwatchConfig
import Relabel
import Scrape
import Testing

/// `static_configs` through the discovery manager: every group expanded, group labels kept, `relabel_configs`
/// applied (as Prometheus applies them to static targets too).
struct DiscoveryManagerTests {
    @Test func staticGroupsAreExpandedAndRelabelled() throws {
        var job = ScrapeConfiguration(jobName: "node")
        job.staticConfigs = [
            StaticConfiguration(targets: ["a:1", "b:2"], labels: ["rack": "r1"]),
            StaticConfiguration(targets: ["c:3", "skip:4"]),
        ]
        job.relabelConfigs = [
            try RelabelConfiguration(sourceLabels: ["__address__"], regex: "skip:.*", action: .drop),
            // `(.+)`: with the default `(.*)` an absent rack would match the empty string and write "zone-".
            try RelabelConfiguration(sourceLabels: ["rack"], regex: "(.+)", targetLabel: "zone", replacement: "zone-$1"),
        ]
        let (_, output) = AsyncStream<[ScrapeTarget]>.makeStream()
        let manager = DiscoveryManager(jobs: [job], providers: [:], output: output, logger: Logger(label: "test"))
        let targets = manager.currentTargets()
        #expect(targets.map(\.address).sorted() == ["a:1", "b:2", "c:3"])
        let a = try #require(targets.first { $0.address == "a:1" })
        #expect(a.labels.contains(TargetLabel(name: "rack", value: "r1")))
        #expect(a.labels.contains(TargetLabel(name: "zone", value: "zone-r1")))
        #expect(a.instance == "a:1")
        let c = try #require(targets.first { $0.address == "c:3" })
        #expect(!c.labels.contains { $0.name == "rack" || $0.name == "zone" })
        #expect(Set(targets.map(\.id)).count == 3)
    }

    @Test func groupsFromAProviderReplaceAndRemoveBySource() {
        let job = ScrapeConfiguration(jobName: "pods")
        let (_, output) = AsyncStream<[ScrapeTarget]>.makeStream()
        let manager = DiscoveryManager(jobs: [job], providers: [:], output: output, logger: Logger(label: "test"))
        manager.update(job: "pods", provider: "kubernetes/0", groups: [
            TargetGroup(source: "pod/ns/a", targets: [["__address__": "10.0.0.1:80"]]),
            TargetGroup(source: "pod/ns/b", targets: [["__address__": "10.0.0.2:80"]]),
        ])
        #expect(manager.currentTargets().map(\.address).sorted() == ["10.0.0.1:80", "10.0.0.2:80"])
        // A newer group for a source replaces it; an empty one removes it.
        manager.update(job: "pods", provider: "kubernetes/0", groups: [
            TargetGroup(source: "pod/ns/a", targets: [["__address__": "10.0.0.9:80"]]), .deleted(source: "pod/ns/b"),
        ])
        #expect(manager.currentTargets().map(\.address) == ["10.0.0.9:80"])
    }
}
