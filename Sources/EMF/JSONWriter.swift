/// Hand-written JSON output into `[UInt8]` (house style §16: no Foundation, no `Codable` on the hot path).
///
/// - Strings: `"` → `\"`, `\` → `\\`, every control character below U+0020 → `\u00XX`; valid UTF-8 passes through
///   unchanged; bytes that are not valid UTF-8 become U+FFFD, so the output is always valid JSON text.
/// - Numbers: integral values below 10^15 in magnitude are written as integers (`42`, not `42.0`); everything else
///   as Swift's shortest round-trip `description` (`0.1`, `1e+16`), with a trailing `.0` removed. Callers never
///   pass NaN or ±Inf (JSON cannot encode them); see ``JSONWriter/cloudWatchValue(_:)``.
import JSON

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

    /// `json` (JSON text: it never holds a raw control character) as the content of a JSON string, without the
    /// quotes: `"` → `\"`, `\` → `\\`. Escaping is byte by byte, so the pieces of a document escaped one by one
    /// and put together are the whole document escaped.
    static func escapedAsStringContent(_ json: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 4)
        for byte in json {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        return out
    }

    /// The JSON text that ``escapedAsStringContent(_:)`` made `content` from.
    static func unescapedStringContent(_ content: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var escaping = false
        for byte in content {
            if !escaping, byte == UInt8(ascii: "\\") {
                escaping = true
                continue
            }
            escaping = false
            out.append(byte)
        }
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
        withNumber(value) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the bytes ``appendNumber(_:to:)`` writes for `value`, from a stack buffer (no allocation).
    /// Precondition: `value.isFinite`.
    @inline(__always)
    static func withNumber<R>(_ value: Double, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(value.isFinite, "JSON cannot encode NaN or infinity")
        if value.magnitude < 1e15, value == value.rounded(.towardZero) {
            return JSONValue.withDecimalDigits(Int64(value), body)
        }
        // `Double.write(to:)` formats exactly as `description` does (shortest round-trip), but hands the ASCII bytes
        // to the stream from its own stack buffer instead of allocating a String for them.
        var stream = NumberStream()
        value.write(to: &stream)
        return withUnsafeBytes(of: &stream.bytes) { buffer in
            var count = stream.count
            // `description` writes integral values up to 2^53 as `9007199254740992.0`; JSON is happier without.
            if count > 2, buffer[count - 2] == UInt8(ascii: "."), buffer[count - 1] == UInt8(ascii: "0") { count -= 2 }
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Appends an integer in decimal without allocating.
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        JSONValue.withDecimalDigits(value) { out.append(contentsOf: $0) }
    }

    /// The number of bytes ``appendInteger(_:to:)`` writes for `value`.
    static func integerLength(_ value: Int64) -> Int { JSONValue.decimalLength(value) }
}

/// Receives `Double.write(to:)`'s ASCII output into a fixed buffer (the shortest round-trip form of a `Double` has at
/// most 24 characters; 32 are reserved).
private struct NumberStream: TextOutputStream {
    var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count = 0

    mutating func write(_ string: String) {
        for byte in string.utf8 { append(byte) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        for byte in buffer { append(byte) }
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        precondition(count < 32, "a Double has at most 24 characters")
        withUnsafeMutableBytes(of: &bytes) { $0[count] = byte }
        count += 1
    }
}

/// The bytes ``JSONWriter/appendNumber(_:to:)`` writes for a value, held by value (at most 24 of them), so a caller
/// can size an event by them and write them later without a buffer of its own.
struct NumberText {
    let bytes: (UInt64, UInt64, UInt64, UInt64)
    let count: Int

    /// Precondition: `value.isFinite`.
    init(_ value: Double) {
        var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        count = JSONWriter.withNumber(value) { digits in
            withUnsafeMutableBytes(of: &bytes) { $0.copyMemory(from: digits) }
            return digits.count
        }
        self.bytes = bytes
    }
}

/// Writes bytes into memory whose size was computed beforehand (an event's exact length): one bounds check per
/// piece instead of `Array.append`'s uniqueness and capacity checks.
struct UnsafeByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "event size accounting is off")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        precondition(n <= capacity - count, "event size accounting is off")
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: n)
        count += n
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    @inline(__always)
    mutating func write(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { write($0) }
    }

    @inline(__always)
    mutating func write(_ literal: StaticString) {
        write(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func write(_ number: NumberText) {
        withUnsafeBytes(of: number.bytes) { write(UnsafeRawBufferPointer(rebasing: $0[0..<number.count])) }
    }

    @inline(__always)
    mutating func writeInteger(_ value: Int64) {
        JSONValue.withDecimalDigits(value) { write($0) }
    }
}
