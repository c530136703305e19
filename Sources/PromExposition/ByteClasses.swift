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

/// `[a-zA-Z_:]`
@inline(__always)
func isMetricNameStart(_ c: UInt8) -> Bool {
    let lower = c | 0x20
    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || c == Byte.underscore || c == UInt8(ascii: ":")
}

/// `[a-zA-Z0-9_:]`
@inline(__always)
func isMetricNameChar(_ c: UInt8) -> Bool { isMetricNameStart(c) || NumberParser.isDigit(c) }

/// `[a-zA-Z_]`
@inline(__always)
func isLabelNameStart(_ c: UInt8) -> Bool {
    let lower = c | 0x20
    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || c == Byte.underscore
}

/// `[a-zA-Z0-9_]`
@inline(__always)
func isLabelNameChar(_ c: UInt8) -> Bool { isLabelNameStart(c) || NumberParser.isDigit(c) }

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
