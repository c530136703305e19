import EMF
import Yams

/// The `emf` (or `emf_processor`) section.
enum EMFParser {
    static func emf(_ value: YAMLValue?) throws(ConfigError) -> EMFConfiguration {
        var emf = EMFConfiguration()
        guard let value else { return emf }
        let mapping = try value.mapping(Schemas.emf)
        if let namespace = mapping["metric_namespace"] { emf.namespace = try namespace.string() }
        if let units = mapping["metric_unit"] {
            for entry in try units.userEntries() {
                emf.metricUnits[entry.key] = try unit(entry.value)
            }
        }
        if let declarations = mapping["metric_declaration"] {
            for item in try declarations.list() {
                emf.declarations.append(try declaration(item))
            }
        }
        if let name = mapping["log_group_name"] { emf.logGroupName = try name.string() }
        if let name = mapping["log_stream_name"] { emf.logStreamName = try name.string() }
        if let output = mapping["output"] { emf.output = try output.oneOf(EMFOutput.self, what: "output") }
        if let emit = mapping["emit_unselected"] { emf.emitUnselected = try emit.bool() }
        if let cluster = mapping["cluster_name"] { emf.clusterName = try cluster.string() }
        if let labels = mapping["constant_labels"] { emf.constantLabels = try labels.stringMap(labelNames: true) }
        if let policy = mapping["initial_value"] {
            emf.initialValue = try policy.oneOf(InitialValuePolicy.self, what: "initial_value")
        }
        if let bytes = mapping["max_event_bytes"] { emf.maxEventBytes = try bytes.int() }
        return emf
    }

    /// Runs `EMFConfiguration.validate()` and reports its error at the YAML node its key path names.
    /// - Parameters:
    ///   - value: The `emf` (or `emf_processor`) value, null included; `nil` when the key is absent.
    ///   - key: `emf` or `emf_processor`, as written.
    static func validate(_ emf: EMFConfiguration, value: YAMLValue?, key: String, source: SourceFile)
        throws(ConfigError)
    {
        do {
            try emf.validate()
        } catch {
            var path = error.keyPath
            for prefix in ["emf.", "emf_processor."] where path.hasPrefix(prefix) {
                path.removeFirst(prefix.count)
            }
            let fullPath = path.isEmpty ? key : (path.hasPrefix("[") ? key + path : key + "." + path)
            var mark = value?.mark
            if let value, let components = KeyPath.components(of: path) {
                mark = KeyPath.locate(components, in: value.node, rootMark: value.mark)
            }
            throw source.error(.invalidEMF, path: fullPath, mark: mark, error.message)
        }
    }

    private static let unitAliases: [String: MetricUnit] = [
        "s": .seconds, "sec": .seconds, "secs": .seconds, "ms": .milliseconds, "us": .microseconds,
        "µs": .microseconds, "μs": .microseconds, "b": .bytes, "byte": .bytes, "kb": .kilobytes, "mb": .megabytes,
        "gb": .gigabytes, "tb": .terabytes, "%": .percent, "pct": .percent, "percentage": .percent,
        "bytes/s": .bytesPerSecond, "b/s": .bytesPerSecond, "count/s": .countPerSecond,
    ]

    private static func unit(_ value: YAMLValue) throws(ConfigError) -> MetricUnit {
        let text = try value.string()
        if let unit = MetricUnit(rawValue: text) { return unit }
        let names = MetricUnit.allCases.map(\.rawValue)
        let close = unitAliases[text.lowercased()]?.rawValue ?? Suggestion.closest(to: text, among: names)
        var message = "unknown unit \"\(text)\""
        if let close {
            message += " (did you mean \"\(close)\"?)"
        } else {
            message += " (expected one of CloudWatch's units: \(names.joined(separator: ", ")))"
        }
        throw value.error(.invalidValue, message)
    }

    private static func declaration(_ item: YAMLValue) throws(ConfigError) -> MetricDeclaration {
        guard case .mapping = item.node else { throw item.typeMismatch("a mapping (a metric declaration)") }
        let mapping = try item.mapping(Schemas.metricDeclaration)
        guard let selectors = mapping["metric_selectors"] else {
            throw item.source.error(
                .missingKey, path: KeyPath.child(of: item.path, key: "metric_selectors", userKey: false),
                mark: item.mark, "missing required key \"metric_selectors\" (regular expressions selecting metric names)")
        }
        var declaration = MetricDeclaration(metricSelectors: try selectors.stringList())
        if let labels = mapping["source_labels"] { declaration.sourceLabels = try labels.stringList() }
        if let separator = mapping["label_separator"] { declaration.labelSeparator = try separator.string() }
        if let matcher = mapping["label_matcher"] { declaration.labelMatcher = try matcher.string() }
        if let dimensions = mapping["dimensions"] {
            for set in try dimensions.list() {
                declaration.dimensions.append(try set.stringList())
            }
        }
        return declaration
    }
}
