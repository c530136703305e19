import Foundation  // JSONSerialization (tests only; the library has no Foundation)
import PromwatchTestSupport
import Testing

@testable import PromExposition

/// Real captures and upstream benchmark inputs (shared/corpus/exposition).
struct CorpusTests {
    struct IndexEntry: Sendable, CustomStringConvertible {
        var file: String
        var contentType: String
        var typeLines: Int
        var sampleLines: Int
        var description: String { file }
    }

    /// The text captures listed in live/index.json (gzip and protobuf bodies left out).
    static let liveEntries: [IndexEntry] = {
        guard let data = try? TestPaths.corpusFile("exposition/live/index.json"),
            let list = try? JSONSerialization.jsonObject(with: Data(data)) as? [[String: Any]]
        else { return [] }
        return list.compactMap { entry in
            guard let file = entry["file"] as? String, file.hasSuffix(".txt"),
                let contentType = entry["response_content_type"] as? String,
                let typeLines = entry["type_lines"] as? Int, let sampleLines = entry["sample_lines"] as? Int
            else { return nil }
            return IndexEntry(file: file, contentType: contentType, typeLines: typeLines, sampleLines: sampleLines)
        }
    }()

    @Test func indexListsTheLiveCaptures() {
        // Guards the parameterised test below against an empty argument list.
        #expect(Self.liveEntries.count == 9)
    }

    @Test(arguments: liveEntries)
    func liveCaptureCounts(_ entry: IndexEntry) throws {
        let bytes = try TestPaths.corpusFile("exposition/live/\(entry.file)")
        var statistics = ExpositionStatistics()
        let format = ExpositionFormat(contentType: entry.contentType)
        try ExpositionParser.parse(bytes, format: format, validation: .strict, into: &statistics)
        #expect(statistics.samples == entry.sampleLines)
        // Every family in these captures has exactly one TYPE line, and every sample belongs to one.
        #expect(statistics.families == entry.typeLines)
    }

    @Test func pushgatewayInputParses() throws {
        // Not in index.json. Four TYPE'd families plus the untyped `batch_job_note`, whose label has escapes.
        let bytes = try TestPaths.corpusFile("exposition/live/pushgateway.push-input.txt")
        var recorder = Recorder()
        try ExpositionParser.parse(bytes, format: .text, into: &recorder)
        #expect(recorder.samples.count == Self.sampleLineCount(bytes))
        #expect(
            recorder.families.map(\.name) == [
                "batch_job_last_success_timestamp_seconds", "batch_job_records_processed_total",
                "batch_job_duration_seconds", "batch_job_payload_bytes", "batch_job_note",
            ]
        )
        let note = try #require(recorder.samples.last)
        #expect(note.type == .untyped)
        #expect(note.label("text") == "line1\nline2 \"quoted\" back\\slash")
    }

    @Test(arguments: [
        ("alltypes.237mfs.prom.txt", 237, 1857),
        ("promtestdata.txt", 59, 410),
    ])
    func textparseWithMetadata(_ file: String, families: Int, samples: Int) throws {
        let bytes = try TestPaths.corpusFile("exposition/prometheus-textparse/\(file)")
        var statistics = ExpositionStatistics()
        try ExpositionParser.parse(bytes, format: .text, into: &statistics)
        #expect(statistics.families == families)
        #expect(statistics.samples == samples)
        #expect(statistics.samples(ofType: .untyped) == 0)
    }

    @Test(arguments: [("alltypes.237mfs.nometa.prom.txt", 1857), ("promtestdata.nometa.txt", 410)])
    func textparseWithoutMetadata(_ file: String, samples: Int) throws {
        let bytes = try TestPaths.corpusFile("exposition/prometheus-textparse/\(file)")
        var statistics = ExpositionStatistics()
        try ExpositionParser.parse(bytes, format: .text, into: &statistics)
        #expect(statistics.samples == samples)
        #expect(statistics.samples(ofType: .untyped) == samples)
        // Without TYPE every distinct sample name is its own untyped family.
        #expect(statistics.families == Set(Self.sampleNames(bytes)).count)
    }

    @Test(arguments: [("alltypes.5mfs.om.txt", 5, 53), ("1histogram.om.txt", 1, 42)])
    func textparseOpenMetrics(_ file: String, families: Int, samples: Int) throws {
        let bytes = try TestPaths.corpusFile("exposition/prometheus-textparse/\(file)")
        var statistics = ExpositionStatistics()
        try ExpositionParser.parse(bytes, format: .openMetrics, into: &statistics)
        #expect(statistics.families == families)
        #expect(statistics.samples == samples)
    }

    @Test func goClientNegativeBucketsFailOnlyStrictValidation() throws {
        // The Go client's OpenMetrics output has negative histogram buckets with a _sum and a negative summary
        // quantile value: accepted by Prometheus (and `.standard`), rejected by the OpenMetrics MUSTs.
        let bytes = try TestPaths.corpusFile("exposition/prometheus-textparse/alltypes.5mfs.om.txt")
        #expect(parseError(bytes, .openMetrics) == nil)
        let error = try #require(parseError(bytes, .openMetrics, validation: .strict))
        #expect(error.code == .invalidHistogram || error.code == .invalidSampleValue)
    }

    @Test func textBenchmarkFileTypesAndRoles() throws {
        let bytes = try TestPaths.corpusFile("exposition/prometheus-textparse/alltypes.237mfs.prom.txt")
        var statistics = ExpositionStatistics()
        try ExpositionParser.parse(bytes, format: .text, into: &statistics)
        let total = MetricType.allCases.map { statistics.samples(ofType: $0) }.reduce(0, +)
        #expect(total == 1857)
        #expect(statistics.samples(ofType: .histogram) > 0)
        #expect(statistics.samples(ofType: .summary) > 0)
        #expect(statistics.description == "families=237 samples=1857")
    }

    /// Lines that are neither blank nor comments: the sample lines of a text exposition.
    static func sampleLineCount(_ bytes: [UInt8]) -> Int { sampleNames(bytes).count }

    static func sampleNames(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard let first = trimmed.first, first != UInt8(ascii: "#") else { return nil }
            let name = trimmed.prefix { $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: " ") }
            return String(decoding: name, as: UTF8.self)
        }
    }
}
