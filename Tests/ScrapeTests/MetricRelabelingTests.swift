import PromExposition
import PromwatchConfig
import Testing

@testable import Scrape

/// `metric_relabel_configs` on a parsed scrape, as Prometheus applies them (see ``MetricRelabeling``).
struct MetricRelabelingTests {
    static let exposition = #"""
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{code="200",handler="/api"} 10
        http_requests_total{code="500",handler="/api"} 2
        # TYPE go_goroutines gauge
        go_goroutines 42
        # TYPE latency_seconds histogram
        latency_seconds_bucket{le="0.5"} 3
        latency_seconds_bucket{le="+Inf"} 5
        latency_seconds_sum 1.5
        latency_seconds_count 5
        # TYPE clash gauge
        clash{instance="from-the-exporter",path="a\"b"} 1

        """#

    /// The job from a YAML scrape config, its first target, and the relabelling result of `exposition`.
    func relabel(
        _ rules: String,
        honorLabels: Bool = false,
        extra: String = "",
        exposition: String = Self.exposition
    ) throws -> (SampleBatch, MetricRelabeling.Outcome, ScrapeConfiguration) {
        let yaml = """
            scrape_configs:
              - job_name: app
                honor_labels: \(honorLabels)
            \(extra)
                static_configs:
                  - targets: [10.0.0.1:8080]
                    labels: {team: payments}
                metric_relabel_configs:
            \(rules)
            """
        let configuration = try ConfigLoader.parse(yaml: yaml, fileName: "test.yaml", baseDirectory: nil)
        let job = configuration.scrapeConfigs[0]
        let relabeling = try #require(MetricRelabeling(job: job))
        let target = ScrapeTarget(job: job, address: "10.0.0.1:8080", extraLabels: ["team": "payments"])
        var source = SampleBatch()
        try ExpositionParser.parse(Array(exposition.utf8), format: .text, into: &source)
        var output = SampleBatch()
        let outcome = relabeling.apply(to: source, targetLabels: target.labels, honorLabels: honorLabels, into: &output)
        return (output, outcome, job)
    }

    func series(_ batch: SampleBatch) -> [String] {
        batch.samples.map { batch.string($0.seriesText) }
    }

    @Test func aJobWithoutRulesNeedsNoRelabelling() throws {
        let configuration = try ConfigLoader.parse(
            yaml: "scrape_configs:\n  - job_name: app\n    static_configs: [{targets: [a:1]}]\n",
            fileName: "t.yaml",
            baseDirectory: nil
        )
        #expect(MetricRelabeling(job: configuration.scrapeConfigs[0]) == nil)
    }

    @Test func dropByNameKeepsTheRestWithTheirFamiliesAndValues() throws {
        let (batch, outcome, _) = try relabel(
            """
                  - source_labels: [__name__]
                    regex: go_.*|latency_seconds_(sum|count)
                    action: drop
            """
        )
        #expect(outcome.kept == 5 && outcome.dropped == 3)
        // Unchanged target labels are left to the conversion; the scraped `instance` lost to the target's.
        #expect(
            series(batch) == [
                #"http_requests_total{code="200",handler="/api"}"#,
                #"http_requests_total{code="500",handler="/api"}"#,
                #"latency_seconds_bucket{le="0.5"}"#,
                #"latency_seconds_bucket{le="+Inf"}"#,
                #"clash{exported_instance="from-the-exporter",path="a\"b"}"#,
            ]
        )
        #expect(batch.families.map { batch.string($0.name) } == ["http_requests_total", "latency_seconds", "clash"])
        #expect(batch.families.map(\.type) == [.counter, .histogram, .gauge])
        #expect(batch.families[0].help.map { batch.string($0) } == "Requests.")
        #expect(batch.samples.map(\.value) == [10, 2, 3, 5, 1])
        #expect(batch.samples.map(\.role) == [.total, .total, .bucket, .bucket, .value])
        // Label values are delivered unescaped.
        let clash = batch.samples[4]
        #expect(batch.labels(of: clash).map { batch.string($0.value) } == ["from-the-exporter", #"a"b"#])
    }

    /// Rules that only keep or drop by name take a fast path (no label set per sample); it must give what the
    /// general path gives, including for a sample whose label collides with a target label.
    @Test func nameOnlyRulesGiveWhatTheGeneralPathGives() throws {
        let byName = """
                  - source_labels: [__name__]
                    regex: http_.*|clash|latency_seconds_bucket
                    action: keep
                  - source_labels: [__name__]
                    regex: .*_bucket
                    action: drop
            """
        // A no-op label rule forces the general path for the same selection.
        let general = byName + "\n      - regex: no_such_label\n        action: labeldrop"
        for honorLabels in [false, true] {
            let (fast, fastOutcome, _) = try relabel(byName, honorLabels: honorLabels)
            let (slow, slowOutcome, _) = try relabel(general, honorLabels: honorLabels)
            #expect(fastOutcome == slowOutcome)
            #expect(fastOutcome.kept == 3 && fastOutcome.dropped == 5)
            #expect(series(fast) == series(slow))
            #expect(fast.samples.map(\.value) == slow.samples.map(\.value))
            #expect(fast.samples.map(\.role) == slow.samples.map(\.role))
            #expect(fast.families.map { fast.string($0.name) } == slow.families.map { slow.string($0.name) })
            #expect(fast.families.map(\.type) == slow.families.map(\.type))
        }
    }

    @Test func rulesSeeAndCanRewriteTargetLabels() throws {
        let (batch, outcome, _) = try relabel(
            """
                  - source_labels: [__name__]
                    regex: http_requests_total
                    action: keep
                  - source_labels: [team, code]
                    separator: "-"
                    target_label: owner
                  - target_label: instance
                    replacement: app-1
                  - regex: handler
                    action: labeldrop
                  - source_labels: [__name__]
                    regex: http_(.*)
                    target_label: __name__
                    replacement: api_$1
            """
        )
        #expect(outcome.kept == 2 && outcome.dropped == 6)
        // The rewritten instance is written; job and team, unchanged, are not.
        #expect(
            series(batch) == [
                #"api_requests_total{code="200",instance="app-1",owner="payments-200"}"#,
                #"api_requests_total{code="500",instance="app-1",owner="payments-500"}"#,
            ]
        )
        // A renamed counter is still in its family.
        #expect(batch.families.map { batch.string($0.name) } == ["http_requests_total"])
        #expect(batch.samples.map { batch.string($0.name) } == ["api_requests_total", "api_requests_total"])
        // job, instance, team, code, owner.
        #expect(outcome.mostLabels == 5 && outcome.mostLabelsName == "api_requests_total")
    }

    @Test func honorLabelsLetsTheScrapedLabelWinBeforeTheRulesRun() throws {
        let (batch, _, _) = try relabel(
            """
                  - source_labels: [instance]
                    regex: from-the-.*
                    action: keep
            """,
            honorLabels: true
        )
        #expect(series(batch) == [#"clash{instance="from-the-exporter",path="a\"b"}"#])
    }

    @Test func aSampleLeftWithoutAValidNameIsDropped() throws {
        let (renamed, renamedOutcome, _) = try relabel(
            """
                  - source_labels: [__name__]
                    regex: go_goroutines
                    target_label: __name__
                    replacement: 1bad
            """
        )
        #expect(renamedOutcome.kept == 7 && renamedOutcome.dropped == 1)
        #expect(!renamed.samples.contains { renamed.string($0.name) == "1bad" })

        let (nameless, namelessOutcome, _) = try relabel(
            """
                  - regex: __name__
                    action: labeldrop
            """
        )
        #expect(namelessOutcome.kept == 0 && namelessOutcome.dropped == 8)
        #expect(nameless.samples.isEmpty && nameless.families.isEmpty)
    }

    @Test func limitsApplyToWhatTheRulesKeep() throws {
        let keepTwo = """
                  - source_labels: [__name__]
                    regex: http_requests_total
                    action: keep
            """
        // 8 samples scraped, 2 kept: a sample_limit of 2 passes.
        let (_, kept, job) = try relabel(keepTwo, extra: "    sample_limit: 2")
        try MetricRelabeling.checkLimits(kept, job: job)

        let (_, all, strictJob) = try relabel(
            "      - action: labelkeep\n        regex: .*",
            extra: "    sample_limit: 7"
        )
        #expect(throws: ScrapeError.self) { try MetricRelabeling.checkLimits(all, job: strictJob) }
        do {
            try MetricRelabeling.checkLimits(all, job: strictJob)
        } catch {
            #expect(error.code == .sampleLimit)
            #expect(error.message == "sample_limit exceeded: more than 7 samples")
        }

        // code, handler, job, instance, team: 5 labels > 4.
        let (_, labels, labelJob) = try relabel(keepTwo, extra: "    label_limit: 4")
        do {
            try MetricRelabeling.checkLimits(labels, job: labelJob)
            Issue.record("label_limit 4 should fail")
        } catch {
            #expect(error.code == .labelLimit)
            #expect(error.message == "label_limit exceeded: http_requests_total has 5 labels (limit 4)")
        }
    }
}
