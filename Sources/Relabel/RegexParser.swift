/// Parses Go `regexp` (RE2) syntax with Go's `syntax.Perl` flags into a ``RegexNode``.
///
/// A recursive-descent rendering of Go's `regexp/syntax/parse.go`: the same escapes, classes, flag rules,
/// repetition limits and error codes, and the same offending text in each error, so a configuration Prometheus
/// rejects is rejected here with the same message.
struct RegexParser {
    /// Parser flags (Go's `syntax.Flags` subset). Bit arithmetic mirrors Go so `(?-…)` behaves identically.
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let foldCase = Flags(rawValue: 1)
        static let dotNewline = Flags(rawValue: 2)
        static let oneLine = Flags(rawValue: 4)
        static let nonGreedy = Flags(rawValue: 8)
    }

    /// Go's `maxRepeat`.
    static let maximumRepeat = 1000
    /// Go's `maxHeight`, applied here to group nesting.
    static let maximumNesting = 1000

    private let bytes: [UInt8]
    private let whole: String
    private var pos = 0
    private var flags: Flags = [.oneLine]
    private var depth = 0
    private(set) var captureNames: [String] = [""]

    init(_ pattern: String) {
        self.whole = pattern
        self.bytes = Array(pattern.utf8)
    }

    /// Parses the whole expression.
    mutating func parse() throws(RelabelRegexError) -> RegexNode {
        let node = try parseAlternation()
        if pos < bytes.count {
            // Only a `)` stops the top-level alternation early.
            throw RelabelRegexError(code: .unexpectedParen, expression: whole)
        }
        return node
    }

    // MARK: - Structure

    private mutating func parseAlternation() throws(RelabelRegexError) -> RegexNode {
        var branches: [RegexNode] = []
        var items: [RegexNode] = []
        var lastRepeat: Int? = nil
        while pos < bytes.count {
            let c = bytes[pos]
            var repeatStart: Int? = nil
            switch c {
            case UInt8(ascii: "|"):
                branches.append(Self.concat(items))
                items.removeAll()
                pos += 1
            case UInt8(ascii: ")"):
                branches.append(Self.concat(items))
                return Self.alternate(branches)
            case UInt8(ascii: "("):
                if pos + 1 < bytes.count && bytes[pos + 1] == UInt8(ascii: "?") {
                    if let group = try parsePerlGroup() { items.append(group) }
                } else {
                    captureNames.append("")
                    let index = captureNames.count - 1
                    pos += 1
                    let sub = try parseGroupBody(newFlags: flags)
                    items.append(.capture(index: index, name: nil, sub))
                }
            case UInt8(ascii: "^"):
                items.append(.assertion(flags.contains(.oneLine) ? .beginText : .beginLine))
                pos += 1
            case UInt8(ascii: "$"):
                items.append(.assertion(flags.contains(.oneLine) ? .endText : .endLine))
                pos += 1
            case UInt8(ascii: "."):
                items.append(flags.contains(.dotNewline) ? .anyChar : .anyCharNotNewline)
                pos += 1
            case UInt8(ascii: "["):
                items.append(try parseClass())
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                let before = pos
                pos += 1
                try applyRepeat(c, min: 0, max: 0, before: before, lastRepeat: lastRepeat, items: &items)
                repeatStart = before
            case UInt8(ascii: "{"):
                let before = pos
                if let (min, max, after) = parseRepeatCount(at: pos) {
                    if min < 0 || min > Self.maximumRepeat || max > Self.maximumRepeat || (max >= 0 && min > max) {
                        throw error(.invalidRepeatSize, before, after)
                    }
                    pos = after
                    try applyRepeat(c, min: min, max: max, before: before, lastRepeat: lastRepeat, items: &items)
                    repeatStart = before
                } else {
                    items.append(literal(UInt32(c)))
                    pos += 1
                }
            case UInt8(ascii: "\\"):
                try parseBackslash(into: &items)
            default:
                let (r, width) = Self.decode(bytes, pos)
                items.append(literal(r))
                pos += width
            }
            lastRepeat = repeatStart
        }
        branches.append(Self.concat(items))
        return Self.alternate(branches)
    }

    /// Parses up to the matching `)` with `newFlags` in force, restoring the outer flags afterwards.
    private mutating func parseGroupBody(newFlags: Flags) throws(RelabelRegexError) -> RegexNode {
        let saved = flags
        flags = newFlags
        depth += 1
        if depth > Self.maximumNesting { throw RelabelRegexError(code: .nestingDepth, expression: whole) }
        let sub = try parseAlternation()
        guard pos < bytes.count else { throw RelabelRegexError(code: .missingParen, expression: whole) }
        pos += 1  // `)`
        depth -= 1
        flags = saved
        return sub
    }

    /// `(?P<name>…)`, `(?<name>…)`, `(?flags)`, `(?flags:…)`. Returns nil for a flags-only group.
    private mutating func parsePerlGroup() throws(RelabelRegexError) -> RegexNode? {
        let start = pos
        let remaining = bytes.count - start
        let startsWithP =
            remaining > 4 && bytes[start + 2] == UInt8(ascii: "P") && bytes[start + 3] == UInt8(ascii: "<")
        let startsWithName = remaining > 3 && bytes[start + 2] == UInt8(ascii: "<")
        if startsWithP || startsWithName {
            let nameStart = start + (startsWithP ? 4 : 3)
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: ">")) else {
                throw error(.invalidNamedCapture, start, bytes.count)
            }
            let name = text(nameStart, end)
            guard Self.isValidCaptureName(bytes[nameStart..<end]) else {
                throw error(.invalidNamedCapture, start, end + 1)
            }
            captureNames.append(name)
            let index = captureNames.count - 1
            pos = end + 1
            let sub = try parseGroupBody(newFlags: flags)
            return .capture(index: index, name: name, sub)
        }

        var t = start + 2
        var newFlags = flags
        var negative = false
        var sawFlag = false
        while t < bytes.count {
            let (c, width) = Self.decode(bytes, t)
            t += width
            switch c {
            case UInt32(UInt8(ascii: "i")):
                newFlags.insert(.foldCase)
                sawFlag = true
            case UInt32(UInt8(ascii: "m")):
                newFlags.remove(.oneLine)
                sawFlag = true
            case UInt32(UInt8(ascii: "s")):
                newFlags.insert(.dotNewline)
                sawFlag = true
            case UInt32(UInt8(ascii: "U")):
                newFlags.insert(.nonGreedy)
                sawFlag = true
            case UInt32(UInt8(ascii: "-")):
                if negative { throw error(.invalidPerlOp, start, t) }
                negative = true
                // Invert so the insertions above become removals; inverted back at the end (as Go does).
                newFlags = Flags(rawValue: ~newFlags.rawValue)
                sawFlag = false
            case UInt32(UInt8(ascii: ":")), UInt32(UInt8(ascii: ")")):
                if negative {
                    if !sawFlag { throw error(.invalidPerlOp, start, t) }
                    newFlags = Flags(rawValue: ~newFlags.rawValue)
                }
                pos = t
                if c == UInt32(UInt8(ascii: ":")) {
                    return try parseGroupBody(newFlags: newFlags)
                }
                flags = newFlags
                return nil
            default:
                throw error(.invalidPerlOp, start, t)
            }
        }
        throw error(.invalidPerlOp, start, t)
    }

    private static func isValidCaptureName(_ name: ArraySlice<UInt8>) -> Bool {
        !name.isEmpty && name.allSatisfy { isAlphanumeric(UInt32($0)) || $0 == UInt8(ascii: "_") }
    }

    // MARK: - Repetition

    private mutating func applyRepeat(
        _ op: UInt8,
        min: Int,
        max: Int,
        before: Int,
        lastRepeat: Int?,
        items: inout [RegexNode]
    ) throws(RelabelRegexError) {
        var greedy = !flags.contains(.nonGreedy)
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "?") {
            pos += 1
            greedy.toggle()
        }
        if let lastRepeat {
            // Perl forbids stacked repetition (`a**`); `a++` would be possessive, which RE2 does not support.
            throw error(.invalidRepeatOp, lastRepeat, pos)
        }
        guard let sub = items.popLast() else { throw error(.missingRepeatArgument, before, pos) }
        let node: RegexNode
        switch op {
        case UInt8(ascii: "*"): node = .star(sub, greedy: greedy)
        case UInt8(ascii: "+"): node = .plus(sub, greedy: greedy)
        case UInt8(ascii: "?"): node = .quest(sub, greedy: greedy)
        default: node = .repeatCount(sub, min: min, max: max, greedy: greedy)
        }
        items.append(node)
        if op == UInt8(ascii: "{") && (min >= 2 || max >= 2) && !node.repeatIsValid(Self.maximumRepeat) {
            throw error(.invalidRepeatSize, before, pos)
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` at `start`; nil when it is not one (then `{` is a literal). Too-large numbers give -1.
    private func parseRepeatCount(at start: Int) -> (min: Int, max: Int, after: Int)? {
        var t = start + 1
        guard let (min, afterMin) = parseInt(at: t) else { return nil }
        t = afterMin
        guard t < bytes.count else { return nil }
        var minimum = min
        var maximum: Int
        if bytes[t] != UInt8(ascii: ",") {
            maximum = min
        } else {
            t += 1
            guard t < bytes.count else { return nil }
            if bytes[t] == UInt8(ascii: "}") {
                maximum = -1
            } else {
                guard let (max, afterMax) = parseInt(at: t) else { return nil }
                maximum = max
                t = afterMax
                if max < 0 { minimum = -1 }
            }
        }
        guard t < bytes.count, bytes[t] == UInt8(ascii: "}") else { return nil }
        return (minimum, maximum, t + 1)
    }

    private func parseInt(at start: Int) -> (Int, Int)? {
        guard start < bytes.count, Self.isDigit(bytes[start]) else { return nil }
        // Leading zeros are not allowed.
        if start + 1 < bytes.count && bytes[start] == UInt8(ascii: "0") && Self.isDigit(bytes[start + 1]) {
            return nil
        }
        var t = start
        var n = 0
        while t < bytes.count && Self.isDigit(bytes[t]) {
            if n >= 100_000_000 {
                n = -1
            } else if n >= 0 {
                n = n * 10 + Int(bytes[t] - UInt8(ascii: "0"))
            }
            t += 1
        }
        return (n, t)
    }

    // MARK: - Escapes

    private mutating func parseBackslash(into items: inout [RegexNode]) throws(RelabelRegexError) {
        if pos + 1 < bytes.count {
            switch bytes[pos + 1] {
            case UInt8(ascii: "A"):
                items.append(.assertion(.beginText))
                pos += 2
                return
            case UInt8(ascii: "b"):
                items.append(.assertion(.wordBoundary))
                pos += 2
                return
            case UInt8(ascii: "B"):
                items.append(.assertion(.noWordBoundary))
                pos += 2
                return
            case UInt8(ascii: "C"):
                throw error(.invalidEscape, pos, pos + 2)
            case UInt8(ascii: "Q"):
                // \Q…\E: everything up to \E (or the end) is literal.
                var t = pos + 2
                var end = bytes.count
                var next = bytes.count
                while t + 1 < bytes.count {
                    if bytes[t] == UInt8(ascii: "\\") && bytes[t + 1] == UInt8(ascii: "E") {
                        end = t
                        next = t + 2
                        break
                    }
                    t += 1
                }
                var u = pos + 2
                while u < end {
                    let (r, width) = Self.decode(bytes, u)
                    items.append(literal(r))
                    u += width
                }
                pos = next
                return
            case UInt8(ascii: "z"):
                items.append(.assertion(.endText))
                pos += 2
                return
            default:
                break
            }
        }
        if pos + 1 < bytes.count && (bytes[pos + 1] == UInt8(ascii: "p") || bytes[pos + 1] == UInt8(ascii: "P")) {
            var ranges: [UInt32] = []
            pos = try parseUnicodeClass(at: pos, into: &ranges)
            items.append(.runeClass(RuneRanges.clean(ranges)))
            return
        }
        if pos + 1 < bytes.count, let perl = NamedClasses.perl(bytes[pos + 1]) {
            var ranges: [UInt32] = []
            appendGroup(&ranges, perl)
            items.append(.runeClass(RuneRanges.clean(ranges)))
            pos += 2
            return
        }
        let (r, next) = try parseEscape(at: pos)
        items.append(literal(r))
        pos = next
    }

    /// Go's `parseEscape`: one escaped code point starting at the backslash at `start`.
    private func parseEscape(at start: Int) throws(RelabelRegexError) -> (UInt32, Int) {
        var t = start + 1
        guard t < bytes.count else { throw RelabelRegexError(code: .trailingBackslash, expression: "") }
        let (c, width) = Self.decode(bytes, t)
        t += width
        switch c {
        case UInt32(UInt8(ascii: "1"))...UInt32(UInt8(ascii: "7")):
            // A single non-zero digit is a backreference, which RE2 does not support.
            guard t < bytes.count, Self.isOctal(bytes[t]) else { break }
            return octal(first: c, at: t)
        case UInt32(UInt8(ascii: "0")):
            return octal(first: c, at: t)
        case UInt32(UInt8(ascii: "x")):
            guard t < bytes.count else { break }
            let (c1, w1) = Self.decode(bytes, t)
            t += w1
            if c1 == UInt32(UInt8(ascii: "{")) {
                var digits = 0
                var r: UInt32 = 0
                while true {
                    guard t < bytes.count else { throw error(.invalidEscape, start, t) }
                    let (h, wh) = Self.decode(bytes, t)
                    t += wh
                    if h == UInt32(UInt8(ascii: "}")) { break }
                    guard let v = Self.unhex(h) else { throw error(.invalidEscape, start, t) }
                    r = r * 16 + v
                    if r > RuneRanges.maxRune { throw error(.invalidEscape, start, t) }
                    digits += 1
                }
                if digits == 0 { break }
                return (r, t)
            }
            var y: UInt32? = nil
            if t < bytes.count {
                let (c2, w2) = Self.decode(bytes, t)
                t += w2
                y = Self.unhex(c2)
            }
            guard let x = Self.unhex(c1), let y else { break }
            return (x * 16 + y, t)
        case UInt32(UInt8(ascii: "a")): return (0x07, t)
        case UInt32(UInt8(ascii: "f")): return (0x0C, t)
        case UInt32(UInt8(ascii: "n")): return (0x0A, t)
        case UInt32(UInt8(ascii: "r")): return (0x0D, t)
        case UInt32(UInt8(ascii: "t")): return (0x09, t)
        case UInt32(UInt8(ascii: "v")): return (0x0B, t)
        default:
            // Escaped punctuation is always itself (Go even allows `\_`); `\q` and friends are errors.
            if c < 0x80 && !Self.isAlphanumeric(c) { return (c, t) }
        }
        throw error(.invalidEscape, start, t)
    }

    private func octal(first: UInt32, at start: Int) -> (UInt32, Int) {
        var r = first - UInt32(UInt8(ascii: "0"))
        var t = start
        for _ in 1..<3 {
            guard t < bytes.count, Self.isOctal(bytes[t]) else { break }
            r = r * 8 + UInt32(bytes[t] - UInt8(ascii: "0"))
            t += 1
        }
        return (r, t)
    }

    // MARK: - Classes

    /// Go's `parseClass`, starting at `[`.
    private mutating func parseClass() throws(RelabelRegexError) -> RegexNode {
        let start = pos
        var t = pos + 1
        var negated = false
        if t < bytes.count && bytes[t] == UInt8(ascii: "^") {
            negated = true
            t += 1
        }
        var ranges: [UInt32] = []
        var first = true
        while t >= bytes.count || bytes[t] != UInt8(ascii: "]") || first {
            first = false
            // POSIX class such as [:alpha:].
            if t + 2 < bytes.count && bytes[t] == UInt8(ascii: "[") && bytes[t + 1] == UInt8(ascii: ":") {
                if let close = findColonBracket(from: t + 2) {
                    let name = text(t, close + 2)
                    guard let group = NamedClasses.posix(name) else {
                        throw RelabelRegexError(code: .invalidCharRange, expression: name)
                    }
                    appendGroup(&ranges, group)
                    t = close + 2
                    continue
                }
            }
            if t + 1 < bytes.count && bytes[t] == UInt8(ascii: "\\")
                && (bytes[t + 1] == UInt8(ascii: "p") || bytes[t + 1] == UInt8(ascii: "P"))
            {
                t = try parseUnicodeClass(at: t, into: &ranges)
                continue
            }
            if t + 1 < bytes.count && bytes[t] == UInt8(ascii: "\\"), let perl = NamedClasses.perl(bytes[t + 1]) {
                appendGroup(&ranges, perl)
                t += 2
                continue
            }
            let rangeStart = t
            let (lo, afterLo) = try parseClassChar(at: t, classStart: start)
            t = afterLo
            var hi = lo
            // [a-] means a or -, so a range needs something other than ] after the dash.
            if t + 1 < bytes.count && bytes[t] == UInt8(ascii: "-") && bytes[t + 1] != UInt8(ascii: "]") {
                let (h, afterHi) = try parseClassChar(at: t + 1, classStart: start)
                hi = h
                t = afterHi
                if hi < lo { throw error(.invalidCharRange, rangeStart, t) }
            }
            if flags.contains(.foldCase) {
                RuneRanges.appendFoldedRange(&ranges, lo, hi)
            } else {
                RuneRanges.appendRange(&ranges, lo, hi)
            }
        }
        pos = t + 1
        var cleaned = RuneRanges.clean(ranges)
        if negated { cleaned = RuneRanges.negate(cleaned) }
        return .runeClass(cleaned)
    }

    private func findColonBracket(from start: Int) -> Int? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "]") { return i }
            i += 1
        }
        return nil
    }

    private func parseClassChar(at t: Int, classStart: Int) throws(RelabelRegexError) -> (UInt32, Int) {
        guard t < bytes.count else { throw error(.missingBracket, classStart, bytes.count) }
        if bytes[t] == UInt8(ascii: "\\") { return try parseEscape(at: t) }
        let (r, width) = Self.decode(bytes, t)
        return (r, t + width)
    }

    /// Go's `parseUnicodeClass` at a `\p`/`\P`; appends the class and returns the position after it.
    private func parseUnicodeClass(at start: Int, into ranges: inout [UInt32]) throws(RelabelRegexError) -> Int {
        var negated = bytes[start + 1] == UInt8(ascii: "P")
        var t = start + 2
        let sequenceEnd: Int
        var name: String
        if t >= bytes.count {
            sequenceEnd = t
            name = ""
        } else if bytes[t] != UInt8(ascii: "{") {
            let (_, width) = Self.decode(bytes, t)
            sequenceEnd = t + width
            name = text(t, t + width)
        } else {
            guard let close = bytes[start...].firstIndex(of: UInt8(ascii: "}")) else {
                throw error(.invalidCharRange, start, bytes.count)
            }
            sequenceEnd = close + 1
            name = text(t + 1, close)
        }
        t = sequenceEnd
        if name.utf8.first == UInt8(ascii: "^") {
            negated.toggle()
            name = String(name.dropFirst())
        }
        var table: [UInt32]
        switch UnicodeClasses.lookup(name) {
        case .ranges(let r): table = r
        case .script: throw error(.unsupportedUnicodeClass, start, sequenceEnd)
        case .unknown: throw error(.invalidCharRange, start, sequenceEnd)
        }
        if flags.contains(.foldCase) {
            var folded: [UInt32] = []
            RuneRanges.appendFoldedClass(&folded, table)
            table = RuneRanges.clean(folded)
        }
        if negated {
            RuneRanges.appendNegatedClass(&ranges, table)
        } else {
            RuneRanges.appendClass(&ranges, table)
        }
        return t
    }

    /// Go's `appendGroup`: a Perl or POSIX class, case-folded first under `(?i)`, then negated if asked.
    private func appendGroup(_ ranges: inout [UInt32], _ group: (negated: Bool, ranges: [UInt32])) {
        var table = group.ranges
        if flags.contains(.foldCase) {
            var folded: [UInt32] = []
            RuneRanges.appendFoldedClass(&folded, table)
            table = RuneRanges.clean(folded)
        }
        if group.negated {
            RuneRanges.appendNegatedClass(&ranges, table)
        } else {
            RuneRanges.appendClass(&ranges, table)
        }
    }

    // MARK: - Helpers

    private func literal(_ r: UInt32) -> RegexNode {
        .literal([r], foldCase: flags.contains(.foldCase))
    }

    private static func concat(_ items: [RegexNode]) -> RegexNode {
        switch items.count {
        case 0: .emptyMatch
        case 1: items[0]
        default: .concat(items)
        }
    }

    private static func alternate(_ branches: [RegexNode]) -> RegexNode {
        branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<min(to, bytes.count)], as: UTF8.self)
    }

    private func error(_ code: RelabelRegexError.Code, _ from: Int, _ to: Int) -> RelabelRegexError {
        RelabelRegexError(code: code, expression: text(from, to))
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    static func isOctal(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") }

    static func isAlphanumeric(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    static func unhex(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// Decodes one code point of the (valid) pattern.
    static func decode(_ bytes: [UInt8], _ i: Int) -> (UInt32, Int) {
        bytes.withUnsafeBufferPointer { UTF8Decoding.decode($0, i) }
    }
}
