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

/// How an event's ``EMFLogEvent/message`` holds its EMF document.
public enum EMFMessageEncoding: Sendable, Hashable {
    /// The JSON document itself.
    case document
    /// The document as the content of a JSON string, without the quotes (`"` → `\"`, `\` → `\\`): what the
    /// `message` member of a PutLogEvents body holds, so the body is written by copying rather than escaping every
    /// byte. At least as long as the document, so limits counted on it are never exceeded by the document.
    case jsonStringContent
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
    /// How ``message`` holds the document.
    public var messageEncoding: EMFMessageEncoding

    public init(
        destination: EMFLogDestination,
        timestampMilliseconds: Int64,
        message: ArraySlice<UInt8>,
        messageEncoding: EMFMessageEncoding = .document
    ) {
        self.destination = destination
        self.timestampMilliseconds = timestampMilliseconds
        self.message = message
        self.messageEncoding = messageEncoding
    }

    public init(
        logGroupName: String,
        logStreamName: String,
        timestampMilliseconds: Int64,
        message: ArraySlice<UInt8>
    ) {
        self.init(
            destination: EMFLogDestination(logGroupName: logGroupName, logStreamName: logStreamName),
            timestampMilliseconds: timestampMilliseconds,
            message: message
        )
    }

    public init(logGroupName: String, logStreamName: String, timestampMilliseconds: Int64, message: [UInt8]) {
        self.init(
            logGroupName: logGroupName,
            logStreamName: logStreamName,
            timestampMilliseconds: timestampMilliseconds,
            message: message[...]
        )
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

    /// The EMF document, whatever ``messageEncoding`` (allocates).
    public var document: [UInt8] {
        switch messageEncoding {
        case .document: Array(message)
        case .jsonStringContent: JSONWriter.unescapedStringContent(message)
        }
    }

    /// The EMF document as a `String` (for logs and tests; allocates).
    public var messageString: String { String(decoding: document, as: UTF8.self) }
}
