internal import Crypto

/// SigV4 building blocks: hex SHA-256, RFC 3986 percent-encoding and the `X-Amz-Date` timestamp.
///
/// All of it is done by hand over UTF-8 bytes (no Foundation, no `DateFormatter`, no `CharacterSet`).
public enum SigV4 {
    /// The `X-Amz-Content-Sha256` value of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash that tells S3-style services the body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The SigV4 algorithm name.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Lower-case hex SHA-256 of `bytes`, hashed in place (no copy).
    ///
    /// - Parameter bytes: The bytes to hash, e.g. a request body.
    /// - Returns: 64 lower-case hex digits.
    public static func hexSHA256(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hexString(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func hexSHA256(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hexSHA256($0) }
    }

    /// RFC 3986 percent-encoding of the UTF-8 bytes of `s`, as SigV4 wants it.
    ///
    /// The unreserved characters `A–Z a–z 0–9 - . _ ~` are kept; every other byte becomes `%XX` with upper-case hex.
    /// - Parameters:
    ///   - s: The text to encode.
    ///   - encodeSlash: `true` to encode `/` as `%2F` (query names and values), `false` to keep it (paths).
    /// - Returns: The encoded text (ASCII).
    public static func uriEncode(_ s: String, encodeSlash: Bool) -> String {
        let utf8 = s.utf8
        // Fast path: nothing to encode.
        if utf8.allSatisfy({ isUnreserved($0) || (!encodeSlash && $0 == UInt8(ascii: "/")) }) {
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        appendURIEncoded(utf8, encodeSlash: encodeSlash, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The SigV4 timestamp `yyyyMMdd'T'HHmmss'Z'` (e.g. `20150830T123600Z`) of a UTC time.
    ///
    /// Formatted by hand from the day count (Howard Hinnant's civil-from-days), valid for any `Int64`
    /// second; years outside 0…9999 are printed with as many digits as they need.
    /// - Parameter secondsSinceEpoch: Seconds since 1970-01-01T00:00:00Z.
    /// - Returns: The 16-character timestamp.
    public static func amzDate(_ secondsSinceEpoch: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        appendAMZDate(secondsSinceEpoch, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The date part (`yyyyMMdd`) of ``amzDate(_:)``, as used in the credential scope.
    public static func scopeDate(_ secondsSinceEpoch: Int64) -> String {
        let date = amzDate(secondsSinceEpoch)
        return String(date[..<(date.firstIndex(of: "T") ?? date.endIndex)])
    }

    // MARK: - Internals

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
    static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the percent-encoding of `bytes`. With `twice`, the result is what encoding the encoded text again gives
    /// (`%` → `%25`, so a reserved byte becomes `%25XX`): SigV4's double encoding of non-S3 paths in one pass.
    @inline(__always)
    static func appendURIEncoded(
        _ bytes: some Sequence<UInt8>,
        encodeSlash: Bool,
        twice: Bool = false,
        into out: inout [UInt8]
    ) {
        for byte in bytes {
            if isUnreserved(byte) || (!encodeSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                if twice {
                    out.append(UInt8(ascii: "2"))
                    out.append(UInt8(ascii: "5"))
                }
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
    }

    /// Lower-case hex of a digest or MAC.
    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        appendHex(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func appendHex(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes {
            out.append(lowerHex[Int(byte >> 4)])
            out.append(lowerHex[Int(byte & 0x0F)])
        }
    }

    /// Days since 1970-01-01 of a time (floor division, so negative times fall on the right day).
    @inline(__always)
    static func daysSinceEpoch(_ seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
    }

    /// Year, month (1…12) and day (1…31) of a day count since 1970-01-01 (proleptic Gregorian).
    /// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097  // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // [0, 365]
        let mp = (5 * doy + 2) / 153  // [0, 11], March-based
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func appendAMZDate(_ seconds: Int64, into out: inout [UInt8]) {
        let days = daysSinceEpoch(seconds)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        if year >= 0 && year <= 9999 {
            appendTwoDigits(Int(year / 100), into: &out)
            appendTwoDigits(Int(year % 100), into: &out)
        } else {
            appendDigits(year, minimumWidth: 4, into: &out)
        }
        appendTwoDigits(month, into: &out)
        appendTwoDigits(day, into: &out)
        out.append(UInt8(ascii: "T"))
        appendTwoDigits(secondOfDay / 3600, into: &out)
        appendTwoDigits(secondOfDay / 60 % 60, into: &out)
        appendTwoDigits(secondOfDay % 60, into: &out)
        out.append(UInt8(ascii: "Z"))
    }

    @inline(__always)
    static func appendTwoDigits(_ value: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10))
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    static func appendDigits(_ value: Int64, minimumWidth: Int, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        if digits.count < minimumWidth {
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: minimumWidth - digits.count))
        }
        out.append(contentsOf: digits.reversed())
    }

    /// Appends the decimal digits of a non-negative or negative integer.
    static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        appendDigits(Int64(value), minimumWidth: 1, into: &out)
    }
}
