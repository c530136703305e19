/// Why one scrape failed. Each failure marks only its own target down.
public struct ScrapeError: Error, CustomStringConvertible, Sendable {
    /// A bounded-cardinality reason, usable as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String {
            case timeout, connection, httpStatus = "http_status", bodyTooLarge = "body_too_large"
            case parse, sampleLimit = "sample_limit", labelLimit = "label_limit", credentials
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        public static let timeout = Code(.timeout)
        public static let connection = Code(.connection)
        public static let httpStatus = Code(.httpStatus)
        public static let bodyTooLarge = Code(.bodyTooLarge)
        public static let parse = Code(.parse)
        public static let sampleLimit = Code(.sampleLimit)
        public static let labelLimit = Code(.labelLimit)
        public static let credentials = Code(.credentials)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
    /// ``Code`` as text, for metric labels.
    public var shortDescription: String { code.description }
}
