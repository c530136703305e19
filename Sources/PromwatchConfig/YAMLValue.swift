import Yams

/// The file a YAML tree came from: names it in errors and anchors relative paths.
struct SourceFile {
    /// The name errors use.
    let name: String
    /// The directory relative paths in this file are resolved against; `nil` keeps them as written.
    let baseDirectory: String?

    func error(_ code: ConfigError.Code, path: String, mark: Mark?, _ message: String) -> ConfigError {
        ConfigError(code: code, file: name, line: mark?.line, column: mark?.column, keyPath: path, message: message)
    }

    /// `path` relative to ``baseDirectory`` (absolute paths are returned as they are).
    func resolve(_ path: String) -> String {
        FilePaths.resolve(path, against: baseDirectory)
    }

    /// Composes `text` into a node tree; `nil` for an empty document.
    func compose(_ text: String) throws(ConfigError) -> YAMLValue? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw self.error(for: error)
        } catch {
            throw self.error(.yamlSyntax, path: "", mark: nil, "invalid YAML: \(error)")
        }
        guard let node else { return nil }
        if case .scalar = node, node.tagName == .null { return nil }
        return YAMLValue(node: node, path: "", mark: node.mark, source: self)
    }

    private func error(for yamlError: YamlError) -> ConfigError {
        func describe(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, let yaml),
            .parser(let context, let problem, let mark, let yaml),
            .composer(let context, let problem, let mark, let yaml):
            var message = "invalid YAML: " + describe(problem, context)
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            if mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].prefix(while: \.isWhitespace).contains("\t") {
                message += "; YAML does not allow tabs for indentation"
            }
            return error(.yamlSyntax, path: "", mark: mark, message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return error(.duplicateKey, path: "", mark: context.mark, "duplicate key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            return error(.unreadableFile, path: "", mark: nil, "cannot read YAML: \(problem)")
        default:
            return error(.yamlSyntax, path: "", mark: nil, "invalid YAML: \(yamlError)")
        }
    }
}

/// Which keys a mapping may have.
struct KeySchema {
    /// Keys that are read.
    var keys: [String]
    /// Keys Prometheus (or the CloudWatch agent) knows that promwatch rejects, with the reason.
    var unsupported: [String: String] = [:]
    /// Keys accepted and ignored.
    var ignored: Set<String> = []
    /// Accept any other key silently, unless it is a likely typo of one of ``keys``.
    var ignoreUnknown = false
}

/// One `key: value` of a mapping.
struct YAMLEntry {
    let key: String
    let keyMark: Mark?
    let value: YAMLValue
}

/// A mapping whose keys were checked against a ``KeySchema``.
struct YAMLMapping {
    let owner: YAMLValue
    let entries: [YAMLEntry]

    /// The value of `key`, or `nil` when the key is absent or its value is null.
    subscript(key: String) -> YAMLValue? {
        guard let entry = entry(key), !entry.value.isNull else { return nil }
        return entry.value
    }

    /// The entry of `key`, null values included.
    func entry(_ key: String) -> YAMLEntry? {
        entries.first { $0.key == key }
    }
}

/// A YAML node with its key path and the place errors about it point to.
struct YAMLValue {
    let node: Node
    /// e.g. `scrape_configs[0].scrape_interval`.
    let path: String
    /// The key's position for mapping values, the node's own for list items and the root.
    let mark: Mark?
    let source: SourceFile

    func error(_ code: ConfigError.Code, _ message: String) -> ConfigError {
        source.error(code, path: path, mark: mark, message)
    }

    var isNull: Bool {
        if case .scalar = node { return node.tagName == .null }
        return false
    }

    /// What the node is, for "expected …, found …" messages.
    var kind: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch node.tagName {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            default: return "a string"
            }
        }
    }

    func typeMismatch(_ expected: String) -> ConfigError {
        error(.typeMismatch, "expected \(expected), found \(kind)")
    }

    // MARK: Scalars

    /// Any non-null scalar, as written (so `env: 1` is the string `1`, as in Prometheus).
    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw typeMismatch("a string") }
        return scalar.string
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .scalar = node, node.tagName == .bool, let value = node.bool else {
            throw typeMismatch("a boolean (true or false)")
        }
        return value
    }

    func int() throws(ConfigError) -> Int {
        guard case .scalar = node, node.tagName == .int else { throw typeMismatch("an integer") }
        guard let value = node.int else { throw error(.invalidValue, "integer out of range") }
        return value
    }

    func nonNegativeInt() throws(ConfigError) -> Int {
        let value = try int()
        guard value >= 0 else { throw error(.invalidValue, "must not be negative, got \(value)") }
        return value
    }

    /// A Prometheus duration (`30s`, `1m`, `1h30m`, `0`).
    func duration() throws(ConfigError) -> Duration {
        guard case .scalar(let scalar) = node, !isNull else { throw typeMismatch("a duration such as 30s") }
        guard let duration = PrometheusDuration.parse(scalar.string) else {
            throw error(.invalidValue, "invalid duration \"\(scalar.string)\" (expected e.g. 30s, 1m, 1h30m)")
        }
        return duration
    }

    /// A byte size: an integer, or a number with one of Prometheus's units (`10MB`, `512KiB`).
    func byteSize() throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, !isNull else { throw typeMismatch("a size such as 10MB") }
        if node.tagName == .int {
            return try nonNegativeInt()
        }
        guard let size = ByteSize.parse(scalar.string) else {
            throw error(
                .invalidValue,
                "invalid size \"\(scalar.string)\" (expected a number of bytes or e.g. 512KiB, 10MB, 1GB; "
                    + "as in Prometheus, KB, MB and GB are powers of 1024)"
            )
        }
        return size
    }

    /// A string that is one of `T`'s raw values.
    func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type, what: String) throws(ConfigError) -> T
    where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue)
        var message = "invalid \(what) \"\(text)\""
        if let close = Suggestion.closest(to: text, among: allowed) {
            message += " (did you mean \"\(close)\"?)"
        } else {
            message += " (expected one of: \(allowed.joined(separator: ", ")))"
        }
        throw error(.invalidValue, message)
    }

    // MARK: Collections

    /// The items of a list; a null value is an empty list.
    func list() throws(ConfigError) -> [YAMLValue] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw typeMismatch("a list") }
        return sequence.enumerated().map { index, item in
            YAMLValue(node: item, path: "\(path)[\(index)]", mark: item.mark, source: source)
        }
    }

    func stringList() throws(ConfigError) -> [String] {
        var strings: [String] = []
        for item in try list() {
            strings.append(try item.string())
        }
        return strings
    }

    /// The entries of a mapping whose keys are the user's (labels, units, params), in document order.
    func userEntries() throws(ConfigError) -> [YAMLEntry] {
        if isNull { return [] }
        return try rawEntries(userKeys: true)
    }

    /// A map of strings (labels, for instance); `labelNames` checks keys against Prometheus's label name syntax.
    func stringMap(labelNames: Bool) throws(ConfigError) -> [String: String] {
        var map: [String: String] = [:]
        for entry in try userEntries() {
            if labelNames, !LabelName.isValid(entry.key) {
                throw entry.value.error(
                    .invalidValue, "invalid label name \"\(entry.key)\" (expected [a-zA-Z_][a-zA-Z0-9_]*)")
            }
            map[entry.key] = try entry.value.string()
        }
        return map
    }

    /// This node as a mapping, its keys checked against `schema`.
    func mapping(_ schema: KeySchema) throws(ConfigError) -> YAMLMapping {
        if isNull { return YAMLMapping(owner: self, entries: []) }
        let entries = try rawEntries(userKeys: false)
        let known = Set(schema.keys).union(schema.ignored)
        for entry in entries where !known.contains(entry.key) {
            let location = entry.value
            if let reason = schema.unsupported[entry.key] {
                throw location.error(.unsupportedKey, "\"\(entry.key)\" is not supported by promwatch: \(reason)")
            }
            let suggestion = Suggestion.closest(to: entry.key, among: schema.keys)
            if schema.ignoreUnknown && suggestion == nil { continue }
            var message = "unknown key \"\(entry.key)\""
            if let suggestion {
                message += " (did you mean \"\(suggestion)\"?)"
            } else {
                message += " (expected one of: \(schema.keys.joined(separator: ", ")))"
            }
            throw location.error(.unknownKey, message)
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// The entries of a mapping in document order, with `<<` merge keys expanded (explicit keys win).
    private func rawEntries(userKeys: Bool) throws(ConfigError) -> [YAMLEntry] {
        guard case .mapping(let mapping) = node else { throw typeMismatch("a mapping") }
        var entries: [YAMLEntry] = []
        var merged: [YAMLEntry] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw source.error(.typeMismatch, path: path, mark: keyNode.mark, "mapping keys must be strings")
            }
            if keyNode.tagName == .merge {
                let sources: [Node]
                switch valueNode {
                case .mapping: sources = [valueNode]
                case .sequence(let sequence): sources = Array(sequence)
                default:
                    throw source.error(
                        .typeMismatch, path: path, mark: keyNode.mark, "a merge key (<<) needs a mapping or a list of mappings")
                }
                for mergedNode in sources {
                    let mergedValue = YAMLValue(node: mergedNode, path: path, mark: mergedNode.mark, source: source)
                    merged += try mergedValue.rawEntries(userKeys: userKeys)
                }
                continue
            }
            let key = keyScalar.string
            let childPath = KeyPath.child(of: path, key: key, userKey: userKeys)
            entries.append(
                YAMLEntry(
                    key: key, keyMark: keyNode.mark,
                    value: YAMLValue(node: valueNode, path: childPath, mark: keyNode.mark, source: source)))
        }
        for entry in merged where !entries.contains(where: { $0.key == entry.key }) {
            entries.append(entry)
        }
        return entries
    }
}

/// Key path spelling: `a.b[0].c`, with user keys that are not identifiers quoted: `metric_unit["a.b"]`.
enum KeyPath {
    static func child(of path: String, key: String, userKey: Bool) -> String {
        if userKey && !LabelName.isValid(key) {
            var escaped = ""
            for character in key {
                if character == "\"" || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            return path + "[\"" + escaped + "\"]"
        }
        return path.isEmpty ? key : path + "." + key
    }

    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    /// Splits `metric_declaration[1].label_matcher` (or `metric_unit["a.b"]`) into components; `nil` if malformed.
    static func components(of path: String) -> [Component]? {
        var components: [Component] = []
        var characters = Substring(path)
        var current = ""
        func flush() {
            if !current.isEmpty { components.append(.key(current)) }
            current = ""
        }
        while let character = characters.popFirst() {
            switch character {
            case ".":
                flush()
            case "[":
                flush()
                if characters.first == "\"" {
                    characters.removeFirst()
                    var key = ""
                    var closed = false
                    while let next = characters.popFirst() {
                        if next == "\\", let escaped = characters.popFirst() {
                            key.append(escaped)
                        } else if next == "\"" {
                            closed = true
                            break
                        } else {
                            key.append(next)
                        }
                    }
                    guard closed, characters.popFirst() == "]" else { return nil }
                    components.append(.key(key))
                } else {
                    guard let close = characters.firstIndex(of: "]"), let index = Int(characters[..<close]) else {
                        return nil
                    }
                    components.append(.index(index))
                    characters = characters[characters.index(after: close)...]
                }
            default:
                current.append(character)
            }
        }
        flush()
        return components
    }

    /// The mark of the deepest node of `path` that exists under `root` (mapping values point at their key).
    ///
    /// A key that is not found is retried joined with the keys after it, so `metric_unit.a.b` finds the metric
    /// `a.b`.
    static func locate(_ components: [Component], in root: Node, rootMark: Mark?) -> Mark? {
        var node = root
        var mark = rootMark
        var position = 0
        while position < components.count {
            switch (components[position], node) {
            case (.key(let key), .mapping(let mapping)):
                var joined = key
                var end = position
                var found = mapping.first { $0.key.string == joined }
                while found == nil, end + 1 < components.count, case .key(let next) = components[end + 1] {
                    end += 1
                    joined += "." + next
                    found = mapping.first { $0.key.string == joined }
                }
                guard let pair = found else { return mark }
                mark = pair.key.mark ?? mark
                node = pair.value
                position = end + 1
            case (.index(let index), .sequence(let sequence)):
                guard index >= 0, index < sequence.count else { return mark }
                node = sequence[index]
                mark = node.mark ?? mark
                position += 1
            default:
                return mark
            }
        }
        return mark
    }
}

/// Prometheus's legacy label name syntax, `[a-zA-Z_][a-zA-Z0-9_]*`.
enum LabelName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        guard isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

/// "Did you mean …?" suggestions.
enum Suggestion {
    /// The candidate closest to `word` (case-insensitively) within an edit distance of 2, if any; the first on ties.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            guard distance <= 2, distance < max(lowered.count, 1) || distance == 0 else { continue }
            if best == nil || distance < best!.distance {  // `best` was just checked for nil.
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}

extension Node {
    /// The resolved tag's name (`Tag.name` is not public).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
