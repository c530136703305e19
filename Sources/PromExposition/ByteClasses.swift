/// Byte constants and character classes of both exposition grammars (ASCII only: names are ASCII in 0.0.4 and
/// OpenMetrics 1.0; Prometheus 3's quoted UTF-8 names are not supported).
enum Byte {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let equals = UInt8(ascii: "=")
    static let comma = UInt8(ascii: ",")
    static let underscore = UInt8(ascii: "_")
}

/// Text 0.0.4 separates tokens by any run of blanks and tabs.
@inline(__always)
func isBlank(_ c: UInt8) -> Bool { c == Byte.space || c == Byte.tab }

// Character classes as 128-bit bitmaps: bit `c` of `(low, high)` (`low` for 0–63, `high` for 64–127) is set
// when byte `c` is in the class. A shift and a mask per byte, no tables in memory, no branches but one select.

/// Digits (48–57) and `:` (58).
let metricNameLow: UInt64 = 0x07FF_0000_0000_0000
/// `A`–`Z` (65–90), `_` (95), `a`–`z` (97–122).
let letterAndUnderscoreHigh: UInt64 = 0x07FF_FFFE_87FF_FFFE

@inline(__always)
func inClass(_ c: UInt8, _ low: UInt64, _ high: UInt64) -> Bool {
    let word = c < 64 ? low : high
    return c < 128 && (word >> UInt64(c & 63)) & 1 != 0
}

/// `[a-zA-Z_:]`
@inline(__always)
func isMetricNameStart(_ c: UInt8) -> Bool { inClass(c, 0x0400_0000_0000_0000, letterAndUnderscoreHigh) }

/// `[a-zA-Z0-9_:]`
@inline(__always)
func isMetricNameChar(_ c: UInt8) -> Bool { inClass(c, metricNameLow, letterAndUnderscoreHigh) }

/// `[a-zA-Z_]`
@inline(__always)
func isLabelNameStart(_ c: UInt8) -> Bool { inClass(c, 0, letterAndUnderscoreHigh) }

/// `[a-zA-Z0-9_]`
@inline(__always)
func isLabelNameChar(_ c: UInt8) -> Bool { inClass(c, 0x03FF_0000_0000_0000, letterAndUnderscoreHigh) }

// MARK: Word-at-a-time (SWAR) helpers
//
// The hot loops read eight bytes at a time with unaligned loads. Every caller guarantees that the eight bytes
// lie inside memory it may read (a chunk, or a ByteStore with its padding); bytes past the token are read but
// never used.

let swarOnes: UInt64 = 0x0101_0101_0101_0101
let swarHighs: UInt64 = 0x8080_8080_8080_8080

/// A mask with 0x80 set in (at least) the lowest byte of `w` equal to `byte` times 0x01…01; the lowest set bit is
/// exact (higher ones may be false positives after the first match).
@inline(__always)
func swarMatches(_ w: UInt64, _ pattern: UInt64) -> UInt64 {
    let x = w ^ pattern
    return (x &- swarOnes) & ~x & swarHighs
}

/// Whether `a[0..<n]` equals `b[0..<n]` (`n` > 0), sixteen bytes (two words, one branch) at a time: all but the
/// last sixteen, then the last sixteen overlapping the ones before; shorter runs as two overlapping loads of eight,
/// four or two bytes. Reads only `a[0..<n]` and `b[0..<n]`.
@inline(__always)
func wordsEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    let ra = UnsafeRawPointer(a)
    @inline(__always) func difference64(_ offset: Int) -> UInt64 {
        ra.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }
    if n >= 16 {
        var i = 0
        while i &+ 16 < n {
            if difference64(i) | difference64(i &+ 8) != 0 { return false }
            i &+= 16
        }
        return difference64(n &- 16) | difference64(n &- 8) == 0
    }
    if n >= 8 { return difference64(0) | difference64(n &- 8) == 0 }
    if n >= 4 {
        let x = ra.loadUnaligned(as: UInt32.self) ^ b.loadUnaligned(as: UInt32.self)
        let y =
            ra.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            ^ b.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        return x | y == 0
    }
    if n >= 2 {
        let x = ra.loadUnaligned(as: UInt16.self) ^ b.loadUnaligned(as: UInt16.self)
        let y =
            ra.loadUnaligned(fromByteOffset: n &- 2, as: UInt16.self)
            ^ b.loadUnaligned(fromByteOffset: n &- 2, as: UInt16.self)
        return x | y == 0
    }
    return a[0] == b.load(as: UInt8.self)
}

/// The 0x80 bit set in the lowest byte of `w` that is a control character (below 0x20: the newline), non-ASCII,
/// or `\\`; the lowest set bit is exact. HELP text stops there on the fast path.
@inline(__always)
func swarHelpStops(_ w: UInt64) -> UInt64 {
    ((w &- 0x2020_2020_2020_2020) | w | swarMatches(w, 0x5C5C_5C5C_5C5C_5C5C)) & swarHighs
}

/// The 0x80 bit set in each byte of `w` that is not in `[a-zA-Z0-9_:]` (exact in every byte: no carries cross
/// bytes, as the arithmetic runs on the low seven bits only).
@inline(__always)
func swarNotMetricNameChars(_ w: UInt64) -> UInt64 {
    let x = w & 0x7F7F_7F7F_7F7F_7F7F
    // x + (0x80 - lo) has the high bit set iff x >= lo; x + (0x7F - hi) iff x > hi.
    let digitOrColon = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4545_4545_4545_4545)  // 0x30...0x3A
    let lower = x | 0x2020_2020_2020_2020
    let letter = (lower &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(lower &+ 0x0505_0505_0505_0505)  // 0x61...0x7A
    let u = x ^ 0x5F5F_5F5F_5F5F_5F5F
    let underscore = ~(u &+ 0x7F7F_7F7F_7F7F_7F7F)  // u == 0
    let valid = (digitOrColon | letter | underscore) & ~w
    return ~valid & swarHighs
}

/// The end of the run of `[a-zA-Z0-9_:]` bytes at `p`, eight bytes at a time while eight are readable before
/// `limit`. The run must end before `limit` (a newline, at the latest, ends it).
@inline(__always)
func scanMetricNameChars(_ p: UnsafePointer<UInt8>, _ limit: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
    var p = p
    while limit - p >= 8 {
        let m = swarNotMetricNameChars(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        if m != 0 { return p + (m.trailingZeroBitCount &>> 3) }
        p += 8
    }
    while isMetricNameChar(p[0]) { p += 1 }
    return p
}

/// The 0x80 bit set in the lowest byte of `w` that is below `"` (0x22 — control characters, space, `!`, `"`), at
/// least 0x80 (non-ASCII), or `\`; the lowest set bit is exact (higher ones may be false positives). Label values
/// stop at `"`, and must be looked at more closely at `\`, a newline and non-ASCII bytes.
@inline(__always)
func swarLabelValueStops(_ w: UInt64) -> UInt64 {
    let belowQuoteOrHigh = (w &- 0x2323_2323_2323_2323) | w
    return (belowQuoteOrHigh | swarMatches(w, 0x5C5C_5C5C_5C5C_5C5C)) & swarHighs
}

/// Whether all `n` bytes are below 0x80, eight at a time.
func isASCII(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
        i += 8
    }
    while i < n {
        if p[i] >= 0x80 { return false }
        i += 1
    }
    return true
}

/// Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as Go's `utf8.Valid`.
func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    @inline(__always) func isContinuation(_ c: UInt8) -> Bool { c & 0xC0 == 0x80 }
    var i = 0
    // ASCII runs eight bytes at a time (HELP text is nearly always ASCII).
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
    while i < n {
        let c = p[i]
        if c < 0x80 {
            i += 1
        } else if c < 0xC2 {
            return false
        } else if c < 0xE0 {
            guard i + 1 < n, isContinuation(p[i + 1]) else { return false }
            i += 2
        } else if c < 0xF0 {
            guard i + 2 < n else { return false }
            let c1 = p[i + 1]
            switch c {
            case 0xE0: guard c1 >= 0xA0 && c1 <= 0xBF else { return false }
            case 0xED: guard c1 >= 0x80 && c1 <= 0x9F else { return false }
            default: guard isContinuation(c1) else { return false }
            }
            guard isContinuation(p[i + 2]) else { return false }
            i += 3
        } else if c < 0xF5 {
            guard i + 3 < n else { return false }
            let c1 = p[i + 1]
            switch c {
            case 0xF0: guard c1 >= 0x90 && c1 <= 0xBF else { return false }
            case 0xF4: guard c1 >= 0x80 && c1 <= 0x8F else { return false }
            default: guard isContinuation(c1) else { return false }
            }
            guard isContinuation(p[i + 2]), isContinuation(p[i + 3]) else { return false }
            i += 4
        } else {
            return false
        }
    }
    return true
}

/// Unicode code points in valid UTF-8: the bytes that do not continue a sequence.
func codePointCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    var count = 0
    for b in bytes where b & 0xC0 != 0x80 { count += 1 }
    return count
}

/// Whether `p[0..<n]` equals the ASCII `literal`.
@inline(__always)
func bytesEqual(_ p: UnsafePointer<UInt8>, _ n: Int, _ literal: StaticString) -> Bool {
    literal.withUTF8Buffer { l in
        guard l.count == n else { return false }
        for k in 0..<n where p[k] != l[k] { return false }
        return true
    }
}
