import Benchmark
import BenchmarkCorpus
import EMF
import PromExposition

/// EMF conversion (samples → EMF JSON events) on a real exporter's scrape: Debian's node exporter capture
/// (~500 samples, 2 CPUs), every metric selected, per-series delta state warm, as a scrape loop runs it each interval.
let benchmarks: @Sendable () -> Void = {
    let text = nodeExporterCapture()
    var batch = SampleBatch()
    do {
        try ExpositionParser.parse(text, format: .text, into: &batch)
    } catch {
        fatalError("the node exporter capture parses: \(error)")
    }
    let sampleCount = batch.samples.count
    let configuration = EMFConfiguration(
        namespace: "Bench",
        declarations: [MetricDeclaration(dimensions: [["job", "instance"]], metricSelectors: ["."])],
        clusterName: "bench"
    )
    let converter: EMFConverter
    do {
        converter = try EMFConverter(configuration: configuration, agentStartMilliseconds: 1_700_000_000_000)
    } catch {
        fatalError("valid configuration: \(error)")
    }
    let target = EMFTarget(jobName: "node", labels: [("job", "node"), ("instance", "10.0.0.1:9100")])

    let nodeRun = SteadyRun()
    Benchmark(
        "Convert a node-exporter scrape (\(sampleCount) samples) to EMF",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            scalingFactor: .one,
            maxDuration: .seconds(3)
        )
    ) { benchmark in
        // The state lives across the harness's runs of this closure, as a scrape loop's does: only the first run
        // pays for the baselines (first scrape) and the new label sets (second scrape, the first with deltas).
        let run = nodeRun
        if run.time == 0 {
            run.time = 1_700_000_010_000
            for _ in 0..<2 {
                var events: [EMFLogEvent] = []
                _ = converter.convert(
                    batch,
                    target: target,
                    state: &run.state,
                    scrapeTimeMilliseconds: run.time,
                    synthetic: [],
                    into: &events
                )
                run.time += 10_000
            }
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            run.time += 10_000
            var events: [EMFLogEvent] = []
            blackHole(
                converter.convert(
                    batch,
                    target: target,
                    state: &run.state,
                    scrapeTimeMilliseconds: run.time,
                    synthetic: [],
                    into: &events
                )
            )
            blackHole(events)
        }
    }

    // The agent benchmark's shape: a 2,000-series kube-like target, every metric selected with [[job, instance]],
    // converted scrape after scrape (counter deltas exist). Divide the per-iteration figures by 2,000 for per sample.
    let kube = KubeLikeTarget(index: 3, series: 2_000)
    let kubeScrapes: [SampleBatch] = (0..<8).map { k in
        var batch = SampleBatch()
        do {
            try ExpositionParser.parse(kube.body(scrape: k), format: .text, into: &batch)
        } catch {
            fatalError("the generated target parses: \(error)")
        }
        return batch
    }
    let kubeTarget = EMFTarget(jobName: "kube", labels: [("job", "kube"), ("instance", "127.0.0.1:18003")])
    // The CloudWatch output converts into JSON string content (PutLogEvents bodies then copy the messages).
    let escapingConverter: EMFConverter
    do {
        escapingConverter = try EMFConverter(
            configuration: configuration,
            agentStartMilliseconds: 1_700_000_000_000,
            messageEncoding: .jsonStringContent
        )
    } catch {
        fatalError("valid configuration: \(error)")
    }

    for (label, converter) in [("", converter), (", messages escaped for PutLogEvents", escapingConverter)] {
        let kubeRun = SteadyRun()
        Benchmark(
            "EMF steady-state conversion of a 2,000-series kube-like target\(label)",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal],
                scalingFactor: .one,
                maxDuration: .seconds(3)
            )
        ) { benchmark in
            // The state lives across the harness's runs of this closure: only the first run pays for the baselines.
            let run = kubeRun
            if run.time == 0 {
                run.time = 1_700_000_010_000
                // Two warm-up scrapes: the first stores baselines, the second is the first steady-state one.
                for k in 0..<2 {
                    var events: [EMFLogEvent] = []
                    _ = converter.convert(
                        kubeScrapes[k],
                        target: kubeTarget,
                        state: &run.state,
                        scrapeTimeMilliseconds: run.time,
                        synthetic: [],
                        into: &events
                    )
                    run.time += 10_000
                }
                run.next = 2
            }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                run.time += 10_000
                // The agent hands the events to the sink and starts with a fresh array each scrape.
                var events: [EMFLogEvent] = []
                blackHole(
                    converter.convert(
                        kubeScrapes[run.next],
                        target: kubeTarget,
                        state: &run.state,
                        scrapeTimeMilliseconds: run.time,
                        synthetic: [],
                        into: &events
                    )
                )
                blackHole(events)
                run.next = (run.next + 1) % kubeScrapes.count
            }
        }
    }
}

/// A benchmark's conversion state between the harness's runs of its closure (one run at a time).
final class SteadyRun: @unchecked Sendable {
    var state = TargetSeriesState()
    var time: Int64 = 0
    var next = 0
}
