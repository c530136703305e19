import JSON

/// A parsed `labelSelector` query parameter, in the syntax of k8s.io/apimachinery `labels.Parse`: comma-separated
/// requirements (all must hold) of the forms `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
/// `k>n`, `k<n`.
public struct LabelSelector: Sendable, Hashable {
    /// One requirement of a selector.
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int)
        case lessThan(String, Int)
    }

    /// The requirements; empty matches everything.
    public var requirements: [Requirement]

    /// Parses a selector string.
    /// - Throws: ``KubernetesStatusError`` with code 400 when the syntax or a key/value is invalid.
    public init(parsing text: String) throws(KubernetesStatusError) {
        var tokenizer = SelectorTokenizer(text)
        var requirements: [Requirement] = []
        do {
            requirements = try tokenizer.parseLabelRequirements()
        } catch {
            throw .badRequest("unable to parse requirement: \(error.message)")
        }
        self.requirements = requirements
    }

    /// Whether `labels` satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .in(let k, let values): return labels[k].map(values.contains) ?? false
            case .notIn(let k, let values): return !(labels[k].map(values.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            case .greaterThan(let k, let n): return labels[k].flatMap { Int($0) }.map { $0 > n } ?? false
            case .lessThan(let k, let n): return labels[k].flatMap { Int($0) }.map { $0 < n } ?? false
            }
        }
    }

    /// Renders a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`) as the selector string the API
    /// server puts in `Scale.status.selector`.
    static func render(_ selector: JSONValue?) -> String {
        guard let selector else { return "" }
        var parts: [String] = []
        if let matchLabels = selector["matchLabels"]?.objectValue {
            for key in matchLabels.keys.sorted() { parts.append("\(key)=\(matchLabels[key]?.stringValue ?? "")") }
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            switch expression["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
            case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: break
            }
        }
        return parts.joined(separator: ",")
    }
}

/// A parsed `fieldSelector` query parameter: comma-separated `field=value`, `field==value`, `field!=value`.
public struct FieldSelector: Sendable, Hashable {
    /// One requirement: `field` (a dotted path like `spec.nodeName`) equals or does not equal `value`.
    public struct Requirement: Sendable, Hashable {
        public var field: String
        public var value: String
        public var negated: Bool
    }

    /// The requirements; empty matches everything.
    public var requirements: [Requirement]

    /// Parses a field selector.
    /// - Throws: ``KubernetesStatusError`` with code 400 on a syntax error.
    public init(parsing text: String) throws(KubernetesStatusError) {
        var requirements: [Requirement] = []
        for part in Self.splitTerms(text) where !part.isEmpty {
            let negated: Bool
            let pieces: [Substring]
            if let range = part.firstRange(of: "!=") {
                negated = true
                pieces = [part[..<range.lowerBound], part[range.upperBound...]]
            } else if let range = part.firstRange(of: "==") {
                negated = false
                pieces = [part[..<range.lowerBound], part[range.upperBound...]]
            } else if let i = part.firstIndex(of: "=") {
                negated = false
                pieces = [part[..<i], part[part.index(after: i)...]]
            } else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            let field = pieces[0].trimmingSpaces
            guard !field.isEmpty else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            requirements.append(Requirement(field: field, value: pieces[1].trimmingSpaces, negated: negated))
        }
        self.requirements = requirements
    }

    /// Fields are separated by unescaped commas (`\,` is an escaped comma, as in `fields.ParseSelector`).
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        terms.append(current)
        return terms
    }

    /// Whether the object's field values (looked up by `value(field)`) satisfy every requirement.
    func matches(_ value: (String) -> String) -> Bool {
        requirements.allSatisfy { ($0.negated) != (value($0.field) == $0.value) }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

private struct SelectorSyntaxError: Error {
    var message: String
}

/// A hand-written lexer/parser for label selectors, following the grammar of k8s.io/apimachinery `labels/selector.go`.
private struct SelectorTokenizer {
    enum Token: Equatable {
        case identifier(String)
        case doubleEquals, equals, notEquals, not, inKeyword, notInKeyword, openParen, closeParen, comma, gt, lt
        case end
    }

    var tokens: [Token] = []
    var position = 0
    var lexError: String?

    init(_ text: String) {
        let chars = Array(text)
        var i = 0
        func isIdentifierChar(_ c: Character) -> Bool {
            !(c == " " || c == "\t" || c == "\n" || c == "!" || c == "=" || c == "," || c == "(" || c == ")"
                || c == ">" || c == "<")
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n": i += 1
            case "(": tokens.append(.openParen); i += 1
            case ")": tokens.append(.closeParen); i += 1
            case ",": tokens.append(.comma); i += 1
            case ">": tokens.append(.gt); i += 1
            case "<": tokens.append(.lt); i += 1
            case "=":
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    tokens.append(.doubleEquals)
                    i += 2
                } else {
                    tokens.append(.equals)
                    i += 1
                }
            case "!":
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    tokens.append(.notEquals)
                    i += 2
                } else {
                    tokens.append(.not)
                    i += 1
                }
            default:
                var word = ""
                while i < chars.count, isIdentifierChar(chars[i]) {
                    word.append(chars[i])
                    i += 1
                }
                switch word {
                case "in": tokens.append(.inKeyword)
                case "notin": tokens.append(.notInKeyword)
                default: tokens.append(.identifier(word))
                }
            }
        }
        tokens.append(.end)
    }

    mutating func next() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    func peek() -> Token { tokens[position] }

    mutating func parseLabelRequirements() throws(SelectorSyntaxError) -> [LabelSelector.Requirement] {
        var result: [LabelSelector.Requirement] = []
        if peek() == .end { return result }
        while true {
            result.append(try parseRequirement())
            switch next() {
            case .end: return result
            case .comma:
                if peek() == .end { throw SelectorSyntaxError(message: "found '', expected: identifier after ','") }
            default: throw SelectorSyntaxError(message: "found unexpected token, expected: ',' or end of string")
            }
        }
    }

    mutating func parseRequirement() throws(SelectorSyntaxError) -> LabelSelector.Requirement {
        if peek() == .not {
            _ = next()
            guard case .identifier(let key) = next() else {
                throw SelectorSyntaxError(message: "expected: identifier after '!'")
            }
            try Self.validateKey(key)
            return .doesNotExist(key)
        }
        guard case .identifier(let key) = next() else {
            throw SelectorSyntaxError(message: "expected: identifier")
        }
        try Self.validateKey(key)
        switch peek() {
        case .end, .comma:
            return .exists(key)
        case .equals, .doubleEquals, .notEquals:
            let op = next()
            let value: String
            switch peek() {
            case .identifier(let v):
                _ = next()
                value = v
            case .end, .comma:
                value = ""
            default:
                throw SelectorSyntaxError(message: "expected: identifier after operator")
            }
            try Self.validateValue(value)
            return op == .notEquals ? .notEquals(key, value) : .equals(key, value)
        case .inKeyword, .notInKeyword:
            let op = next()
            guard next() == .openParen else { throw SelectorSyntaxError(message: "expected '(' after set operator") }
            var values: Set<String> = []
            var expectValue = true
            loop: while true {
                switch next() {
                case .identifier(let v) where expectValue:
                    try Self.validateValue(v)
                    values.insert(v)
                    expectValue = false
                case .comma:
                    if expectValue { values.insert("") }
                    expectValue = true
                case .closeParen:
                    if expectValue && !values.isEmpty { values.insert("") }
                    break loop
                default:
                    throw SelectorSyntaxError(message: "unexpected token in set")
                }
            }
            return op == .inKeyword ? .in(key, values) : .notIn(key, values)
        case .gt, .lt:
            let op = next()
            guard case .identifier(let v) = next(), let n = Int(v) else {
                throw SelectorSyntaxError(message: "for 'Gt', 'Lt' operators, the value must be an integer")
            }
            return op == .gt ? .greaterThan(key, n) : .lessThan(key, n)
        default:
            throw SelectorSyntaxError(message: "found unexpected token after '\(key)'")
        }
    }

    /// `[prefix/]name`: prefix a DNS subdomain (≤ 253), name ≤ 63 of `[A-Za-z0-9._-]` starting and ending
    /// alphanumeric.
    static func validateKey(_ key: String) throws(SelectorSyntaxError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last else {
            throw SelectorSyntaxError(message: "invalid label key \"\(key)\"")
        }
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= 253,
                prefix.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." })
            else { throw SelectorSyntaxError(message: "invalid label key \"\(key)\": prefix part must be a DNS subdomain") }
        }
        guard !name.isEmpty, isQualifiedName(name) else {
            throw SelectorSyntaxError(message: "invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func validateValue(_ value: String) throws(SelectorSyntaxError) {
        guard value.isEmpty || isQualifiedName(Substring(value)) else {
            throw SelectorSyntaxError(message: "invalid label value: \"\(value)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func isQualifiedName(_ name: Substring) -> Bool {
        guard name.count <= 63, let first = name.first, let last = name.last else { return false }
        let isAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return isAlnum(first) && isAlnum(last) && name.allSatisfy { isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}
