/// Character-class arithmetic over flat `[lo0, hi0, lo1, hi1, …]` code point ranges, as Go's `regexp/syntax`
/// keeps them, so the parser can follow Go's class construction (folding, negation, merging) step by step.
enum RuneRanges {
    static let maxRune: UInt32 = 0x10FFFF
    /// Smallest and largest code points that take part in simple case folding (Go's `minFold`/`maxFold`).
    static let minFold: UInt32 = 0x41
    static let maxFold: UInt32 = 0x1E943

    /// Appends `lo...hi`, merging with one of the last two ranges when they touch (Go's `appendRange`).
    static func appendRange(_ r: inout [UInt32], _ lo: UInt32, _ hi: UInt32) {
        let n = r.count
        for i in stride(from: 2, through: 4, by: 2) where n >= i {
            let rlo = r[n - i]
            let rhi = r[n - i + 1]
            if lo <= rhi &+ 1 && rlo <= hi &+ 1 {
                if lo < rlo { r[n - i] = lo }
                if hi > rhi { r[n - i + 1] = hi }
                return
            }
        }
        r.append(lo)
        r.append(hi)
    }

    /// Appends `lo...hi` and everything that case-folds to a member (Go's `appendFoldedRange`).
    static func appendFoldedRange(_ r: inout [UInt32], _ lo: UInt32, _ hi: UInt32) {
        if lo <= minFold && hi >= maxFold || hi < minFold || lo > maxFold {
            appendRange(&r, lo, hi)
            return
        }
        var lo = lo
        var hi = hi
        if lo < minFold {
            appendRange(&r, lo, minFold - 1)
            lo = minFold
        }
        if hi > maxFold {
            appendRange(&r, maxFold + 1, hi)
            hi = maxFold
        }
        for c in lo...hi {
            appendRange(&r, c, c)
            if let orbit = CaseFolding.orbit(of: c) {
                for f in orbit where f != c { appendRange(&r, f, f) }
            }
        }
    }

    static func appendClass(_ r: inout [UInt32], _ x: [UInt32]) {
        var i = 0
        while i < x.count {
            appendRange(&r, x[i], x[i + 1])
            i += 2
        }
    }

    static func appendFoldedClass(_ r: inout [UInt32], _ x: [UInt32]) {
        var i = 0
        while i < x.count {
            appendFoldedRange(&r, x[i], x[i + 1])
            i += 2
        }
    }

    /// Appends the complement of the clean class `x`.
    static func appendNegatedClass(_ r: inout [UInt32], _ x: [UInt32]) {
        var nextLo: UInt32 = 0
        var i = 0
        while i < x.count {
            let lo = x[i]
            let hi = x[i + 1]
            if lo > 0 && nextLo <= lo - 1 { appendRange(&r, nextLo, lo - 1) }
            nextLo = hi + 1
            i += 2
        }
        if nextLo <= maxRune { appendRange(&r, nextLo, maxRune) }
    }

    /// Sorts and merges ranges (Go's `cleanClass`).
    static func clean(_ r: [UInt32]) -> [UInt32] {
        if r.count < 4 { return r }
        var pairs: [(UInt32, UInt32)] = []
        pairs.reserveCapacity(r.count / 2)
        var i = 0
        while i < r.count {
            pairs.append((r[i], r[i + 1]))
            i += 2
        }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 > $1.1) }
        var out: [UInt32] = [pairs[0].0, pairs[0].1]
        for (lo, hi) in pairs.dropFirst() {
            if lo <= out[out.count - 1] &+ 1 {
                if hi > out[out.count - 1] { out[out.count - 1] = hi }
                continue
            }
            out.append(lo)
            out.append(hi)
        }
        return out
    }

    /// The complement of a clean class.
    static func negate(_ r: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        appendNegatedClass(&out, r)
        return out
    }

    static func contains(_ r: [UInt32], _ c: UInt32) -> Bool {
        var lo = 0
        var hi = r.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if c > r[2 * mid + 1] {
                lo = mid + 1
            } else if c < r[2 * mid] {
                hi = mid
            } else {
                return true
            }
        }
        return false
    }
}

/// Perl (`\d \s \w`) and POSIX (`[:alpha:]`) classes: ASCII-only, as in Go.
enum NamedClasses {
    static func perl(_ letter: UInt8) -> (negated: Bool, ranges: [UInt32])? {
        switch letter {
        case UInt8(ascii: "d"): (false, digit)
        case UInt8(ascii: "D"): (true, digit)
        case UInt8(ascii: "s"): (false, perlSpace)
        case UInt8(ascii: "S"): (true, perlSpace)
        case UInt8(ascii: "w"): (false, word)
        case UInt8(ascii: "W"): (true, word)
        default: nil
        }
    }

    static let digit: [UInt32] = [0x30, 0x39]
    static let perlSpace: [UInt32] = [0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x20]
    static let word: [UInt32] = [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A]

    /// `name` is the full `[:alpha:]` / `[:^alpha:]` text.
    static func posix(_ name: String) -> (negated: Bool, ranges: [UInt32])? {
        var inner = name.dropFirst(2).dropLast(2)
        var negated = false
        if inner.first == "^" {
            negated = true
            inner = inner.dropFirst()
        }
        let ranges: [UInt32]
        switch inner {
        case "alnum": ranges = [0x30, 0x39, 0x41, 0x5A, 0x61, 0x7A]
        case "alpha": ranges = [0x41, 0x5A, 0x61, 0x7A]
        case "ascii": ranges = [0x00, 0x7F]
        case "blank": ranges = [0x09, 0x09, 0x20, 0x20]
        case "cntrl": ranges = [0x00, 0x1F, 0x7F, 0x7F]
        case "digit": ranges = [0x30, 0x39]
        case "graph": ranges = [0x21, 0x7E]
        case "lower": ranges = [0x61, 0x7A]
        case "print": ranges = [0x20, 0x7E]
        case "punct": ranges = [0x21, 0x2F, 0x3A, 0x40, 0x5B, 0x60, 0x7B, 0x7E]
        case "space": ranges = [0x09, 0x0D, 0x20, 0x20]
        case "upper": ranges = [0x41, 0x5A]
        case "word": ranges = word
        case "xdigit": ranges = [0x30, 0x39, 0x41, 0x46, 0x61, 0x66]
        default: return nil
        }
        return (negated, ranges)
    }
}

/// Simple case folding orbits (Go's `unicode.SimpleFold`), derived once from the standard library's case
/// mappings: two code points fold together when upper-casing then lower-casing (single code point mappings
/// only) gives the same result. U+0130 and U+0131 are excluded, as in Unicode's CaseFolding `C`/`S` entries.
enum CaseFolding {
    /// Members of the orbit of `c` (including `c`), or nil when `c` folds only to itself.
    static func orbit(of c: UInt32) -> [UInt32]? {
        guard c >= RuneRanges.minFold && c <= RuneRanges.maxFold else { return nil }
        return orbits[c]
    }

    /// Built lazily on first use of `(?i)`; a global `let` is initialised once, thread-safely.
    private static let orbits: [UInt32: [UInt32]] = {
        var groups: [UInt32: [UInt32]] = [:]
        for v in RuneRanges.minFold...RuneRanges.maxFold {
            guard let scalar = Unicode.Scalar(v), scalar.properties.changesWhenCaseMapped else { continue }
            if v == 0x130 || v == 0x131 { continue }
            let upper = single(scalar.properties.uppercaseMapping) ?? scalar
            let key = single(upper.properties.lowercaseMapping) ?? upper
            groups[key.value, default: []].append(v)
        }
        var result: [UInt32: [UInt32]] = [:]
        for (key, var members) in groups {
            if !members.contains(key), key != 0x130, key != 0x131 { members.append(key) }
            guard members.count > 1 else { continue }
            members.sort()
            for m in members { result[m] = members }
        }
        return result
    }()

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        let scalars = mapping.unicodeScalars
        guard let first = scalars.first, scalars.index(after: scalars.startIndex) == scalars.endIndex else {
            return nil
        }
        return first
    }
}
