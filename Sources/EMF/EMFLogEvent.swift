/// One CloudWatch Logs event carrying one EMF document.
public struct EMFLogEvent: Sendable, Equatable {
    /// Resolved from the `log_group_name` template.
    public var logGroupName: String
    /// Resolved from the `log_stream_name` template.
    public var logStreamName: String
    /// The event's timestamp; equals the document's `_aws.Timestamp` (when it has one).
    public var timestampMilliseconds: Int64
    /// One JSON object, UTF-8, no trailing newline. The events of one conversion share one buffer: each message
    /// is a slice of it (indices do not start at 0).
    public var message: ArraySlice<UInt8>

    public init(
        logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: ArraySlice<UInt8>
    ) {
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
        self.timestampMilliseconds = timestampMilliseconds
        self.message = message
    }

    public init(logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: [UInt8]) {
        self.init(
            logGroupName: logGroupName, logStreamName: logStreamName, timestampMilliseconds: timestampMilliseconds,
            message: message[...])
    }

    /// The message as a `String` (for logs and tests; allocates).
    public var messageString: String { String(decoding: message, as: UTF8.self) }
}
