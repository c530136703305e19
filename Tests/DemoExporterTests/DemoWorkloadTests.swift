import DemoExporter
import PromExposition
import Testing

struct DemoWorkloadTests {
    /// Parses a rendering with promwatch's parser and returns (sample name + labels → value).
    func parse(_ text: String, format: ExpositionFormat) throws -> (SampleBatch, [String: Double]) {
        var batch = SampleBatch()
        try ExpositionParser.parse(Array(text.utf8), format: format, validation: .strict, into: &batch)
        var values: [String: Double] = [:]
        for sample in batch.samples {
            values[batch.string(sample.seriesText)] = sample.value
        }
        return (batch, values)
    }

    @Test func loadRisesAndFallsOverFiveMinutes() {
        var workload = DemoWorkload()
        var rates: [Double] = []
        for _ in 0..<300 {
            workload.advance(bySeconds: 1)
            rates.append(workload.requestsPerSecond)
        }
        #expect(rates.min()! < 10)
        #expect(rates.max()! > 100)
        // Peak half-way through the period, back down at the end.
        #expect(rates[149] > rates[10] && rates[149] > rates[290])
    }

    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func renderingIsValidAndCountersOnlyGrow(format: ExpositionFormat) throws {
        var workload = DemoWorkload(seed: 7)
        var previous: [String: Double] = [:]
        for step in 0..<20 {
            workload.advance(bySeconds: 15)
            let (batch, values) = try parse(workload.render(openMetrics: format == .openMetrics), format: format)
            #expect(batch.samples.count == 19)
            #expect(Set(batch.families.map { batch.string($0.name) }).count == 3)
            for (series, value) in values where series.hasPrefix("demo_http_requests_total") || series.contains("_bucket") || series.contains("_count") {
                #expect(value >= previous[series, default: 0], "\(series) decreased at step \(step)")
            }
            #expect(values["demo_http_request_duration_seconds_bucket{le=\"+Inf\"}"] == values["demo_http_request_duration_seconds_count"])
            previous = values
        }
        let requests = previous.filter { $0.key.hasPrefix("demo_http_requests_total") }.values.reduce(0, +)
        #expect(requests == previous["demo_http_request_duration_seconds_count"])
    }

    @Test func sameSeedSameNumbers() {
        var a = DemoWorkload(seed: 42)
        var b = DemoWorkload(seed: 42)
        for _ in 0..<50 {
            a.advance(bySeconds: 2)
            b.advance(bySeconds: 2)
        }
        #expect(a.render(openMetrics: false) == b.render(openMetrics: false))
    }
}
