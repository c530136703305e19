import AWSClients
import AWSCore
import Testing

struct JSONTests {
    @Test func parseAndRead() throws {
        let json = try AWSJSON.parse(
            #" {"a": 1, "b": [true, false, null], "c": {"d": "x\"y\\z\u00e9\ud83d\ude80\n"}, "e": -1.5e3, "f": 1700000000123} "#)
        #expect(json["a"]?.intValue == 1)
        #expect(json["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(json["c"]?["d"]?.stringValue == "x\"y\\zé🚀\n")
        #expect(json["e"]?.doubleValue == -1500)
        #expect(json["f"]?.int64Value == 1_700_000_000_123)
        #expect(json["missing"] == nil)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"\u{01}\"", "01x", "tru", "{\"a\":1}}", "\"\\q\"", "1."])
    func malformedJSONIsRejected(_ input: String) {
        #expect(throws: AWSError.self) { try AWSJSON.parse(input) }
    }

    @Test func writeRoundTrips() throws {
        let value = AWSJSON.members([
            ("name", .string("a \"b\" \\ c\n\t\u{1}é")), ("n", .int(42)), ("d", .double(0.25)), ("skip", nil),
            ("list", .array([.bool(true), .null])), ("obj", .object([("k", .string("v"))])),
        ])
        let text = String(decoding: value.bytes, as: UTF8.self)
        #expect(text == #"{"name":"a \"b\" \\ c\n\t\u0001é","n":42,"d":0.25,"list":[true,null],"obj":{"k":"v"}}"#)
        #expect(try AWSJSON.parse(value.bytes) == value)
        #expect(AWSJSON.double(.nan) == .null)
    }

    @Test func putLogEventsBodyEmbedsMessagesAsJSONStrings() throws {
        let emf = #"{"_aws":{"Timestamp":1700000000000},"Service":"a\"b","Path":"C:\\x","Line":"1\n2"}"#
        let events = [
            InputLogEvent(timestampMilliseconds: 1_700_000_000_000, message: emf),
            InputLogEvent(timestampMilliseconds: 1_700_000_000_001, message: "tab\there \u{7f} ünï 🚀 \u{1f}"),
        ]
        let body = CloudWatchLogsClient.putLogEventsBody(group: "/g\"1", stream: "s", events: events)
        let parsed = try AWSJSON.parse(body)
        #expect(parsed["logGroupName"]?.stringValue == "/g\"1")
        #expect(parsed["logStreamName"]?.stringValue == "s")
        let logEvents = try #require(parsed["logEvents"]?.arrayValue)
        #expect(logEvents.count == 2)
        #expect(logEvents[0]["timestamp"]?.int64Value == 1_700_000_000_000)
        #expect(logEvents[0]["message"]?.stringValue == emf)
        #expect(logEvents[1]["message"]?.stringValue == "tab\there \u{7f} ünï 🚀 \u{1f}")
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"logGroupName":"/g\"1","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"{\"_aws\""#))
        #expect(text.contains(#"\u001f"#))
        #expect(CloudWatchLogsClient.putLogEventsBody(group: "g", stream: "s", events: []) == Array(#"{"logGroupName":"g","logStreamName":"s","logEvents":[]}"#.utf8))
    }

    @Test func escapingEveryByte() throws {
        // Every byte value below 0x80 survives a round trip through the escaper and the parser.
        let all = String(decoding: (1..<0x80).map { UInt8($0) }, as: UTF8.self)
        var out: [UInt8] = []
        AWSJSON.appendString(all, to: &out)
        #expect(try AWSJSON.parse(out).stringValue == all)
    }

    @Test func rejectedCount() {
        #expect(RejectedLogEventsInfo(tooNewLogEventStartIndex: 8, tooOldLogEventEndIndex: 2).rejectedCount(of: 10) == 4)
        #expect(RejectedLogEventsInfo(tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 3).rejectedCount(of: 10) == 3)
        #expect(RejectedLogEventsInfo().rejectedCount(of: 10) == 0)
    }
}
