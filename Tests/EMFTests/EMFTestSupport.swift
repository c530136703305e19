import EMF
import Foundation  // JSONSerialization, to check that every message parses (tests only)
import PromExposition
import Testing

/// Agent start used by most tests: 2023-11-14T22:13:20Z.
let agentStart: Int64 = 1_700_000_000_000

/// One target's conversion across scrapes.
struct Harness {
    var converter: EMFConverter
    var state = TargetSeriesState()
    var target: EMFTarget
    /// Time of the next scrape; advanced by `interval` after each conversion.
    var scrapeTime: Int64
    var interval: Int64 = 60_000

    init(
        _ configuration: EMFConfiguration,
        target: EMFTarget = demoTarget(),
        startMilliseconds: Int64 = agentStart,
        firstScrape: Int64? = nil
    ) throws {
        converter = try EMFConverter(configuration: configuration, agentStartMilliseconds: startMilliseconds)
        self.target = target
        scrapeTime = firstScrape ?? startMilliseconds + 10_000
    }

    /// Converts `batch`, checks every event against the EMF rules, and advances the clock.
    @discardableResult
    mutating func convert(
        _ batch: SampleBatch,
        synthetic: [SyntheticSample] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Conversion {
        var events: [EMFLogEvent] = []
        var lines: ArraySlice<UInt8> = []
        let report = converter.convert(
            batch,
            target: target,
            state: &state,
            scrapeTimeMilliseconds: scrapeTime,
            synthetic: synthetic,
            into: &events,
            lines: &lines
        )
        for event in events {
            checkEMF(event, maxEventBytes: converter.configuration.maxEventBytes, sourceLocation: sourceLocation)
        }
        // The text a line-oriented sink writes is exactly the messages, each followed by a newline, in order.
        let expectedLines = events.flatMap { Array($0.message) + [UInt8(ascii: "\n")] }
        #expect(Array(lines) == expectedLines, "lines differ from the messages", sourceLocation: sourceLocation)
        scrapeTime += interval
        return Conversion(events: events, report: report)
    }
}

struct Conversion {
    var events: [EMFLogEvent]
    var report: ConversionReport

    var lines: [String] { events.map(\.messageString) }
    var objects: [[String: Any]] { events.map { jsonObject($0.message) } }

    /// Every root member named `name`, across events, in order.
    func values(_ name: String) -> [Any] { objects.compactMap { $0[name] } }
    func numbers(_ name: String) -> [Double] { values(name).compactMap { ($0 as? NSNumber)?.doubleValue } }
}

func demoTarget(honorLabels: Bool = false, honorTimestamps: Bool = true, discovered: Bool = false) -> EMFTarget {
    EMFTarget(
        jobName: "demo",
        labels: [("job", "demo"), ("instance", "127.0.0.1:9482")],
        honorLabels: honorLabels,
        honorTimestamps: honorTimestamps,
        discoveredAfterStartup: discovered
    )
}

/// A declaration selecting `selectors` for every target with dimension sets `dimensions`.
func declaration(_ selectors: [String], dimensions: [[String]] = [["job", "instance"]]) -> MetricDeclaration {
    MetricDeclaration(sourceLabels: ["job"], labelMatcher: ".*", dimensions: dimensions, metricSelectors: selectors)
}

func jsonObject(_ message: some Collection<UInt8>) -> [String: Any] {
    let data = Data(message)
    guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any]
    else {
        Issue.record("not a JSON object: \(String(decoding: message, as: UTF8.self))")
        return [:]
    }
    return object
}

/// Checks one event against the EMF specification and promwatch's limits.
func checkEMF(_ event: EMFLogEvent, maxEventBytes: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let text = event.messageString
    #expect(event.message.count <= maxEventBytes, "event larger than max_event_bytes", sourceLocation: sourceLocation)
    #expect(event.message.last == UInt8(ascii: "}"), sourceLocation: sourceLocation)
    #expect(!event.message.contains(UInt8(ascii: "\n")), "raw newline in message", sourceLocation: sourceLocation)
    let object = jsonObject(event.message)
    guard let aws = object["_aws"] as? [String: Any] else {
        // A plain-field event (emit_unselected only).
        return
    }
    #expect(text.hasPrefix("{\"_aws\":{\"Timestamp\":"), "_aws must come first", sourceLocation: sourceLocation)
    #expect((aws["Timestamp"] as? NSNumber)?.int64Value == event.timestampMilliseconds, sourceLocation: sourceLocation)
    let directives = aws["CloudWatchMetrics"] as? [[String: Any]] ?? []
    #expect(!directives.isEmpty, sourceLocation: sourceLocation)
    var definitions = 0
    var seenLists: [[[String]]] = []
    for directive in directives {
        #expect(directive["Namespace"] is String, sourceLocation: sourceLocation)
        let dimensions = directive["Dimensions"] as? [[String]] ?? []
        #expect(!dimensions.isEmpty, sourceLocation: sourceLocation)
        #expect(!seenLists.contains(dimensions), "one directive per distinct set list", sourceLocation: sourceLocation)
        seenLists.append(dimensions)
        for set in dimensions {
            #expect(set.count <= 30, sourceLocation: sourceLocation)
            #expect(set == set.sorted() && Set(set).count == set.count, sourceLocation: sourceLocation)
            for key in set {
                let value = object[key] as? String
                #expect(value != nil, "dimension \(key) is not a string member", sourceLocation: sourceLocation)
                if let value {
                    #expect(
                        !value.isEmpty && value.utf8.count <= 1024 && value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F },
                        "invalid dimension value \(value)",
                        sourceLocation: sourceLocation
                    )
                }
            }
        }
        for metric in directive["Metrics"] as? [[String: Any]] ?? [] {
            definitions += 1
            guard let name = metric["Name"] as? String else {
                Issue.record("metric without Name", sourceLocation: sourceLocation)
                continue
            }
            if let unit = metric["Unit"] as? String {
                #expect(MetricUnit(rawValue: unit) != nil, sourceLocation: sourceLocation)
            }
            switch object[name] {
            case let number as NSNumber:
                #expect(number.doubleValue.isFinite, sourceLocation: sourceLocation)
            case let distribution as [String: Any]:
                let values = distribution["Values"] as? [Double] ?? []
                let counts = distribution["Counts"] as? [Double] ?? []
                #expect(!values.isEmpty && values.count <= 100, sourceLocation: sourceLocation)
                #expect(values.count == counts.count, sourceLocation: sourceLocation)
                #expect(counts.allSatisfy { $0 > 0 }, sourceLocation: sourceLocation)
                #expect(distribution["Min"] as? Double == values.min(), sourceLocation: sourceLocation)
                #expect(distribution["Max"] as? Double == values.max(), sourceLocation: sourceLocation)
                #expect(distribution["Count"] as? Double == counts.reduce(0, +), sourceLocation: sourceLocation)
                #expect(distribution["Sum"] is NSNumber, sourceLocation: sourceLocation)
            default:
                Issue.record("metric \(name) has no numeric member", sourceLocation: sourceLocation)
            }
        }
    }
    #expect(definitions <= 100, "more than 100 MetricDefinitions", sourceLocation: sourceLocation)
}
