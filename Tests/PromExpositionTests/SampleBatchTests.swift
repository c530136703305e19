import PromwatchTestSupport
import Testing

@testable import PromExposition

struct SampleBatchTests {
    @Test func roundTrip() throws {
        let text = #"""
            # HELP h Latency with "quotes" \\ here.
            # TYPE h histogram
            h_bucket{path="/a\"b",le="0.5"} 3 1700000000000
            h_bucket{path="/a\"b",le="+Inf"} 5
            h_sum{path="/a\"b"} 1.25
            h_count{path="/a\"b"} 5
            # TYPE meta_only gauge
            plain NaN

            """#
        var batch = SampleBatch()
        try ExpositionParser.parse(Array(text.utf8), format: .text, into: &batch)

        #expect(batch.families.count == 3)
        #expect(batch.families.map { batch.string($0.name) } == ["h", "meta_only", "plain"])
        #expect(batch.families.map(\.type) == [.histogram, .gauge, .untyped])
        #expect(batch.families[0].help.map { batch.string($0) } == #"Latency with "quotes" \ here."#)
        #expect(batch.families[1].help == nil)

        #expect(batch.samples.count == 5)
        let first = batch.samples[0]
        #expect(batch.string(first.name) == "h_bucket")
        #expect(batch.string(first.seriesText) == #"h_bucket{path="/a\"b",le="0.5"}"#)
        #expect(first.family == 0 && first.role == .bucket)
        #expect(first.value == 3 && first.timestampMilliseconds == 1_700_000_000_000)
        #expect(
            batch.labels(of: first).map { "\(batch.string($0.name))=\(batch.string($0.value))" } == [
                #"path=/a"b"#, "le=0.5",
            ]
        )
        #expect(batch.samples.map(\.role) == [.bucket, .bucket, .sum, .count, .value])
        #expect(batch.samples[1].timestampMilliseconds == nil)
        let plain = batch.samples[4]
        #expect(plain.family == 2 && plain.value.isNaN)
        #expect(batch.labels(of: plain).isEmpty)
    }

    @Test func reusedBatchMatchesFreshBatch() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/node-exporter.text.txt")
        var reused = SampleBatch()
        for _ in 0..<2 {
            reused.removeAll()
            try ExpositionParser.parse(bytes, format: .text, into: &reused)
        }
        #expect(reused.samples.count == 498)
        #expect(reused.families.count == 276)
        let sample = try #require(reused.samples.first { reused.string($0.name) == "node_scrape_collector_success" })
        let collector = try #require(reused.labels(of: sample).first { reused.string($0.name) == "collector" })
        #expect(!reused.string(collector.value).isEmpty)
    }
}
