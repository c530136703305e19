import Testing

@testable import PromExposition

/// A body split anywhere parses exactly as the whole body (house style §19b: every chunk size against an oracle).
struct ChunkingTests {
    static let text = #"""
        # HELP http_requests_total Requests \\ handled.\nSecond line.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400",path="C:\\dir\\",msg="say \"hi\"\nbye"}    3 1395066363000
          # free comment
        metric_without_timestamp_and_labels 12.47

        something_weird{problem="division by zero"} +Inf -3982045
        # HELP http_request_duration_seconds A histogram of the request duration.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01",} 3102
        rpc_duration_seconds{quantile="0.99"} NaN
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693
        # TYPE only_meta gauge
        unicode{v="ü€😀",tab="\t"} -0
        last_line_without_newline{a="b"} 1
        """#

    static let openMetrics = #"""
        # TYPE a counter
        # HELP a Help with \"quotes\" and \\ and\nnewline.
        # UNIT a seconds
        a_seconds_total{x="1"} 1 # {trace_id="abc\\"} 0.5 1.5
        # TYPE a_seconds counter
        # UNIT a_seconds seconds
        a_seconds_total{x="1"} 1.5 1700000000.123 # {trace_id="abc"} 0.5 1700000000.1
        a_seconds_created{x="1"} 1.7e9
        # TYPE h histogram
        h_bucket{le="1"} 1 # {id="x"} 0.7
        h_bucket{le="+Inf"} 2
        h_count 2
        h_sum 1.5
        # TYPE i info
        i_info{version="1.0"} 1
        # TYPE s stateset
        s{s="a"} 1
        s{s="b"} 0
        # TYPE gh gaugehistogram
        gh_bucket{le="+Inf"} 3
        gh_gcount 3
        gh_gsum 4
        # EOF

        """#

    static func reference(_ bytes: [UInt8], _ format: ExpositionFormat) throws -> [RecordedEvent] {
        try recordChunked(bytes, splits: [], format).events
    }

    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func everyTwoChunkSplit(_ format: ExpositionFormat) throws {
        let bytes = Array((format == .text ? Self.text : Self.openMetrics).utf8)
        let expected = try Self.reference(bytes, format)
        #expect(expected.count >= 20)
        for split in 0...bytes.count {
            let events = try recordChunked(bytes, splits: [split], format)
            #expect(events.events == expected, "split at \(split)")
        }
    }

    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func oneByteChunks(_ format: ExpositionFormat) throws {
        let bytes = Array((format == .text ? Self.text : Self.openMetrics).utf8)
        let expected = try Self.reference(bytes, format)
        let events = try recordChunked(bytes, splits: Array(1..<bytes.count), format)
        #expect(events.events == expected)
    }

    @Test func randomChunkSizes() throws {
        var generator = SplitMix64(seed: 42)
        let bytes = Array(Self.text.utf8)
        let expected = try Self.reference(bytes, .text)
        for _ in 0..<200 {
            var splits: [Int] = []
            var position = 0
            while true {
                position += Int(generator.next() % 40) + 1
                if position >= bytes.count { break }
                splits.append(position)
            }
            #expect(try recordChunked(bytes, splits: splits).events == expected)
        }
    }

    @Test func wholeBufferMatchesExpectedContent() throws {
        let r = try record(Self.text)
        let samples = r.samples
        #expect(samples.count == 14)
        #expect(samples[1].label("path") == #"C:\dir\"#)
        #expect(samples[1].label("msg") == "say \"hi\"\nbye")
        #expect(
            samples[1].seriesText
                == #"http_requests_total{method="post",code="400",path="C:\\dir\\",msg="say \"hi\"\nbye"}"#
        )
        #expect(samples[3].timestamp == -3_982_045)
        #expect(samples[3].value == .infinity)
        #expect(samples[9].value.isNaN)
        #expect(samples[12].valueBits == (-0.0).bitPattern)
        #expect(samples[12].label("tab") == #"\t"#)
        #expect(samples[13].line == 22)
        #expect(r.families.first?.help == "Requests \\ handled.\nSecond line.")
        #expect(r.families.map(\.name).contains("only_meta"))
    }

    @Test func openMetricsContent() throws {
        // `a` (counter without samples: a_seconds_total is not its sample) announces with its unit.
        let r = try record(Self.openMetrics, .openMetrics)
        #expect(
            r.families.first
                == RecordedFamily(
                    name: "a",
                    type: .counter,
                    help: #"Help with "quotes" and \ and"# + "\nnewline.",
                    unit: "seconds"
                )
        )
        #expect(r.families.map(\.name) == ["a", "a_seconds_total", "a_seconds", "h", "i", "s", "gh"])
    }

    /// A small deterministic generator (Swift's default RNG is seeded randomly).
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
