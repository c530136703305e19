/// Hand-written JSON output into `[UInt8]` (house style §16: no Foundation, no `Codable` on the hot path).
///
/// - Strings: `"` → `\"`, `\` → `\\`, every control character below U+0020 → `\u00XX`; valid UTF-8 passes through
///   unchanged; bytes that are not valid UTF-8 become U+FFFD, so the output is always valid JSON text.
/// - Numbers: integral values below 10^15 in magnitude are written as integers (`42`, not `42.0`); everything else
///   as Swift's shortest round-trip `description` (`0.1`, `1e+16`), with a trailing `.0` removed. Callers never
///   pass NaN or ±Inf (JSON cannot encode them); see ``JSONWriter/cloudWatchValue(_:)``.
enum JSONWriter {
    /// The largest magnitude CloudWatch accepts (2^360); larger values are rejected by the service.
    static let maximumMagnitude: Double = 0x1p360
    /// Non-zero magnitudes below this (2^-360) are rejected by the service too; they are written as 0.
    static let minimumMagnitude: Double = 0x1p-360

    /// The value CloudWatch can store for `value`: `nil` for NaN, ±Inf and magnitudes above 2^360, 0 for non-zero
    /// magnitudes below 2^-360, else the value itself.
    static func cloudWatchValue(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        let magnitude = value.magnitude
        if magnitude > maximumMagnitude { return nil }
        if magnitude < minimumMagnitude { return 0 }
        return value
    }

    static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends `bytes` as a quoted, escaped JSON string.
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `string` as a quoted, escaped JSON string.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// The quoted, escaped JSON form of `string`.
    static func encodedString(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        appendString(string, to: &out)
        return out
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Appends the escaped content of a JSON string (without quotes).
    static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let count = bytes.count
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "\""):
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "\\"))
                case 0..<0x20:
                    appendLiteral("\\u00", to: &out)
                    hexDigits.withUTF8Buffer { hex in
                        out.append(hex[Int(byte >> 4)])
                        out.append(hex[Int(byte & 0x0F)])
                    }
                default:
                    out.append(byte)
                }
                i += 1
                continue
            }
            let length = validUTF8SequenceLength(bytes, at: i)
            if length == 0 {
                // Not valid UTF-8: U+FFFD REPLACEMENT CHARACTER, then resynchronise on the next byte.
                out.append(0xEF)
                out.append(0xBF)
                out.append(0xBD)
                i += 1
            } else {
                for j in i..<(i + length) { out.append(bytes[j]) }
                i += length
            }
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (a non-ASCII lead byte), or 0.
    private static func validUTF8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        let remaining = bytes.count - index
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset < remaining && range.contains(bytes[index + offset])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Appends a finite number. Precondition: `value.isFinite`.
    static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        precondition(value.isFinite, "JSON cannot encode NaN or infinity")
        if value.magnitude < 1e15, value == value.rounded(.towardZero) {
            appendInteger(Int64(value), to: &out)
            return
        }
        var text = value.description
        text.withUTF8 { utf8 in
            var count = utf8.count
            // `description` writes integral values up to 2^53 as `9007199254740992.0`; JSON is happier without.
            if count > 2, utf8[count - 2] == UInt8(ascii: "."), utf8[count - 1] == UInt8(ascii: "0") { count -= 2 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<count]))
        }
    }

    /// Appends an integer in decimal without allocating.
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch: UInt64.max has 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var n = 0
            repeat {
                buffer[n] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            return n
        }
        withUnsafeBytes(of: &digits) { buffer in
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    /// The number of bytes ``appendInteger(_:to:)`` writes for `value`.
    static func integerLength(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var n = value < 0 ? 1 : 0
        repeat {
            magnitude /= 10
            n += 1
        } while magnitude > 0
        return n
    }
}
