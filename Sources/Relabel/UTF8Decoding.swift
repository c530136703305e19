/// UTF-8 decoding with Go's `utf8.DecodeRune` rules: an invalid or truncated sequence decodes as U+FFFD with
/// width 1, so matching over arbitrary bytes sees exactly the code points Go sees.
enum UTF8Decoding {
    static let replacement: UInt32 = 0xFFFD

    /// The code point at `i` and its width; `i` must be in bounds.
    @inline(__always)
    static func decode(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = s[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        return decodeMultibyte(s, i, b0)
    }

    @inline(never)
    static func decodeMultibyte(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, _ b0: UInt8) -> (UInt32, Int) {
        let n = s.count - i
        // Accepted second-byte range depends on the lead byte (no overlongs, surrogates or > U+10FFFF).
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        let size: Int
        switch b0 {
        case 0xC2...0xDF: size = 2
        case 0xE0:
            size = 3
            lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: size = 3
        case 0xED:
            size = 3
            hi = 0x9F
        case 0xF0:
            size = 4
            lo = 0x90
        case 0xF1...0xF3: size = 4
        case 0xF4:
            size = 4
            hi = 0x8F
        default: return (replacement, 1)
        }
        guard n >= 2 else { return (replacement, 1) }
        let b1 = s[i + 1]
        guard b1 >= lo && b1 <= hi else { return (replacement, 1) }
        if size == 2 { return (UInt32(b0 & 0x1F) << 6 | UInt32(b1 & 0x3F), 2) }
        guard n >= 3 else { return (replacement, 1) }
        let b2 = s[i + 2]
        guard b2 >= 0x80 && b2 <= 0xBF else { return (replacement, 1) }
        if size == 3 { return (UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F), 3) }
        guard n >= 4 else { return (replacement, 1) }
        let b3 = s[i + 3]
        guard b3 >= 0x80 && b3 <= 0xBF else { return (replacement, 1) }
        return (
            UInt32(b0 & 0x07) << 18 | UInt32(b1 & 0x3F) << 12 | UInt32(b2 & 0x3F) << 6 | UInt32(b3 & 0x3F), 4
        )
    }

    /// The code point ending just before `end` (Go's `utf8.DecodeLastRune`), or nil at the start.
    static func decodeLast(_ s: UnsafeBufferPointer<UInt8>, before end: Int) -> UInt32? {
        guard end > 0 else { return nil }
        if s[end - 1] < 0x80 { return UInt32(s[end - 1]) }
        // Back up over at most three continuation bytes to a possible start, then check it decodes to `end`.
        var start = end - 1
        let limit = max(0, end - 4)
        while start > limit && s[start] & 0xC0 == 0x80 { start -= 1 }
        let (r, width) = decode(s, start)
        if start + width != end { return replacement }
        return r
    }

    /// Whether the bytes contain U+FFFD or invalid UTF-8 (which decodes to U+FFFD).
    static func isValidWithoutReplacement(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < s.count {
            let (r, width) = decode(s, i)
            if r == replacement { return false }
            i += width
        }
        return true
    }
}
