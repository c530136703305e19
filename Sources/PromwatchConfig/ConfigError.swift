/// A configuration file that cannot be used, with where the problem is.
///
/// ``description`` reads like a compiler diagnostic:
/// `quickstart.yaml:12:5: scrape_configs[0].scrape_interval: invalid duration "1x" (expected e.g. 30s, 1m, 1h30m)`.
/// ``line`` and ``column`` (1-based; columns count Unicode scalars) are those of the offending key, list item or
/// value; they are `nil` when the file could not be read or the problem has no place in the file (a default
/// value). ``keyPath`` is the path of the offending setting, such as `scrape_configs[0].scrape_interval`, or empty
/// for problems with the file as a whole (YAML syntax, unreadable file).
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public var code: Code
    /// The file as named to the loader (the Prometheus file for problems inside `prometheus_config_path`).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The offending key's path, e.g. `scrape_configs[0].static_configs[1].targets[0]`.
    public var keyPath: String
    /// What is wrong, without the location.
    public var message: String

    public init(code: Code, file: String, line: Int?, column: Int?, keyPath: String, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: keyPath: message`, leaving out what is unknown.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }

    /// The kind of a ``ConfigError``; an extensible set (compare with `==`, don't switch exhaustively).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Backing: String, Sendable, Hashable {
            case unreadableFile = "unreadable_file"
            case yamlSyntax = "yaml_syntax"
            case duplicateKey = "duplicate_key"
            case unknownKey = "unknown_key"
            case unsupportedKey = "unsupported_key"
            case conflictingKeys = "conflicting_keys"
            case missingKey = "missing_key"
            case typeMismatch = "type_mismatch"
            case invalidValue = "invalid_value"
            case duplicateJobName = "duplicate_job_name"
            case invalidEMF = "invalid_emf"
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The file (or a `prometheus_config_path` file) cannot be read or is not UTF-8.
        public static let unreadableFile = Code(.unreadableFile)
        /// The text is not well-formed YAML.
        public static let yamlSyntax = Code(.yamlSyntax)
        /// A mapping has the same key twice.
        public static let duplicateKey = Code(.duplicateKey)
        /// A key promwatch does not know (the message suggests a close match).
        public static let unknownKey = Code(.unknownKey)
        /// A Prometheus key promwatch does not implement (`relabel_configs`, `kubernetes_sd_configs`, …).
        public static let unsupportedKey = Code(.unsupportedKey)
        /// Keys that exclude each other (`password` and `password_file`, `emf` and `emf_processor`, …).
        public static let conflictingKeys = Code(.conflictingKeys)
        /// A required key (such as `job_name`) is missing.
        public static let missingKey = Code(.missingKey)
        /// A value of the wrong YAML type (a list where a string belongs, …).
        public static let typeMismatch = Code(.typeMismatch)
        /// A value of the right type that is not allowed (bad duration, target, unit, timeout > interval, …).
        public static let invalidValue = Code(.invalidValue)
        /// Two scrape jobs have the same `job_name`.
        public static let duplicateJobName = Code(.duplicateJobName)
        /// The `emf` section failed `EMFConfiguration.validate()` (bad regular expression, …).
        public static let invalidEMF = Code(.invalidEMF)

        /// A stable snake_case name, usable as a metric label.
        public var description: String { backing.rawValue }
    }

    /// The code's name without any location or values, usable as a bounded metric label.
    public var shortDescription: String { code.description }
}
