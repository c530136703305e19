/// Zero-width assertions, with Go's `syntax.EmptyOp` bit values.
struct EmptyAssertion: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    static let beginLine = EmptyAssertion(rawValue: 1)
    static let endLine = EmptyAssertion(rawValue: 2)
    static let beginText = EmptyAssertion(rawValue: 4)
    static let endText = EmptyAssertion(rawValue: 8)
    static let wordBoundary = EmptyAssertion(rawValue: 16)
    static let noWordBoundary = EmptyAssertion(rawValue: 32)
}

/// A parsed regular expression (Go's `syntax.Regexp`, reduced to what matching needs).
indirect enum RegexNode: Hashable, Sendable {
    case emptyMatch
    case noMatch
    /// One or more code points; `foldCase` when written under `(?i)`.
    case literal([UInt32], foldCase: Bool)
    /// A clean class (sorted, merged `[lo, hi, …]`).
    case runeClass([UInt32])
    case anyChar
    case anyCharNotNewline
    case assertion(EmptyAssertion)
    case capture(index: Int, name: String?, RegexNode)
    case star(RegexNode, greedy: Bool)
    case plus(RegexNode, greedy: Bool)
    case quest(RegexNode, greedy: Bool)
    /// `{min,max}`; `max == -1` means unbounded. Removed by ``simplified()``.
    case repeatCount(RegexNode, min: Int, max: Int, greedy: Bool)
    case concat([RegexNode])
    case alternate([RegexNode])

    /// Go's `Simplify`: counted repetition expanded into star/plus/quest, idempotent operators collapsed.
    func simplified() -> RegexNode {
        switch self {
        case .capture(let index, let name, let sub):
            return .capture(index: index, name: name, sub.simplified())
        case .concat(let subs):
            return .concat(subs.map { $0.simplified() })
        case .alternate(let subs):
            return .alternate(subs.map { $0.simplified() })
        case .star(let sub, let greedy):
            return Self.simplify1(.star, sub.simplified(), greedy: greedy)
        case .plus(let sub, let greedy):
            return Self.simplify1(.plus, sub.simplified(), greedy: greedy)
        case .quest(let sub, let greedy):
            return Self.simplify1(.quest, sub.simplified(), greedy: greedy)
        case .repeatCount(let sub0, let min, let max, let greedy):
            if min == 0 && max == 0 { return .emptyMatch }
            let sub = sub0.simplified()
            if max == -1 {
                if min == 0 { return Self.simplify1(.star, sub, greedy: greedy) }
                if min == 1 { return Self.simplify1(.plus, sub, greedy: greedy) }
                var subs = Array(repeating: sub, count: min - 1)
                subs.append(Self.simplify1(.plus, sub, greedy: greedy))
                return .concat(subs)
            }
            if min == 1 && max == 1 { return sub }
            var prefix: [RegexNode]? = min > 0 ? Array(repeating: sub, count: min) : nil
            if max > min {
                var suffix = Self.simplify1(.quest, sub, greedy: greedy)
                if min + 1 < max {
                    for _ in (min + 1)..<max {
                        suffix = Self.simplify1(.quest, .concat([sub, suffix]), greedy: greedy)
                    }
                }
                if prefix == nil { return suffix }
                prefix?.append(suffix)
            }
            if let prefix { return .concat(prefix) }
            return .noMatch
        default:
            return self
        }
    }

    private enum UnaryOp { case star, plus, quest }

    private static func simplify1(_ op: UnaryOp, _ sub: RegexNode, greedy: Bool) -> RegexNode {
        if sub == .emptyMatch { return sub }
        switch (op, sub) {
        case (.star, .star(_, let g)) where g == greedy: return sub
        case (.plus, .plus(_, let g)) where g == greedy: return sub
        case (.quest, .quest(_, let g)) where g == greedy: return sub
        default: break
        }
        switch op {
        case .star: return .star(sub, greedy: greedy)
        case .plus: return .plus(sub, greedy: greedy)
        case .quest: return .quest(sub, greedy: greedy)
        }
    }

    /// Go's `repeatIsValid`: nested counted repetitions must not multiply above `limit` copies.
    func repeatIsValid(_ limit: Int) -> Bool {
        var n = limit
        switch self {
        case .repeatCount(let sub, let min, let max, _):
            var m = max
            if m == 0 { return true }
            if m < 0 { m = min }
            if m > n { return false }
            if m > 0 { n /= m }
            return sub.repeatIsValid(n)
        case .capture(_, _, let sub), .star(let sub, _), .plus(let sub, _), .quest(let sub, _):
            return sub.repeatIsValid(n)
        case .concat(let subs), .alternate(let subs):
            return subs.allSatisfy { $0.repeatIsValid(n) }
        default:
            return true
        }
    }
}
