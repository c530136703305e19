import Testing

@testable import PromExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Inputs found by the libFuzzer harness (`Fuzz/`, `make fuzz`): each must parse, or fail with the expected
/// error, in every mode, and give the same result whatever chunks it arrives in. Each chunk ends right before
/// an inaccessible page, so a read past its end crashes the test (the fuzzer's ASan build reports it instead).
///
/// Add every crash or `invariant failed` input the fuzzer saves to `Fuzz/artifacts/` here, minimised
/// (`ExpositionFuzzer -minimize_crash=1 -runs=100000 crash-…`). The rest are small corpus inputs that reach
/// distinct error paths (one per combination of outcomes).
struct FuzzRegressionTests {
    struct Input: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// The error code (``ExpositionError/shortDescription``) in text 0.0.4, or `nil` when it parses.
        var text: String?
        /// The same for OpenMetrics, standard validation.
        var openMetrics: String?
        /// The same for OpenMetrics, strict validation.
        var openMetricsStrict: String?

        var testDescription: String { name }
    }

    static let modes: [(ExpositionFormat, ExpositionValidation)] = [
        (.text, .standard), (.text, .strict), (.openMetrics, .standard), (.openMetrics, .strict),
    ]

    static func expected(_ input: Input, _ format: ExpositionFormat, _ validation: ExpositionValidation) -> String? {
        format == .text ? input.text : validation == .standard ? input.openMetrics : input.openMetricsStrict
    }

    /// What a parse delivered, and how it ended.
    struct Outcome: Equatable, CustomStringConvertible {
        var events: [RecordedEvent]
        var error: String?

        var description: String { "\(events.count) events, " + (error ?? "no error") }
    }

    /// Runs `body` on a copy of `bytes` that ends right before a `PROT_NONE` page: reading past the end faults.
    static func withGuardedCopy<R>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let page = Int(getpagesize())
        let dataPages = max(1, (bytes.count + page - 1) / page)
        let total = (dataPages + 1) * page
        guard let base = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != UnsafeMutableRawPointer(bitPattern: -1)
        else { fatalError("mmap failed") }
        defer { munmap(base, total) }
        let guardPage = base + dataPages * page
        precondition(mprotect(guardPage, page, PROT_NONE) == 0, "mprotect failed")
        let start = guardPage - bytes.count
        bytes.withUnsafeBytes { if let source = $0.baseAddress { start.copyMemory(from: source, byteCount: $0.count) } }
        return body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }

    /// Parses `bytes` cut at `splits`, each chunk in its own guarded copy (``withGuardedCopy(_:_:)``), keeping
    /// what was delivered before an error.
    static func outcome(
        _ bytes: [UInt8],
        splits: [Int],
        _ format: ExpositionFormat,
        _ validation: ExpositionValidation
    ) -> Outcome {
        var recorder = Recorder()
        var parser = ExpositionParser(format: format, validation: validation)
        var start = 0
        do throws(ExpositionError) {
            for end in splits + [bytes.count] {
                var failure: ExpositionError?
                withGuardedCopy(bytes[start..<end]) { raw in
                    do throws(ExpositionError) { try parser.parse(raw, into: &recorder) } catch { failure = error }
                }
                if let failure { throw failure }
                start = end
            }
            try parser.finish(into: &recorder)
            return Outcome(events: recorder.events, error: nil)
        } catch {
            return Outcome(events: recorder.events, error: "[\(error.code)] \(error)")
        }
    }

    @Test(arguments: inputs)
    func expectedOutcome(_ input: Input) {
        for (format, validation) in Self.modes {
            var statistics = ExpositionStatistics()
            var code: String?
            Self.withGuardedCopy(input.bytes[...]) { raw in
                do throws(ExpositionError) {
                    try ExpositionParser.parse(raw, format: format, validation: validation, into: &statistics)
                } catch {
                    code = error.shortDescription
                }
            }
            #expect(code == Self.expected(input, format, validation), "\(format) \(validation)")
        }
    }

    @Test(arguments: inputs)
    func everySplitMatchesOneChunk(_ input: Input) {
        for (format, validation) in Self.modes {
            let whole = Self.outcome(input.bytes, splits: [], format, validation)
            for split in 0...input.bytes.count {
                let parts = Self.outcome(input.bytes, splits: [split], format, validation)
                #expect(parts == whole, "\(format) \(validation) split at \(split)")
            }
            let bytewise = Self.outcome(input.bytes, splits: Array(0..<input.bytes.count), format, validation)
            #expect(bytewise == whole, "\(format) \(validation) one byte at a time")
        }
    }

    @Test(arguments: inputs)
    func sampleBatchRangesInBounds(_ input: Input) {
        for (format, validation) in Self.modes {
            var batch = SampleBatch()
            var parser = ExpositionParser(format: format, validation: validation)
            let split = input.bytes.count / 2
            for range in [0..<split, split..<input.bytes.count] {
                var failed = false
                Self.withGuardedCopy(input.bytes[range]) { raw in
                    do throws(ExpositionError) { try parser.parse(raw, into: &batch) } catch { failed = true }
                }
                if failed { break }
            }
            _ = try? parser.finish(into: &batch)
            let arena = batch.bytes.count
            func inBounds(_ r: ByteRange) -> Bool {
                r.start >= 0 && r.count >= 0 && Int(r.start) + Int(r.count) <= arena
            }
            for family in batch.families {
                #expect(
                    inBounds(family.name) && (family.help.map(inBounds) ?? true) && (family.unit.map(inBounds) ?? true)
                )
            }
            for sample in batch.samples {
                #expect(inBounds(sample.name) && inBounds(sample.seriesText))
                #expect(sample.name.start == sample.seriesText.start && sample.name.count <= sample.seriesText.count)
                #expect(sample.family >= 0 && Int(sample.family) < batch.families.count)
                #expect(Int(sample.labelStart) + Int(sample.labelCount) <= batch.labels.count)
                for label in batch.labels(of: sample) { #expect(inBounds(label.name) && inBounds(label.value)) }
            }
        }
    }
}

extension FuzzRegressionTests {
    static let inputs: [Input] = [
        // Crash: heap-buffer-overflow (read of up to 4 bytes past the chunk) in the label-template fast path,
        // ExpositionParser.fastSample. The room for template comparisons was checked once, at the first label,
        // but `p` also moves past label values; here the second line's `e="` entry is compared two bytes before
        // the end of the input. Fixed by checking `limit - p > length` at every comparison.
        Input(
            name: "crash: label template compared past the end of the chunk",
            bytes: [
                0x74, 0x7b, 0x68, 0x61, 0x6e, 0x64, 0x6c, 0x65, 0x72, 0x3d, 0x22, 0x22, 0x2c, 0x65, 0x3d, 0x22,
                0x22, 0x7d, 0x20, 0x35, 0x0a, 0x72, 0x7b, 0x68, 0x61, 0x6e, 0x64, 0x6c, 0x65, 0x72, 0x3d, 0x22,
                0x2f, 0x61, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x73, 0x22, 0x2c, 0x0a, 0x70,
            ],
            text: "invalid_label_syntax",
            openMetrics: "invalid_label_syntax",
            openMetricsStrict: "invalid_label_syntax"
        ),
        // Inputs the harness stopped on while its invariants were being made sound (not parser bugs).
        Input(
            name: "strict histogram error reported at an earlier line than the one being parsed",
            bytes: Array(
                "# TYPE a histogram\na_sum{a=\"1\"} 0\na_bucket{a=\"%\",le=\"+Inf\"} 0\na_count{a=\"2\"} 0\na_sum{a=\"2\"} 0\na_bucket{a=\"1\",le=\"+Inf\"} 0\na_count{a=\"1\"} 0\n# EOF\n"
                    .utf8
            ),
            text: nil,
            openMetrics: nil,
            openMetricsStrict: "invalid_histogram"
        ),
        Input(
            name: "SampleBatch shares label bytes with the series text; error after a sample",
            bytes: Array("# TYPE a stateset\na{a=\"bar\"} 2\n# EqF\n".utf8),
            text: "invalid_metric_type",
            openMetrics: "invalid_comment",
            openMetricsStrict: "invalid_sample_value"
        ),
        // Valid and nearly valid expositions: escapes, exemplars, timestamps.
        Input(
            name: "escapes in HELP and label values, # inside values",
            bytes: Array(
                "# TYPE a counter\n# HELP a he\\n\\\\l\\tp\na_totlal{foo=\"b\\\"a\\nr\"} 1\na_total{foo=\"b\\\\a\\z\"} 2\na_total{foo=\"b\\\"a\\nr # \"} 3\na_total{foo=\"b\\\\a\\z # \"} 4\n# EOF\n"
                    .utf8
            ),
            text: nil,
            openMetrics: nil,
            openMetricsStrict: "family_clash"
        ),
        Input(
            name: "gauge histogram with timestamps and exemplars",
            bytes: Array(
                "# TYPE a gaugehistogram\n# HELP a help\na_bucket{le=\"1.0\"} 0 123 # {_=\"b\"} 0.5\na_bucket{le=\"2.0\"} 2 123 # {a=\"c\"} 0.5\na_bucket{le=\"+Inf\"} 3 123 # {a=\"d\"} 4 123\n# EOF\n"
                    .utf8
            ),
            text: "invalid_metric_type",
            openMetrics: nil,
            openMetricsStrict: nil
        ),
        Input(
            name: "info family, escaped newline, timestamps",
            bytes: Array(
                "# TYPE a info\n# HELP a help\na_info{a=\"1\",foo=\"b\\nar\"} 1 2\na_info{a=\"2\",foo=\"bar\"} 1 0\n# EOF\n"
                    .utf8
            ),
            text: "invalid_metric_type",
            openMetrics: nil,
            openMetricsStrict: nil
        ),
        Input(
            name: "exemplar with UTF-8 label value near the 128 code point limit",
            bytes: Array(
                "# TYPE a histogram\na_bucket{le=\"+Inf\"} 1 # {a=\"\u{2603}34567890123456789012345678456789012345778\"} 1 1\n# EOF\n"
                    .utf8
            ),
            text: "invalid_timestamp",
            openMetrics: nil,
            openMetricsStrict: nil
        ),
        Input(
            name: "HELP escapes then NUL, no newline at the end",
            bytes: [
                0x23, 0x20, 0x48, 0x45, 0x4c, 0x50, 0x20, 0x61, 0x20, 0x5c, 0x6e, 0x5c, 0x5c, 0x6c, 0x5c, 0x22,
                0x62, 0x5c, 0x22, 0x00,
            ],
            text: nil,
            openMetrics: "missing_eof",
            openMetricsStrict: "missing_eof"
        ),
        Input(
            name: "le value with an unknown escape",
            bytes: Array("# TYPE a histogram\na_bucket{le=\"+I\\t\"} -0\n# EOF\n".utf8),
            text: nil,
            openMetrics: nil,
            openMetricsStrict: "invalid_type_label"
        ),
        // The smallest corpus inputs covering every (mode, error code) pair the fuzzer reached.
        Input(
            name: "text ok, OpenMetrics invalid_metric_name, strict invalid_metric_name",
            bytes: Array("\t".utf8),
            text: nil,
            openMetrics: "invalid_metric_name",
            openMetricsStrict: "invalid_metric_name"
        ),
        Input(
            name: "text missing_value, OpenMetrics missing_value, strict missing_value",
            bytes: Array("a ".utf8),
            text: "missing_value",
            openMetrics: "missing_value",
            openMetricsStrict: "missing_value"
        ),
        Input(
            name: "text invalid_metric_name, OpenMetrics blank_line, strict blank_line",
            bytes: Array("\n2".utf8),
            text: "invalid_metric_name",
            openMetrics: "blank_line",
            openMetricsStrict: "blank_line"
        ),
        Input(
            name: "text invalid_value, OpenMetrics invalid_value, strict invalid_value",
            bytes: Array("a +".utf8),
            text: "invalid_value",
            openMetrics: "invalid_value",
            openMetricsStrict: "invalid_value"
        ),
        Input(
            name: "text invalid_label_name, OpenMetrics invalid_label_name, strict invalid_label_name",
            bytes: [0x79, 0x7b, 0xf5],
            text: "invalid_label_name",
            openMetrics: "invalid_label_name",
            openMetricsStrict: "invalid_label_name"
        ),
        Input(
            name: "text invalid_label_syntax, OpenMetrics invalid_label_syntax, strict invalid_label_syntax",
            bytes: Array("a{a".utf8),
            text: "invalid_label_syntax",
            openMetrics: "invalid_label_syntax",
            openMetricsStrict: "invalid_label_syntax"
        ),
        Input(
            name: "text invalid_timestamp, OpenMetrics invalid_timestamp, strict invalid_timestamp",
            bytes: Array("a 2 +".utf8),
            text: "invalid_timestamp",
            openMetrics: "invalid_timestamp",
            openMetricsStrict: "invalid_timestamp"
        ),
        Input(
            name:
                "text unterminated_label_value, OpenMetrics unterminated_label_value, strict unterminated_label_value",
            bytes: Array("a{a=\"\n".utf8),
            text: "unterminated_label_value",
            openMetrics: "unterminated_label_value",
            openMetricsStrict: "unterminated_label_value"
        ),
        Input(
            name: "text invalid_metadata, OpenMetrics invalid_metadata, strict invalid_metadata",
            bytes: Array("# HELP \n".utf8),
            text: "invalid_metadata",
            openMetrics: "invalid_metadata",
            openMetricsStrict: "invalid_metadata"
        ),
        Input(
            name: "text invalid_utf8, OpenMetrics invalid_utf8, strict invalid_utf8",
            bytes: [0x61, 0x7b, 0x61, 0x3d, 0x22, 0x98, 0x22, 0x38, 0x62],
            text: "invalid_utf8",
            openMetrics: "invalid_utf8",
            openMetricsStrict: "invalid_utf8"
        ),
        Input(
            name: "text invalid_metric_type, OpenMetrics invalid_metric_type, strict invalid_metric_type",
            bytes: Array("# TYPE a ce\n".utf8),
            text: "invalid_metric_type",
            openMetrics: "invalid_metric_type",
            openMetricsStrict: "invalid_metric_type"
        ),
        Input(
            name: "text unexpected_token, OpenMetrics invalid_comment, strict invalid_comment",
            bytes: [0x23, 0x45, 0x30, 0x0a, 0x61, 0x20, 0x30, 0x20, 0x30, 0x20, 0x23, 0x45, 0x0a, 0x4f, 0x46, 0x02],
            text: "unexpected_token",
            openMetrics: "invalid_comment",
            openMetricsStrict: "invalid_comment"
        ),
        Input(
            name: "text duplicate_label_name, OpenMetrics duplicate_label_name, strict duplicate_label_name",
            bytes: Array("a{a=\" # \",a=\" # \"}".utf8),
            text: "duplicate_label_name",
            openMetrics: "duplicate_label_name",
            openMetricsStrict: "duplicate_label_name"
        ),
        Input(
            name: "text ok, OpenMetrics missing_eof, strict missing_eof",
            bytes: Array("a 2".utf8),
            text: nil,
            openMetrics: "missing_eof",
            openMetricsStrict: "missing_eof"
        ),
        Input(
            name: "text ok, OpenMetrics invalid_whitespace, strict invalid_whitespace",
            bytes: Array("a 1 ".utf8),
            text: nil,
            openMetrics: "invalid_whitespace",
            openMetricsStrict: "invalid_whitespace"
        ),
        Input(
            name: "text missing_value, OpenMetrics content_after_eof, strict content_after_eof",
            bytes: Array("# EOF\no".utf8),
            text: "missing_value",
            openMetrics: "content_after_eof",
            openMetricsStrict: "content_after_eof"
        ),
        Input(
            name: "text invalid_timestamp, OpenMetrics invalid_exemplar, strict invalid_exemplar",
            bytes: Array("a 4.0e20 #".utf8),
            text: "invalid_timestamp",
            openMetrics: "invalid_exemplar",
            openMetricsStrict: "invalid_exemplar"
        ),
        Input(
            name: "text unexpected_token, OpenMetrics unexpected_token, strict unexpected_token",
            bytes: Array("tao 1 1       # ".utf8),
            text: "unexpected_token",
            openMetrics: "unexpected_token",
            openMetricsStrict: "unexpected_token"
        ),
        Input(
            name: "text ok, OpenMetrics ok, strict invalid_unit",
            bytes: Array("# UNIT a eds\n# EOF".utf8),
            text: nil,
            openMetrics: nil,
            openMetricsStrict: "invalid_unit"
        ),
        Input(
            name: "text ok, OpenMetrics duplicate_metadata, strict duplicate_metadata",
            bytes: [
                0x23, 0x20, 0x48, 0x45, 0x4c, 0x50, 0x20, 0x61, 0x20, 0x23, 0x20, 0x45, 0x01, 0x46, 0x0a, 0x23,
                0x20, 0x48, 0x45, 0x4c, 0x50, 0x20, 0x61, 0x20, 0xef, 0xbb, 0xbf, 0x46, 0x0a,
            ],
            text: nil,
            openMetrics: "duplicate_metadata",
            openMetricsStrict: "duplicate_metadata"
        ),
        Input(
            name: "text ok, OpenMetrics metadata_after_samples, strict metadata_after_samples",
            bytes: Array("# HELP a x\na 1\n# TYPE a gauge\n#ds".utf8),
            text: nil,
            openMetrics: "metadata_after_samples",
            openMetricsStrict: "metadata_after_samples"
        ),
        Input(
            name: "text invalid_metric_type, OpenMetrics missing_eof, strict family_clash",
            bytes: Array("# TYPE a info\na 2.".utf8),
            text: "invalid_metric_type",
            openMetrics: "missing_eof",
            openMetricsStrict: "family_clash"
        ),
        Input(
            name: "text invalid_metric_type, OpenMetrics missing_eof, strict invalid_sample_value",
            bytes: Array("# TYPE a info\na_info 2\n".utf8),
            text: "invalid_metric_type",
            openMetrics: "missing_eof",
            openMetricsStrict: "invalid_sample_value"
        ),
        Input(
            name: "text invalid_timestamp, OpenMetrics invalid_metric_name, strict exemplar_not_allowed",
            bytes: Array("red 1 # {a=\"b\"} 0.5\n+0x;".utf8),
            text: "invalid_timestamp",
            openMetrics: "invalid_metric_name",
            openMetricsStrict: "exemplar_not_allowed"
        ),
        Input(
            name: "text ok, OpenMetrics missing_eof, strict invalid_ordering",
            bytes: Array("# TYPE a gauge\na 0 0\na 13111".utf8),
            text: nil,
            openMetrics: "missing_eof",
            openMetricsStrict: "invalid_ordering"
        ),
        Input(
            name: "text invalid_metric_type, OpenMetrics invalid_comment, strict invalid_type_label",
            bytes: Array("# TYPE a stateset\na 2.0\n# ENF\n".utf8),
            text: "invalid_metric_type",
            openMetrics: "invalid_comment",
            openMetricsStrict: "invalid_type_label"
        ),
        Input(
            name: "text invalid_metric_type, OpenMetrics ok, strict ok",
            bytes: Array("# TYPE _u info\n# UNIT x_u u\n# EOF\n".utf8),
            text: "invalid_metric_type",
            openMetrics: nil,
            openMetricsStrict: nil
        ),
        Input(
            name: "text ok, OpenMetrics ok, strict invalid_histogram",
            bytes: Array("# TYPE a histogram\na_bucket{le=\"-1\"} 0\na 0\n# EOF\n".utf8),
            text: nil,
            openMetrics: nil,
            openMetricsStrict: "invalid_histogram"
        ),
    ]
}
