/// Formats `le` and `quantile` label values for series synthesised from protobuf, as Prometheus's protobuf
/// parser does (`formatOpenMetricsFloat` in `model/textparse/protobufparse.go`): Go's shortest `%g`
/// (`strconv.FormatFloat(f, 'g', -1, 64)`: exponent form below 1e-4 and from 1e+06 on, `e±dd`), with `.0`
/// appended when the result has neither `.` nor `e`; `+Inf`, `-Inf`, `NaN`.
///
/// Examples: `0.005`, `1.0`, `10.0`, `123456.0`, `1e+06`, `2.5e-05`, `+Inf`.
enum OpenMetricsFloatFormat {
    /// Longest output: sign, 17 digits, point, `e-308`.
    static let maximumLength = 32

    /// Writes the text of `value` at `out` (which has room for ``maximumLength`` bytes) and returns its length.
    static func write(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if value.isNaN { return copy("NaN", to: out) }
        if value.isInfinite { return copy(value < 0 ? "-Inf" : "+Inf", to: out) }
        if value == 0 { return copy("0.0", to: out) }  // -0 too, as Go's `f == 0` case does.

        // Shortest round-trip digits and the decimal point position, from Swift's own shortest formatting (the
        // same digits Go's shortest formatting picks: both are shortest and closest). Small values format into a
        // small string without allocating.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // Up to 24 ASCII digits, no heap.
        return withUnsafeMutableBytes(of: &digits) { raw in
            let d = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)  // A non-empty tuple has an address.
            var count = 0
            var pointPosition = 0  // Digits before the decimal point in the mantissa as written.
            var sawPoint = false
            var exponent = 0
            var exponentNegative = false
            var inExponent = false
            var description = value.magnitude.description
            description.withUTF8 { text in
                for byte in text {
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"):
                        if inExponent {
                            exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                        } else {
                            if count < 24 {
                                d[count] = byte
                                count += 1
                            }
                            if !sawPoint { pointPosition += 1 }
                        }
                    case UInt8(ascii: "."): sawPoint = true
                    case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
                    case UInt8(ascii: "-"): exponentNegative = inExponent
                    default: break
                    }
                }
            }
            // Normalise: strip leading zeros (moving the point) and trailing zeros.
            var first = 0
            while first < count - 1 && d[first] == UInt8(ascii: "0") {
                first += 1
                pointPosition -= 1
            }
            var last = count
            while last > first + 1 && d[last - 1] == UInt8(ascii: "0") { last -= 1 }
            let significant = UnsafeMutablePointer(d + first)
            let digitCount = last - first
            // Go's `digs.dp`: the decimal point sits `dp` digits after the first significant digit.
            let dp = pointPosition + (exponentNegative ? -exponent : exponent)

            var n = 0
            if value < 0 {
                out[n] = UInt8(ascii: "-")
                n += 1
            }
            let decimalExponent = dp - 1
            if decimalExponent < -4 || decimalExponent >= 6 {
                // %e: d[.ddd]e±dd
                out[n] = significant[0]
                n += 1
                if digitCount > 1 {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                    for k in 1..<digitCount {
                        out[n] = significant[k]
                        n += 1
                    }
                }
                out[n] = UInt8(ascii: "e")
                out[n + 1] = decimalExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
                n += 2
                let magnitude = abs(decimalExponent)
                if magnitude < 10 {
                    out[n] = UInt8(ascii: "0")
                    out[n + 1] = UInt8(ascii: "0") + UInt8(magnitude)
                    n += 2
                } else if magnitude < 100 {
                    out[n] = UInt8(ascii: "0") + UInt8(magnitude / 10)
                    out[n + 1] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    n += 2
                } else {
                    out[n] = UInt8(ascii: "0") + UInt8(magnitude / 100)
                    out[n + 1] = UInt8(ascii: "0") + UInt8(magnitude / 10 % 10)
                    out[n + 2] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    n += 3
                }
                return n
            }
            // %f with exactly the significant digits.
            if dp <= 0 {
                out[n] = UInt8(ascii: "0")
                out[n + 1] = UInt8(ascii: ".")
                n += 2
                for _ in 0..<(-dp) {
                    out[n] = UInt8(ascii: "0")
                    n += 1
                }
                for k in 0..<digitCount {
                    out[n] = significant[k]
                    n += 1
                }
                return n
            }
            for k in 0..<dp {
                out[n] = k < digitCount ? significant[k] : UInt8(ascii: "0")
                n += 1
            }
            out[n] = UInt8(ascii: ".")
            n += 1
            if digitCount > dp {
                for k in dp..<digitCount {
                    out[n] = significant[k]
                    n += 1
                }
            } else {
                // No fraction and no exponent: Prometheus appends ".0".
                out[n] = UInt8(ascii: "0")
                n += 1
            }
            return n
        }
    }

    /// The text of `value` as a `String` (allocates; for tests and messages).
    static func string(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buffer in
            let count = write(value, to: buffer.baseAddress!)  // Capacity > 0.
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    private static func copy(_ text: StaticString, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return text.utf8CodeUnitCount
    }
}
