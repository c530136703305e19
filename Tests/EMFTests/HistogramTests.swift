import EMF
import Foundation
import PromExposition
import Testing

struct HistogramTests {
    static let bounds = ["0.1", "0.5", "1", "+Inf"]

    static func configuration(_ policy: InitialValuePolicy = .drop) -> EMFConfiguration {
        EMFConfiguration(
            metricUnits: ["latency_seconds": .seconds],
            declarations: [declaration(["^latency_seconds$", "^size$"])],
            initialValue: policy
        )
    }

    static func latency(_ cumulative: [Double], sum: Double, created: Double? = nil) -> SampleBatch {
        makeBatch { b in
            b.family("latency_seconds", .histogram)
            b.histogram(
                "latency_seconds",
                [("route", "/a")],
                bounds: bounds,
                cumulative: cumulative,
                sum: sum,
                created: created
            )
        }
    }

    static func distribution(_ conversion: Conversion, _ name: String = "latency_seconds") -> [[String: Any]] {
        conversion.values(name).compactMap { $0 as? [String: Any] }
    }

    @Test func bucketDeltasBecomeADistribution() throws {
        var harness = try Harness(Self.configuration())
        let first = harness.convert(Self.latency([1, 3, 4, 5], sum: 3))
        #expect(first.events.isEmpty)
        #expect(first.report.baselinesStored == 1)
        let second = harness.convert(Self.latency([2, 5, 7, 9], sum: 6.5))
        #expect(
            second.lines == [
                #"{"_aws":{"Timestamp":1700000070000,"CloudWatchMetrics":[{"Namespace":"PromWatch/Prometheus","Dimensions":[["instance","job"]],"Metrics":[{"Name":"latency_seconds","Unit":"Seconds"}]}]},"instance":"127.0.0.1:9482","job":"demo","route":"/a","latency_seconds":{"Values":[0.05,0.3,0.75,1],"Counts":[1,1,1,1],"Max":1,"Min":0.05,"Count":4,"Sum":3.5}}"#
            ]
        )
        // No observations in the interval: no metric at all.
        let idle = harness.convert(Self.latency([2, 5, 7, 9], sum: 6.5))
        #expect(idle.events.isEmpty)
        #expect(idle.report.dropped.total == 0)
        // Any bucket decreasing is a reset: the current counts are the deltas.
        let reset = harness.convert(Self.latency([0, 1, 1, 1], sum: 0.2))
        #expect(reset.report.resets == 1)
        let d = try #require(Self.distribution(reset).first)
        #expect(d["Values"] as? [Double] == [0.3])
        #expect(d["Counts"] as? [Double] == [1])
        #expect(d["Sum"] as? Double == 0.2)
        #expect(harness.state.seriesCount == 6)  // 4 buckets, _count, _sum
    }

    @Test func keepPolicyEmitsFirstHistogram() throws {
        var harness = try Harness(Self.configuration(.keep))
        let first = harness.convert(Self.latency([1, 3, 4, 5], sum: 3))
        let d = try #require(Self.distribution(first).first)
        #expect(d["Values"] as? [Double] == [0.05, 0.3, 0.75, 1])
        #expect(d["Counts"] as? [Double] == [1, 2, 1, 1])
        #expect(d["Count"] as? Double == 5)
        #expect(d["Sum"] as? Double == 3)
    }

    @Test func createdChangeResetsHistogram() throws {
        var harness = try Harness(Self.configuration(.auto))
        _ = harness.convert(Self.latency([1, 3, 4, 5], sum: 3, created: 1_600_000_000))
        // Counts grew, but the series was re-created: everything is new.
        let second = harness.convert(Self.latency([2, 5, 7, 9], sum: 6.5, created: 1_700_000_030))
        #expect(second.report.resets == 1)
        #expect(Self.distribution(second).first?["Count"] as? Double == 9)
    }

    /// §6: 150 buckets → 2 distribution chunks of ≤ 100 values whose Counts sum to the delta count.
    @Test func hundredFiftyBucketsSplitIntoTwoEvents() throws {
        var harness = try Harness(Self.configuration())
        let bounds = (1...150).map { "\($0)" } + ["+Inf"]
        func batch(_ step: Double) -> SampleBatch {
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.histogram(
                    "latency_seconds",
                    bounds: bounds,
                    cumulative: (1...151).map { Double(min($0, 150)) * step },
                    sum: 11325 * step
                )
            }
        }
        _ = harness.convert(batch(1))
        let second = harness.convert(batch(2))
        #expect(second.events.count == 2)
        let chunks = Self.distribution(second)
        #expect(chunks.count == 2)
        let values = chunks.map { $0["Values"] as? [Double] ?? [] }
        let counts = chunks.map { $0["Counts"] as? [Double] ?? [] }
        #expect(values.map(\.count) == [100, 50])
        #expect(counts.flatMap { $0 }.reduce(0, +) == 150)
        #expect(values[0].first == 0.5 && values[1].last == 149.5)
        #expect(chunks.map { $0["Sum"] as? Double } == [11325, 0])
        #expect(chunks.map { $0["Count"] as? Double } == [100, 50])
        #expect(chunks[1]["Min"] as? Double == 100.5)
        #expect(second.report.metricsEmitted == 2)
    }

    @Test func infBucketUsesLargestFiniteBound() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(Self.latency([0, 0, 0, 3], sum: 30))
        let d = try #require(Self.distribution(conversion).first)
        #expect(d["Values"] as? [Double] == [1])
        #expect(d["Counts"] as? [Double] == [3])
    }

    @Test func onlyInfBucketUsesTheMean() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.histogram("latency_seconds", bounds: ["+Inf"], cumulative: [4], sum: 10)
            }
        )
        let d = try #require(Self.distribution(conversion).first)
        #expect(d["Values"] as? [Double] == [2.5])
    }

    @Test func nonPositiveFirstBoundIsItsOwnValue() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.histogram("latency_seconds", bounds: ["-1", "1", "+Inf"], cumulative: [1, 2, 2], sum: -0.5)
            }
        )
        let d = try #require(Self.distribution(conversion).first)
        #expect(d["Values"] as? [Double] == [-1, 0])
        #expect(d["Min"] as? Double == -1)
        #expect(d["Sum"] as? Double == -0.5)
    }

    @Test func missingSumIsEstimated() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.sample("latency_seconds_bucket", [("le", "1")], 2)
                b.sample("latency_seconds_bucket", [("le", "+Inf")], 3)
                b.sample("latency_seconds_count", 3)
            }
        )
        let d = try #require(Self.distribution(conversion).first)
        #expect(d["Sum"] as? Double == 2)  // 2 × 0.5 + 1 × 1
    }

    @Test func nanBucketClearsHistogramState() throws {
        var harness = try Harness(Self.configuration(.keep))
        _ = harness.convert(Self.latency([1, 3, 4, 5], sum: 3))
        let nan = harness.convert(Self.latency([1, .nan, 4, 5], sum: 3))
        #expect(nan.events.isEmpty)
        #expect(nan.report.dropped.nonFinite == 1)
        #expect(harness.convert(Self.latency([2, 5, 7, 9], sum: 6.5)).events.isEmpty)  // baseline again
        #expect(
            Self.distribution(harness.convert(Self.latency([3, 6, 8, 10], sum: 7))).first?["Count"] as? Double == 1
        )
    }

    @Test func malformedHistogramsAreCounted() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                // Cumulative counts decreasing with `le`.
                b.histogram("latency_seconds", [("a", "1")], bounds: ["1", "+Inf"], cumulative: [5, 3], sum: 1)
                // Unparsable `le`.
                b.histogram("latency_seconds", [("a", "2")], bounds: ["x", "+Inf"], cumulative: [1, 3], sum: 1)
            }
        )
        #expect(conversion.events.isEmpty)
        #expect(conversion.report.dropped.malformed == 2)
    }

    @Test func unorderedBucketsAreSorted() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.sample("latency_seconds_bucket", [("le", "+Inf")], 3)
                b.sample("latency_seconds_bucket", [("le", "2")], 1)
                b.sample("latency_seconds_sum", 4)
                b.sample("latency_seconds_count", 3)
            }
        )
        let d = try #require(Self.distribution(conversion).first)
        #expect(d["Values"] as? [Double] == [1, 2])
        #expect(d["Counts"] as? [Double] == [1, 2])
    }

    @Test func gaugeHistogramUsesCurrentCounts() throws {
        var harness = try Harness(Self.configuration(.drop))
        let batch = makeBatch { b in
            b.family("size", .gaugeHistogram)
            b.sample("size_bucket", [("le", "1")], 2)
            b.sample("size_bucket", [("le", "+Inf")], 5)
            b.sample("size_gcount", 5)
            b.sample("size_gsum", 10)
        }
        for _ in 0..<2 {
            let conversion = harness.convert(batch)
            let d = try #require(Self.distribution(conversion, "size").first)
            #expect(d["Values"] as? [Double] == [0.5, 1])
            #expect(d["Counts"] as? [Double] == [2, 3])
            #expect(d["Sum"] as? Double == 10)
        }
        #expect(harness.state.seriesCount == 0)
    }

    @Test func histogramsOfDifferentLabelSetsAreSeparate() throws {
        var harness = try Harness(Self.configuration(.keep))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("latency_seconds", .histogram)
                b.histogram("latency_seconds", [("route", "/a")], bounds: ["1", "+Inf"], cumulative: [1, 1], sum: 1)
                b.histogram("latency_seconds", [("route", "/b")], bounds: ["1", "+Inf"], cumulative: [0, 2], sum: 4)
            }
        )
        #expect(conversion.events.count == 2)
        #expect(conversion.values("route") as? [String] == ["/a", "/b"])
    }
}

struct SummaryTests {
    static func summary(count: Double, sum: Double, p50: Double) -> SampleBatch {
        makeBatch { b in
            b.family("rpc_seconds", .summary)
            b.sample("rpc_seconds", [("quantile", "0.5")], p50)
            b.sample("rpc_seconds", [("quantile", "0.99")], p50 * 2)
            b.sample("rpc_seconds_sum", sum)
            b.sample("rpc_seconds_count", count)
        }
    }

    static let configuration = EMFConfiguration(
        declarations: [
            declaration(["^rpc_seconds_(sum|count)$"]),
            declaration(["^rpc_seconds$"], dimensions: [["job", "quantile"]]),
        ],
        initialValue: .drop
    )

    @Test func quantilesAreGaugesAndSumCountAreDeltas() throws {
        var harness = try Harness(Self.configuration)
        let first = harness.convert(Self.summary(count: 10, sum: 5, p50: 0.2))
        #expect(first.events.count == 2)  // one per quantile; _sum/_count are baselines
        #expect(first.report.baselinesStored == 2)
        #expect(first.values("quantile") as? [String] == ["0.5", "0.99"])
        #expect(first.numbers("rpc_seconds") == [0.2, 0.4])
        // Negative observations: `_sum` decreases while `_count` grows. Not a reset.
        let second = harness.convert(Self.summary(count: 12, sum: 4, p50: 0.3))
        #expect(second.report.resets == 0)
        #expect(second.numbers("rpc_seconds_sum") == [-1])
        #expect(second.numbers("rpc_seconds_count") == [2])
        #expect(second.events.count == 3)
        #expect(second.lines[2].hasSuffix(#""rpc_seconds_sum":-1,"rpc_seconds_count":2}"#))
        // `_count` decreasing is a reset for both.
        let third = harness.convert(Self.summary(count: 1, sum: 0.5, p50: 0.3))
        #expect(third.report.resets == 1)
        #expect(third.numbers("rpc_seconds_sum") == [0.5])
        #expect(third.numbers("rpc_seconds_count") == [1])
    }
}
