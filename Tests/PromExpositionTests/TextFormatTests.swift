import Testing

@testable import PromExposition

/// Prometheus text format 0.0.4.
struct TextFormatTests {
    @Test func labelEscapes() throws {
        let samples = try record(#"a{b="x\\y",c="say \"hi\"",d="l1\nl2",e="tab\t",f="end\\"} 1"# + "\n").samples
        #expect(samples.count == 1)
        let s = samples[0]
        #expect(s.label("b") == #"x\y"#)
        #expect(s.label("c") == #"say "hi""#)
        #expect(s.label("d") == "l1\nl2")
        // Unknown escapes stay verbatim, as in Prometheus's lvalReplacer (§1.7).
        #expect(s.label("e") == #"tab\t"#)
        #expect(s.label("f") == #"end\"#)
        // The series text is the input as written.
        #expect(s.seriesText == #"a{b="x\\y",c="say \"hi\"",d="l1\nl2",e="tab\t",f="end\\"}"#)
    }

    @Test func labelValuesMayContainBracesCommasHashesAndNUL() throws {
        let s = try record("a{b=\"}{,# x\",c=\"nul\u{0}byte\",d=\"ünï€😀\"} 2\n").samples[0]
        #expect(s.label("b") == "}{,# x")
        #expect(s.label("c") == "nul\u{0}byte")
        #expect(s.label("d") == "ünï€😀")
        #expect(s.labels.count == 3)
    }

    @Test func specialValuesKeepTheirBits() throws {
        let text = """
            a 0
            a -0
            a NaN
            a nan
            a +Inf
            a -Inf
            a Inf
            a -inf
            a +Infinity
            a 1e308
            a 4.9e-324
            a 0.1
            a 1.5e-3
            a 00012.50

            """
        let values = try record(text).samples.map(\.valueBits)
        let expected: [Double] = [
            0, -0.0, .nan, .nan, .infinity, -.infinity, .infinity, -.infinity, .infinity, 1e308, .leastNonzeroMagnitude,
            0.1,
            0.0015, 12.5,
        ]
        #expect(values == expected.map(\.bitPattern))
    }

    @Test(arguments: [
        "a 1_000", "a 0x1p-3", "a 0x10", "a 0b1", "a 0o1", "a 1e", "a .", "a +nan", "a infinit", "a 1..2", "a 1e400",
        "a --1", "a ∞",
    ])
    func rejectedValues(_ line: String) throws {
        let error = try #require(parseError(line + "\n"))
        #expect(error.code == .invalidValue)
        #expect(error.line == 1 && error.column == 3)
    }

    @Test func timestamps() throws {
        let samples = try record("a 1 1700000000000\nb 2\nc 3 0\nd 4 -3982045\ne 5 +12\n").samples
        #expect(samples.map(\.timestamp) == [1_700_000_000_000, nil, 0, -3_982_045, 12])
    }

    @Test(arguments: ["a 1 2.72", "a 1 1e3", "a 1 NaN", "a 1 9223372036854775808", "a 1 12a"])
    func nonIntegerTimestampsAreRejected(_ line: String) throws {
        let error = try #require(parseError(line + "\n"))
        #expect(error.code == .invalidTimestamp)
        #expect(error.column == 5)
    }

    @Test func spuriousTokenAfterTimestamp() throws {
        let error = try #require(parseError("a 1 2 3\n"))
        #expect(error.code == .unexpectedToken)
        #expect(error.description == "line 1, column 7: unexpected text after timestamp")
    }

    @Test func helpAndTypeMetadata() throws {
        let text = #"""
            # HELP http_requests_total Requests \\ with "quotes" and\nnewline \t kept.
            # TYPE http_requests_total counter
            http_requests_total{code="200"} 10
            # TYPE temp gauge
            # HELP temp
            temp 21.5

            """#
        let r = try record(text)
        #expect(
            r.families == [
                RecordedFamily(
                    name: "http_requests_total",
                    type: .counter,
                    help: "Requests \\ with \"quotes\" and\nnewline \\t kept.",
                    unit: nil
                ),
                RecordedFamily(name: "temp", type: .gauge, help: nil, unit: nil),
            ]
        )
        #expect(r.samples.map(\.role) == [.total, .value])
    }

    @Test func familiesAndRolesForEveryType() throws {
        let text = """
            # TYPE c counter
            c 1
            # TYPE g gauge
            g 2
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 4
            s_count 5
            # TYPE u untyped
            u 6
            plain 7

            """
        let r = try record(text)
        #expect(r.families.map(\.name) == ["c", "g", "h", "s", "u", "plain"])
        #expect(r.families.map(\.type) == [.counter, .gauge, .histogram, .summary, .untyped, .untyped])
        let rows = r.samples.map { "\($0.name) \($0.family) \($0.type.exposedName) \($0.role)" }
        #expect(
            rows == [
                "c c counter total",
                "g g gauge value",
                "h_bucket h histogram bucket",
                "h_bucket h histogram bucket",
                "h_sum h histogram sum",
                "h_count h histogram count",
                "s s summary quantile",
                "s_sum s summary sum",
                "s_count s summary count",
                "u u untyped value",
                "plain plain untyped value",
            ]
        )
    }

    @Test func typeAppliesToTheExactNameOnly() throws {
        // §1.5: `# TYPE x counter` then `x_total 1` does not attach: x is announced without samples and x_total
        // becomes an untyped family, as the pushgateway exposes it.
        let r = try record("# TYPE x counter\nx_total 1\nx_created 2\n")
        #expect(
            r.events == [
                .family(RecordedFamily(name: "x", type: .counter, help: nil, unit: nil)),
                .family(RecordedFamily(name: "x_total", type: .untyped, help: nil, unit: nil)),
                .sample(
                    RecordedSample(
                        name: "x_total",
                        family: "x_total",
                        type: .untyped,
                        role: .value,
                        labels: [],
                        valueBits: Double(1).bitPattern,
                        timestamp: nil,
                        seriesText: "x_total",
                        line: 2
                    )
                ),
                .family(RecordedFamily(name: "x_created", type: .untyped, help: nil, unit: nil)),
                .sample(
                    RecordedSample(
                        name: "x_created",
                        family: "x_created",
                        type: .untyped,
                        role: .value,
                        labels: [],
                        valueBits: Double(2).bitPattern,
                        timestamp: nil,
                        seriesText: "x_created",
                        line: 3
                    )
                ),
            ]
        )
    }

    @Test func trailingFamilyWithoutSamplesIsAnnouncedAtFinish() throws {
        let r = try record("a 1\n# HELP b Only help.\n# TYPE b gauge\n")
        #expect(
            r.families == [
                RecordedFamily(name: "a", type: .untyped, help: nil, unit: nil),
                RecordedFamily(name: "b", type: .gauge, help: "Only help.", unit: nil),
            ]
        )
    }

    @Test func eofIsAPlainComment() throws {
        let r = try record("a 1\n# EOF\nb 2\n")
        #expect(r.samples.map(\.name) == ["a", "b"])
    }

    @Test func metadataTypesAreCaseInsensitive() throws {
        #expect(try record("# TYPE a COUNTER\na 1\n").samples[0].type == .counter)
    }

    @Test func freeCommentsAndOddHashLines() throws {
        let r = try record("#HELP x not metadata (no blank after #)\n# HELPER not metadata\n#\n# \na 1\n")
        #expect(r.families == [RecordedFamily(name: "a", type: .untyped, help: nil, unit: nil)])
    }

    // MARK: §1.7 divergences, one test each

    @Test func divergenceUnknownEscapeIsKeptVerbatim() throws {
        // expfmt rejects `\t`; Prometheus keeps it literally (and so do we).
        #expect(try record(#"a{b="\t"} 1"# + "\n").samples[0].label("b") == #"\t"#)
    }

    @Test func divergenceNegativeTimestampIsAccepted() throws {
        // Prometheus's lexer rejects `-`; expfmt accepts it and the format documentation's own example uses one
        // (`+Inf -3982045`). We follow expfmt: a pre-1970 timestamp is well-defined, and rejecting the documented
        // example would fail whole scrapes for no safety gain.
        #expect(try record("a 1 -5\n").samples[0].timestamp == -5)
    }

    @Test func divergenceNoFinalNewlineIsAccepted() throws {
        // expfmt requires it; Prometheus's scrape parser does not.
        let r = try record("a 1\nb{c=\"d\"} 2 3")
        #expect(r.samples.map(\.name) == ["a", "b"])
        #expect(r.samples[1].timestamp == 3)
    }

    @Test func divergenceTrailingCommaIsAccepted() throws {
        #expect(try record(#"a{b="c",} 1"# + "\n").samples[0].labels == [.init(name: "b", value: "c")])
    }

    @Test func divergenceBlankLinesAreIgnored() throws {
        #expect(try record("\na 1\n\n   \n\t\nb 2\n\n").samples.map(\.line) == [2, 6])
    }

    @Test func divergenceBlanksAndTabsBetweenTokens() throws {
        let s = try record("  a \t{ b = \"c\" ,\td=\"e\" }\t 1 \t 2  \n").samples[0]
        #expect(s.name == "a")
        #expect(s.labels == [.init(name: "b", value: "c"), .init(name: "d", value: "e")])
        #expect(s.value == 1 && s.timestamp == 2)
        #expect(s.seriesText == "a \t{ b = \"c\" ,\td=\"e\" }")
    }

    @Test func divergenceFreeCommentsAreIgnored() throws {
        #expect(try record("# random comment\na 1\n  # indented comment\n").samples.count == 1)
    }

    // MARK: Errors

    @Test(arguments: [
        ("a{b=\"c\"\n", 1, 8, ExpositionError.Code.invalidLabelSyntax),
        ("ok 1\na{b=\"c} 1\n", 2, 5, .unterminatedLabelValue),
        ("ok 1\n\nmet-ric 1\n", 3, 4, .invalidMetricName),
        ("{a=\"b\"} 1\n", 1, 1, .invalidMetricName),
        ("@a 1\n", 1, 1, .invalidMetricName),
        ("a{1b=\"c\"} 1\n", 1, 3, .invalidLabelName),
        ("a{b+=\"c\"} 1\n", 1, 4, .invalidLabelName),
        ("a{b=c} 1\n", 1, 5, .invalidLabelSyntax),
        ("a{b='c'} 1\n", 1, 5, .invalidLabelSyntax),
        ("a{b=\"c\" d=\"e\"} 1\n", 1, 9, .invalidLabelSyntax),
        ("a{b=\"c\",b=\"d\"} 1\n", 1, 9, .duplicateLabelName),
        ("a\n", 1, 2, .missingValue),
        ("a{} \n", 1, 5, .missingValue),
        ("a true\n", 1, 3, .invalidValue),
        ("# TYPE a meter\n", 1, 10, .invalidMetricType),
        ("# TYPE a\n", 1, 9, .invalidMetadata),
        ("# TYPE a counter extra\n", 1, 18, .unexpectedToken),
        ("# HELP met-ric x\n", 1, 11, .invalidMetricName),
        ("# HELP\n", 1, 7, .invalidMetadata),
    ])
    func errorsHaveLineAndColumn(_ input: String, line: Int, column: Int, code: ExpositionError.Code) throws {
        let error = try #require(parseError(input))
        #expect(error.code == code, "\(error)")
        #expect(error.line == line, "\(error)")
        #expect(error.column == column, "\(error)")
    }

    @Test func invalidUTF8InLabelValue() throws {
        var bytes = Array("a{b=\"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"} 1\n".utf8)
        let error = try #require(parseError(bytes, .text))
        #expect(error.code == .invalidUTF8)
        #expect(error.column == 6)
        // Also after unescaping (the slow path), and overlong or surrogate forms.
        for bad: [UInt8] in [[0x5C, 0x6E, 0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let input = Array("a{b=\"".utf8) + bad + Array("\"} 1\n".utf8)
            #expect(parseError(input, .text)?.code == .invalidUTF8)
        }
    }

    @Test func errorDescriptionAndShortDescription() throws {
        let error = try #require(parseError("a 1\nb{c=\"d\",c=\"e\"} 2\n"))
        #expect(error.description == #"line 2, column 9: duplicate label name "c""#)
        #expect(error.shortDescription == "duplicate_label_name")
        #expect(error.message == #"duplicate label name "c""#)
    }

    @Test func parserKeepsThrowingAfterAnErrorUntilReset() throws {
        var parser = ExpositionParser(format: .text)
        var recorder = Recorder()
        let bad = Array("a{\n".utf8)
        let good = Array("b 1\n".utf8)
        #expect(throws: ExpositionError.self) { try bad.withUnsafeBytes { try parser.parse($0, into: &recorder) } }
        #expect(throws: ExpositionError.self) { try good.withUnsafeBytes { try parser.parse($0, into: &recorder) } }
        parser.reset()
        try good.withUnsafeBytes { try parser.parse($0, into: &recorder) }
        try parser.finish(into: &recorder)
        #expect(recorder.samples.map(\.name) == ["b"])
        #expect(recorder.samples[0].line == 1)
    }

    @Test func resetReusesTheParser() throws {
        var parser = ExpositionParser(format: .text)
        for round in 0..<3 {
            var recorder = Recorder()
            // A carried partial line and pending metadata must not leak into the next round.
            let first = Array("# TYPE x gauge\nx{a=\"\\\\\"} \(round)\ny 1".utf8)
            try first.withUnsafeBytes { try parser.parse($0, into: &recorder) }
            try parser.finish(into: &recorder)
            #expect(recorder.samples.map(\.name) == ["x", "y"])
            #expect(recorder.samples[0].value == Double(round))
            #expect(recorder.samples[0].label("a") == "\\")
            parser.reset()
        }
    }

    @Test func copiedParserDoesNotShareBuffers() throws {
        var parser = ExpositionParser(format: .text)
        var recorder = Recorder()
        let head = Array("# HELP x Help of x.\nx{a=\"partial".utf8)
        try head.withUnsafeBytes { try parser.parse($0, into: &recorder) }
        var copy = parser
        let tailA = Array("A\"} 1\n".utf8)
        let tailB = Array("B\"} 2\n".utf8)
        var recorderB = recorder
        try tailA.withUnsafeBytes { try parser.parse($0, into: &recorder) }
        try tailB.withUnsafeBytes { try copy.parse($0, into: &recorderB) }
        try parser.finish(into: &recorder)
        try copy.finish(into: &recorderB)
        #expect(recorder.samples.map { $0.label("a") } == ["partialA"])
        #expect(recorderB.samples.map { $0.label("a") } == ["partialB"])
        #expect(recorderB.families.map(\.help) == ["Help of x."])
    }
}
