import Synchronization

/// A problem with an ``EMFConfiguration``, located by the YAML key path of the offending value.
public struct EMFConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is. Extensible: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case invalidRegex, invalidValue, outOfRange, missingValue, unknownPlaceholder
        }

        private var backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A regular expression does not compile.
        public static let invalidRegex = Code(.invalidRegex)
        /// A value is not acceptable to CloudWatch (characters, prefix).
        public static let invalidValue = Code(.invalidValue)
        /// A number or length is out of its allowed range.
        public static let outOfRange = Code(.outOfRange)
        /// A required value is empty or missing.
        public static let missingValue = Code(.missingValue)
        /// A log group/stream template uses a placeholder promwatch does not know, or is malformed.
        public static let unknownPlaceholder = Code(.unknownPlaceholder)

        public var description: String {
            switch backing {
            case .invalidRegex: "invalidRegex"
            case .invalidValue: "invalidValue"
            case .outOfRange: "outOfRange"
            case .missingValue: "missingValue"
            case .unknownPlaceholder: "unknownPlaceholder"
            }
        }
    }

    public var code: Code
    /// The YAML key path of the value, e.g. `metric_declaration[1].label_matcher` or `metric_unit.foo`.
    public var keyPath: String
    /// A sentence saying what is wrong and, where useful, what would be right.
    public var message: String

    public init(code: Code, keyPath: String, message: String) {
        self.code = code
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { "\(keyPath): \(message)" }
}

extension EMFConfiguration {
    /// The smallest `max_event_bytes` accepted: room for the `_aws` metadata, some labels and one metric.
    public static let minimumEventBytes = 1024

    /// The largest number of keys in one dimension set (EMF specification).
    public static let maximumDimensionSetKeys = 30

    /// Checks everything that can be checked before any sample is seen, and throws the first problem.
    ///
    /// Checks, by key:
    /// - `metric_namespace`: not empty, at most 255 bytes, ASCII without control characters, not starting with
    ///   `:` or the reserved `AWS/`.
    /// - `metric_unit.<name>`: the metric name is not empty and at most 255 bytes (units are typed already).
    /// - `metric_declaration[i].metric_selectors`: at least one (a declaration without selectors selects nothing);
    ///   each `metric_selectors[j]` compiles as a Swift `Regex`.
    /// - `metric_declaration[i].label_matcher`: compiles.
    /// - `metric_declaration[i].source_labels[j]`: not empty.
    /// - `metric_declaration[i].dimensions`: at least one set (write `[[]]` to extract without dimensions); each
    ///   set at most 30 distinct keys; each key a valid CloudWatch dimension name (1–250 bytes, ASCII, no
    ///   control characters, not blank, not starting with `:`).
    /// - `log_group_name`, `log_stream_name`: only the placeholders `{JobName}`, `{ClusterName}`, `{Namespace}`,
    ///   `{PodName}`, `{Instance}`; not empty; group literals only `A-Z a-z 0-9 _ - / . #` and no `aws/` prefix;
    ///   stream literals without `:` or `*`; literals at most 512 bytes.
    /// - `max_event_bytes`: between 1024 and 1048550 (CloudWatch Logs' 1 MiB event limit less 26 bytes).
    /// - `cluster_name`: not empty when given. `constant_labels.<name>`: name and value not empty, name not `_aws`.
    ///
    /// - Throws: the first ``EMFConfigurationError`` of ``validationErrors()``.
    public func validate() throws(EMFConfigurationError) {
        if let first = validationErrors().first { throw first }
    }

    /// Every problem ``validate()`` checks for, in key order.
    public func validationErrors() -> [EMFConfigurationError] {
        var errors: [EMFConfigurationError] = []
        _ = CompiledConfiguration.compile(self, errors: &errors)
        return errors
    }
}

/// Whether `name` is a valid CloudWatch dimension name: 1–250 bytes, ASCII, no control characters, not blank,
/// not starting with `:`. Returns the problem, or `nil`.
func dimensionNameProblem(_ name: String) -> String? {
    let utf8 = name.utf8
    if utf8.isEmpty { return "dimension name is empty" }
    if utf8.count > 250 { return "dimension name is longer than 250 bytes" }
    if utf8.first == UInt8(ascii: ":") { return "dimension name must not start with ':'" }
    if utf8.contains(where: { $0 >= 0x80 }) { return "dimension name must be ASCII" }
    if utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "dimension name must not contain control characters" }
    if utf8.allSatisfy({ $0 == UInt8(ascii: " ") }) { return "dimension name is blank" }
    return nil
}

/// Whether `bytes` is a valid CloudWatch dimension value: 1–1024 bytes, ASCII, no control characters, at least
/// one non-whitespace character.
func isValidDimensionValue(_ bytes: some Collection<UInt8>) -> Bool {
    if bytes.isEmpty || bytes.count > 1024 { return false }
    var sawNonBlank = false
    for byte in bytes {
        if byte >= 0x7F || byte < 0x20 { return false }
        if byte != UInt8(ascii: " ") { sawNonBlank = true }
    }
    return sawNonBlank
}

/// Compiled regular expressions, shared by every scrape loop.
///
/// `Regex` is not `Sendable`, so the expressions live behind a `Mutex`. They run only when a per-target cache
/// misses (a metric name or a joined source-label string seen for the first time), so the lock is cold.
final class RegexBank: Sendable {
    private let regexes: Mutex<[Regex<AnyRegexOutput>]>
    let count: Int

    init(_ regexes: consuming sending [Regex<AnyRegexOutput>], count: Int) {
        self.count = count
        self.regexes = Mutex(regexes)
    }

    /// Whether regex `index` matches anywhere in `string` (unanchored, like Go's `MatchString`).
    func matches(_ index: Int, _ string: String) -> Bool {
        regexes.withLock { regexes in
            do {
                return try regexes[index].firstMatch(in: string) != nil
            } catch {
                return false
            }
        }
    }

    struct CompileError: Error {
        var message: String
    }

    static func compile(_ pattern: String) -> Result<Regex<AnyRegexOutput>, CompileError> {
        do {
            // Unicode-scalar semantics are closer to RE2 (which the CloudWatch agent uses) than grapheme clusters.
            return .success(try Regex(pattern).matchingSemantics(.unicodeScalar))
        } catch {
            return .failure(CompileError(message: "\(error)"))
        }
    }
}

/// An ``EMFConfiguration`` checked and compiled for conversion.
struct CompiledConfiguration: Sendable {
    struct Declaration: Sendable {
        /// Index into ``CompiledConfiguration/matchers``.
        var matcher: Int
        /// Indices into ``CompiledConfiguration/dimensionSets``, distinct.
        var sets: [Int32]
        /// Indices into ``CompiledConfiguration/regexes``.
        var selectors: [Int]
    }

    /// One distinct (`source_labels`, `label_separator`, `label_matcher`) triple.
    struct Matcher: Sendable, Hashable {
        var sourceLabels: [String]
        var separator: String
        var pattern: String
        var regex = 0
    }

    struct DimensionSet: Sendable {
        /// Sorted, distinct.
        var keys: [String]
        /// `["a","b"]`.
        var json: [UInt8]
    }

    var declarations: [Declaration] = []
    var matchers: [Matcher] = []
    /// Their `json` is in ``messageEncoding``, like every cached piece of an event.
    var dimensionSets: [DimensionSet] = []
    /// In ``messageEncoding``.
    var namespaceJSON: [UInt8] = []
    /// How events' messages are written (see ``encode(_:)``).
    var messageEncoding = EMFMessageEncoding.document
    var units: [String: MetricUnit] = [:]
    var logGroup = LogNameTemplate(segments: [], kind: .logGroup)
    var logStream = LogNameTemplate(segments: [], kind: .logStream)
    var emitUnselected = false
    var clusterName: String?
    /// Sorted by name.
    var constantLabels: [(name: String, value: String)] = []
    var initialValue = InitialValuePolicy.auto
    var maxEventBytes = 0
    var regexes = RegexBank([], count: 0)

    /// `json` in ``messageEncoding``.
    func encode(_ json: [UInt8]) -> [UInt8] {
        messageEncoding == .document ? json : JSONWriter.escapedAsStringContent(json)
    }

    /// Switches every cached piece to `encoding` (from `.document`, as compiled).
    mutating func useMessageEncoding(_ encoding: EMFMessageEncoding) {
        guard encoding != messageEncoding else { return }
        precondition(messageEncoding == .document, "pieces are compiled as documents first")
        messageEncoding = encoding
        namespaceJSON = encode(namespaceJSON)
        for i in dimensionSets.indices { dimensionSets[i].json = encode(dimensionSets[i].json) }
    }

    /// Checks `configuration`, appending every problem to `errors`; returns the compiled form when there were none.
    static func compile(
        _ configuration: EMFConfiguration,
        errors: inout [EMFConfigurationError]
    ) -> CompiledConfiguration? {
        let errorCount = errors.count
        var compiled = CompiledConfiguration()
        var patterns: [Regex<AnyRegexOutput>] = []
        var patternIndex: [String: Int] = [:]

        func fail(_ code: EMFConfigurationError.Code, _ keyPath: String, _ message: String) {
            errors.append(EMFConfigurationError(code: code, keyPath: keyPath, message: message))
        }
        func regex(_ pattern: String, keyPath: String) -> Int? {
            if let index = patternIndex[pattern] { return index }
            switch RegexBank.compile(pattern) {
            case .success(let regex):
                patterns.append(regex)
                patternIndex[pattern] = patterns.count - 1
                return patterns.count - 1
            case .failure(let error):
                fail(.invalidRegex, keyPath, "invalid regular expression '\(pattern)': \(error.message)")
                return nil
            }
        }

        // metric_namespace
        let namespace = configuration.namespace
        if namespace.isEmpty {
            fail(.missingValue, "metric_namespace", "namespace is empty")
        } else if namespace.utf8.count > 255 {
            fail(.outOfRange, "metric_namespace", "namespace is longer than 255 bytes")
        } else if namespace.utf8.contains(where: { $0 >= 0x7F || $0 < 0x20 }) {
            fail(.invalidValue, "metric_namespace", "namespace must be ASCII without control characters")
        } else if namespace.hasPrefix(":") {
            fail(.invalidValue, "metric_namespace", "namespace must not start with ':'")
        } else if namespace.hasPrefix("AWS/") {
            fail(.invalidValue, "metric_namespace", "namespaces starting with 'AWS/' are reserved for AWS services")
        }
        compiled.namespaceJSON = JSONWriter.encodedString(namespace)

        // metric_unit
        for name in configuration.metricUnits.keys.sorted() {
            if name.isEmpty {
                fail(.missingValue, "metric_unit", "metric name is empty")
            } else if name.utf8.count > 255 {
                fail(.outOfRange, "metric_unit.\(name)", "metric name is longer than 255 bytes")
            }
        }
        compiled.units = configuration.metricUnits

        // metric_declaration
        var matcherIndex: [Matcher: Int] = [:]
        var setIndex: [[String]: Int32] = [:]
        for (i, declaration) in configuration.declarations.enumerated() {
            let path = "metric_declaration[\(i)]"
            var selectors: [Int] = []
            if declaration.metricSelectors.isEmpty {
                fail(
                    .missingValue,
                    "\(path).metric_selectors",
                    "a declaration without metric_selectors selects nothing"
                )
            }
            for (j, selector) in declaration.metricSelectors.enumerated() {
                if let index = regex(selector, keyPath: "\(path).metric_selectors[\(j)]") { selectors.append(index) }
            }
            for (j, label) in declaration.sourceLabels.enumerated() where label.isEmpty {
                fail(.missingValue, "\(path).source_labels[\(j)]", "label name is empty")
            }
            var matcher = Matcher(
                sourceLabels: declaration.sourceLabels,
                separator: declaration.labelSeparator,
                pattern: declaration.labelMatcher
            )
            let matcherRegex = regex(declaration.labelMatcher, keyPath: "\(path).label_matcher")
            let matcherSlot: Int
            if let existing = matcherIndex[matcher] {
                matcherSlot = existing
            } else {
                matcher.regex = matcherRegex ?? 0
                compiled.matchers.append(matcher)
                matcherSlot = compiled.matchers.count - 1
                matcherIndex[matcher] = matcherSlot
            }
            if declaration.dimensions.isEmpty {
                fail(
                    .missingValue,
                    "\(path).dimensions",
                    "a declaration without dimension sets extracts nothing; write [[]] for metrics without dimensions"
                )
            }
            var sets: [Int32] = []
            for (j, set) in declaration.dimensions.enumerated() {
                let keys = Array(Set(set)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                var valid = true
                for (k, key) in set.enumerated() {
                    if let problem = dimensionNameProblem(key) {
                        fail(.invalidValue, "\(path).dimensions[\(j)][\(k)]", "'\(key)': \(problem)")
                        valid = false
                    }
                }
                if keys.count > EMFConfiguration.maximumDimensionSetKeys {
                    fail(
                        .outOfRange,
                        "\(path).dimensions[\(j)]",
                        "dimension set has \(keys.count) distinct keys; CloudWatch allows at most \(EMFConfiguration.maximumDimensionSetKeys)"
                    )
                    valid = false
                }
                guard valid else { continue }
                let index: Int32
                if let existing = setIndex[keys] {
                    index = existing
                } else {
                    var json: [UInt8] = [UInt8(ascii: "[")]
                    for (n, key) in keys.enumerated() {
                        if n > 0 { json.append(UInt8(ascii: ",")) }
                        JSONWriter.appendString(key, to: &json)
                    }
                    json.append(UInt8(ascii: "]"))
                    compiled.dimensionSets.append(DimensionSet(keys: keys, json: json))
                    index = Int32(compiled.dimensionSets.count - 1)
                    setIndex[keys] = index
                }
                if !sets.contains(index) { sets.append(index) }
            }
            compiled.declarations.append(Declaration(matcher: matcherSlot, sets: sets, selectors: selectors))
        }

        // log_group_name, log_stream_name
        do {
            let template = try LogNameTemplate(parsing: configuration.logGroupName, kind: .logGroup)
            let literal = template.literalText
            if template.segments.isEmpty {
                fail(.missingValue, "log_group_name", "log group name is empty")
            } else if literal.utf8.count > 512 {
                fail(.outOfRange, "log_group_name", "log group name is longer than 512 bytes")
            } else if let bad = literal.unicodeScalars.first(where: { !LogNameTemplate.isLogGroupCharacter($0) }) {
                fail(
                    .invalidValue,
                    "log_group_name",
                    "log group names may only contain A-Z a-z 0-9 _ - / . # (found '\(bad)')"
                )
            } else if configuration.logGroupName.hasPrefix("aws/") {
                fail(.invalidValue, "log_group_name", "log group names must not start with 'aws/'")
            }
            compiled.logGroup = template
        } catch {
            fail(.unknownPlaceholder, "log_group_name", error.message)
        }
        do {
            let template = try LogNameTemplate(parsing: configuration.logStreamName, kind: .logStream)
            let literal = template.literalText
            if template.segments.isEmpty {
                fail(.missingValue, "log_stream_name", "log stream name is empty")
            } else if literal.utf8.count > 512 {
                fail(.outOfRange, "log_stream_name", "log stream name is longer than 512 bytes")
            } else if literal.contains(":") || literal.contains("*") {
                fail(.invalidValue, "log_stream_name", "log stream names must not contain ':' or '*'")
            }
            compiled.logStream = template
        } catch {
            fail(.unknownPlaceholder, "log_stream_name", error.message)
        }

        // max_event_bytes
        let range = EMFConfiguration.minimumEventBytes...EMFConfiguration.maximumEventBytes
        if !range.contains(configuration.maxEventBytes) {
            fail(
                .outOfRange,
                "max_event_bytes",
                "\(configuration.maxEventBytes) is outside \(range.lowerBound)...\(range.upperBound)"
            )
        }
        compiled.maxEventBytes = configuration.maxEventBytes

        // cluster_name, constant_labels
        if let clusterName = configuration.clusterName, clusterName.isEmpty {
            fail(.missingValue, "cluster_name", "cluster name is empty")
        }
        compiled.clusterName = configuration.clusterName
        for (name, value) in configuration.constantLabels.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty {
                fail(.missingValue, "constant_labels", "label name is empty")
            } else if name == "_aws" {
                fail(.invalidValue, "constant_labels._aws", "'_aws' is reserved for EMF metadata")
            } else if value.isEmpty {
                fail(.missingValue, "constant_labels.\(name)", "label value is empty")
            }
        }
        compiled.constantLabels = configuration.constantLabels
            .map { (name: $0.key, value: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        compiled.emitUnselected = configuration.emitUnselected
        compiled.initialValue = configuration.initialValue

        guard errors.count == errorCount else { return nil }
        let count = patterns.count
        compiled.regexes = RegexBank(patterns, count: count)
        return compiled
    }
}
