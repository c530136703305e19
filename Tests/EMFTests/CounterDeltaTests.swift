import EMF
import PromExposition
import Testing

/// §6 conformance: counter 5 → 7 → 2 (reset) → 4, per `initial_value` policy, plus `_created`, NaN, eviction.
struct CounterDeltaTests {
    static func configuration(_ policy: InitialValuePolicy) -> EMFConfiguration {
        EMFConfiguration(declarations: [declaration(["^requests_total$"])], initialValue: policy)
    }

    static func counter(_ value: Double, created: Double? = nil, series: [(String, Double)] = []) -> SampleBatch {
        makeBatch { b in
            b.family("requests", .counter)
            b.sample("requests_total", [("path", "/")], value)
            if let created { b.sample("requests_created", [("path", "/")], created) }
            for (path, value) in series { b.sample("requests_total", [("path", path)], value) }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var policy: InitialValuePolicy
        var created: Double?
        var discovered = false
        var expected: [Double]
        var testDescription: String { "\(policy) created=\(created.map { "\($0)" } ?? "-") discovered=\(discovered)" }
    }

    @Test(arguments: [
        Case(policy: .drop, created: nil, expected: [2, 2, 2]),
        Case(policy: .drop, created: 1_700_000_005, expected: [2, 2, 2]),
        Case(policy: .keep, created: nil, expected: [5, 2, 2, 2]),
        Case(policy: .auto, created: nil, expected: [2, 2, 2]),
        Case(policy: .auto, created: 1_600_000_000, expected: [2, 2, 2]),
        // Created after the agent started: everything it counted is new.
        Case(policy: .auto, created: 1_700_000_005, expected: [5, 2, 2, 2]),
        Case(policy: .auto, created: 1_700_000_000, expected: [5, 2, 2, 2]),
        Case(policy: .auto, created: nil, discovered: true, expected: [5, 2, 2, 2]),
    ])
    func resetSequence(_ c: Case) throws {
        var harness = try Harness(Self.configuration(c.policy), target: demoTarget(discovered: c.discovered))
        var emitted: [Double] = []
        var reports: [ConversionReport] = []
        for value in [5.0, 7, 2, 4] {
            let conversion = harness.convert(Self.counter(value, created: c.created))
            emitted += conversion.numbers("requests_total")
            reports.append(conversion.report)
        }
        #expect(emitted == c.expected)
        #expect(reports.map(\.resets) == [0, 0, 1, 0])
        #expect(reports[0].baselinesStored == (c.expected.count == 3 ? 1 : 0))
        #expect(harness.state.seriesCount == 1)
    }

    @Test func createdChangeIsAReset() throws {
        var harness = try Harness(Self.configuration(.auto))
        var emitted: [Double] = []
        // 10 → 12 → 15, but the third sample's series was re-created: all 15 are new.
        for (value, created) in [(10.0, 1_600_000_000.0), (12, 1_600_000_000), (15, 1_700_000_100)] {
            let conversion = harness.convert(Self.counter(value, created: created))
            emitted += conversion.numbers("requests_total")
            if value == 15 { #expect(conversion.report.resets == 1) }
        }
        #expect(emitted == [2, 15])
    }

    @Test(arguments: [InitialValuePolicy.keep, .auto, .drop])
    func nanClearsStateWithoutFalseDelta(_ policy: InitialValuePolicy) throws {
        var harness = try Harness(Self.configuration(policy), target: demoTarget(discovered: true))
        let first = harness.convert(Self.counter(5))
        let nan = harness.convert(Self.counter(.nan))
        #expect(nan.events.isEmpty)
        #expect(nan.report.dropped.nonFinite == 1)
        // 9 after NaN is a new baseline: emitting 9 (or 9 − 5) would be a false delta.
        let after = harness.convert(Self.counter(9))
        #expect(after.events.isEmpty)
        #expect(after.report.baselinesStored == 1)
        let next = harness.convert(Self.counter(10))
        #expect(next.numbers("requests_total") == [1])
        #expect(first.numbers("requests_total") == (policy == .drop ? [] : [5]))
        // Infinity behaves like NaN.
        #expect(harness.convert(Self.counter(.infinity)).report.dropped.nonFinite == 1)
    }

    @Test func seriesNewAfterFirstConversionKeepsFirstValueUnderAuto() throws {
        var harness = try Harness(Self.configuration(.auto))
        #expect(harness.convert(Self.counter(5)).events.isEmpty)
        let second = harness.convert(Self.counter(7, series: [("/new", 3)]))
        #expect(second.numbers("requests_total") == [2, 3])
        #expect(second.events.count == 2)  // different label sets
    }

    @Test func evictedSeriesReturningIsABaselineNotASpike() throws {
        var harness = try Harness(Self.configuration(.auto))
        _ = harness.convert(Self.counter(5, series: [("/b", 100)]))
        let gone = harness.convert(Self.counter(6))
        #expect(gone.report.seriesEvicted == 1)
        #expect(harness.state.seriesCount == 1)
        // `/b` comes back with its counter still running: its 120 is not all new.
        let back = harness.convert(Self.counter(7, series: [("/b", 120)]))
        #expect(back.numbers("requests_total") == [1])
        #expect(back.report.baselinesStored == 1)
        let later = harness.convert(Self.counter(8, series: [("/b", 125)]))
        #expect(later.numbers("requests_total") == [1, 5])
    }

    @Test func evictedSeriesReturningWithNewCreatedIsAReset() throws {
        var harness = try Harness(Self.configuration(.auto))
        let b: (Double, Double) -> SampleBatch = { value, created in
            makeBatch { b in
                b.family("requests", .counter)
                b.sample("requests_total", [("path", "/b")], value)
                b.sample("requests_created", [("path", "/b")], created)
            }
        }
        _ = harness.convert(b(100, 1_600_000_000))
        _ = harness.convert(Self.counter(1))
        let back = harness.convert(b(3, 1_700_000_200))
        #expect(back.numbers("requests_total") == [3])
        #expect(back.report.resets == 1)
    }

    @Test func emptyBatchNeitherEvictsNorCountsAsFirstConversion() throws {
        var harness = try Harness(Self.configuration(.auto))
        // The first scrape failed: only `up`.
        let failed = harness.convert(SampleBatch(), synthetic: [SyntheticSample(name: "up", value: 0)])
        #expect(failed.events.isEmpty)
        // The first real scrape is still "the agent just started": baseline, no spike.
        #expect(harness.convert(Self.counter(500)).events.isEmpty)
        _ = harness.convert(SampleBatch())
        #expect(harness.state.seriesCount == 1)
        #expect(harness.convert(Self.counter(503)).numbers("requests_total") == [3])
    }

    @Test func counterNameIsTheSampleNameAsWritten() throws {
        // Text format 0.0.4: `# TYPE requests counter` with samples named `requests`.
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^requests"])], initialValue: .keep)
        )
        let batch = makeBatch { b in
            b.family("requests", .counter)
            b.sample("requests", 4)
        }
        #expect(harness.convert(batch).numbers("requests") == [4])
    }

    @Test func zeroDeltaIsEmitted() throws {
        var harness = try Harness(Self.configuration(.drop))
        _ = harness.convert(Self.counter(5))
        #expect(harness.convert(Self.counter(5)).numbers("requests_total") == [0])
    }
}
