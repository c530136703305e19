import Agent
import EMF
import Glibc
import PromExposition
import Testing

/// The stdout sink writes one JSON document per line, whether it copies the messages or is handed the
/// converter's newline-delimited text.
struct FileDescriptorEMFSinkTests {
    /// Runs `body` with a sink on a pipe, then returns everything written to the pipe.
    func written(_ body: (FileDescriptorEMFSink) async -> Void) async throws -> [UInt8] {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        // The pipe buffer (64 KiB) holds the whole output: nothing reads it until the sink is done.
        await body(FileDescriptorEMFSink(fileDescriptor: ends[1]))
        close(ends[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        close(ends[0])
        return output
    }

    @Test func linesAndEventsGiveTheSameOutput() async throws {
        let text = """
            # TYPE queue_depth gauge
            queue_depth{queue="a"} 3
            queue_depth{queue="b"} 5
            # TYPE requests_total counter
            requests_total{code="200"} 10
            """ + "\n"
        var batch = SampleBatch()
        try ExpositionParser.parse(Array(text.utf8), format: .text, into: &batch)
        let configuration = EMFConfiguration(
            namespace: "Test",
            declarations: [MetricDeclaration(dimensions: [["job", "instance"]], metricSelectors: ["."])]
        )
        let target = EMFTarget(jobName: "t", labels: [("job", "t"), ("instance", "h:1")])
        /// One scrape converted by a fresh converter in `encoding`: its events and its lines.
        func convert(_ encoding: EMFMessageEncoding) throws -> ([EMFLogEvent], ArraySlice<UInt8>) {
            let converter = try EMFConverter(
                configuration: configuration,
                agentStartMilliseconds: 1_700_000_000_000,
                messageEncoding: encoding
            )
            var state = TargetSeriesState()
            var events: [EMFLogEvent] = []
            var lines: ArraySlice<UInt8> = []
            _ = converter.convert(
                batch,
                target: target,
                state: &state,
                scrapeTimeMilliseconds: 1_700_000_010_000,
                synthetic: [],
                into: &events,
                lines: &lines
            )
            return (events, lines)
        }
        let (events, lines) = try convert(.document)
        #expect(events.count == 2, "the two gauges (the counter's first value is its baseline)")

        let expected = events.flatMap { Array($0.message) + [UInt8(ascii: "\n")] }
        let copied = try await written { await $0.write(events) }
        let direct = try await written { await $0.write(events, lines: lines) }
        #expect(copied == expected)
        #expect(direct == expected)
        #expect(String(decoding: direct, as: UTF8.self).split(separator: "\n").count == 2)

        // Messages converted for CloudWatch (JSON string content) are still written as documents.
        let (escapedEvents, escapedLines) = try convert(.jsonStringContent)
        #expect(escapedEvents.map(\.messageEncoding) == [.jsonStringContent, .jsonStringContent])
        #expect(escapedEvents.map(\.message) != events.map(\.message))
        #expect(try await written { await $0.write(escapedEvents) } == expected)
        #expect(try await written { await $0.write(escapedEvents, lines: escapedLines) } == expected)
    }
}
