import AWSClients
import AWSCore
import AWSTesting
import Testing

extension MotoIntegrationTests {
    @Suite struct Logs {
        func now() -> Int64 { SystemWallClock().nowMilliseconds() }

        @Test func createPutAndReadBack() async throws {
            let moto = try MotoContext.moto
            let logs = try CloudWatchLogsClient(configuration: moto.configuration())
            let group = uniqueName("/promwatch/test")
            try await logs.createLogGroup(name: group, tags: ["team": "obs", "env": "test"])
            try await logs.putRetentionPolicy(group: group, days: 14)
            try await logs.createLogStream(group: group, stream: "node-1")
            try await logs.createLogStream(group: group, stream: "node-2")
            try await logs.createLogStream(group: group, stream: "other")

            let described = try await logs.describeLogStreams(group: group, prefix: "node-")
            #expect(described.logStreams.map(\.logStreamName).sorted() == ["node-1", "node-2"])

            let t = now()
            let emf =
                #"{"_aws":{"Timestamp":\#(t),"CloudWatchMetrics":[{"Namespace":"EMFTest","Dimensions":[["Service"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"}]}]},"Service":"api \"quoted\"\\ü\n","Latency":123}"#
            let events = [
                InputLogEvent(timestampMilliseconds: t - 2, message: emf),
                InputLogEvent(timestampMilliseconds: t - 1, message: "plain line\twith tab and \u{1} control"),
                InputLogEvent(timestampMilliseconds: t, message: "ünïcødé ✓ 🚀"),
            ]
            let response = try await logs.putLogEvents(group: group, stream: "node-1", events: events, emf: true)
            #expect(response.rejectedLogEventsInfo == nil)

            let read = try await logs.getLogEvents(group: group, stream: "node-1", startFromHead: true)
            #expect(read.events.map(\.message) == events.map { String(decoding: $0.message, as: UTF8.self) })
            #expect(read.events.map(\.timestampMilliseconds) == events.map(\.timestampMilliseconds))
        }

        @Test func rejectedEventsAreReported() async throws {
            let moto = try MotoContext.moto
            let logs = try CloudWatchLogsClient(configuration: moto.configuration())
            let group = uniqueName("rejected")
            try await logs.createLogGroup(name: group)
            try await logs.createLogStream(group: group, stream: "s")
            let t = now()
            let day: Int64 = 86_400_000
            let response = try await logs.putLogEvents(
                group: group, stream: "s",
                events: [
                    InputLogEvent(timestampMilliseconds: t - 15 * day, message: "too old"),
                    InputLogEvent(timestampMilliseconds: t, message: "fine"),
                    InputLogEvent(timestampMilliseconds: t + 3 * 3_600_000, message: "too new"),
                ])
            let info = try #require(response.rejectedLogEventsInfo)
            // AWS: tooOldLogEventEndIndex is exclusive (1 here); moto 5.2.1 sends the index of the last too-old
            // event (0). tooNewLogEventStartIndex is the first too-new event in both.
            #expect(info.tooOldLogEventEndIndex == 0 || info.tooOldLogEventEndIndex == 1)
            #expect(info.tooNewLogEventStartIndex == 2)
            let stored = try await logs.getLogEvents(group: group, stream: "s")
            #expect(stored.events.map(\.message) == ["fine"])
        }

        @Test func serviceErrorsAreTyped() async throws {
            let moto = try MotoContext.moto
            let logs = try CloudWatchLogsClient(configuration: moto.configuration(retryPolicy: AWSRetryPolicy(maxAttempts: 3)))
            let group = uniqueName("errors")
            try await logs.createLogGroup(name: group)
            let duplicate = try await #require(throws: AWSError.self) { try await logs.createLogGroup(name: group) }
            #expect(duplicate.serviceCode == "ResourceAlreadyExistsException")
            #expect(duplicate.status == 400)
            #expect(!duplicate.isRetryable)

            let missing = try await #require(throws: AWSError.self) {
                try await logs.putLogEvents(
                    group: group, stream: "missing", events: [InputLogEvent(timestampMilliseconds: now(), message: "x")])
            }
            #expect(missing.serviceCode == "ResourceNotFoundException")
            #expect(missing.message.contains("log stream does not exist"))
            #expect(missing.description.hasPrefix("ResourceNotFoundException: "))

            try await logs.createLogStream(group: group, stream: "s")
            let t = now()
            let unordered = try await #require(throws: AWSError.self) {
                try await logs.putLogEvents(
                    group: group, stream: "s",
                    events: [InputLogEvent(timestampMilliseconds: t, message: "b"), InputLogEvent(timestampMilliseconds: t - 1000, message: "a")])
            }
            #expect(unordered.serviceCode == "InvalidParameterException")
        }
    }
}
