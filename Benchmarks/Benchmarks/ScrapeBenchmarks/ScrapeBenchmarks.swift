import Benchmark
import BenchmarkCorpus
import PromExposition
import Relabel
import Scrape

/// `metric_relabel_configs` on a whole scrape, as the agent runs them after parsing: the node exporter capture from
/// the shared corpus with a typical rule set (drop the Go runtime series, rename a label, rewrite `instance`). Per
/// sample: the merge with the target labels, the rules, and the rewrite into the batch the conversion reads.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(3))

    var source = SampleBatch()
    // Force-try: a fixed corpus file and constant rules; a failure is a bug here.
    try! ExpositionParser.parse(nodeExporterCapture(), format: .text, into: &source)
    let rules = [
        try! RelabelConfiguration(sourceLabels: ["__name__"], regex: "go_.*|promhttp_.*", action: .drop),
        try! RelabelConfiguration(sourceLabels: ["mode"], targetLabel: "cpu_mode"),
        try! RelabelConfiguration(regex: "mode", action: .labelDrop),
        try! RelabelConfiguration(targetLabel: "instance", replacement: "node-a"),
    ]
    let relabeling = MetricRelabeling(rules: rules)
    let targetLabels = [
        TargetLabel(name: "instance", value: "10.0.3.7:9100"), TargetLabel(name: "job", value: "node"),
        TargetLabel(name: "namespace", value: "monitoring"),
    ]
    let samples = source.samples.count
    // The usual use: drop what no dashboard reads, by name only (the fast path: no label set per sample).
    let dropByName = MetricRelabeling(rules: [
        try! RelabelConfiguration(sourceLabels: ["__name__"], regex: "go_.*|promhttp_.*|node_scrape_.*", action: .drop)
    ])

    Benchmark("metric_relabel_configs on a node-exporter scrape (\(samples) samples, 4 rules)", configuration: configuration) {
        benchmark in
        var output = SampleBatch()
        for _ in benchmark.scaledIterations {
            blackHole(relabeling.apply(to: source, targetLabels: targetLabels, honorLabels: false, into: &output))
        }
    }

    Benchmark("metric_relabel_configs drop by name on a node-exporter scrape (\(samples) samples)", configuration: configuration) {
        benchmark in
        var output = SampleBatch()
        for _ in benchmark.scaledIterations {
            blackHole(dropByName.apply(to: source, targetLabels: targetLabels, honorLabels: false, into: &output))
        }
    }
}
