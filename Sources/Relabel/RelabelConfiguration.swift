/// One `relabel_configs` / `metric_relabel_configs` entry, validated as Prometheus validates it
/// (`model/relabel/relabel.go`, `Config.Validate`).
///
/// Fields and defaults (YAML key → property):
/// - `source_labels` → ``sourceLabels`` (default none), values joined with
/// - `separator` → ``separator`` (default `;`),
/// - `regex` → ``regex`` (default `(.*)`, anchored as `^(?s:regex)$`),
/// - `modulus` → ``modulus`` (default 0; required by `hashmod`),
/// - `target_label` → ``targetLabel`` (default empty; `replace` may use `$1`-style references),
/// - `replacement` → ``replacement`` (default `$1`),
/// - `action` → ``action`` (default `replace`).
public struct RelabelConfiguration: Sendable, Hashable {
    /// The relabelling action (`action:`).
    public enum Action: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case replace
        case keep
        case drop
        case keepEqual = "keepequal"
        case dropEqual = "dropequal"
        case hashMod = "hashmod"
        case labelMap = "labelmap"
        case labelDrop = "labeldrop"
        case labelKeep = "labelkeep"
        case lowercase
        case uppercase

        /// Parses a configuration value case-insensitively, as Prometheus does.
        public init(parsing value: String) throws(RelabelConfigurationError) {
            guard let action = Action(rawValue: value.lowercased()) else {
                throw RelabelConfigurationError(.unknownAction, "unknown relabel action \(goQuoted(value))")
            }
            self = action
        }

        public var description: String { rawValue }
    }

    /// Which label names are valid (Prometheus 3 defaults to UTF-8; Prometheus 2 used the legacy character set).
    public enum NameValidation: Sendable, Hashable {
        /// Any non-empty UTF-8 string (Prometheus 3 `utf8` scheme).
        case utf8
        /// `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus 2, or `metric_name_validation_scheme: legacy`).
        case legacy
    }

    public static let defaultSeparator = ";"
    public static let defaultReplacement = "$1"

    public let sourceLabels: [String]
    public let separator: String
    public let regex: RelabelRegex
    /// Whether `regex` was given (Prometheus compares with the default regex by identity, so an explicit `(.*)`
    /// still counts as set for `keepequal`/`dropequal`).
    public let regexIsSet: Bool
    public let modulus: UInt64
    public let targetLabel: String
    public let replacement: String
    public let action: Action
    public let nameValidation: NameValidation

    /// Builds and validates a rule; throws the first problem with Prometheus's message.
    ///
    /// - Parameter regex: the `regex:` value, or nil for the default `(.*)`.
    public init(
        sourceLabels: [String] = [],
        separator: String = RelabelConfiguration.defaultSeparator,
        regex: String? = nil,
        modulus: UInt64 = 0,
        targetLabel: String = "",
        replacement: String = RelabelConfiguration.defaultReplacement,
        action: Action = .replace,
        nameValidation: NameValidation = .utf8
    ) throws(RelabelConfigurationError) {
        if let regex {
            do {
                self.regex = try RelabelRegex(regex)
            } catch {
                throw RelabelConfigurationError(.invalidRegex, error.description, regexError: error)
            }
        } else {
            self.regex = .default
        }
        self.regexIsSet = regex != nil
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.action = action
        self.nameValidation = nameValidation
        try validate()
    }

    /// Prometheus's `Config.Validate`, check for check and message for message.
    private func validate() throws(RelabelConfigurationError) {
        let a = action
        if modulus == 0 && a == .hashMod {
            throw RelabelConfigurationError(
                .missingModulus,
                "relabel configuration for hashmod requires non-zero modulus"
            )
        }
        let needsTarget: Set<Action> = [.replace, .hashMod, .lowercase, .uppercase, .keepEqual, .dropEqual]
        if needsTarget.contains(a) && targetLabel.isEmpty {
            throw RelabelConfigurationError(
                .missingTargetLabel,
                "relabel configuration for \(a) action requires 'target_label' value"
            )
        }
        let hasReference = targetLabel.utf8.contains(UInt8(ascii: "$"))
        if a == .replace && !hasReference && !isValidName(targetLabel) {
            throw invalidTarget()
        }
        if a == .replace && hasReference && !isValidNameWithReferences(targetLabel) {
            throw invalidTarget()
        }
        let equalOrCase: Set<Action> = [.lowercase, .uppercase, .keepEqual, .dropEqual]
        if equalOrCase.contains(a) && !isValidName(targetLabel) {
            throw invalidTarget()
        }
        if equalOrCase.contains(a) && replacement != Self.defaultReplacement {
            throw RelabelConfigurationError(.unexpectedField, "'replacement' can not be set for \(a) action")
        }
        if a == .labelMap && !isValidNameWithReferences(replacement) {
            throw RelabelConfigurationError(
                .invalidReplacement,
                "\(goQuoted(replacement)) is invalid 'replacement' for \(a) action"
            )
        }
        if a == .hashMod && !isValidName(targetLabel) {
            throw invalidTarget()
        }
        if a == .dropEqual || a == .keepEqual {
            if regexIsSet || modulus != 0 || separator != Self.defaultSeparator
                || replacement != Self.defaultReplacement
            {
                throw RelabelConfigurationError(
                    .unexpectedField,
                    "\(a) action requires only 'source_labels' and `target_label`, and no other fields"
                )
            }
        }
        if a == .labelDrop || a == .labelKeep {
            if !sourceLabels.isEmpty || !targetLabel.isEmpty || modulus != 0 || separator != Self.defaultSeparator
                || replacement != Self.defaultReplacement
            {
                throw RelabelConfigurationError(
                    .unexpectedField,
                    "\(a) action requires only 'regex', and no other fields"
                )
            }
        }
    }

    private func invalidTarget() -> RelabelConfigurationError {
        RelabelConfigurationError(
            .invalidTargetLabel,
            "\(goQuoted(targetLabel)) is invalid 'target_label' for \(action) action"
        )
    }

    /// `model.LabelName.IsValid` under the configured scheme.
    func isValidName(_ name: String) -> Bool {
        RelabelConfiguration.isValidName(name, nameValidation)
    }

    static func isValidName(_ name: String, _ scheme: NameValidation) -> Bool {
        switch scheme {
        case .utf8:
            // Swift strings are always valid UTF-8.
            return !name.isEmpty
        case .legacy:
            var first = true
            for b in name.utf8 {
                let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                guard letter || (!first && b >= 0x30 && b <= 0x39) else { return false }
                first = false
            }
            return !first
        }
    }

    /// A target label (or `labelmap` replacement) that may contain `$1`/`${name}` references.
    private func isValidNameWithReferences(_ value: String) -> Bool {
        switch nameValidation {
        case .utf8: return isValidName(value)
        case .legacy: return RelabelConfiguration.legacyTemplate.matches(value)
        }
    }

    /// Prometheus's `relabelTargetLegacy`: legacy name characters plus `$name`/`${name}` references.
    private static let legacyTemplate: RelabelRegex = {
        // Force-try: a constant pattern (covered by tests); failing here is a programmer error.
        try! RelabelRegex(unanchored: #"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$"#)
    }()

    public static func == (lhs: RelabelConfiguration, rhs: RelabelConfiguration) -> Bool {
        lhs.sourceLabels == rhs.sourceLabels && lhs.separator == rhs.separator && lhs.regex == rhs.regex
            && lhs.regexIsSet == rhs.regexIsSet && lhs.modulus == rhs.modulus && lhs.targetLabel == rhs.targetLabel
            && lhs.replacement == rhs.replacement && lhs.action == rhs.action
            && lhs.nameValidation == rhs.nameValidation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sourceLabels)
        hasher.combine(regex)
        hasher.combine(targetLabel)
        hasher.combine(action)
    }
}

/// A relabelling rule Prometheus would reject; ``message`` is Prometheus's text.
public struct RelabelConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Extensible: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case unknownAction, missingModulus, missingTargetLabel, invalidTargetLabel, invalidReplacement
            case unexpectedField, invalidRegex
        }

        private var backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// `action:` is not one of Prometheus's actions.
        public static let unknownAction = Code(.unknownAction)
        /// `hashmod` without a non-zero `modulus`.
        public static let missingModulus = Code(.missingModulus)
        /// The action needs `target_label`.
        public static let missingTargetLabel = Code(.missingTargetLabel)
        /// `target_label` is not a valid label name (or template, for `replace`).
        public static let invalidTargetLabel = Code(.invalidTargetLabel)
        /// The `labelmap` replacement is not a valid label name template.
        public static let invalidReplacement = Code(.invalidReplacement)
        /// A field the action does not take was set.
        public static let unexpectedField = Code(.unexpectedField)
        /// `regex` does not compile; see ``RelabelConfigurationError/regexError``.
        public static let invalidRegex = Code(.invalidRegex)

        public var description: String {
            switch backing {
            case .unknownAction: "unknownAction"
            case .missingModulus: "missingModulus"
            case .missingTargetLabel: "missingTargetLabel"
            case .invalidTargetLabel: "invalidTargetLabel"
            case .invalidReplacement: "invalidReplacement"
            case .unexpectedField: "unexpectedField"
            case .invalidRegex: "invalidRegex"
            }
        }
    }

    public var code: Code
    /// Prometheus's message.
    public var message: String
    /// The regular expression error, for ``Code/invalidRegex``.
    public var regexError: RelabelRegexError?

    public init(_ code: Code, _ message: String, regexError: RelabelRegexError? = nil) {
        self.code = code
        self.message = message
        self.regexError = regexError
    }

    public var description: String { message }
}

/// Go's `%q` for the strings that appear in messages: quotes, escaping `"`, `\` and control characters.
func goQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
