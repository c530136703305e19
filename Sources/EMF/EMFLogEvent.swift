/// One CloudWatch Logs event carrying one EMF document.
public struct EMFLogEvent: Sendable, Equatable {
    /// Resolved from the `log_group_name` template.
    public var logGroupName: String
    /// Resolved from the `log_stream_name` template.
    public var logStreamName: String
    /// The event's timestamp; equals the document's `_aws.Timestamp` (when it has one).
    public var timestampMilliseconds: Int64
    /// One JSON object, UTF-8, no trailing newline.
    public var message: [UInt8]

    public init(logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: [UInt8]) {
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
        self.timestampMilliseconds = timestampMilliseconds
        self.message = message
    }

    /// The message as a `String` (for logs and tests; allocates).
    public var messageString: String { String(decoding: message, as: UTF8.self) }
}
