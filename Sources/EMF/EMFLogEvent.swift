/// The log group and stream an event goes to. The events of one conversion that go to the same place share one,
/// so an event carries one reference for both names instead of two strings.
public final class EMFLogDestination: Sendable, Hashable {
    /// Resolved from the `log_group_name` template.
    public let logGroupName: String
    /// Resolved from the `log_stream_name` template.
    public let logStreamName: String

    public init(logGroupName: String, logStreamName: String) {
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
    }

    public static func == (lhs: EMFLogDestination, rhs: EMFLogDestination) -> Bool {
        lhs === rhs || (lhs.logGroupName == rhs.logGroupName && lhs.logStreamName == rhs.logStreamName)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(logGroupName)
        hasher.combine(logStreamName)
    }
}

/// One CloudWatch Logs event carrying one EMF document.
public struct EMFLogEvent: Sendable, Equatable {
    /// Where the event goes.
    public var destination: EMFLogDestination
    /// The event's timestamp; equals the document's `_aws.Timestamp` (when it has one).
    public var timestampMilliseconds: Int64
    /// One JSON object, UTF-8, no trailing newline. The events of one conversion share one buffer: each message
    /// is a slice of it (indices do not start at 0).
    public var message: ArraySlice<UInt8>

    public init(destination: EMFLogDestination, timestampMilliseconds: Int64, message: ArraySlice<UInt8>) {
        self.destination = destination
        self.timestampMilliseconds = timestampMilliseconds
        self.message = message
    }

    public init(
        logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: ArraySlice<UInt8>
    ) {
        self.init(
            destination: EMFLogDestination(logGroupName: logGroupName, logStreamName: logStreamName),
            timestampMilliseconds: timestampMilliseconds, message: message)
    }

    public init(logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: [UInt8]) {
        self.init(
            logGroupName: logGroupName, logStreamName: logStreamName, timestampMilliseconds: timestampMilliseconds,
            message: message[...])
    }

    /// Resolved from the `log_group_name` template.
    public var logGroupName: String {
        get { destination.logGroupName }
        set { destination = EMFLogDestination(logGroupName: newValue, logStreamName: destination.logStreamName) }
    }

    /// Resolved from the `log_stream_name` template.
    public var logStreamName: String {
        get { destination.logStreamName }
        set { destination = EMFLogDestination(logGroupName: destination.logGroupName, logStreamName: newValue) }
    }

    /// The message as a `String` (for logs and tests; allocates).
    public var messageString: String { String(decoding: message, as: UTF8.self) }
}
