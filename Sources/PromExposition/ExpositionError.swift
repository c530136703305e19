/// Why an exposition was rejected, and where.
///
/// A scrape is rejected as a whole on the first error (OpenMetrics requires it, and a half-parsed scrape would
/// commit a misleading subset), so one error per parse is all there is.
public struct ExpositionError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, without position or detail: a bounded set, fit for a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // Private so new codes can be added without breaking exhaustive switches in other modules.
        private enum Base: String, Sendable {
            case lineTooLong = "line_too_long"
            case tooManyLabels = "too_many_labels"
            case labelNameTooLong = "label_name_too_long"
            case labelValueTooLong = "label_value_too_long"
            case invalidMetricName = "invalid_metric_name"
            case invalidLabelName = "invalid_label_name"
            case invalidLabelSyntax = "invalid_label_syntax"
            case unterminatedLabelValue = "unterminated_label_value"
            case duplicateLabelName = "duplicate_label_name"
            case invalidUTF8 = "invalid_utf8"
            case missingValue = "missing_value"
            case invalidValue = "invalid_value"
            case invalidTimestamp = "invalid_timestamp"
            case unexpectedToken = "unexpected_token"
            case invalidWhitespace = "invalid_whitespace"
            case blankLine = "blank_line"
            case invalidComment = "invalid_comment"
            case invalidMetadata = "invalid_metadata"
            case invalidMetricType = "invalid_metric_type"
            case duplicateMetadata = "duplicate_metadata"
            case metadataAfterSamples = "metadata_after_samples"
            case invalidExemplar = "invalid_exemplar"
            case missingEOF = "missing_eof"
            case contentAfterEOF = "content_after_eof"
            case invalidSampleValue = "invalid_sample_value"
            case invalidTypeLabel = "invalid_type_label"
            case invalidHistogram = "invalid_histogram"
            case exemplarNotAllowed = "exemplar_not_allowed"
            case invalidUnit = "invalid_unit"
            case familyClash = "family_clash"
            case invalidOrdering = "invalid_ordering"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The snake-case code, e.g. `invalid_label_syntax`.
        public var description: String { base.rawValue }

        // Limits (``ExpositionLimits``).
        /// A line is longer than ``ExpositionLimits/maximumLineLength``.
        public static let lineTooLong = Code(.lineTooLong)
        /// A sample or exemplar has more than ``ExpositionLimits/maximumLabelsPerSample`` labels.
        public static let tooManyLabels = Code(.tooManyLabels)
        /// A label name is longer than ``ExpositionLimits/maximumLabelNameLength``.
        public static let labelNameTooLong = Code(.labelNameTooLong)
        /// An unescaped label value is longer than ``ExpositionLimits/maximumLabelValueLength``.
        public static let labelValueTooLong = Code(.labelValueTooLong)

        // Syntax, both formats.
        /// A metric name is missing or has a character outside `[a-zA-Z0-9_:]` (or starts with a digit).
        public static let invalidMetricName = Code(.invalidMetricName)
        /// A label name is missing or has a character outside `[a-zA-Z0-9_]` (or starts with a digit).
        public static let invalidLabelName = Code(.invalidLabelName)
        /// A label set is malformed: missing `=`, quote, comma or brace; a trailing comma in OpenMetrics.
        public static let invalidLabelSyntax = Code(.invalidLabelSyntax)
        /// A label value has no closing quote on its line.
        public static let unterminatedLabelValue = Code(.unterminatedLabelValue)
        /// The same label name appears twice in one label set.
        public static let duplicateLabelName = Code(.duplicateLabelName)
        /// A label value or HELP text is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A sample line has no value.
        public static let missingValue = Code(.missingValue)
        /// A sample value is not a number (or is out of the range of a `Double`).
        public static let invalidValue = Code(.invalidValue)
        /// A timestamp is not an integer (text) or not a finite real number (OpenMetrics).
        public static let invalidTimestamp = Code(.invalidTimestamp)
        /// Something follows the last token a line may have.
        public static let unexpectedToken = Code(.unexpectedToken)
        /// OpenMetrics: a separator other than exactly one space, or a trailing space.
        public static let invalidWhitespace = Code(.invalidWhitespace)
        /// OpenMetrics: an empty line.
        public static let blankLine = Code(.blankLine)
        /// OpenMetrics: a `#` line that is neither `# TYPE`, `# HELP`, `# UNIT` nor `# EOF`.
        public static let invalidComment = Code(.invalidComment)
        /// A malformed `# HELP`, `# TYPE` or `# UNIT` line.
        public static let invalidMetadata = Code(.invalidMetadata)
        /// `# TYPE` names a type the format does not have (`untyped` in OpenMetrics, for one).
        public static let invalidMetricType = Code(.invalidMetricType)
        /// OpenMetrics: a second `# TYPE`, `# HELP` or `# UNIT` for one family.
        public static let duplicateMetadata = Code(.duplicateMetadata)
        /// OpenMetrics: metadata for a family after its first sample.
        public static let metadataAfterSamples = Code(.metadataAfterSamples)
        /// OpenMetrics: a malformed exemplar (` # {labels} value [timestamp]`).
        public static let invalidExemplar = Code(.invalidExemplar)
        /// OpenMetrics: the input ended without `# EOF`.
        public static let missingEOF = Code(.missingEOF)
        /// OpenMetrics: bytes after the `# EOF` line.
        public static let contentAfterEOF = Code(.contentAfterEOF)

        // OpenMetrics semantics, checked only with ``ExpositionValidation/strict``.
        /// A value the family type forbids: negative or NaN counter, info not 1, stateset not 0 or 1, …
        public static let invalidSampleValue = Code(.invalidSampleValue)
        /// A label the family type requires is missing or invalid (`le`, `quantile`, the stateset label).
        public static let invalidTypeLabel = Code(.invalidTypeLabel)
        /// A histogram's buckets, `_count` and `_sum` do not fit together.
        public static let invalidHistogram = Code(.invalidHistogram)
        /// An exemplar on a sample that may not have one, or with more than 128 code points of labels.
        public static let exemplarNotAllowed = Code(.exemplarNotAllowed)
        /// A `# UNIT` that is not the family name's suffix, or on an info or stateset family.
        public static let invalidUnit = Code(.invalidUnit)
        /// A family repeats, or its name clashes with the sample names of another family.
        public static let familyClash = Code(.familyClash)
        /// Metrics of a family interleaved, timestamps going backwards or present on only some samples.
        public static let invalidOrdering = Code(.invalidOrdering)
    }

    public let code: Code
    /// 1-based line number in the exposition.
    public let line: Int
    /// 1-based byte column in the line.
    public let column: Int
    /// What went wrong, for people (no position; see ``description``).
    public let message: String

    public init(code: Code, line: Int, column: Int, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 12, column 7: invalid escape sequence in label value`.
    public var description: String { "line \(line), column \(column): \(message)" }

    /// The code alone (`invalid_label_syntax`): bounded cardinality, for metric labels and log keys.
    public var shortDescription: String { code.description }
}
