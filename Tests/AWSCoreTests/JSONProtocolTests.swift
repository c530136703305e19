import AWSClients
import AWSCore
import AWSTesting
import JSON
import NIOCore
import Testing

/// The AWS side of JSON: request bodies written by hand and parse failures surfacing as `AWSError`. The JSON value
/// type itself is tested in JSONTests.
struct JSONProtocolTests {
    @Test func putLogEventsBodyEmbedsMessagesAsJSONStrings() throws {
        let emf = #"{"_aws":{"Timestamp":1700000000000},"Service":"a\"b","Path":"C:\\x","Line":"1\n2"}"#
        let events = [
            InputLogEvent(timestampMilliseconds: 1_700_000_000_000, message: emf),
            InputLogEvent(timestampMilliseconds: 1_700_000_000_001, message: "tab\there \u{7f} ünï 🚀 \u{1f}"),
        ]
        let body = CloudWatchLogsClient.putLogEventsBody(group: "/g\"1", stream: "s", events: events)
        let parsed = try JSONValue(parsing: body)
        #expect(parsed["logGroupName"]?.stringValue == "/g\"1")
        #expect(parsed["logStreamName"]?.stringValue == "s")
        let logEvents = try #require(parsed["logEvents"]?.arrayValue)
        #expect(logEvents.count == 2)
        #expect(logEvents[0]["timestamp"]?.int64Value == 1_700_000_000_000)
        #expect(logEvents[0]["message"]?.stringValue == emf)
        #expect(logEvents[1]["message"]?.stringValue == "tab\there \u{7f} ünï 🚀 \u{1f}")
        let text = String(decoding: body, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"logGroupName":"/g\"1","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"{\"_aws\""#
            )
        )
        #expect(text.contains(#"\u001f"#))
        for timestamp: Int64 in [0, 9, 10, 99, 1_000, -1, -10, .max, .min + 1] {
            let one = CloudWatchLogsClient.putLogEventsBody(
                group: "g",
                stream: "s",
                events: [InputLogEvent(timestampMilliseconds: timestamp, message: "m")]
            )
            #expect(try JSONValue(parsing: one)["logEvents"]?[0]?["timestamp"]?.int64Value == timestamp)
        }
        #expect(
            CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: [])
                == Array(#"{"logGroupName":"g","logStreamName":"s","logEvents":[]}"#.utf8)
        )
    }

    /// A reused body buffer holds exactly the new body: nothing of a longer previous one, and its storage kept.
    @Test func putLogEventsBodyReusesItsBuffer() throws {
        let long = (0..<200).map {
            InputLogEvent(timestampMilliseconds: 1_700_000_000_000 + Int64($0), message: "\"long\" \($0)")
        }
        let short = [InputLogEvent(timestampMilliseconds: 5, message: "short")]
        var body = ByteBuffer(string: "left over")
        body.moveReaderIndex(forwardBy: 4)
        CloudWatchLogsClient.writePutLogEventsBody(group: "g", stream: "s", events: long, into: &body)
        #expect(
            Array(body.readableBytesView)
                == CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: long)
        )
        let capacity = body.capacity
        let storage = body.withUnsafeReadableBytes { $0.baseAddress }
        CloudWatchLogsClient.writePutLogEventsBody(group: "g2", stream: "s2", events: short, into: &body)
        #expect(
            Array(body.readableBytesView)
                == Array(
                    #"{"logGroupName":"g2","logStreamName":"s2","logEvents":[{"timestamp":5,"message":"short"}]}"#.utf8
                )
        )
        #expect(body.capacity == capacity)
        #expect(body.withUnsafeReadableBytes { $0.baseAddress } == storage)
    }

    /// Messages already escaped (as the EMF converter writes them for CloudWatch) are copied between quotes: the
    /// body is byte for byte the one escaping the same documents would give.
    @Test func escapedMessagesGiveTheSameBodyAsDocuments() throws {
        let documents = [
            #"{"_aws":{"Timestamp":1700000000000},"Service":"a\"b","Path":"C:\\x","Line":"1\n2"}"#,
            #"{"k":"ünï 🚀","empty":""}"#,
            "",
        ]
        func escaped(_ document: String) -> ArraySlice<UInt8> {
            document.utf8.flatMap { byte -> [UInt8] in
                byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), byte] : [byte]
            }[...]
        }
        let plain = documents.enumerated().map {
            InputLogEvent(timestampMilliseconds: Int64($0.offset), message: $0.element)
        }
        let preEscaped = documents.enumerated().map {
            InputLogEvent(timestampMilliseconds: Int64($0.offset), message: escaped($0.element), messageIsEscaped: true)
        }
        let body = CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: preEscaped)
        #expect(body == CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: plain))
        let parsed = try JSONValue(parsing: body)
        #expect(parsed["logEvents"]?.arrayValue?.map { $0["message"]?.stringValue } == documents)
        // Mixed in one body, and into a reused buffer holding a longer body.
        var reused = ByteBuffer(
            bytes: CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: plain + plain)
        )
        let mixed = [preEscaped[0], plain[1], preEscaped[2]]
        CloudWatchLogsClient.writePutLogEventsBody(group: "g", stream: "s", events: mixed, into: &reused)
        #expect(Array(reused.readableBytesView) == body)
    }

    @Test func bufferPoolKeepsAFewBuffersLastInFirstOut() {
        let pool = BufferPool<[UInt8]>(maximumIdle: 2)
        #expect(pool.take() == nil)
        pool.give([1])
        pool.give([2])
        pool.give([3])  // more than two idle: dropped
        #expect(pool.idleCount == 2)
        #expect(pool.take() == [2])
        #expect(pool.take() == [1])
        #expect(pool.take() == nil)
    }

    @Test func malformedJSONResponseIsAnInvalidResponseNamingTheOperationAndOffset() async throws {
        let harness = try ServiceClientRetryTests.Harness([ScriptedTransport.respond(200, #"{"a":"#)], maxAttempts: 1)
        let error = try await #require(throws: AWSError.self) { try await harness.call() }
        #expect(error.code == .invalidResponse)
        #expect(error.message.contains("CreateLogGroup"))
        #expect(error.message.contains("at byte 5"))
    }

    @Test func requestBodiesKeepMemberOrderAndLeaveOutNil() {
        let body = JSONValue.compactObject([
            ("logGroupName", .string("g")), ("kmsKeyId", nil), ("limit", JSONValue(50)), ("startFromHead", .bool(true)),
        ])
        #expect(body.serialized == #"{"logGroupName":"g","limit":50,"startFromHead":true}"#)
    }

    @Test func rejectedCount() {
        #expect(
            RejectedLogEventsInfo(tooNewLogEventStartIndex: 8, tooOldLogEventEndIndex: 2).rejectedCount(of: 10) == 4
        )
        #expect(RejectedLogEventsInfo(tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 3).rejectedCount(of: 10) == 3)
        #expect(RejectedLogEventsInfo().rejectedCount(of: 10) == 0)
    }
}
