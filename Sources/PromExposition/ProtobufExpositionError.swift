/// Why a protobuf exposition was rejected, and where: the byte offset of the length prefix of the message at
/// fault (protobuf has no lines).
///
/// As with text, one error rejects the whole scrape.
public struct ProtobufExpositionError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, without position or detail: a bounded set, fit for a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // Private so new codes can be added without breaking exhaustive switches in other modules.
        private enum Base: String, Sendable {
            case invalidLengthPrefix = "invalid_length_prefix"
            case messageTooLarge = "message_too_large"
            case truncatedMessage = "truncated_message"
            case invalidMessage = "invalid_message"
            case invalidMetricName = "invalid_metric_name"
            case invalidMetricType = "invalid_metric_type"
            case invalidLabelName = "invalid_label_name"
            case duplicateLabelName = "duplicate_label_name"
            case invalidUTF8 = "invalid_utf8"
            case tooManyLabels = "too_many_labels"
            case labelNameTooLong = "label_name_too_long"
            case labelValueTooLong = "label_value_too_long"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The snake-case code, e.g. `truncated_message`. Codes shared with ``ExpositionError/Code`` are spelled
        /// the same.
        public var description: String { base.rawValue }

        /// A message's varint length prefix is longer than 10 bytes or overflows.
        public static let invalidLengthPrefix = Code(.invalidLengthPrefix)
        /// A message is longer than ``ProtobufExpositionParser/maximumMessageSize``, or would take more than 24
        /// times its size (plus 1 MiB) to unpack.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// The input ends inside a message or its length prefix.
        public static let truncatedMessage = Code(.truncatedMessage)
        /// The bytes are not a valid `io.prometheus.client.MetricFamily` (libprotobuf-c could not unpack them).
        public static let invalidMessage = Code(.invalidMessage)
        /// A family name is empty or has a character outside `[a-zA-Z0-9_:]` (or starts with a digit).
        public static let invalidMetricName = Code(.invalidMetricName)
        /// The family's type is not one of the six `io.prometheus.client.MetricType` values.
        public static let invalidMetricType = Code(.invalidMetricType)
        /// A label name is empty or has a character outside `[a-zA-Z0-9_]` (or starts with a digit).
        public static let invalidLabelName = Code(.invalidLabelName)
        /// The same label name appears twice on one metric (`le` or `quantile` included for histograms and
        /// summaries).
        public static let duplicateLabelName = Code(.duplicateLabelName)
        /// A label value, HELP or UNIT is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A sample has more than ``ExpositionLimits/maximumLabelsPerSample`` labels.
        public static let tooManyLabels = Code(.tooManyLabels)
        /// A label name is longer than ``ExpositionLimits/maximumLabelNameLength``.
        public static let labelNameTooLong = Code(.labelNameTooLong)
        /// A label value is longer than ``ExpositionLimits/maximumLabelValueLength``.
        public static let labelValueTooLong = Code(.labelValueTooLong)
    }

    public let code: Code
    /// The 0-based offset in the body of the length prefix of the message at fault (for ``Code/truncatedMessage``
    /// of an input that ends inside a length prefix, that prefix's offset).
    public let byteOffset: Int
    /// What went wrong, for people (no position; see ``description``).
    public let message: String

    public init(code: Code, byteOffset: Int, message: String) {
        self.code = code
        self.byteOffset = byteOffset
        self.message = message
    }

    /// `byte offset 1234: MetricFamily "x": invalid label name "a-b"`.
    public var description: String { "byte offset \(byteOffset): \(message)" }

    /// The code alone (`invalid_message`): bounded cardinality, for metric labels and log keys.
    public var shortDescription: String { code.description }
}
