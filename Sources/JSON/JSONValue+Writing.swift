// The compact writer: no insignificant whitespace, object members in insertion order, non-ASCII passed through as
// UTF-8, and only what JSON requires escaped (`"`, `\` and control characters).

extension JSONValue {
    /// Compact JSON text.
    public var serialized: String { String(decoding: serializedBytes, as: UTF8.self) }

    /// Compact JSON as UTF-8 bytes.
    public var serializedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// Appends the compact JSON text to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if let integer = Self.integralDoubleAsInteger(d) {
                out.append(contentsOf: String(integer).utf8)
            } else if d.isFinite {
                // Swift's shortest round-tripping form (`0.1`, `1e-07`, `1e+16`) is valid JSON.
                out.append(contentsOf: String(d).utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Calls `body` with the decimal digits of `value` (with `-` when negative), from a stack buffer: no allocation.
    @inlinable @inline(__always)
    public static func withDecimalDigits<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch: "-" and UInt64.max's 20 digits
        return withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// The number of bytes ``withDecimalDigits(_:_:)`` gives for `value`.
    @inlinable
    public static func decimalLength(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var n = value < 0 ? 1 : 0
        repeat {
            magnitude /= 10
            n += 1
        } while magnitude > 0
        return n
    }

    /// An integral double below 10^15 as an integer: Go (and so the Kubernetes API server) prints `3.0` as `3`, and
    /// every such double converts exactly.
    static func integralDoubleAsInteger(_ value: Double) -> Int? {
        guard value.isFinite, value.rounded() == value, abs(value) < 1e15 else { return nil }
        return Int(value)
    }

    /// Appends `s` as a quoted JSON string.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// Appends UTF-8 bytes as a quoted JSON string, escaping `"`, `\\` and control characters.
    public static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: quotedLengthBound(utf8: bytes)) { buffer in
            let written = writeQuoted(utf8: bytes, to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<written]))
        }
    }

    /// At least the length of `bytes` written by ``writeQuoted(utf8:to:)``, found without a counting pass: twice the
    /// bytes plus the quotes, or six times when a control character (`\\u00XX`) is present, which only a vectorized
    /// scan for the smallest byte has to find out.
    public static func quotedLengthBound(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var smallest = UInt8.max
        for byte in bytes { smallest = Swift.min(smallest, byte) }
        return bytes.count &* (smallest < 0x20 ? 6 : 2) &+ 2
    }

    /// Writes `bytes` as a quoted JSON string at `destination`, which must have room for
    /// ``quotedLengthBound(utf8:)`` bytes; returns how many were written.
    ///
    /// Eight bytes are checked at once for `"` and `\\` (SWAR zero-byte tests) and stored in one piece when they have
    /// none; a word with one is written byte by byte with two unconditional stores per byte (a backslash, then the byte
    /// itself over it or after it), so EMF documents, which quote every few bytes, cost no mispredicted branches.
    /// Strings with control characters take a plain byte-by-byte path.
    public static func writeQuoted(
        utf8 bytes: UnsafeBufferPointer<UInt8>,
        to destination: UnsafeMutablePointer<UInt8>
    )
        -> Int
    {
        var p = destination
        p.pointee = UInt8(ascii: "\"")
        p += 1
        var smallest = UInt8.max
        for byte in bytes { smallest = Swift.min(smallest, byte) }
        if let source = bytes.baseAddress, smallest >= 0x20 {
            p = quoteOrBackslash.withUnsafeBufferPointer { table in
                var p = p
                let count = bytes.count
                var i = 0
                while i &+ 8 <= count {
                    let word = UnsafeRawPointer(source).loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let marks = zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                    if marks == 0 {
                        UnsafeMutableRawPointer(p).storeBytes(of: word, as: UInt64.self)
                        p += 8
                    } else {
                        for k in 0..<8 { p = writeEscapingQuote(source[i &+ k], table: table, to: p) }
                    }
                    i &+= 8
                }
                while i < count {
                    p = writeEscapingQuote(source[i], table: table, to: p)
                    i &+= 1
                }
                return p
            }
        } else {
            for byte in bytes { p = writeEscaped(byte, to: p) }
        }
        p.pointee = UInt8(ascii: "\"")
        return p - destination + 1
    }

    /// The high bit of every byte of `word` that is zero, exactly (no borrow between bytes).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low7) &+ low7) | word | low7)
    }

    /// Writes a byte that is not a control character, escaping `"` and `\\`, without a branch.
    @inline(__always)
    static func writeEscapingQuote(
        _ byte: UInt8,
        table: UnsafeBufferPointer<UInt8>,
        to p: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        let escape = Int(truncatingIfNeeded: table[Int(byte)])
        p[0] = UInt8(ascii: "\\")
        p[escape] = byte
        return p + (1 &+ escape)
    }

    /// 1 for `"` and `\\`, else 0 (a lookup is cheaper than two compares here).
    static let quoteOrBackslash: [UInt8] = (0..<256).map { $0 == 0x22 || $0 == 0x5C ? 1 : 0 }

    /// Writes one byte as it appears inside a JSON string; returns the position after it.
    static func writeEscaped(_ byte: UInt8, to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let short: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
        if byte >= 0x20 && short == nil {
            p[0] = byte
            return p + 1
        }
        p[0] = UInt8(ascii: "\\")
        if let short {
            p[1] = short
            return p + 2
        }
        p[1] = UInt8(ascii: "u")
        p[2] = UInt8(ascii: "0")
        p[3] = UInt8(ascii: "0")
        p[4] = hexDigit(byte >> 4)
        p[5] = hexDigit(byte & 0xF)
        return p + 6
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
