import Foundation  // JSONSerialization (tests only)
import PromwatchTestSupport
import Testing

@testable import PromExposition

/// The protobuf-delimited exposition parser against the captured bodies in shared/corpus/exposition/live.
struct ProtobufCorpusTests {
    static let captures = ["node-exporter", "prometheus", "pushgateway"]

    /// index.json's `metric_families` and `metrics` for a protobuf capture.
    static func indexCounts(_ capture: String) throws -> (families: Int, metrics: Int) {
        let data = try TestPaths.corpusFile("exposition/live/index.json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [[String: Any]])
        let entry = try #require(list.first { $0["file"] as? String == "\(capture).protobuf-delimited.bin" })
        return (try #require(entry["metric_families"] as? Int), try #require(entry["metrics"] as? Int))
    }

    @Test(arguments: captures)
    func matchesTheTextprotoDecode(_ capture: String) throws {
        let bytes = try TestPaths.corpusFile("exposition/live/\(capture).protobuf-delimited.bin")
        let decoded = try TextProto.parseBlocks(
            try TestPaths.corpusFile("exposition/live/\(capture).protobuf-delimited.textproto")
        )
        let counts = try Self.indexCounts(capture)
        #expect(decoded.count == counts.families)
        #expect(decoded.reduce(0) { $0 + $1.messages("metric").count } == counts.metrics)

        let recorder = try recordProtobuf(bytes)
        var expectedFamilies: [RecordedFamily] = []
        var expectedSamples: [ExpectedSample] = []
        for message in decoded {
            let (family, samples) = ExpectedSample.from(message)
            expectedFamilies.append(family)
            expectedSamples += samples
        }
        #expect(recorder.families == expectedFamilies)
        let actual = recorder.samples.map(ExpectedSample.init)
        #expect(actual.count == expectedSamples.count)
        for (a, e) in zip(actual, expectedSamples) where a != e {
            Issue.record("sample differs: got \(a), expected \(e)")
            break
        }
        // NaN bit patterns pass through: Go's math.NaN() is 0x7ff8000000000001 (Prometheus's normalised NaN).
        for sample in recorder.samples where sample.value.isNaN {
            #expect(sample.valueBits == 0x7FF8_0000_0000_0001, "\(sample)")
        }
        // Every sample's line is its message number; the series text is canonical text.
        for sample in recorder.samples {
            #expect(sample.seriesText.hasPrefix(sample.name))
            #expect((1...counts.families).contains(sample.line))
        }
        // The series text parses back, as text 0.0.4, to the same name and labels.
        for sample in recorder.samples.prefix(200) {
            let line = sample.seriesText + " 1\n"
            let reparsed = try record(line).samples
            #expect(reparsed.first?.labels == sample.labels, "\(sample.seriesText)")
        }
    }

    /// The text capture of the same program, taken moments apart: the same families, types, HELP and series.
    @Test(arguments: captures)
    func matchesTheTextCapture(_ capture: String) throws {
        let protobuf = try recordProtobuf(
            try TestPaths.corpusFile("exposition/live/\(capture).protobuf-delimited.bin")
        )
        let text = try record(
            String(decoding: try TestPaths.corpusFile("exposition/live/\(capture).text.txt"), as: UTF8.self)
        )
        #expect(protobuf.families.count == text.families.count)
        #expect(protobuf.samples.count == text.samples.count)
        #expect(protobuf.families == text.families)

        func series(_ recorder: Recorder) -> [String: Int] {
            var counts: [String: Int] = [:]
            for sample in recorder.samples {
                let labels = ExpectedSample.normalisedLabels(sample.labels)
                    .map { "\($0.name)=\($0.value)" }.sorted().joined(separator: ",")
                counts["\(sample.family)|\(sample.name)|\(sample.role)|\(labels)", default: 0] += 1
            }
            return counts
        }
        let protobufSeries = series(protobuf)
        let textSeries = series(text)
        let onlyProtobuf = protobufSeries.keys.filter { textSeries[$0] == nil }.sorted()
        let onlyText = textSeries.keys.filter { protobufSeries[$0] == nil }.sorted()
        #expect(onlyProtobuf.isEmpty, "only in protobuf: \(onlyProtobuf.prefix(5))")
        #expect(onlyText.isEmpty, "only in text: \(onlyText.prefix(5))")
    }

    /// `le` values as Go's text writer prints them (shortest `%g`) match the protobuf parser's formatting, up to
    /// the `.0` Prometheus appends.
    @Test func bucketBoundsFormatLikeGo() throws {
        let text = try record(
            String(
                decoding: try TestPaths.corpusFile("exposition/live/prometheus.text.txt"),
                as: UTF8.self
            )
        )
        var checked = 0
        for sample in text.samples {
            for label in sample.labels where label.name == "le" || label.name == "quantile" {
                let value = try #require(
                    TextProto.double(label.value.hasPrefix("+") ? String(label.value.dropFirst()) : label.value)
                )
                var expected = label.value
                if !expected.contains(".") && !expected.contains("e") && !expected.contains("Inf")
                    && !expected.contains("NaN")
                {
                    expected += ".0"
                }
                #expect(OpenMetricsFloatFormat.string(value) == expected)
                checked += 1
            }
        }
        #expect(checked > 50)
    }

    @Test func everyTwoChunkSplit() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/pushgateway.protobuf-delimited.bin")
        let reference = try recordProtobuf(bytes).events
        for split in 0...bytes.count {
            let events = try recordProtobufChunked(bytes, splits: [split]).events
            if events != reference {
                Issue.record("split at \(split) differs")
                return
            }
        }
    }

    @Test func oneByteAndOddChunks() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/node-exporter.protobuf-delimited.bin")
        let reference = try recordProtobuf(bytes).events
        #expect(try recordProtobufChunked(bytes, splits: Array(1..<bytes.count)).events == reference)
        for size in [2, 3, 7, 100, 4096] {
            let splits = Array(stride(from: size, to: bytes.count, by: size))
            #expect(try recordProtobufChunked(bytes, splits: splits).events == reference, "chunk size \(size)")
        }
    }

    @Test func truncatedAnywhereIsAnError() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/pushgateway.protobuf-delimited.bin")
        // Message boundaries: where a prefix starts.
        var boundaries: Set<Int> = [bytes.count]
        var offset = 0
        while offset < bytes.count {
            boundaries.insert(offset)
            let varint = bytes.withUnsafeBufferPointer {
                ProtobufParserStorage.decodeVarint($0.baseAddress! + offset, bytes.count - offset)
            }
            guard case .complete(let length, let prefix) = varint else { break }
            offset += prefix + length
        }
        #expect(boundaries.count == 47)
        for end in 0..<bytes.count {
            let error = protobufError(Array(bytes[..<end]))
            if boundaries.contains(end) {
                #expect(error == nil, "cut at a message boundary \(end) is a valid exposition")
            } else {
                #expect(error?.code == .truncatedMessage, "cut at \(end)")
                #expect(error.map { boundaries.contains($0.byteOffset) } == true)
            }
        }
        let error = try #require(protobufError(Array(bytes.dropLast(3))))
        #expect(error.description.hasPrefix("byte offset "))
        #expect(error.message.hasPrefix("the input ends inside a message: "))
    }
}

/// Hand-made messages: each rule of the mapping and each error.
struct ProtobufMappingTests {
    @Test func counterGaugeUntypedAndTimestamps() throws {
        let body =
            MF.family(
                "requests_total",
                type: MF.counter,
                help: "Requests.",
                unit: "",
                metrics: [
                    { w in
                        MF.label(&w, "code", "200")
                        w.message(3) {
                            $0.double(1, 42)
                            $0.message(3) {
                                $0.int(1, 1_700_000_000)
                                $0.int(2, 500_000_000)
                            }
                        }
                        w.int(6, 1_700_000_123_456)
                    }
                ]
            )
            + MF.family("temperature", type: MF.gauge, metrics: [{ $0.message(2) { $0.double(1, -.infinity) } }])
            + MF.family("mystery", type: MF.untyped, metrics: [{ $0.message(5) { $0.double(1, .nan) } }])
            + MF.family("plain", metrics: [{ $0.message(3) { $0.double(1, 7) } }])  // no type: COUNTER
        let recorder = try recordProtobuf(body)
        #expect(
            recorder.families == [
                RecordedFamily(name: "requests_total", type: .counter, help: "Requests.", unit: nil),
                RecordedFamily(name: "temperature", type: .gauge, help: nil, unit: nil),
                RecordedFamily(name: "mystery", type: .untyped, help: nil, unit: nil),
                RecordedFamily(name: "plain", type: .counter, help: nil, unit: nil),
            ]
        )
        let samples = recorder.samples
        #expect(samples.map(\.name) == ["requests_total", "requests_created", "temperature", "mystery", "plain"])
        #expect(samples.map(\.role) == [.total, .created, .value, .value, .total])
        #expect(samples.map(\.family) == ["requests_total", "requests_total", "temperature", "mystery", "plain"])
        #expect(samples[0].seriesText == "requests_total{code=\"200\"}")
        #expect(samples[0].value == 42 && samples[0].timestamp == 1_700_000_123_456)
        #expect(samples[1].value == 1_700_000_000.5 && samples[1].seriesText == "requests_created{code=\"200\"}")
        #expect(samples[2].value == -.infinity && samples[2].timestamp == nil)
        #expect(samples[3].valueBits == Double.nan.bitPattern)
        #expect(samples.map(\.line) == [1, 1, 2, 3, 4])
    }

    @Test func summaryWithCreated() throws {
        let body = MF.family(
            "rpc_seconds",
            type: MF.summary,
            unit: "seconds",
            metrics: [
                { w in
                    MF.label(&w, "path", "a\\b\"c\nd")
                    w.message(4) { s in
                        s.uint(1, 9)
                        s.double(2, 1.5)
                        s.message(3) {
                            $0.double(1, 0.5)
                            $0.double(2, 0.1)
                        }
                        s.message(3) {
                            $0.double(1, 0.99)
                            $0.double(2, 0.7)
                        }
                        s.message(4) { $0.int(1, 100) }
                    }
                }
            ]
        )
        let recorder = try recordProtobuf(body)
        #expect(recorder.families == [RecordedFamily(name: "rpc_seconds", type: .summary, help: nil, unit: "seconds")])
        #expect(
            recorder.samples.map(\.seriesText) == [
                #"rpc_seconds{path="a\\b\"c\nd",quantile="0.5"}"#,
                #"rpc_seconds{path="a\\b\"c\nd",quantile="0.99"}"#,
                #"rpc_seconds_sum{path="a\\b\"c\nd"}"#,
                #"rpc_seconds_count{path="a\\b\"c\nd"}"#,
                #"rpc_seconds_created{path="a\\b\"c\nd"}"#,
            ]
        )
        #expect(recorder.samples.map(\.role) == [.quantile, .quantile, .sum, .count, .created])
        #expect(recorder.samples.map(\.value) == [0.1, 0.7, 1.5, 9, 100])
        #expect(recorder.samples[0].label("path") == "a\\b\"c\nd")
        #expect(recorder.samples[1].labels.map(\.name) == ["path", "quantile"])
    }

    @Test func classicHistogramAddsInfBucketAndPrefersFloatCounts() throws {
        let body = MF.family(
            "latency",
            type: MF.histogram,
            metrics: [
                { w in
                    w.message(7) { h in
                        h.uint(1, 10)
                        h.double(2, 3.25)
                        h.message(3) {
                            $0.uint(1, 4)
                            $0.double(2, 0.1)
                        }
                        h.message(3) {
                            $0.uint(1, 8)
                            $0.double(2, 1)
                        }
                        h.message(3) {
                            $0.double(4, 9.5)  // cumulative_count_float overrides the integer count
                            $0.double(2, 1e6)
                        }
                    }
                },
                { w in
                    w.message(7) { h in
                        h.double(4, 2.5)  // sample_count_float
                        h.message(3) {
                            $0.uint(1, 2)
                            $0.double(2, .infinity)
                        }
                    }
                },
                { _ in },  // a metric without its histogram: an empty one, as in Prometheus
            ]
        )
        let recorder = try recordProtobuf(body)
        #expect(
            recorder.samples.map(\.seriesText) == [
                #"latency_bucket{le="0.1"}"#, #"latency_bucket{le="1.0"}"#, #"latency_bucket{le="1e+06"}"#,
                #"latency_bucket{le="+Inf"}"#, "latency_sum", "latency_count",
                #"latency_bucket{le="+Inf"}"#, "latency_sum", "latency_count",
                #"latency_bucket{le="+Inf"}"#, "latency_sum", "latency_count",
            ]
        )
        #expect(recorder.samples.map(\.value) == [4, 8, 9.5, 10, 3.25, 10, 2, 0, 2.5, 0, 0, 0])
        #expect(recorder.samples[0].labels.map(\.name) == ["le"])
        #expect(recorder.samples.allSatisfy { $0.type == .histogram && $0.family == "latency" })
    }

    @Test func gaugeHistogram() throws {
        let body = MF.family(
            "queue",
            type: MF.gaugeHistogram,
            metrics: [
                { w in
                    w.message(7) { h in
                        h.uint(1, 3)
                        h.double(2, 12)
                        h.message(3) {
                            $0.uint(1, 3)
                            $0.double(2, 5)
                        }
                        h.message(15) { $0.int(1, 5) }  // no _created for gauge histograms
                    }
                }
            ]
        )
        let recorder = try recordProtobuf(body)
        #expect(recorder.samples.map(\.name) == ["queue_bucket", "queue_bucket", "queue_gsum", "queue_gcount"])
        #expect(recorder.samples.map(\.role) == [.bucket, .bucket, .gsum, .gcount])
        #expect(recorder.families.first?.type == .gaugeHistogram)
    }

    @Test func nativeHistogramsAreSkippedAndCounted() throws {
        let native: (inout ProtoWriter) -> Void = { w in
            MF.label(&w, "kind", "native")
            w.message(7) { h in
                h.uint(1, 5)
                h.double(2, 2)
                h.sint(5, 3)  // schema
                h.double(6, 1e-128)  // zero_threshold
                h.message(12) {
                    $0.sint(1, 0)
                    $0.uint(2, 2)
                }
                h.sint(13, 2)
                h.sint(13, 1)
            }
        }
        let noObservationsYet: (inout ProtoWriter) -> Void = { w in
            w.message(7) { h in
                h.sint(5, 0)
                h.message(12) { _ in }  // the no-op span
            }
        }
        let mixed: (inout ProtoWriter) -> Void = { w in
            MF.label(&w, "kind", "mixed")
            w.message(7) { h in
                h.uint(1, 5)
                h.double(2, 2)
                h.message(3) {
                    $0.uint(1, 5)
                    $0.double(2, 1)
                }
                h.sint(5, 3)
                h.message(12) {
                    $0.sint(1, 0)
                    $0.uint(2, 1)
                }
                h.sint(13, 5)
            }
        }
        let body = MF.family("h", type: MF.histogram, metrics: [native, mixed, noObservationsYet])
        var parser = ProtobufExpositionParser()
        var recorder = Recorder()
        try body.withUnsafeBytes { try parser.parse($0, into: &recorder) }
        try parser.finish(into: &recorder)
        #expect(parser.nativeHistogramsSkipped == 2)
        #expect(recorder.families.count == 1)
        #expect(
            recorder.samples.map(\.seriesText) == [
                #"h_bucket{kind="mixed",le="1.0"}"#, #"h_bucket{kind="mixed",le="+Inf"}"#, #"h_sum{kind="mixed"}"#,
                #"h_count{kind="mixed"}"#,
            ]
        )
        parser.reset()
        #expect(parser.nativeHistogramsSkipped == 0)
    }

    @Test func emptyFamilyAndEmptyBody() throws {
        #expect(try recordProtobuf([]).events.isEmpty)
        let recorder = try recordProtobuf(MF.family("nothing_yet", type: MF.gauge, help: "No series."))
        #expect(recorder.families == [RecordedFamily(name: "nothing_yet", type: .gauge, help: "No series.", unit: nil)])
        #expect(recorder.samples.isEmpty)
    }

    @Test func batchAndStatisticsConsumeProtobuf() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/prometheus.protobuf-delimited.bin")
        var batch = SampleBatch()
        try ProtobufExpositionParser.parse(bytes, into: &batch)
        var statistics = ExpositionStatistics()
        try ProtobufExpositionParser.parse(bytes, into: &statistics)
        #expect(batch.families.count == statistics.families)
        #expect(batch.samples.count == statistics.samples)
        #expect(statistics.families == 169)
        // Reusing the batch (the scrape loop does) gives the same result.
        batch.removeAll()
        try ProtobufExpositionParser.parse(bytes, into: &batch)
        #expect(batch.samples.count == statistics.samples)
    }
}

struct ProtobufErrorTests {
    @Test func invalidLengthPrefix() throws {
        let error = try #require(protobufError(MF.family("ok", type: MF.gauge) + [UInt8](repeating: 0xFF, count: 11)))
        #expect(error.code == .invalidLengthPrefix)
        #expect(error.byteOffset == MF.family("ok", type: MF.gauge).count)
        // A 10th byte above 1 overflows 64 bits.
        #expect(protobufError([UInt8](repeating: 0x80, count: 9) + [0x02])?.code == .invalidLengthPrefix)
    }

    @Test func messageTooLarge() throws {
        let family = MF.family("big", type: MF.gauge, help: String(repeating: "x", count: 300))
        let error = try #require(protobufError(family, maximumMessageSize: 256))
        #expect(error.code == .messageTooLarge)
        #expect(error.byteOffset == 0)
        #expect(error.message.contains("longer than the limit of 256 bytes"))
        // Found from the length prefix alone: the body need not arrive.
        var parser = ProtobufExpositionParser(maximumMessageSize: 256)
        var statistics = ExpositionStatistics()
        let prefix = Array(family.prefix(2))
        let thrown = #expect(throws: ProtobufExpositionError.self) {
            try prefix.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        }
        #expect(thrown?.code == .messageTooLarge)
        #expect(protobufError(family, maximumMessageSize: 400) == nil)
    }

    @Test func unpackMemoryIsBounded() throws {
        // 100,000 empty metrics: 200 KB on the wire, about 50 times that unpacked.
        let metrics = [(inout ProtoWriter) -> Void](repeating: { _ in }, count: 100_000)
        let error = try #require(protobufError(MF.family("x", type: MF.gauge, metrics: metrics)))
        #expect(error.code == .messageTooLarge)
        #expect(error.message.contains("bytes to unpack (24 times its size plus 1 MiB)"))
        // 5,000 fit in the budget's 1 MiB floor.
        let fewer = [(inout ProtoWriter) -> Void](repeating: { _ in }, count: 5_000)
        #expect(try recordProtobuf(MF.family("x", type: MF.gauge, metrics: fewer)).samples.count == 5_000)
    }

    @Test func corruptMessage() throws {
        let good = MF.family("first", type: MF.gauge, metrics: [{ $0.message(2) { $0.double(1, 1) } }])
        // Field 4 (metric) claims 100 bytes inside a 6-byte message.
        let corrupt: [UInt8] = [6, 0x22, 100, 1, 2, 3, 4]
        let error = try #require(protobufError(good + corrupt))
        #expect(error.code == .invalidMessage)
        #expect(error.byteOffset == good.count)
        #expect(error.description == "byte offset \(good.count): message 2 (6 bytes) is not a valid MetricFamily")
        // Wire type 7 does not exist.
        #expect(protobufError([1, 0x0F])?.code == .invalidMessage)
    }

    @Test func errorIsSticky() throws {
        var parser = ProtobufExpositionParser()
        var statistics = ExpositionStatistics()
        let bad: [UInt8] = [1, 0x0F]
        #expect(throws: ProtobufExpositionError.self) {
            try bad.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        }
        let good = MF.family("x", type: MF.gauge)
        #expect(throws: ProtobufExpositionError.self) {
            try good.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        }
        parser.reset()
        try good.withUnsafeBytes { try parser.parse($0, into: &statistics) }
        try parser.finish(into: &statistics)
        #expect(statistics.families == 1)
    }

    @Test func namesAndValues() throws {
        func error(_ body: [UInt8]) -> ProtobufExpositionError.Code? { protobufError(body)?.code }
        #expect(error(MF.family("", type: MF.gauge)) == .invalidMetricName)
        #expect(error(MF.family("1abc", type: MF.gauge)) == .invalidMetricName)
        #expect(error(MF.family("a.b", type: MF.gauge)) == .invalidMetricName)
        #expect(error(MF.family("ok:colon_name", type: MF.gauge)) == nil)
        #expect(error(MF.family("x", type: 9)) == .invalidMetricType)
        #expect(error(MF.family("x", type: MF.gauge, metrics: [{ MF.label(&$0, "a-b", "v") }])) == .invalidLabelName)
        #expect(error(MF.family("x", type: MF.gauge, metrics: [{ MF.label(&$0, "", "v") }])) == .invalidLabelName)
        #expect(
            error(MF.family("x", type: MF.gauge, metrics: [{ MF.labelBytes(&$0, "a", [0x66, 0xFF]) }])) == .invalidUTF8
        )
        #expect(
            error(
                MF.family(
                    "x",
                    type: MF.gauge,
                    metrics: [
                        { w in
                            MF.label(&w, "a", "1")
                            MF.label(&w, "a", "2")
                        }
                    ]
                )
            ) == .duplicateLabelName
        )
        #expect(
            error(MF.family("x", type: MF.histogram, metrics: [{ MF.label(&$0, "le", "1") }])) == .duplicateLabelName
        )
        #expect(
            error(MF.family("x", type: MF.summary, metrics: [{ MF.label(&$0, "quantile", "1") }]))
                == .duplicateLabelName
        )
        #expect(error(MF.family("x", type: MF.gauge, metrics: [{ MF.label(&$0, "le", "1") }])) == nil)
        let helpError = protobufError(
            ProtoWriter.delimited {
                $0.string(1, "x")
                $0.bytes(2, [0xC0, 0x80])  // overlong NUL
            }
        )
        #expect(helpError?.code == .invalidUTF8)
        #expect(helpError?.message == "HELP of \"x\" is not valid UTF-8")
    }

    @Test func limits() throws {
        let body = MF.family(
            "x",
            type: MF.histogram,
            metrics: [
                { w in
                    MF.label(&w, "name_of_9", "value_of_10")
                    MF.label(&w, "b", "c")
                }
            ]
        )
        #expect(
            protobufError(body, limits: ExpositionLimits(maximumLabelNameLength: 9, maximumLabelValueLength: 11)) == nil
        )
        #expect(protobufError(body, limits: ExpositionLimits(maximumLabelNameLength: 8))?.code == .labelNameTooLong)
        let valueError = try #require(protobufError(body, limits: ExpositionLimits(maximumLabelValueLength: 10)))
        #expect(valueError.code == .labelValueTooLong)
        #expect(
            valueError.message
                == "value of label \"name_of_9\" on a metric of \"x\" is longer than 10 bytes"
        )
        // `le` counts towards the labels per sample.
        #expect(protobufError(body, limits: ExpositionLimits(maximumLabelsPerSample: 3)) == nil)
        #expect(protobufError(body, limits: ExpositionLimits(maximumLabelsPerSample: 2))?.code == .tooManyLabels)
    }
}

struct OpenMetricsFloatFormatTests {
    /// Outputs of Prometheus's `formatOpenMetricsFloat` (Go `strconv.FormatFloat(f, 'g', -1, 64)` plus `.0`).
    @Test(
        arguments: [
            (0.0, "0.0"), (-0.0, "0.0"), (1, "1.0"), (-1, "-1.0"), (0.005, "0.005"), (0.25, "0.25"), (2.5, "2.5"),
            (10, "10.0"), (100, "100.0"), (123_456, "123456.0"), (999_999, "999999.0"), (1e6, "1e+06"),
            (1_234_567, "1.234567e+06"), (2.5e7, "2.5e+07"), (1e21, "1e+21"), (1e100, "1e+100"), (0.0001, "0.0001"),
            (0.00012, "0.00012"), (0.00001, "1e-05"), (2.5e-5, "2.5e-05"), (1e-7, "1e-07"),
            (0.1 + 0.2, "0.30000000000000004"),
            (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-3.5e-10, "-3.5e-10"),
            (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (0.99, "0.99"), (0.999, "0.999"),
            (9_007_199_254_740_992, "9.007199254740992e+15"),
        ] as [(Double, String)]
    )
    func goFormatting(_ value: Double, _ expected: String) {
        #expect(OpenMetricsFloatFormat.string(value) == expected)
    }

    @Test func roundTrips() {
        var generator = SeededRandom(seed: 42)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            let text = OpenMetricsFloatFormat.string(value)
            #expect(Double(text)?.bitPattern == (value == 0 ? 0 : value.bitPattern), "\(value) → \(text)")
        }
    }
}

/// Content-Type → format → parser, as the scraper dispatches.
struct DispatchTests {
    @Test(arguments: [
        (
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
            ExpositionFormat.protobuf
        ),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", .protobuf),
        ("Application/Vnd.Google.Protobuf; Proto=\"io.prometheus.client.MetricFamily\"; ENCODING=delimited", .protobuf),
        ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text", .text),
        ("application/vnd.google.protobuf; proto=io.prometheus.client.Other; encoding=delimited", .text),
        ("application/vnd.google.protobuf", .text),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("text/plain; version=0.0.4; charset=utf-8", .text),
        ("text/plain; version=1.0.0; escaping=underscores", .text),
        ("", .text),
        ("garbage", .text),
    ])
    func contentType(_ contentType: String, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: contentType) == expected)
        #expect(AnyExpositionParser(format: ExpositionFormat(contentType: contentType)).format == expected)
    }

    @Test func protobufBodyThroughTheDispatcher() throws {
        let bytes = try TestPaths.corpusFile("exposition/live/pushgateway.protobuf-delimited.bin")
        let format = ExpositionFormat(
            contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        )
        var viaDispatcher = Recorder()
        var parser = AnyExpositionParser(format: format)
        // Fed in two chunks, like a streamed body.
        try bytes.withUnsafeBytes { raw in
            try parser.parse(UnsafeRawBufferPointer(rebasing: raw[..<1000]), into: &viaDispatcher)
            try parser.parse(UnsafeRawBufferPointer(rebasing: raw[1000...]), into: &viaDispatcher)
        }
        try parser.finish(into: &viaDispatcher)
        #expect(viaDispatcher.events == (try recordProtobuf(bytes)).events)
        #expect(parser.nativeHistogramsSkipped == 0)
    }

    @Test func textBodyThroughTheDispatcher() throws {
        let text = "# TYPE a counter\na_total{b=\"c\"} 1\n# EOF\n"
        var viaDispatcher = Recorder()
        try AnyExpositionParser.parse(Array(text.utf8), format: .openMetrics, into: &viaDispatcher)
        #expect(viaDispatcher.events == (try record(text, .openMetrics)).events)
        #expect(viaDispatcher.samples.count == 1)
    }

    @Test func errorsKeepTheirPositions() throws {
        var statistics = ExpositionStatistics()
        let textError = #expect(throws: ExpositionParseError.self) {
            try AnyExpositionParser.parse(Array("a{b=\"c} 1\n".utf8), format: .text, into: &statistics)
        }
        #expect(textError?.description.hasPrefix("line 1, column ") == true)
        let protobufError = #expect(throws: ExpositionParseError.self) {
            try AnyExpositionParser.parse([5, 1, 2], format: .protobuf, into: &statistics)
        }
        #expect(
            protobufError?.description == "byte offset 0: the input ends inside a message: 2 of its 5 bytes arrived"
        )
        #expect(protobufError?.shortDescription == "truncated_message")
        let limitError = #expect(throws: ExpositionParseError.self) {
            try AnyExpositionParser.parse(
                Array("a{bb=\"c\"} 1\n".utf8),
                format: .text,
                limits: ExpositionLimits(maximumLabelNameLength: 1),
                into: &statistics
            )
        }
        #expect(limitError?.exceededLimit == .labelNameLength)
    }

    @Test func protobufWithTheTextParserIsNotProtobuf() throws {
        // ExpositionParser only knows the text formats; protobuf goes through AnyExpositionParser.
        let bytes = MF.family("x", type: MF.gauge)
        var statistics = ExpositionStatistics()
        #expect(throws: ExpositionParseError.self) {
            try AnyExpositionParser.parse(bytes, format: .text, into: &statistics)
        }
        try AnyExpositionParser.parse(bytes, format: .protobuf, into: &statistics)
        #expect(statistics.families == 1)
    }
}
