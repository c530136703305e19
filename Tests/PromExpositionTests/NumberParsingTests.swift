import Testing

@testable import PromExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Value parsing must give exactly what glibc `strtod` gives, fast path or not.
struct NumberParsingTests {
    static func parse(_ token: String) -> Double? {
        let bytes = Array(token.utf8)
        return bytes.withUnsafeBufferPointer { NumberParser.parseDouble($0.baseAddress!, $0.count) }
    }

    static func strtodBits(_ token: String) -> UInt64 {
        token.withCString { strtod($0, nil).bitPattern }
    }

    static let tricky = [
        "0", "-0", "+0", "0.0", "-0.0", "00", "1", "-1", "+1", "1.", ".5", "-.5", "+.5", "0.1", "0.2", "0.3",
        "1e0", "1E5", "1e+5", "1e-5", "1.5e-3", "123456789012345", "1234567890123456", "12345678901234567",
        "123456789012345678", "1234567890123456789", "12345678901234567890", "18446744073709551615",
        "18446744073709551616", "9007199254740992", "9007199254740993", "9007199254740991", "1e22", "1e23",
        "1e-22", "1e-23", "123456789012345e22", "123456789012345e-22", "1234567890123456e-22",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9e-324", "5e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308", "0.1e-999", "0e999999",
        "1e-99999999", "9.999999999999999e22", "8.98846567431158e307", "0.000000000000000000000000000001",
        "3.141592653589793238462643383279", "2.718281828459045", "1.7959391173452744e+09", "1795939117.3452942",
        "0.060000000000000005", "0000000000000000000000000000000000000000001.2e-1", "100000000000.0",
        "1.0000000000000216e-05", "-8.452185437166741e-05", "7.689368882420941e-07", "0.30000000000000004",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126", "123.456e-2", "1e15", "999999999999999",
        "999999999999999.9", "4503599627370496.5", "4503599627370497.5",
    ]

    @Test(arguments: tricky)
    func trickyValuesMatchStrtod(_ token: String) throws {
        let value = try #require(Self.parse(token))
        #expect(value.bitPattern == Self.strtodBits(token), "\(token)")
    }

    @Test func randomDecimalsMatchStrtod() throws {
        var generator = ChunkingTests.SplitMix64(seed: 7)
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(generator.next() % 10)) })
        }
        var mismatches: [String] = []
        for round in 0..<50_000 {
            var token = ""
            if generator.next() % 4 == 0 { token += generator.next() % 2 == 0 ? "-" : "+" }
            let intDigits = Int(generator.next() % (round % 3 == 0 ? 25 : 12))
            let fracDigits = Int(generator.next() % (round % 5 == 0 ? 30 : 10))
            token += digits(intDigits)
            if fracDigits > 0 || intDigits == 0 { token += "." + digits(Swift.max(fracDigits, intDigits == 0 ? 1 : 0)) }
            if generator.next() % 3 == 0 {
                let exponent = Int(generator.next() % 700) - 350
                token += (generator.next() % 2 == 0 ? "e" : "E") + String(exponent)
            }
            let bits = Self.strtodBits(token)
            if Double(bitPattern: bits).isInfinite {
                // Out of range: rejected, as Go's ParseFloat does.
                if Self.parse(token) != nil { mismatches.append(token) }
                continue
            }
            guard let value = Self.parse(token) else {
                mismatches.append(token)
                continue
            }
            if value.bitPattern != bits { mismatches.append(token) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func randomDoublesRoundTripThroughDescription() throws {
        // Shortest round-trip representations (what exporters write) hit the slow path often.
        var generator = ChunkingTests.SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            let token = "\(value)"
            #expect(Self.parse(token)?.bitPattern == Self.strtodBits(token), "\(token)")
        }
    }

    @Test func specialValues() {
        for token in ["NaN", "nan", "NAN", "nAn"] { #expect(Self.parse(token)?.isNaN == true) }
        for token in ["Inf", "+Inf", "inf", "+INF", "Infinity", "+infinity", "INFINITY"] {
            #expect(Self.parse(token) == .infinity, "\(token)")
        }
        for token in ["-Inf", "-inf", "-Infinity"] { #expect(Self.parse(token) == -.infinity, "\(token)") }
    }

    @Test(arguments: [
        "", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x1p-3", "0X1", "0x10", "0b1", "0B1", "0o1", "0O1", "1_000",
        "+NaN", "-nan", "infin", "infinityy", "1 ", " 1", "1e5.5", "١", "1e400", "-1e400", "--1", "+-1", "1d",
    ])
    func rejected(_ token: String) {
        #expect(Self.parse(token) == nil, "\(token.debugDescription)")
    }

    @Test func int64Timestamps() {
        func parse(_ token: String) -> Int64? {
            Array(token.utf8).withUnsafeBufferPointer { NumberParser.parseInt64($0.baseAddress!, $0.count) }
        }
        #expect(parse("0") == 0)
        #expect(parse("-0") == 0)
        #expect(parse("+42") == 42)
        #expect(parse("9223372036854775807") == .max)
        #expect(parse("-9223372036854775808") == .min)
        #expect(parse("9223372036854775808") == nil)
        #expect(parse("-9223372036854775809") == nil)
        #expect(parse("1.0") == nil)
        #expect(parse("-") == nil)
        #expect(parse("1e3") == nil)
    }
}

/// The public entry for numbers held in label values (`le`, `quantile`): the value syntax, nothing else.
struct LabelNumberTests {
    @Test func labelValuesParseLikeSampleValues() {
        func parse(_ text: String) -> Double? {
            Array(text.utf8).withUnsafeBytes { ExpositionParser.parseNumber($0) }
        }
        #expect(parse("0.005") == 0.005)
        #expect(parse("+Inf") == .infinity)
        #expect(parse("-inf") == -.infinity)
        #expect(parse("1e3") == 1_000)
        #expect(parse(".5") == 0.5)
        #expect(parse("NaN")?.isNaN == true)
        for token in NumberParsingTests.tricky {
            #expect(parse(token)?.bitPattern == NumberParsingTests.parse(token)?.bitPattern, "\(token)")
        }
        for rejected in ["", " 1", "1 ", "0x1p3", "1_000", "le", "+", "1e", "--1"] {
            #expect(parse(rejected) == nil, "\(rejected)")
        }
    }
}
