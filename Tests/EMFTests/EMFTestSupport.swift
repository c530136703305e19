import EMF
import Foundation  // JSONSerialization, to check that every message parses (tests only)
import PromExposition
import Testing

/// Agent start used by most tests: 2023-11-14T22:13:20Z.
let agentStart: Int64 = 1_700_000_000_000

/// One target's conversion across scrapes.
struct Harness {
    var converter: EMFConverter {
        didSet { escapedTwin = Self.escapedTwin(of: converter) }
    }
    var state = TargetSeriesState()
    /// The same conversions with `.jsonStringContent` messages (as the CloudWatch output converts): every test's
    /// scrapes also check that its messages are exactly the documents escaped.
    private var escapedTwin: EMFConverter
    private var escapedState = TargetSeriesState()
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
        escapedTwin = Self.escapedTwin(of: converter)
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
        checkEscapedTwin(batch, synthetic: synthetic, documents: events, report: report, sourceLocation: sourceLocation)
        scrapeTime += interval
        return Conversion(events: events, report: report)
    }
}

extension Harness {
    static func escapedTwin(of converter: EMFConverter) -> EMFConverter {
        do {
            return try EMFConverter(
                configuration: converter.configuration,
                agentStartMilliseconds: converter.agentStartMilliseconds,
                messageEncoding: .jsonStringContent
            )
        } catch {
            preconditionFailure("a valid configuration is valid for either encoding: \(error)")
        }
    }

    /// Converts `batch` with the escaped twin and compares. The events are the same, each message the document
    /// escaped, whenever the size limit cannot bind (the escaped form is up to twice as long, so packing near the
    /// limit may differ); otherwise every escaped event must still be valid and within the limit.
    private mutating func checkEscapedTwin(
        _ batch: SampleBatch,
        synthetic: [SyntheticSample],
        documents: [EMFLogEvent],
        report: ConversionReport,
        sourceLocation: SourceLocation
    ) {
        var escaped: [EMFLogEvent] = []
        var lines: ArraySlice<UInt8> = []
        let escapedReport = escapedTwin.convert(
            batch,
            target: target,
            state: &escapedState,
            scrapeTimeMilliseconds: scrapeTime,
            synthetic: synthetic,
            into: &escaped,
            lines: &lines
        )
        let limit = converter.configuration.maxEventBytes
        #expect(escaped.allSatisfy { $0.messageEncoding == .jsonStringContent }, sourceLocation: sourceLocation)
        #expect(escaped.allSatisfy { $0.message.count <= limit }, sourceLocation: sourceLocation)
        let documentBytes = documents.reduce(0) { $0 + $1.message.count }
        guard 2 * documentBytes <= limit, report.dropped.oversize == 0 else {
            for event in escaped {
                var document = event
                document.message = event.document[...]
                document.messageEncoding = .document
                checkEMF(document, maxEventBytes: limit, sourceLocation: sourceLocation)
            }
            return
        }
        #expect(escaped.count == documents.count, "escaped twin event count", sourceLocation: sourceLocation)
        for (escapedEvent, document) in zip(escaped, documents) {
            #expect(
                escapedEvent.timestampMilliseconds == document.timestampMilliseconds,
                sourceLocation: sourceLocation
            )
            #expect(escapedEvent.destination == document.destination, sourceLocation: sourceLocation)
            #expect(
                Array(escapedEvent.message) == escapeForJSONString(document.message),
                "escaped message is not the document escaped: \(String(decoding: escapedEvent.message, as: UTF8.self))",
                sourceLocation: sourceLocation
            )
            #expect(escapedEvent.document == Array(document.message), sourceLocation: sourceLocation)
        }
        var sameCounts = escapedReport
        sameCounts.bytes = report.bytes
        #expect(sameCounts == report, "escaped twin report", sourceLocation: sourceLocation)
        #expect(
            escapedReport.bytes == escaped.reduce(0) { $0 + $1.message.count },
            "report counts the bytes written",
            sourceLocation: sourceLocation
        )
    }
}

/// `json` as the content of a JSON string (written independently of the code under test).
func escapeForJSONString(_ json: some Collection<UInt8>) -> [UInt8] {
    json.flatMap { byte -> [UInt8] in
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), byte] : [byte]
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
