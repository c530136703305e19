/// A regular expression that Go's `regexp` package rejects, reported the way Go reports it.
///
/// ``description`` reads exactly like Go's `*syntax.Error`, for example
/// ``error parsing regexp: invalid or unsupported Perl syntax: `(?=` ``, so messages shown to users match what
/// Prometheus prints for the same configuration.
public struct RelabelRegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong. Extensible: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case invalidCharClass, invalidCharRange, invalidEscape, invalidNamedCapture, invalidPerlOp
            case invalidRepeatOp, invalidRepeatSize, missingBracket, missingParen, missingRepeatArgument
            case trailingBackslash, unexpectedParen, nestingDepth, large, unsupportedUnicodeClass
        }

        private var backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// `invalid character class`
        public static let invalidCharClass = Code(.invalidCharClass)
        /// `invalid character class range` (also unknown `\p{…}` and `[:…:]` names, as in Go)
        public static let invalidCharRange = Code(.invalidCharRange)
        /// `invalid escape sequence` (also backreferences such as `\1`)
        public static let invalidEscape = Code(.invalidEscape)
        /// `invalid named capture`
        public static let invalidNamedCapture = Code(.invalidNamedCapture)
        /// `invalid or unsupported Perl syntax` (lookaround, `(?P=name)`, unknown flags)
        public static let invalidPerlOp = Code(.invalidPerlOp)
        /// `invalid nested repetition operator` (`a**`, possessive `a*+`)
        public static let invalidRepeatOp = Code(.invalidRepeatOp)
        /// `invalid repeat count` (above 1000, also when nested counts multiply above 1000)
        public static let invalidRepeatSize = Code(.invalidRepeatSize)
        /// `missing closing ]`
        public static let missingBracket = Code(.missingBracket)
        /// `missing closing )`
        public static let missingParen = Code(.missingParen)
        /// `missing argument to repetition operator`
        public static let missingRepeatArgument = Code(.missingRepeatArgument)
        /// `trailing backslash at end of expression`
        public static let trailingBackslash = Code(.trailingBackslash)
        /// `unexpected )`
        public static let unexpectedParen = Code(.unexpectedParen)
        /// `expression nests too deeply`
        public static let nestingDepth = Code(.nestingDepth)
        /// `expression too large`
        public static let large = Code(.large)
        /// A Unicode script class such as `\p{Greek}`: valid in Go, but promwatch has no script tables (the Swift
        /// standard library exposes general categories, not scripts). Not a Go error code.
        public static let unsupportedUnicodeClass = Code(.unsupportedUnicodeClass)

        /// Go's message text for the code.
        public var message: String {
            switch backing {
            case .invalidCharClass: "invalid character class"
            case .invalidCharRange: "invalid character class range"
            case .invalidEscape: "invalid escape sequence"
            case .invalidNamedCapture: "invalid named capture"
            case .invalidPerlOp: "invalid or unsupported Perl syntax"
            case .invalidRepeatOp: "invalid nested repetition operator"
            case .invalidRepeatSize: "invalid repeat count"
            case .missingBracket: "missing closing ]"
            case .missingParen: "missing closing )"
            case .missingRepeatArgument: "missing argument to repetition operator"
            case .trailingBackslash: "trailing backslash at end of expression"
            case .unexpectedParen: "unexpected )"
            case .nestingDepth: "expression nests too deeply"
            case .large: "expression too large"
            case .unsupportedUnicodeClass: "unsupported Unicode class (Unicode scripts are not available)"
            }
        }

        public var description: String { message }
    }

    public var code: Code
    /// The part of the expression Go names in its message (sometimes the whole expression).
    public var expression: String

    public init(code: Code, expression: String) {
        self.code = code
        self.expression = expression
    }

    public var description: String { "error parsing regexp: \(code.message): `\(expression)`" }
}
