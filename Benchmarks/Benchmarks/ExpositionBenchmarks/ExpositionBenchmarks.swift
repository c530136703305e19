import Benchmark
import BenchmarkCorpus
import PromExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text exposition parser on the peer benchmark's inputs (shared/bench/parsers): three corpus files and a
/// generated kube-state-metrics-like exposition of 100,000 series (shared/bench/gen_exposition.py's shape).
/// Each iteration is one full parse of one file — name, labels, value and timestamp of every sample delivered —
/// with the parser (and the batch) reused from iteration to iteration as a scrape loop reuses them, so
/// `mallocCountTotal` is the steady state's: 0.
///
/// Wall clock, throughput (parses/s) and `mallocCountTotal` per parse; and, in a second run of each (marked
/// `[ns/sample, MB/s]`), `ns/sample` and `MB/s` (10^6 bytes/s) measured per iteration. Consumers: a counter that reads every field of every sample (the parser's own cost),
/// and a reused `SampleBatch` (what the scraper does: an owned copy of every sample).
///
/// The corpus is found as `$PROMWATCH_CORPUS`, else `shared/corpus` beside the repository; missing files are
/// skipped.
let benchmarks: @Sendable () -> Void = {
    let nanosecondsPerSample = BenchmarkMetric.custom("ns/sample", polarity: .prefersSmaller, useScalingFactor: false)
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    // Two runs per input and consumer: wall clock, throughput and mallocs with nothing else in the iteration; and
    // ns/sample and MB/s, which the iteration records itself (recording allocates, so not in the first run).
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )
    let rateConfiguration = Benchmark.Configuration(
        metrics: [nanosecondsPerSample, megabytesPerSecond],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    var inputs: [(name: String, bytes: [UInt8])] = []
    for path in [
        "exposition/prometheus-textparse/alltypes.237mfs.prom.txt",
        "exposition/prometheus-textparse/promtestdata.txt",
        "exposition/live/node-exporter.text.txt",
    ] {
        if let bytes = readCorpusFile(path) {
            inputs.append((String(path.split(separator: "/").last!), bytes))
        }
    }
    inputs.append(("generated 100k series", generatedExposition(series: 100_000)))

    for (name, bytes) in inputs {
        let samples = countSamples(bytes)
        let label = "\(name) (\(bytes.count / 1000) KB, \(samples) samples)"

        for rates in [false, true] {
            let suffix = rates ? " [ns/sample, MB/s]" : ""

            Benchmark(
                "Parse \(label) → counting consumer\(suffix)",
                configuration: rates ? rateConfiguration : configuration
            ) { [state = ParseState()] benchmark in
                bytes.withUnsafeBytes { body in
                    for _ in benchmark.scaledIterations {
                        let start = rates ? nanoseconds() : 0
                        state.counter.samples = 0
                        state.parser.reset()
                        do {
                            try state.parser.parse(body, into: &state.counter)
                            try state.parser.finish(into: &state.counter)
                        } catch {
                            fatalError("\(name): \(error)")
                        }
                        if rates {
                            report(
                                benchmark,
                                start,
                                samples: state.counter.samples,
                                bytes: body.count,
                                nanosecondsPerSample,
                                megabytesPerSecond
                            )
                        }
                    }
                }
                blackHole(state.counter.checksum)
            }

            Benchmark(
                "Parse \(label) → SampleBatch (reused)\(suffix)",
                configuration: rates ? rateConfiguration : configuration
            ) { [state = ParseState()] benchmark in
                bytes.withUnsafeBytes { body in
                    for _ in benchmark.scaledIterations {
                        let start = rates ? nanoseconds() : 0
                        state.batch.removeAll()
                        state.parser.reset()
                        do {
                            try state.parser.parse(body, into: &state.batch)
                            try state.parser.finish(into: &state.batch)
                        } catch {
                            fatalError("\(name): \(error)")
                        }
                        if rates {
                            report(
                                benchmark,
                                start,
                                samples: state.batch.samples.count,
                                bytes: body.count,
                                nanosecondsPerSample,
                                megabytesPerSecond
                            )
                        }
                    }
                }
                blackHole(state.batch.samples.count)
            }
        }
    }
}

/// The parser and consumers one benchmark reuses from iteration to iteration (the benchmark closure runs once per
/// iteration, so they live outside it): after the first iteration, parsing allocates nothing.
private final class ParseState: @unchecked Sendable {
    // @unchecked: a benchmark's iterations run one at a time.
    var parser = ExpositionParser(format: .text)
    var counter = SampleCounter()
    var batch = SampleBatch()
}

/// Records one iteration's ns/sample and MB/s.
private func report(
    _ benchmark: Benchmark,
    _ start: UInt64,
    samples: Int,
    bytes: Int,
    _ nanosecondsPerSample: BenchmarkMetric,
    _ megabytesPerSecond: BenchmarkMetric
) {
    let elapsed = max(nanoseconds() - start, 1)
    benchmark.measurement(nanosecondsPerSample, Int((Double(elapsed) / Double(max(samples, 1))).rounded()))
    benchmark.measurement(megabytesPerSecond, Int(Double(bytes) * 1e3 / Double(elapsed)))
}

private func nanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Counts samples and folds every field of every sample into a checksum, so nothing the parser delivers goes unread.
struct SampleCounter: ExpositionConsumer {
    var samples = 0
    var checksum = 0

    mutating func familyStarted(_ family: FamilyView) {
        checksum &+= family.name.count &+ Int(family.type.rawValue)
    }

    mutating func consume(_ sample: SampleView) {
        samples += 1
        var sum = sample.name.count &+ sample.familyName.count &+ sample.seriesText.count &+ Int(sample.role.rawValue)
        for label in sample.labels { sum &+= label.name.count &+ label.value.count }
        sum &+= Int(truncatingIfNeeded: sample.value.bitPattern) &+ Int(sample.timestampMilliseconds ?? 0)
        checksum &+= sum
    }
}

private func countSamples(_ bytes: [UInt8]) -> Int {
    var counter = SampleCounter()
    do {
        try ExpositionParser.parse(bytes, format: .text, into: &counter)
    } catch {
        fatalError("\(error)")
    }
    return counter.samples
}

/// A kube-state-metrics-like text exposition of `series` series, in the shape of shared/bench/gen_exposition.py
/// (same families, labels, value kinds and ~119 bytes per sample; deterministic, its own random numbers):
/// two counters and a gauge of `series / 4` series each, and a histogram with `series / 48` label sets of 11
/// buckets plus `_sum` and `_count`.
func generatedExposition(series: Int) -> [UInt8] {
    var random = SplitMix64(state: 42)
    var out = ""
    out.reserveCapacity(series * 125)
    func hex(_ value: UInt64, _ digits: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
    func padded(_ value: Int, _ digits: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
    let families = [
        ("kube_pod_container_status_restarts_total", "counter"), ("kube_pod_status_phase", "gauge"),
        ("container_cpu_usage_seconds_total", "counter"), ("http_request_duration_seconds", "histogram"),
    ]
    let perFamily = series / families.count
    for (name, type) in families {
        out += "# HELP \(name) Synthetic \(type) for parser benchmarks.\n# TYPE \(name) \(type)\n"
        if type == "histogram" {
            for i in 0..<(perFamily / 12) {
                let labels =
                    "namespace=\"ns-\(i % 50)\",pod=\"web-\(padded(i, 6))-\(hex(random.next() % (1 << 20), 5))\","
                    + "method=\"GET\",code=\"200\""
                var count = 0
                for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"] {
                    count += Int(random.next() % 100)
                    out += "\(name)_bucket{\(labels),le=\"\(le)\"} \(count)\n"
                }
                let micros = count * 12_300  // count × 0.0123, printed with six decimals
                let sumText = "\(micros / 1_000_000).\(padded(micros % 1_000_000, 6))"
                out += "\(name)_sum{\(labels)} \(sumText)\n\(name)_count{\(labels)} \(count)\n"
            }
        } else {
            for i in 0..<perFamily {
                let value =
                    type == "counter"
                    ? String(random.next() % 1_000_000) : "\(Double(random.next() >> 11) * 0x1p-53)"
                out +=
                    "\(name){namespace=\"ns-\(i % 50)\",pod=\"app-\(padded(i, 6))-\(hex(random.next() % (1 << 20), 5))\","
                    + "container=\"main\",uid=\"\(hex(random.next() % (1 << 48), 12))\"} \(value)\n"
            }
        }
    }
    return Array(out.utf8)
}

/// A small deterministic generator (Swift's default one is seeded randomly).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
