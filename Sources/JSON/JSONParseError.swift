/// A JSON text could not be parsed: what was wrong and at which byte.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for callers that branch on it; extensible without breaking `switch`es.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Backing: Sendable, Hashable {
            case unexpectedEnd, unexpectedCharacter, invalidLiteral, invalidNumber, invalidString, nestingTooDeep
            case trailingData
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The input ended inside a value (or was empty).
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// A byte that cannot start or continue the value being read (a missing `:` or `,`, a stray character).
        public static let unexpectedCharacter = Code(.unexpectedCharacter)
        /// A misspelled `true`, `false` or `null`.
        public static let invalidLiteral = Code(.invalidLiteral)
        /// A number not in RFC 8259 form (leading zeros, `1.`, `-`, a bare exponent).
        public static let invalidNumber = Code(.invalidNumber)
        /// A bad escape or a raw control character in a string.
        public static let invalidString = Code(.invalidString)
        /// Arrays and objects nested deeper than the parser's maximum depth.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// Something other than whitespace after the value.
        public static let trailingData = Code(.trailingData)

        public var description: String { "\(backing)" }
    }

    /// The kind of problem.
    public var code: Code
    /// Byte offset of the problem in the input.
    public var offset: Int
    /// What was wrong, for people.
    public var message: String

    public init(_ code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
