/// One instruction of a compiled expression (Go's `syntax.Inst`).
struct RegexInstruction: Sendable {
    enum Op: UInt8, Sendable {
        case fail, match, alt, nop, save, empty, rune1, runeClass, anyChar, anyCharNotNewline
    }

    var op: Op
    var out: Int32
    /// `alt`: the lower-priority branch; `save`: the slot; `empty`: ``EmptyAssertion`` bits; `rune1`: the code
    /// point; `runeClass`: the index into ``RegexProgram/classes``.
    var arg: Int32
}

/// A character class ready for matching: an ASCII bitmap for the common case, ranges for the rest.
struct CompiledRuneClass: Sendable {
    let ranges: [UInt32]
    private let asciiLow: UInt64
    private let asciiHigh: UInt64

    init(_ ranges: [UInt32]) {
        self.ranges = ranges
        var low: UInt64 = 0
        var high: UInt64 = 0
        for c in UInt32(0)..<128 where RuneRanges.contains(ranges, c) {
            if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
        }
        self.asciiLow = low
        self.asciiHigh = high
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return asciiLow & (1 << UInt64(c)) != 0 }
        if c < 128 { return asciiHigh & (1 << UInt64(c - 64)) != 0 }
        return RuneRanges.contains(ranges, c)
    }
}

/// A compiled expression (Go's `syntax.Prog`): instruction 0 always fails, as in Go.
struct RegexProgram: Sendable {
    /// Go's `maxSize` (128 MB of 40-byte instructions).
    static let maximumInstructions = 128 << 20 / 40

    var instructions: [RegexInstruction]
    var classes: [CompiledRuneClass]
    var start: Int
    /// Capture groups, not counting the whole match.
    var captureCount: Int
    /// The expression can only match at the start of the text (Go's `StartCond` has `EmptyBeginText`).
    var anchoredStart: Bool

    init(_ node: RegexNode, captureCount: Int) throws(RelabelRegexError) {
        var compiler = Compiler()
        let fragment = compiler.compile(node)
        let match = compiler.emit(.match)
        compiler.patch(fragment.out, to: match)
        guard compiler.instructions.count <= Self.maximumInstructions else {
            throw RelabelRegexError(code: .large, expression: "")
        }
        self.instructions = compiler.instructions
        self.classes = compiler.classes
        self.start = Int(fragment.start)
        self.captureCount = captureCount

        var anchored = false
        var pc = Int(fragment.start)
        scan: while pc != 0 {
            let inst = compiler.instructions[pc]
            switch inst.op {
            case .empty:
                if EmptyAssertion(rawValue: UInt8(inst.arg)).contains(.beginText) { anchored = true }
                pc = Int(inst.out)
            case .nop, .save:
                pc = Int(inst.out)
            default:
                break scan
            }
        }
        self.anchoredStart = anchored
    }

    /// Go's compiler (`regexp/syntax/compile.go`), with the same fragment shapes so thread priorities — and
    /// therefore submatches — come out as Go's.
    private struct Compiler {
        struct Fragment {
            var start: Int32
            /// Holes to patch: instruction index << 1, low bit set for `arg`.
            var out: [Int32]
            var nullable: Bool
        }

        var instructions: [RegexInstruction] = [RegexInstruction(op: .fail, out: 0, arg: 0)]
        var classes: [CompiledRuneClass] = []

        mutating func emit(_ op: RegexInstruction.Op, arg: Int32 = 0) -> Int32 {
            instructions.append(RegexInstruction(op: op, out: 0, arg: arg))
            return Int32(instructions.count - 1)
        }

        mutating func patch(_ list: [Int32], to target: Int32) {
            for hole in list {
                let index = Int(hole >> 1)
                if hole & 1 == 0 { instructions[index].out = target } else { instructions[index].arg = target }
            }
        }

        mutating func compile(_ node: RegexNode) -> Fragment {
            guard instructions.count <= RegexProgram.maximumInstructions else { return fail() }
            switch node {
            case .noMatch:
                return fail()
            case .emptyMatch:
                return nop()
            case .literal(let runes, let foldCase):
                var fragment: Fragment? = nil
                for r in runes {
                    let f1: Fragment
                    if foldCase, let orbit = CaseFolding.orbit(of: r) {
                        f1 = runeClass(RuneRanges.clean(orbit.flatMap { [$0, $0] }))
                    } else {
                        f1 = single(.rune1, arg: Int32(r))
                    }
                    fragment = fragment.map { cat($0, f1) } ?? f1
                }
                return fragment ?? nop()
            case .runeClass(let ranges):
                if ranges.isEmpty { return fail() }
                if ranges == [0, RuneRanges.maxRune] { return single(.anyChar) }
                if ranges.count == 2 && ranges[0] == ranges[1] { return single(.rune1, arg: Int32(ranges[0])) }
                return runeClass(ranges)
            case .anyChar:
                return single(.anyChar)
            case .anyCharNotNewline:
                return single(.anyCharNotNewline)
            case .assertion(let assertion):
                let i = emit(.empty, arg: Int32(assertion.rawValue))
                return Fragment(start: i, out: [i << 1], nullable: true)
            case .capture(let index, _, let sub):
                let open = save(Int32(2 * index))
                let body = compile(sub)
                let close = save(Int32(2 * index + 1))
                return cat(cat(open, body), close)
            case .star(let sub, let greedy):
                return star(compile(sub), greedy: greedy)
            case .plus(let sub, let greedy):
                return plus(compile(sub), greedy: greedy)
            case .quest(let sub, let greedy):
                return quest(compile(sub), greedy: greedy)
            case .repeatCount:
                // Removed by simplification before compiling.
                return compile(node.simplified())
            case .concat(let subs):
                guard var fragment = subs.first.map({ compile($0) }) else { return nop() }
                for sub in subs.dropFirst() { fragment = cat(fragment, compile(sub)) }
                return fragment
            case .alternate(let subs):
                var fragment = fail()
                for sub in subs { fragment = alt(fragment, compile(sub)) }
                return fragment
            }
        }

        func fail() -> Fragment { Fragment(start: 0, out: [], nullable: false) }

        mutating func nop() -> Fragment {
            let i = emit(.nop)
            return Fragment(start: i, out: [i << 1], nullable: true)
        }

        mutating func save(_ slot: Int32) -> Fragment {
            let i = emit(.save, arg: slot)
            return Fragment(start: i, out: [i << 1], nullable: true)
        }

        mutating func single(_ op: RegexInstruction.Op, arg: Int32 = 0) -> Fragment {
            let i = emit(op, arg: arg)
            return Fragment(start: i, out: [i << 1], nullable: false)
        }

        mutating func runeClass(_ ranges: [UInt32]) -> Fragment {
            classes.append(CompiledRuneClass(ranges))
            return single(.runeClass, arg: Int32(classes.count - 1))
        }

        mutating func cat(_ f1: Fragment, _ f2: Fragment) -> Fragment {
            if f1.start == 0 || f2.start == 0 { return fail() }
            patch(f1.out, to: f2.start)
            return Fragment(start: f1.start, out: f2.out, nullable: f1.nullable && f2.nullable)
        }

        mutating func alt(_ f1: Fragment, _ f2: Fragment) -> Fragment {
            if f1.start == 0 { return f2 }
            if f2.start == 0 { return f1 }
            let i = emit(.alt)
            instructions[Int(i)].out = f1.start
            instructions[Int(i)].arg = f2.start
            return Fragment(start: i, out: f1.out + f2.out, nullable: f1.nullable || f2.nullable)
        }

        mutating func quest(_ f1: Fragment, greedy: Bool) -> Fragment {
            let i = emit(.alt)
            var out: [Int32]
            if greedy {
                instructions[Int(i)].out = f1.start
                out = [i << 1 | 1]
            } else {
                instructions[Int(i)].arg = f1.start
                out = [i << 1]
            }
            out += f1.out
            return Fragment(start: i, out: out, nullable: true)
        }

        /// The loop of a plus or star: after `f1`, either go round again or leave.
        mutating func loop(_ f1: Fragment, greedy: Bool) -> Fragment {
            let i = emit(.alt)
            let out: [Int32]
            if greedy {
                instructions[Int(i)].out = f1.start
                out = [i << 1 | 1]
            } else {
                instructions[Int(i)].arg = f1.start
                out = [i << 1]
            }
            patch(f1.out, to: i)
            // As in Go, the loop instruction itself counts as nullable (star); plus() overrides it.
            return Fragment(start: i, out: out, nullable: true)
        }

        mutating func star(_ f1: Fragment, greedy: Bool) -> Fragment {
            // A nullable body compiles as (f1+)? to keep Go's priority order (golang.org/issue/46123).
            if f1.nullable { return quest(plus(f1, greedy: greedy), greedy: greedy) }
            return loop(f1, greedy: greedy)
        }

        mutating func plus(_ f1: Fragment, greedy: Bool) -> Fragment {
            let l = loop(f1, greedy: greedy)
            return Fragment(start: f1.start, out: l.out, nullable: f1.nullable)
        }
    }
}
