/// A regular expression with Go `regexp` (RE2) syntax and semantics, matched in linear time.
///
/// ``init(_:)`` anchors the way Prometheus relabelling does (`^(?s:pattern)$`, Prometheus 3: `.` also matches a
/// newline), so ``matches(_:)`` is a full match. ``init(unanchored:)`` compiles the pattern exactly as Go's
/// `regexp.Compile` does; ``matches(_:)`` then means "matches somewhere", like Go's `MatchString`.
///
/// Matching runs over the UTF-8 bytes: `.` and classes consume whole code points, invalid UTF-8 reads as U+FFFD
/// (as in Go), submatches are leftmost-first (Perl/Go, not POSIX leftmost-longest). Common relabelling shapes —
/// literals, literal alternations (`a|b|c`), `prefix.*`, `.*suffix`, `.*infix.*`, `.+`, alternations of those
/// (`go_.*|process_.*`) and `(.*)` — are answered without running the automaton, as Prometheus's
/// `FastRegexMatcher` does. Matching never allocates: the automaton's memory is taken from the stack.
public struct RelabelRegex: Sendable, Hashable, CustomStringConvertible {
    /// Everything compiled, behind one reference so copies cost a single retain on hot paths.
    private final class Storage: Sendable {
        let pattern: String
        let expression: String
        let isAnchored: Bool
        let captureNames: [String]
        let program: RegexProgram
        /// Boolean fast path: the (anchored) expression is one of these globs.
        let globs: [Glob]?
        /// `(glob)`: group 1 spans the whole match, so no automaton is needed for submatches either.
        let groupIsWholeMatch: Bool

        init(
            pattern: String,
            expression: String,
            isAnchored: Bool,
            captureNames: [String],
            program: RegexProgram,
            globs: [Glob]?,
            groupIsWholeMatch: Bool
        ) {
            self.pattern = pattern
            self.expression = expression
            self.isAnchored = isAnchored
            self.captureNames = captureNames
            self.program = program
            self.globs = globs
            self.groupIsWholeMatch = groupIsWholeMatch
        }
    }

    private let storage: Storage

    /// The pattern as written (without Prometheus's anchors).
    public var pattern: String { storage.pattern }
    /// What was compiled: `^(?s:pattern)$` for relabelling, else ``pattern``.
    public var expression: String { storage.expression }
    /// Whether this is a relabelling (full-match) expression.
    public var isAnchored: Bool { storage.isAnchored }
    /// Go's `SubexpNames`: index 0 is the whole match, unnamed groups are `""`.
    public var captureNames: [String] { storage.captureNames }

    var program: RegexProgram { storage.program }

    /// The relabelling default, `(.*)`.
    public static let `default`: RelabelRegex = {
        // Force-try: a constant, valid pattern (covered by tests); failing here is a programmer error.
        try! RelabelRegex("(.*)")
    }()

    /// Compiles `pattern` as Prometheus compiles a `regex:` field: `^(?s:pattern)$`.
    ///
    /// Errors name the anchored expression, exactly as Prometheus's do.
    public init(_ pattern: String) throws(RelabelRegexError) {
        try self.init(pattern: pattern, expression: "^(?s:" + pattern + ")$", anchored: true)
    }

    /// Compiles `pattern` exactly as Go's `regexp.Compile` (unanchored search semantics).
    public init(unanchored pattern: String) throws(RelabelRegexError) {
        try self.init(pattern: pattern, expression: pattern, anchored: false)
    }

    private init(pattern: String, expression: String, anchored: Bool) throws(RelabelRegexError) {
        var parser = RegexParser(expression)
        let node = try parser.parse().simplified()
        let program = try RegexProgram(node, captureCount: parser.captureNames.count - 1)

        var globs: [Glob]? = nil
        var wholeGroup = false
        if anchored, case .concat(let parts) = node, parts.count == 3,
            parts[0] == .assertion(.beginText), parts[2] == .assertion(.endText)
        {
            let inner = parts[1]
            globs = Glob.make(inner)
            if globs != nil, parser.captureNames.count == 2, case .capture(1, _, _) = inner { wholeGroup = true }
        }
        self.storage = Storage(
            pattern: pattern,
            expression: expression,
            isAnchored: anchored,
            captureNames: parser.captureNames,
            program: program,
            globs: globs,
            groupIsWholeMatch: wholeGroup
        )
    }

    /// Number of capture groups (Go's `NumSubexp`).
    public var captureGroupCount: Int { program.captureCount }

    public var description: String { pattern }

    public static func == (lhs: RelabelRegex, rhs: RelabelRegex) -> Bool {
        lhs.expression == rhs.expression && lhs.isAnchored == rhs.isAnchored
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(expression)
        hasher.combine(isAnchored)
    }

    // MARK: - Matching

    /// Whether `value` matches: in full for relabelling expressions, anywhere for unanchored ones.
    public func matches(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { matches(bytes: $0) }
    }

    /// Whether the bytes match (see ``matches(_:)``).
    public func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let globs = storage.globs {
            return globs.withUnsafeBufferPointer { globs in
                for i in globs.indices where globs[i].matches(bytes) { return true }
                return false
            }
        }
        return program.pikeSearch(bytes, from: 0, slots: UnsafeMutableBufferPointer(start: nil, count: 0))
    }

    /// The leftmost-first match and its groups as byte offsets (Go's `FindStringSubmatchIndex`); a group that did
    /// not take part is nil. Nil when there is no match.
    public func firstMatch(in value: String) -> [Range<Int>?]? {
        var value = value
        return value.withUTF8 { firstMatch(bytes: $0, from: 0) }
    }

    /// Like ``firstMatch(in:)`` over bytes, starting the search at `start` (context before it still counts for
    /// `\b` and `^`).
    public func firstMatch(bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> [Range<Int>?]? {
        let count = 2 * (captureGroupCount + 1)
        var slots = [Int](repeating: -1, count: count)
        let found = slots.withUnsafeMutableBufferPointer { search(bytes, from: start, slots: $0) }
        guard found else { return nil }
        return (0...captureGroupCount).map { i in slots[2 * i] >= 0 ? slots[2 * i]..<slots[2 * i + 1] : nil }
    }

    /// Go's `ReplaceAllString`-free core: finds the first match, filling `slots` (2 per group, -1 if unset).
    func search(_ input: UnsafeBufferPointer<UInt8>, from start: Int, slots: UnsafeMutableBufferPointer<Int>) -> Bool {
        if storage.groupIsWholeMatch, start == 0, let globs = storage.globs {
            guard globs.contains(where: { $0.matches(input) }) else { return false }
            for i in 0..<slots.count { slots[i] = i % 2 == 0 ? 0 : input.count }
            return true
        }
        for i in 0..<slots.count { slots[i] = -1 }
        return program.pikeSearch(input, from: start, slots: slots)
    }

    /// Matches `value` and expands `template` with its groups, as Go's `ExpandString`; nil when it does not match.
    public func expand(_ template: String, in value: String) -> String? {
        let compiled = ExpansionTemplate(template, captureNames: captureNames)
        var value = value
        return value.withUTF8 { input -> String? in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (captureGroupCount + 1)) { slots in
                guard search(input, from: 0, slots: slots) else { return nil }
                return compiled.expand(input: input, slots: UnsafeBufferPointer(slots))
            }
        }
    }
}

/// A full-match pattern made of literals and `.*`/`.+` runs, checked with byte comparisons.
struct Glob: Sendable {
    struct Wildcard: Sendable {
        /// `.+` rather than `.*`.
        var nonEmpty: Bool
        /// `.` matches `\n` (`(?s)`, always the case for Prometheus relabelling).
        var matchesNewline: Bool
    }

    /// The literal the text must start with.
    var head: [UInt8] = []
    /// Each wildcard run and the literal after it (the last literal is the suffix).
    var segments: [(Wildcard, [UInt8])] = []

    /// The globs of an alternation of globs, or nil when `node` has another shape.
    static func make(_ node: RegexNode) -> [Glob]? {
        if case .alternate(let branches) = node {
            var result: [Glob] = []
            for branch in branches {
                guard let glob = single(branch) else { return nil }
                result.append(glob)
            }
            return result
        }
        return single(node).map { [$0] }
    }

    private static func single(_ node: RegexNode) -> Glob? {
        var glob = Glob()
        return glob.append(node) ? glob : nil
    }

    private mutating func append(_ node: RegexNode) -> Bool {
        switch node {
        case .emptyMatch:
            return true
        case .concat(let items):
            return items.allSatisfy { append($0) }
        case .capture(_, _, let sub):
            return append(sub)
        case .literal(let runes, let foldCase):
            var bytes: [UInt8] = []
            for r in runes {
                // U+FFFD also matches invalid bytes, and folded letters match other code points: not byte-exact.
                guard r != UTF8Decoding.replacement, !foldCase || CaseFolding.orbit(of: r) == nil,
                    let scalar = Unicode.Scalar(r)
                else { return false }
                bytes.append(contentsOf: String(Character(scalar)).utf8)
            }
            if segments.isEmpty { head += bytes } else { segments[segments.count - 1].1 += bytes }
            return true
        case .star(let sub, _), .plus(let sub, _):
            let nonEmpty: Bool
            if case .plus = node { nonEmpty = true } else { nonEmpty = false }
            let matchesNewline: Bool
            switch sub {
            case .anyChar: matchesNewline = true
            case .anyCharNotNewline: matchesNewline = false
            default: return false
            }
            let wildcard = Wildcard(nonEmpty: nonEmpty, matchesNewline: matchesNewline)
            if let last = segments.last, last.1.isEmpty {
                // `.*.+` is one run.
                segments[segments.count - 1].0 = Wildcard(
                    nonEmpty: last.0.nonEmpty || nonEmpty,
                    matchesNewline: last.0.matchesNewline && matchesNewline
                )
            } else {
                segments.append((wildcard, []))
            }
            return true
        default:
            return false
        }
    }

    /// Full match of `text`.
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= head.count, Self.equal(text, 0, head) else { return false }
        var pos = head.count
        if segments.isEmpty { return pos == text.count }
        return segments.withUnsafeBufferPointer { segments in
            for k in segments.indices {
                let wildcard = segments[k].0
                let earliest = pos + (wildcard.nonEmpty ? 1 : 0)
                let literalCount = segments[k].1.count
                let found: Int
                if k == segments.count - 1 {
                    found = text.count - literalCount
                    guard found >= earliest, Self.equal(text, found, segments[k].1) else { return false }
                } else {
                    guard let f = Self.find(segments[k].1, in: text, from: earliest) else { return false }
                    found = f
                }
                if !wildcard.matchesNewline {
                    for i in pos..<found where text[i] == 0x0A { return false }
                }
                pos = found + literalCount
            }
            return true
        }
    }

    @inline(__always)
    private static func equal(_ text: UnsafeBufferPointer<UInt8>, _ at: Int, _ literal: [UInt8]) -> Bool {
        literal.withUnsafeBufferPointer { lit in
            guard at >= 0, at + lit.count <= text.count else { return false }
            var i = 0
            while i < lit.count {
                if text[at + i] != lit[i] { return false }
                i += 1
            }
            return true
        }
    }

    private static func find(_ literal: [UInt8], in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = literal.first else { return start <= text.count ? start : nil }
        var i = start
        while i + literal.count <= text.count {
            if text[i] == first && equal(text, i, literal) { return i }
            i += 1
        }
        return nil
    }
}
