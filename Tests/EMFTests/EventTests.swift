import EMF
import Foundation
import PromExposition
import Testing

struct EventTests {
    static func gauges(
        _ count: Int,
        labels: [(String, String)] = [],
        value: (Int) -> Double = Double.init
    ) -> SampleBatch {
        makeBatch { b in
            for i in 0..<count {
                b.family("gauge_\(i)", .gauge)
                b.sample("gauge_\(i)", labels, value(i))
            }
        }
    }

    /// A conversion's messages are slices of one buffer, in event order, each followed by a newline; later
    /// conversions (which reuse the state) leave earlier events intact.
    @Test func eventsOfAConversionShareOneBufferAndOutliveTheNext() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^gauge_"])]))
        let labelled = makeBatch { b in
            b.family("gauge_a", .gauge)
            for pod in 0..<5 { b.sample("gauge_a", [("pod", "p\(pod)")], Double(pod)) }
        }
        let first = harness.convert(labelled)
        #expect(first.events.count == 5)
        let firstLines = first.lines
        var end = try #require(first.events.first?.message.startIndex)
        #expect(end == 0)
        for event in first.events {
            #expect(event.message.startIndex == end, "messages are contiguous (but for a newline), in event order")
            end = event.message.endIndex + 1
        }
        let base = first.events[0].message.withUnsafeBufferPointer { $0.baseAddress }
        let last = try #require(first.events.last)
        let lastBase = last.message.withUnsafeBufferPointer { $0.baseAddress }
        #expect(lastBase == base.map { $0 + last.message.startIndex }, "one storage")

        // The next conversion writes a new buffer: the first one's events are unchanged.
        let second = harness.convert(Self.gauges(3, value: { Double($0) + 100 }))
        #expect(second.events.count == 1)
        #expect(first.lines == firstLines)
        #expect(firstLines[2].contains(#""pod":"p2""#) && firstLines[2].hasSuffix(#""gauge_a":2}"#))
        // A message stands on its own as an array too.
        #expect(String(decoding: Array(first.events[4].message), as: UTF8.self) == firstLines[4])
    }

    /// §6: 250 label-less gauges → ≥ 3 events, each ≤ 100 MetricDefinitions, labels repeated in each.
    @Test func twoHundredFiftyGaugesMakeThreeEvents() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^gauge_"])]))
        let conversion = harness.convert(Self.gauges(250))
        #expect(conversion.events.count == 3)
        #expect(conversion.report.metricsEmitted == 250)
        var seen: [String] = []
        for object in conversion.objects {
            let aws = object["_aws"] as? [String: Any]
            let directives = aws?["CloudWatchMetrics"] as? [[String: Any]] ?? []
            let names = directives.flatMap {
                ($0["Metrics"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
            }
            #expect(names.count <= 100)
            #expect(object["job"] as? String == "demo")
            #expect(object["instance"] as? String == "127.0.0.1:9482")
            seen += names
        }
        #expect(seen == (0..<250).map { "gauge_\($0)" })
        #expect(conversion.events.allSatisfy { $0.timestampMilliseconds == agentStart + 10_000 })
    }

    @Test func eventsAreSplitByBytes() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^gauge_"])], maxEventBytes: 2048)
        )
        let conversion = harness.convert(Self.gauges(60, value: { Double($0) + 0.123456789 }))
        #expect(conversion.events.count > 1)
        #expect(conversion.events.allSatisfy { $0.message.count <= 2048 })
        #expect(conversion.numbers("gauge_59") == [59.123456789])
        #expect(conversion.report.metricsEmitted == 60)
        #expect(conversion.report.bytes == conversion.events.reduce(0) { $0 + $1.message.count })
    }

    @Test func metricTooLargeAloneIsDropped() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^gauge_"])], maxEventBytes: 1024)
        )
        let long = String(repeating: "x", count: 700)
        let conversion = harness.convert(
            makeBatch { b in
                b.family("gauge_a", .gauge)
                b.sample("gauge_a", [("long", long)], 1)
                b.sample("gauge_a", [("long", long + long)], 1)
            }
        )
        #expect(conversion.events.count == 1)
        #expect(conversion.report.dropped.oversize == 1)
    }

    /// §6: a non-ASCII label value leaves only the affected dimension set unextracted.
    @Test func invalidDimensionValueDisablesOnlyItsSets() throws {
        let configuration = EMFConfiguration(declarations: [
            declaration(["^temp$"], dimensions: [["job"], ["job", "room"], ["room"]]),
            declaration(["^humidity$"], dimensions: [["job"]]),
            declaration(["^pressure$"], dimensions: [["room"]]),
        ])
        var harness = try Harness(configuration)
        let conversion = harness.convert(
            makeBatch { b in
                for name in ["temp", "humidity", "pressure"] {
                    b.family(name, .gauge)
                    b.sample(name, [("room", "küche")], 1)
                }
            }
        )
        #expect(conversion.events.count == 1)
        let object = try #require(conversion.objects.first)
        #expect(object["room"] as? String == "küche")  // still written as a field
        let directives = (object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]] ?? []
        #expect(directives.count == 1)
        #expect(directives.first?["Dimensions"] as? [[String]] == [["job"]])
        let names = (directives.first?["Metrics"] as? [[String: Any]])?.compactMap { $0["Name"] as? String }
        #expect(names == ["temp", "humidity"])
        #expect(conversion.report.dropped.invalidDimensionValue == 1)  // pressure
        #expect(conversion.report.dimensionSetsDisabled == 3)  // temp: 2 sets, pressure: 1
        #expect(conversion.report.metricsEmitted == 2)
    }

    @Test(arguments: ["", "   ", "a\u{1}b", String(repeating: "v", count: 1025), "naïve"])
    func invalidDimensionValues(_ value: String) throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^g$"], dimensions: [["job"], ["job", "v"]])])
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("v", value)], 1)
            }
        )
        let object = try #require(conversion.objects.first)
        let directives = (object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]] ?? []
        #expect(directives.first?["Dimensions"] as? [[String]] == [["job"]])
    }

    @Test func missingLabelSkipsSetAndNoSetMeansNoExtraction() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^g$"], dimensions: [["job", "pod"]])])
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", 1)
            }
        )
        #expect(conversion.events.isEmpty)
        #expect(conversion.report.dropped.noDimensionSet == 1)
    }

    @Test func metricsWithDifferentSetListsGetTheirOwnDirective() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [
                declaration(["^a$", "^b$"], dimensions: [["job"]]),
                declaration(["^b$", "^c$"], dimensions: [["instance", "job"], ["job"]]),
            ])
        )
        let conversion = harness.convert(
            makeBatch { b in
                for name in ["a", "b", "c"] {
                    b.family(name, .gauge)
                    b.sample(name, 1)
                }
            }
        )
        #expect(
            conversion.lines == [
                #"{"_aws":{"Timestamp":1700000010000,"CloudWatchMetrics":[{"Namespace":"PromWatch/Prometheus","Dimensions":[["job"]],"Metrics":[{"Name":"a"}]},{"Namespace":"PromWatch/Prometheus","Dimensions":[["job"],["instance","job"]],"Metrics":[{"Name":"b"},{"Name":"c"}]}]},"instance":"127.0.0.1:9482","job":"demo","a":1,"b":1,"c":1}"#
            ]
        )
    }

    @Test func labelNamedLikeAMetricIsDropped() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^state$", "^other$"], dimensions: [["job"], ["state"]])])
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("state", .stateset)
                b.sample("state", [("state", "on")], 1)
                b.family("other", .gauge)
                b.sample("other", [("state", "on")], 7)
            }
        )
        #expect(
            conversion.lines == [
                #"{"_aws":{"Timestamp":1700000010000,"CloudWatchMetrics":[{"Namespace":"PromWatch/Prometheus","Dimensions":[["job"]],"Metrics":[{"Name":"state"},{"Name":"other"}]}]},"instance":"127.0.0.1:9482","job":"demo","state":1,"other":7}"#
            ]
        )
    }

    @Test func nonASCIILabelNamedLikeAMetricIsDroppedInEveryScrape() throws {
        // Label sets with a non-ASCII name keep their names aside (interned, shared by alike label sets); the name
        // comparison with metric names goes through them, in the first scrape and from the cache afterwards.
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^état$"], dimensions: [["job"]])]))
        for scrape in 0..<2 {
            let conversion = harness.convert(
                makeBatch { b in
                    b.family("état", .gauge)
                    b.sample("état", [("température", "20"), ("état", "on")], 1)
                    b.sample("état", [("température", "21"), ("état", "on")], 2)
                }
            )
            #expect(conversion.events.count == 2, "scrape \(scrape)")
            for (object, temperature) in zip(conversion.objects, ["20", "21"]) {
                #expect(object["température"] as? String == temperature, "scrape \(scrape)")
                #expect(object["état"] as? Int != nil, "scrape \(scrape)")
            }
            for line in conversion.lines {
                #expect(!line.contains(#""état":"on""#), "the metric wins over the label, scrape \(scrape)")
            }
        }
    }

    @Test func duplicateSeriesKeepsTheFirst() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^g$"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("a", "1")], 1)
                b.sample("g", [("a", "1")], 2)
            }
        )
        #expect(conversion.numbers("g") == [1])
        #expect(conversion.report.dropped.duplicate == 1)
    }

    @Test func labelOrderDoesNotSplitGroups() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^g", "^h"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("a", "1"), ("b", "2")], 1)
                b.family("h", .gauge)
                b.sample("h", [("b", "2"), ("a", "1")], 2)
            }
        )
        #expect(conversion.events.count == 1)
    }

    @Test func unitMapping() throws {
        var harness = try Harness(
            EMFConfiguration(
                metricUnits: ["bytes_total": .bytes, "ratio": .percent, "plain": .none],
                declarations: [declaration(["."])],
                initialValue: .keep
            )
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("bytes", .counter)
                b.sample("bytes_total", 10)
                b.family("ratio", .gauge)
                b.sample("ratio", 50)
                b.family("plain", .gauge)
                b.sample("plain", 1)
                b.family("other", .gauge)
                b.sample("other", 1)
            }
        )
        let line = try #require(conversion.lines.first)
        #expect(
            line.contains(
                #""Metrics":[{"Name":"bytes_total","Unit":"Bytes"},{"Name":"ratio","Unit":"Percent"},{"Name":"plain"},{"Name":"other"}]"#
            )
        )
    }

    @Test func emitUnselectedWritesPlainFields() throws {
        var harness = try Harness(
            EMFConfiguration(declarations: [declaration(["^selected$"])], emitUnselected: true)
        )
        let conversion = harness.convert(
            makeBatch { b in
                b.family("selected", .gauge)
                b.sample("selected", 1)
                b.family("extra", .gauge)
                b.sample("extra", 2)
                b.family("alone", .gauge)
                b.sample("alone", [("x", "y")], 3)
            }
        )
        #expect(
            conversion.lines == [
                #"{"_aws":{"Timestamp":1700000010000,"CloudWatchMetrics":[{"Namespace":"PromWatch/Prometheus","Dimensions":[["instance","job"]],"Metrics":[{"Name":"selected"}]}]},"instance":"127.0.0.1:9482","job":"demo","selected":1,"extra":2}"#,
                #"{"instance":"127.0.0.1:9482","job":"demo","x":"y","alone":3}"#,
            ]
        )
        #expect(conversion.report.fieldsEmitted == 2)
        #expect(conversion.report.dropped.unselected == 2)
        #expect(conversion.report.metricsEmitted == 1)
    }

    @Test func unselectedAreNotWrittenByDefault() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^selected$"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("extra", .gauge)
                b.sample("extra", 2)
            }
        )
        #expect(conversion.events.isEmpty)
        #expect(conversion.report.dropped.unselected == 1)
    }

    @Test func labelMatcherSelectsBySourceLabels() throws {
        let configuration = EMFConfiguration(declarations: [
            MetricDeclaration(
                sourceLabels: ["job", "tier"],
                labelSeparator: ";",
                labelMatcher: "^demo;(web|api)$",
                dimensions: [["tier"]],
                metricSelectors: ["^g$"]
            ),
            // A missing source label joins as "": `demo;` matches.
            MetricDeclaration(
                sourceLabels: ["job", "tier"],
                labelSeparator: ";",
                labelMatcher: "^demo;$",
                dimensions: [["job"]],
                metricSelectors: ["^g$"]
            ),
        ])
        var harness = try Harness(configuration)
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("tier", "web")], 1)
                b.sample("g", [("tier", "db")], 2)
                b.sample("g", 3)
            }
        )
        #expect(conversion.numbers("g") == [1, 3])
        #expect(conversion.report.dropped.unselected == 1)
        // Regexes ran once per distinct joined string: "demo;web", "demo;db", "demo;" × 2 matchers.
        #expect(harness.state.footprint.matcherResults == 6)
    }

    @Test func selectorsAreUnanchored() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["requests"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("http_requests_in_flight", .gauge)
                b.sample("http_requests_in_flight", 1)
            }
        )
        #expect(conversion.numbers("http_requests_in_flight") == [1])
    }

    @Test func honorTimestamps() throws {
        let batch = makeBatch { b in
            b.family("g", .gauge)
            b.sample("g", 1, timestamp: agentStart + 5_000)
            b.sample("g", [("a", "old")], 2, timestamp: agentStart - 15 * 86_400_000)
        }
        var honoring = try Harness(EMFConfiguration(declarations: [declaration(["^g$"])]))
        let honored = honoring.convert(batch)
        #expect(honored.events.map(\.timestampMilliseconds) == [agentStart + 5_000])
        #expect(honored.report.dropped.timestampOutOfRange == 1)
        var ignoring = try Harness(
            EMFConfiguration(declarations: [declaration(["^g$"])]),
            target: demoTarget(honorTimestamps: false)
        )
        let ignored = ignoring.convert(batch)
        #expect(ignored.events.map(\.timestampMilliseconds) == [agentStart + 10_000, agentStart + 10_000])
    }

    @Test func samplesWithDifferentTimestampsGoToDifferentEvents() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^g", "^h"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", 1, timestamp: agentStart + 1_000)
                b.family("h", .gauge)
                b.sample("h", 1, timestamp: agentStart + 2_000)
            }
        )
        #expect(conversion.events.count == 2)
    }

    @Test func nonFiniteGaugesAreDropped() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^g"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", [("a", "1")], .nan)
                b.sample("g", [("a", "2")], -.infinity)
                b.sample("g", [("a", "3")], 0x1p400)
                b.sample("g", [("a", "4")], 0x1p-400)
            }
        )
        #expect(conversion.report.dropped.nonFinite == 3)
        #expect(conversion.numbers("g") == [0])
    }

    @Test func syntheticSamplesOnlyWhenSelected() throws {
        var harness = try Harness(
            EMFConfiguration(
                declarations: [declaration(["^up$"], dimensions: [["ClusterName", "job", "instance"]])],
                emitUnselected: true,
                clusterName: "prod"
            )
        )
        let conversion = harness.convert(
            SampleBatch(),
            synthetic: [
                SyntheticSample(name: "up", value: 1), SyntheticSample(name: "scrape_duration_seconds", value: 0.01),
            ]
        )
        #expect(
            conversion.lines == [
                #"{"_aws":{"Timestamp":1700000010000,"CloudWatchMetrics":[{"Namespace":"PromWatch/Prometheus","Dimensions":[["ClusterName","instance","job"]],"Metrics":[{"Name":"up"}]}]},"ClusterName":"prod","instance":"127.0.0.1:9482","job":"demo","up":1}"#
            ]
        )
        #expect(conversion.report.dropped.total == 0)
        #expect(conversion.events.first?.logGroupName == "/promwatch/prod/prometheus")
        #expect(conversion.events.first?.logStreamName == "demo")
    }

    @Test func syntheticSamplesJoinTheLabelLessEvent() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^up$", "^g$"])]))
        let conversion = harness.convert(
            makeBatch { b in
                b.family("g", .gauge)
                b.sample("g", 5)
            },
            synthetic: [SyntheticSample(name: "up", value: 1)]
        )
        #expect(conversion.events.count == 1)
        #expect(conversion.lines.first?.hasSuffix(#""g":5,"up":1}"#) == true)
    }

    @Test func eventsCarryTheirLabelsInEveryChunk() throws {
        var harness = try Harness(EMFConfiguration(declarations: [declaration(["^gauge_"])]))
        let conversion = harness.convert(Self.gauges(101, labels: [("pod", "p-1")]))
        #expect(conversion.events.count == 2)
        #expect(conversion.values("pod") as? [String] == ["p-1", "p-1"])
    }
}
