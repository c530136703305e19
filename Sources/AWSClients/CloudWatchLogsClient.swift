public import AWSCore
import JSON
public import NIOCore

/// One log event to send: a timestamp and the message bytes (UTF-8; for EMF, the JSON document).
public struct InputLogEvent: Sendable, Equatable {
    public var timestampMilliseconds: Int64
    /// A slice, so events can share one buffer (as the EMF conversion writes them) without copying.
    public var message: ArraySlice<UInt8>
    /// `message` is already the content of a JSON string (`"` and `\` escaped, no control characters, no
    /// surrounding quotes): the request body takes it as it is.
    public var messageIsEscaped: Bool

    public init(timestampMilliseconds: Int64, message: ArraySlice<UInt8>, messageIsEscaped: Bool = false) {
        self.timestampMilliseconds = timestampMilliseconds
        self.message = message
        self.messageIsEscaped = messageIsEscaped
    }

    public init(timestampMilliseconds: Int64, message: [UInt8]) {
        self.init(timestampMilliseconds: timestampMilliseconds, message: message[...])
    }

    public init(timestampMilliseconds: Int64, message: String) {
        self.init(timestampMilliseconds: timestampMilliseconds, message: Array(message.utf8))
    }
}

/// Events a 200 `PutLogEvents` did not store (indexes into the request's events).
public struct RejectedLogEventsInfo: Sendable, Equatable {
    /// Events from this index on were too far in the future.
    public var tooNewLogEventStartIndex: Int?
    /// Events before this index were too old.
    public var tooOldLogEventEndIndex: Int?
    /// Events before this index were older than the group's retention.
    public var expiredLogEventEndIndex: Int?

    public init(
        tooNewLogEventStartIndex: Int? = nil,
        tooOldLogEventEndIndex: Int? = nil,
        expiredLogEventEndIndex: Int? = nil
    ) {
        self.tooNewLogEventStartIndex = tooNewLogEventStartIndex
        self.tooOldLogEventEndIndex = tooOldLogEventEndIndex
        self.expiredLogEventEndIndex = expiredLogEventEndIndex
    }

    /// How many of `count` events were rejected.
    public func rejectedCount(of count: Int) -> Int {
        var rejected = Set<Int>()
        if let i = tooNewLogEventStartIndex { rejected.formUnion(max(0, i)..<max(count, i)) }
        if let i = tooOldLogEventEndIndex { rejected.formUnion(0..<min(max(i, 0), count)) }
        if let i = expiredLogEventEndIndex { rejected.formUnion(0..<min(max(i, 0), count)) }
        return rejected.count
    }
}

public struct PutLogEventsResponse: Sendable, Equatable {
    public var rejectedLogEventsInfo: RejectedLogEventsInfo?
}

public struct LogStream: Sendable, Equatable {
    public var logStreamName: String
    public var arn: String?
    public var creationTime: Int64?
    public var firstEventTimestamp: Int64?
    public var lastEventTimestamp: Int64?
    public var lastIngestionTime: Int64?
}

public struct DescribeLogStreamsResponse: Sendable, Equatable {
    public var logStreams: [LogStream]
    public var nextToken: String?
}

public struct OutputLogEvent: Sendable, Equatable {
    public var timestampMilliseconds: Int64
    public var message: String
    public var ingestionTime: Int64?
}

public struct GetLogEventsResponse: Sendable, Equatable {
    public var events: [OutputLogEvent]
    public var nextForwardToken: String?
    public var nextBackwardToken: String?
}

/// CloudWatch Logs over JSON 1.1 (`X-Amz-Target: Logs_20140328.<Operation>`), signing name `logs`.
public struct CloudWatchLogsClient: Sendable {
    public let client: AWSServiceClient
    private let putLogEventsBodies = BufferPool<ByteBuffer>(maximumIdle: 2)

    public static let targetPrefix = "Logs_20140328"

    /// - Throws: ``AWSError`` `.invalidConfiguration` for a bad endpoint URL.
    public init(configuration: AWSClientConfiguration) throws(AWSError) {
        client = try AWSServiceClient(service: .cloudWatchLogs, configuration: configuration)
    }

    public init(client: AWSServiceClient) { self.client = client }

    @discardableResult
    func call(
        _ operation: String,
        _ body: JSONValue,
        headers: [(name: String, value: String)] = []
    ) async throws(AWSError) -> JSONValue {
        try await client.json(
            targetPrefix: Self.targetPrefix,
            operation: operation,
            jsonVersion: "1.1",
            body: body.serializedBytes,
            headers: headers
        )
    }

    /// `CreateLogGroup`. Fails with `ResourceAlreadyExistsException` if it exists.
    public func createLogGroup(
        name: String,
        tags: [String: String] = [:],
        kmsKeyID: String? = nil
    ) async throws(AWSError) {
        try await call(
            "CreateLogGroup",
            .compactObject([
                ("logGroupName", .string(name)),
                ("kmsKeyId", kmsKeyID.map { .string($0) }),
                (
                    "tags",
                    tags.isEmpty
                        ? nil : .object(JSONObject(tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
                ),
            ])
        )
    }

    /// `CreateLogStream`. Fails with `ResourceAlreadyExistsException` if it exists, `ResourceNotFoundException` if the
    /// group doesn't.
    public func createLogStream(group: String, stream: String) async throws(AWSError) {
        try await call(
            "CreateLogStream",
            .compactObject([("logGroupName", .string(group)), ("logStreamName", .string(stream))])
        )
    }

    /// `PutRetentionPolicy` (days ∈ 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, …).
    public func putRetentionPolicy(group: String, days: Int) async throws(AWSError) {
        try await call(
            "PutRetentionPolicy",
            .compactObject([("logGroupName", .string(group)), ("retentionInDays", JSONValue(days))])
        )
    }

    /// `DescribeLogStreams`, one page.
    public func describeLogStreams(
        group: String,
        prefix: String? = nil,
        nextToken: String? = nil,
        limit: Int? = nil
    ) async throws(AWSError) -> DescribeLogStreamsResponse {
        let json = try await call(
            "DescribeLogStreams",
            .compactObject([
                ("logGroupName", .string(group)),
                ("logStreamNamePrefix", prefix.map { .string($0) }),
                ("nextToken", nextToken.map { .string($0) }),
                ("limit", limit.map { JSONValue($0) }),
            ])
        )
        let streams = (json["logStreams"]?.arrayValue ?? []).compactMap { stream -> LogStream? in
            guard let name = stream["logStreamName"]?.stringValue else { return nil }
            return LogStream(
                logStreamName: name,
                arn: stream["arn"]?.stringValue,
                creationTime: stream["creationTime"]?.int64Value,
                firstEventTimestamp: stream["firstEventTimestamp"]?.int64Value,
                lastEventTimestamp: stream["lastEventTimestamp"]?.int64Value,
                lastIngestionTime: stream["lastIngestionTime"]?.int64Value
            )
        }
        return DescribeLogStreamsResponse(logStreams: streams, nextToken: json["nextToken"]?.stringValue)
    }

    /// `PutLogEvents`. Events must be in chronological order. With `emf`, sends `x-amzn-logs-format: json/emf` so
    /// CloudWatch extracts metrics from EMF documents.
    /// - Returns: which events were rejected though the call succeeded (too new, too old, expired).
    public func putLogEvents(
        group: String,
        stream: String,
        events: [InputLogEvent],
        emf: Bool = false
    ) async throws(AWSError) -> PutLogEventsResponse {
        // A body of up to a few MiB, reused: freshly allocated, it would cost a page fault per 4 KiB.
        var body = putLogEventsBodies.take() ?? ByteBuffer()
        Self.writePutLogEventsBody(group: group, stream: stream, events: events, into: &body)
        let json = try await client.json(
            targetPrefix: Self.targetPrefix,
            operation: "PutLogEvents",
            jsonVersion: "1.1",
            body: body,
            headers: emf ? [("x-amzn-logs-format", "json/emf")] : []
        )
        // The request is done with it: `body` is the only reference again.
        putLogEventsBodies.give(body)
        guard let info = json["rejectedLogEventsInfo"], !info.isNull else { return PutLogEventsResponse() }
        return PutLogEventsResponse(
            rejectedLogEventsInfo: RejectedLogEventsInfo(
                tooNewLogEventStartIndex: info["tooNewLogEventStartIndex"]?.intValue,
                tooOldLogEventEndIndex: info["tooOldLogEventEndIndex"]?.intValue,
                expiredLogEventEndIndex: info["expiredLogEventEndIndex"]?.intValue
            )
        )
    }

    /// The `PutLogEvents` JSON body, written by hand: `{"logGroupName":…,"logStreamName":…,"logEvents":[{"timestamp":…,
    /// "message":"…"},…]}`. Messages are embedded as JSON strings (see ``JSONValue/writeQuoted(utf8:to:)``).
    public static func putLogEventsBody(group: String, stream: String, events: [InputLogEvent]) -> [UInt8] {
        var body = ByteBuffer()
        writePutLogEventsBody(group: group, stream: stream, events: events, into: &body)
        return Array(body.readableBytesView)
    }

    /// Replaces `body`'s bytes with the `PutLogEvents` body, reusing its capacity: the request sends this buffer
    /// itself, so the body is written once and never copied. Room is reserved by a bound that needs no counting
    /// pass, then written through a pointer.
    public static func writePutLogEventsBody(
        group: String,
        stream: String,
        events: [InputLogEvent],
        into body: inout ByteBuffer
    ) {
        var head: [UInt8] = Array(#"{"logGroupName":"#.utf8)
        JSONValue.writeString(group, into: &head)
        head.append(contentsOf: #","logStreamName":"#.utf8)
        JSONValue.writeString(stream, into: &head)
        head.append(contentsOf: #","logEvents":["#.utf8)
        let eventOpen = Array(#",{"timestamp":"#.utf8)
        let messageKey = Array(#","message":"#.utf8)
        var length = head.count + 2
        for event in events {
            length += eventOpen.count + JSONValue.decimalLength(event.timestampMilliseconds) + messageKey.count + 1
            length +=
                event.messageIsEscaped
                ? event.message.count + 2
                : event.message.withUnsafeBufferPointer { JSONValue.quotedLengthBound(utf8: $0) }
        }
        body.clear(minimumCapacity: length)
        let written = body.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
            let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var p = start
            func put(_ bytes: [UInt8], from offset: Int = 0) {
                bytes.withUnsafeBufferPointer { bytes in
                    let count = bytes.count - offset
                    p.update(from: bytes.baseAddress! + offset, count: count)
                    p += count
                }
            }
            put(head)
            for (i, event) in events.enumerated() {
                put(eventOpen, from: i == 0 ? 1 : 0)
                JSONValue.withDecimalDigits(event.timestampMilliseconds) { digits in
                    UnsafeMutableRawPointer(p).copyMemory(from: digits.baseAddress!, byteCount: digits.count)
                    p += digits.count
                }
                put(messageKey)
                if event.messageIsEscaped {
                    p[0] = UInt8(ascii: "\"")
                    p += 1
                    event.message.withUnsafeBufferPointer { message in
                        if let base = message.baseAddress { p.update(from: base, count: message.count) }
                    }
                    p += event.message.count
                    p[0] = UInt8(ascii: "\"")
                    p += 1
                } else {
                    p += event.message.withUnsafeBufferPointer { JSONValue.writeQuoted(utf8: $0, to: p) }
                }
                p[0] = UInt8(ascii: "}")
                p += 1
            }
            p[0] = UInt8(ascii: "]")
            p[1] = UInt8(ascii: "}")
            let written = p + 2 - start
            precondition(written <= length, "PutLogEvents body overran its bound")
            return written
        }
    }

    /// `GetLogEvents`, one page (for verification in tests and tools).
    public func getLogEvents(
        group: String,
        stream: String,
        startFromHead: Bool = true,
        nextToken: String? = nil,
        limit: Int? = nil
    ) async throws(AWSError) -> GetLogEventsResponse {
        let json = try await call(
            "GetLogEvents",
            .compactObject([
                ("logGroupName", .string(group)),
                ("logStreamName", .string(stream)),
                ("startFromHead", .bool(startFromHead)),
                ("nextToken", nextToken.map { .string($0) }),
                ("limit", limit.map { JSONValue($0) }),
            ])
        )
        let events = (json["events"]?.arrayValue ?? []).compactMap { event -> OutputLogEvent? in
            guard let timestamp = event["timestamp"]?.int64Value, let message = event["message"]?.stringValue else {
                return nil
            }
            return OutputLogEvent(
                timestampMilliseconds: timestamp,
                message: message,
                ingestionTime: event["ingestionTime"]?.int64Value
            )
        }
        return GetLogEventsResponse(
            events: events,
            nextForwardToken: json["nextForwardToken"]?.stringValue,
            nextBackwardToken: json["nextBackwardToken"]?.stringValue
        )
    }
}
