#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Number tokens of both formats, parsed without `String`.
///
/// Accepted syntax is Go `strconv.ParseFloat`'s decimal form as Prometheus uses it (and OpenMetrics' `number`):
/// `[+-] digits [. digits] [(e|E) [+-] digits]` with digits on at least one side of the point, plus `NaN`,
/// `[+-]Inf` and `[+-]Infinity` in any case. Hex floats, `_`, `0x`/`0b`/`0o` forms are rejected, as Prometheus
/// does. Results are bit-identical to glibc `strtod`: integers and short decimals take Clinger's exact fast path,
/// everything else goes to `strtod` on a NUL-terminated stack copy.
enum NumberParser {
    /// A value token. Returns `nil` for a malformed token or a finite literal that overflows `Double` (Go's
    /// ParseFloat reports that as a range error, so Prometheus rejects the sample).
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int, allowSpecial: Bool = true) -> Double? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "+") || p[0] == UInt8(ascii: "-") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
            guard n > 1 else { return nil }
        }
        if p[i] > UInt8(ascii: "9") {
            guard allowSpecial else { return nil }
            let rest = n - i
            if (rest == 3 && equalsIgnoringCase(p + i, "inf")) || (rest == 8 && equalsIgnoringCase(p + i, "infinity")) {
                return negative ? -Double.infinity : Double.infinity
            }
            // Go's ParseFloat takes no sign on NaN.
            if i == 0 && rest == 3 && equalsIgnoringCase(p, "nan") { return Double.nan }
            return nil
        }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        var truncated = false
        while i < n, isDigit(p[i]) {
            sawDigit = true
            let d = UInt64(p[i] &- UInt8(ascii: "0"))
            if mantissa == 0 && d == 0 {
                // Leading zero: not significant.
            } else if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ d
                significantDigits += 1
            } else {
                truncated = true
            }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(p[i]) {
                sawDigit = true
                let d = UInt64(p[i] &- UInt8(ascii: "0"))
                if mantissa == 0 && d == 0 {
                    exponent -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    significantDigits += 1
                    exponent -= 1
                } else {
                    truncated = true
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(p[i]) else { return nil }
            var e = 0
            while i < n, isDigit(p[i]) {
                // Saturate: beyond ±100000 every result is 0 or out of range anyway, and strtod decides which.
                if e < 100_000 { e = e * 10 + Int(p[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -e : e
        }
        guard i == n else { return nil }

        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Clinger's fast path: a mantissa below 2^53 and 10^|e| ≤ 10^22 are both exact doubles, so one IEEE
        // multiplication or division rounds correctly, exactly as strtod's result.
        if !truncated && significantDigits <= 15 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * exactPowerOfTen(exponent) : m / exactPowerOfTen(-exponent)
            return negative ? -v : v
        }
        if !truncated, let v = eiselLemire(mantissa, exponent, negative: negative) { return v }
        let v = strtodCopy(p, n)
        return v.isInfinite ? nil : v
    }

    /// The double nearest to `mantissa` × 10^`exponent` (ties to even, as strtod), or `nil` when the 128-bit
    /// approximation cannot decide (rare) or the result is subnormal, infinite or out of the table's range; the
    /// caller then falls back to strtod. The Eisel–Lemire algorithm exactly as Go's `strconv.eiselLemire64`.
    @inline(__always)
    static func eiselLemire(_ mantissa: UInt64, _ exponent: Int, negative: Bool) -> Double? {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard exponent >= powersOfTenMinimumExponent && exponent <= powersOfTenMaximumExponent else { return nil }
        // Normalisation.
        let clz = mantissa.leadingZeroBitCount
        let man = mantissa &<< UInt64(clz)
        var exponent2 = UInt64(bitPattern: Int64(((217_706 &* exponent) &>> 16) &+ 64 &+ 1023)) &- UInt64(clz)
        // Multiplication.
        let index = (exponent &- powersOfTenMinimumExponent) &* 2
        let (high, low) = powersOfTen128.withUnsafeBufferPointer { table in
            // In range: checked above.
            (table[index], table[index &+ 1])
        }
        var (xHigh, xLow) = man.multipliedFullWidth(by: high)
        // Wider approximation.
        if xHigh & 0x1FF == 0x1FF && xLow &+ man < man {
            let (yHigh, yLow) = man.multipliedFullWidth(by: low)
            var mergedHigh = xHigh
            let mergedLow = xLow &+ yHigh
            if mergedLow < xLow { mergedHigh &+= 1 }
            if mergedHigh & 0x1FF == 0x1FF && mergedLow &+ 1 == 0 && yLow &+ man < man { return nil }
            xHigh = mergedHigh
            xLow = mergedLow
        }
        // Shifting to 54 bits.
        let msb = xHigh &>> 63
        var result = xHigh &>> (msb &+ 9)
        exponent2 &-= 1 ^ msb
        // Half-way ambiguity.
        if xLow == 0 && xHigh & 0x1FF == 0 && result & 3 == 1 { return nil }
        // From 54 to 53 bits.
        result &+= result & 1
        result &>>= 1
        if result &>> 53 > 0 {
            result &>>= 1
            exponent2 &+= 1
        }
        // Subnormal, infinite or NaN space: let strtod decide.
        if exponent2 &- 1 >= 0x7FF - 1 { return nil }
        var bits = exponent2 &<< 52 | result & 0x000F_FFFF_FFFF_FFFF
        if negative { bits |= 1 &<< 63 }
        return Double(bitPattern: bits)
    }

    /// An OpenMetrics timestamp (`realnumber`: no NaN or infinities) in seconds, as milliseconds.
    ///
    /// Rounds toward negative infinity after one double multiplication (so `-0.0005` s is `-1` ms, and the
    /// millisecond before an instant never rounds up into it); saturates outside the `Int64` range rather than
    /// failing, because the OpenMetrics corpus accepts `12345678901234567890.1234567890` as a timestamp.
    static func parseSecondsAsMilliseconds(
        _ p: UnsafePointer<UInt8>,
        _ n: Int
    ) -> (seconds: Double, milliseconds: Int64)? {
        guard let seconds = parseDouble(p, n, allowSpecial: false) else { return nil }
        let ms = (seconds * 1000).rounded(.down)
        if ms >= 9_223_372_036_854_775_808.0 { return (seconds, Int64.max) }
        if ms < -9_223_372_036_854_775_808.0 { return (seconds, Int64.min) }
        return (seconds, Int64(ms))
    }

    /// A text-format timestamp: Go `ParseInt(s, 10, 64)` (optional sign, decimal digits, no overflow).
    static func parseInt64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "+") || p[0] == UInt8(ascii: "-") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        // Accumulate negatively so Int64.min parses.
        var value: Int64 = 0
        while i < n {
            guard isDigit(p[i]) else { return nil }
            let d = Int64(p[i] &- UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(d)
            if o1 || o2 { return nil }
            value = next
            i += 1
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// `literal` must be lowercase ASCII.
    static func equalsIgnoringCase(_ p: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { l in
            for k in 0..<l.count where p[k] | 0x20 != l[k] { return false }
            return true
        }
    }

    @inline(__always)
    static func exactPowerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// glibc `strtod` on a NUL-terminated copy (the token is validated already, so strtod's own extensions —
    /// hex, `inf`, locale — never come into play; Swift programs run in the "C" locale).
    private static func strtodCopy(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
            let base = buffer.baseAddress!  // capacity ≥ 1
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: n)
            base[n] = 0
            return strtod(base, nil)
        }
    }
}

extension ExpositionParser {
    /// A number written as exposition values are (Go `ParseFloat`'s decimal syntax, `NaN`, `±Inf`), without a
    /// `String`: for label values that hold numbers, such as `le` and `quantile`. Bit-identical to `strtod`; `nil`
    /// for anything else.
    public static func parseNumber(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        return NumberParser.parseDouble(base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
}
