import EMF
import PromExposition
import Testing

struct SteadyStateTests {
    static func scrape(_ step: Double) -> SampleBatch {
        makeBatch { b in
            b.family("http_requests", .counter)
            for code in ["200", "404", "500"] {
                for route in ["/", "/api", "/login"] {
                    b.sample("http_requests_total", [("code", code), ("route", route)], 100 * step)
                    b.sample("http_requests_created", [("code", code), ("route", route)], 1_600_000_000)
                }
            }
            b.family("in_flight", .gauge)
            b.sample("in_flight", step)
            b.family("latency", .histogram)
            for route in ["/", "/api"] {
                b.histogram(
                    "latency",
                    [("route", route)],
                    bounds: ["0.1", "1", "+Inf"],
                    cumulative: [step, 2 * step, 3 * step],
                    sum: step
                )
            }
            b.family("rpc", .summary)
            b.sample("rpc", [("quantile", "0.5")], 0.1)
            b.sample("rpc_sum", step)
            b.sample("rpc_count", step * 2)
        }
    }

    /// Converting same-shaped batches again does not grow the state (tables or scratch buffers).
    @Test func sameShapedBatchesDoNotGrowState() throws {
        var harness = try Harness(
            EMFConfiguration(
                declarations: [
                    declaration(
                        ["^http_requests_total$", "^latency$", "^rpc"],
                        dimensions: [["job"], ["job", "route"]]
                    ),
                    declaration(["^in_flight$"]),
                ],
                emitUnselected: true
            )
        )
        var footprints: [TargetSeriesState.Footprint] = []
        var emitted: [Int] = []
        for step in 1...6 {
            let conversion = harness.convert(
                Self.scrape(Double(step)),
                synthetic: [SyntheticSample(name: "up", value: 1)]
            )
            footprints.append(harness.state.footprint)
            emitted.append(conversion.report.metricsEmitted)
            #expect(conversion.report.seriesEvicted == 0)
        }
        // 9 counters + 2 × (3 buckets + _count + _sum) + rpc _sum/_count.
        #expect(harness.state.seriesCount == 9 + 10 + 2)
        #expect(footprints[1] == footprints[5])
        #expect(footprints.dropFirst().allSatisfy { $0 == footprints[1] })
        #expect(footprints[5].metricNames == 7)  // http_requests_total, in_flight, latency, rpc, rpc_sum, rpc_count, up
        #expect(emitted.dropFirst().allSatisfy { $0 == emitted[1] })
    }

    /// Series written in another order (or with another type) than last time still find their own state.
    @Test func reorderedSeriesKeepTheirDeltas() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["."])], initialValue: .keep))
        func scrape(_ order: [String], _ base: Double) -> SampleBatch {
            makeBatch { b in
                b.family("c", .counter)
                for code in order { b.sample("c_total", [("code", code)], base + (Double(code) ?? 0)) }
            }
        }
        _ = harness.convert(scrape(["1", "2", "3"], 100))
        let reordered = harness.convert(scrape(["3", "1", "2"], 110))
        #expect(reordered.numbers("c_total") == [10, 10, 10])
        let shorter = harness.convert(scrape(["2"], 125))
        #expect(shorter.numbers("c_total") == [15])
        #expect(shorter.report.seriesEvicted == 2)
        let retyped = harness.convert(
            makeBatch { b in
                b.family("c", .gauge)
                b.sample("c_total", [("code", "2")], 7)
            }
        )
        #expect(retyped.numbers("c_total") == [7])
    }

    /// The duplicate check holds in events with many metrics (where it switches from scanning to hashing).
    @Test func duplicatesInLargeEventsAreDropped() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["."])]))
        let conversion = harness.convert(
            makeBatch { b in
                for n in 0..<40 {
                    b.family("g\(n)", .gauge)
                    b.sample("g\(n)", Double(n))
                }
                b.family("g3", .gauge)
                b.sample("g3", 99)
                b.family("g30", .gauge)
                b.sample("g30", 99)
            }
        )
        #expect(conversion.numbers("g3") == [3])
        #expect(conversion.numbers("g30") == [30])
        #expect(conversion.report.dropped.duplicate == 2)
    }

    @Test func disappearingSeriesAreEvictedAndCountsShrink() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["."])]))
        _ = harness.convert(Self.scrape(1))
        #expect(harness.state.seriesCount == 21)
        let smaller = harness.convert(
            makeBatch { b in
                b.family("http_requests", .counter)
                b.sample("http_requests_total", [("code", "200"), ("route", "/")], 200)
            }
        )
        #expect(smaller.report.seriesEvicted == 20)
        #expect(harness.state.seriesCount == 1)
        #expect(harness.state.footprint.labelSets == 1)
        #expect(harness.state.footprint.tombstones == 20)
        // Tombstones are forgotten after 10 scrapes.
        for _ in 0..<10 { _ = harness.convert(Self.scrapeOne()) }
        #expect(harness.state.footprint.tombstones == 0)
    }

    static func scrapeOne() -> SampleBatch {
        makeBatch { b in
            b.family("http_requests", .counter)
            b.sample("http_requests_total", [("code", "200"), ("route", "/")], 300)
        }
    }

    @Test func newConverterRebuildsCachesButKeepsDeltas() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^http_requests_total$"])]))
        _ = harness.convert(Self.scrapeOne())
        harness.converter = try EMFConverter(
            configuration: EMFConfiguration(
                namespace: "Other",
                declarations: [declaration(["^http_requests_total$"], dimensions: [["route"]])]
            ),
            agentStartMilliseconds: agentStart
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("http_requests", .counter)
                b.sample("http_requests_total", [("code", "200"), ("route", "/")], 310)
            }
        )
        #expect(conversion.numbers("http_requests_total") == [10])
        #expect(conversion.lines.first?.contains(#""Namespace":"Other","Dimensions":[["route"]]"#) == true)
    }
}

struct ConcurrencyTests {
    /// One converter shared by many scrape loops, each with its own state (the agent's shape).
    @Test func sharedConverterAcrossTasks() async throws {
        let converter = try EMFConverter(
            configuration: EMFConfiguration(
                declarations: [declaration(["^http_requests_total$", "^latency$"], dimensions: [["job", "route"]])]),
            agentStartMilliseconds: agentStart
        )
        let results = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var state = TargetSeriesState()
                    var emitted = 0
                    let target = EMFTarget(jobName: "job-\(t)", labels: [("instance", "host-\(t):80")])
                    for step in 1...5 {
                        var events: [EMFLogEvent] = []
                        let report = converter.convert(
                            SteadyStateTests.scrape(Double(step)),
                            target: target,
                            state: &state,
                            scrapeTimeMilliseconds: agentStart + Int64(step) * 60_000,
                            synthetic: [],
                            into: &events
                        )
                        emitted += report.metricsEmitted
                    }
                    return emitted
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // Per scrape after the first: 9 counter deltas + 2 histograms.
        #expect(results == Array(repeating: 4 * 11, count: 8))
    }
}

/// Scrapes whose events outgrow the output buffer the previous scrape sized: every event is still whole, in place
/// and in order (the buffer grows in blocks and is cut to the messages at the end).
struct LargeOutputTests {
    static func scrape(series: Int, value: Double) -> SampleBatch {
        makeBatch { b in
            b.family("queue_depth", .gauge)
            for k in 0..<series {
                b.sample(
                    "queue_depth",
                    [("queue", "queue-\(k)-" + String(repeating: "x", count: k % 97))],
                    value + Double(k)
                )
            }
        }
    }

    @Test func eventsOutgrowingTheBufferStayWhole() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^queue_depth$"])]))
        // 300, then 3,000 (ten times what was reserved), then 1,000 series: from no reservation, beyond it, within it.
        for (series, value) in [(300, 0.5), (3_000, 1.5), (1_000, 2.5)] {
            let conversion = harness.convert(Self.scrape(series: series, value: value))
            #expect(conversion.events.count == series)
            #expect(conversion.numbers("queue_depth") == (0..<series).map { value + Double($0) })
            let queues = conversion.values("queue").compactMap { $0 as? String }
            #expect(queues == (0..<series).map { "queue-\($0)-" + String(repeating: "x", count: $0 % 97) })
            #expect(conversion.report.bytes == conversion.events.reduce(0) { $0 + $1.message.count })
        }
    }
}
