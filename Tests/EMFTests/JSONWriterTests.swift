import Foundation
import Testing

@testable import EMF

struct JSONWriterTests {
    static func string(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { JSONWriter.appendString($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static func number(_ value: Double) -> String {
        var out: [UInt8] = []
        JSONWriter.appendNumber(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(Self.string(Array("a\"b\\c".utf8)) == #""a\"b\\c""#)
        #expect(Self.string([0x00, 0x0A, 0x1F, 0x20, 0x7F]) == "\"\\u0000\\u000a\\u001f \u{7F}\"")
        #expect(Self.string(Array("/".utf8)) == "\"/\"")
    }

    @Test func passesValidUTF8Through() {
        let text = "é ß 中 😀 \u{10FFFF}"
        #expect(Self.string(Array(text.utf8)) == "\"\(text)\"")
    }

    @Test(arguments: [
        [0xFF] as [UInt8], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3],
        [0xE2, 0x82],
    ])
    func replacesInvalidUTF8(_ bytes: [UInt8]) {
        let result = Self.string(bytes + [UInt8(ascii: "x")])
        #expect(result.hasPrefix("\"\u{FFFD}"))
        #expect(result.hasSuffix("x\""))
        #expect(!result.unicodeScalars.contains { (0xD800...0xDFFF).contains($0.value) })
    }

    @Test func numbers() {
        #expect(Self.number(42) == "42")
        #expect(Self.number(-7) == "-7")
        #expect(Self.number(0) == "0")
        #expect(Self.number(-0.0) == "0")
        #expect(Self.number(0.1) == "0.1")
        #expect(Self.number(1.5e-7) == "1.5e-07")
        #expect(Self.number(123456789012.5) == "123456789012.5")
        #expect(Self.number(999_999_999_999_999) == "999999999999999")
        #expect(Self.number(9_007_199_254_740_992) == "9007199254740992")
        #expect(Self.number(1e16) == "1e+16")
        #expect(Self.number(.greatestFiniteMagnitude) == "1.7976931348623157e+308")
        #expect(Self.number(Double(Int64.min)) == "-9.223372036854776e+18")
    }

    /// `NumberText` (how the converter writes most values, from the stack) holds exactly the bytes `appendNumber`
    /// writes, up to the longest a Double has.
    @Test(arguments: [
        0, -0.0, 42, -7, 0.1, 1.5e-7, 123456789012.5, 999_999_999_999_999, 9_007_199_254_740_992, 1e16,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Double(Int64.min), -2.2250738585072014e-308,
        .leastNonzeroMagnitude, -1.0 / 3, 6.02214076e23,
    ])
    func numberTextHoldsTheBytesAppendNumberWrites(_ value: Double) {
        let text = NumberText(value)
        var written: [UInt8] = []
        JSONWriter.appendNumber(value, to: &written)
        #expect(text.count == written.count)
        let held = withUnsafeBytes(of: text.bytes) { Array($0[0..<text.count]) }
        #expect(held == written, "\(value)")
    }

    @Test(arguments: [0.1, 1.0 / 3, 2.5e-300, 123.456, 1e21, 6.02214076e23, -42.125])
    func numbersRoundTrip(_ value: Double) {
        #expect(Double(Self.number(value)) == value)
    }

    @Test func cloudWatchValueRange() {
        #expect(JSONWriter.cloudWatchValue(.nan) == nil)
        #expect(JSONWriter.cloudWatchValue(.infinity) == nil)
        #expect(JSONWriter.cloudWatchValue(0x1p361) == nil)
        #expect(JSONWriter.cloudWatchValue(-0x1p360) == -0x1p360)
        #expect(JSONWriter.cloudWatchValue(0x1p-400) == 0)
        #expect(JSONWriter.cloudWatchValue(1.5) == 1.5)
    }

    @Test func integerLength() {
        for value: Int64 in [0, 9, 10, -1, -10, 1_700_000_000_000, .max, .min] {
            var out: [UInt8] = []
            JSONWriter.appendInteger(value, to: &out)
            #expect(out.count == JSONWriter.integerLength(value))
            #expect(String(decoding: out, as: UTF8.self) == "\(value)")
        }
    }

    /// Escaping JSON text as string content and back is the identity, and the escaped text is what a JSON string
    /// holds: quoted, it decodes to the text.
    @Test func stringContentEscapingRoundTrips() throws {
        for text in [#"{"a":"b\"c","d":"e\\f","g":"\u0001"}"#, "", #"\\\""#, "plain", #"{"ü":"🚀"}"#] {
            let escaped = JSONWriter.escapedAsStringContent(Array(text.utf8))
            #expect(JSONWriter.unescapedStringContent(escaped) == Array(text.utf8))
            let quoted = Data([UInt8(ascii: "\"")] + escaped + [UInt8(ascii: "\"")])
            let decoded = try JSONSerialization.jsonObject(with: quoted, options: [.fragmentsAllowed]) as? String
            #expect(decoded == text)
        }
    }

    /// The escaped event pieces are written by hand as literals: each must be its document piece escaped.
    @Test func escapedEventPiecesAreTheDocumentPiecesEscaped() {
        typealias D = DocumentPieces
        typealias E = EscapedPieces
        let pairs: [(StaticString, StaticString)] = [
            (D.awsOpen, E.awsOpen), (D.metricsOpen, E.metricsOpen), (D.awsClose, E.awsClose),
            (D.namespaceOpen, E.namespaceOpen), (D.dimensionsOpen, E.dimensionsOpen),
            (D.definitionsOpen, E.definitionsOpen), (D.directiveClose, E.directiveClose), (D.valuesOpen, E.valuesOpen),
            (D.countsOpen, E.countsOpen), (D.maxOpen, E.maxOpen), (D.minOpen, E.minOpen), (D.countOpen, E.countOpen),
            (D.sumOpen, E.sumOpen),
        ]
        for (plain, escapedPiece) in pairs {
            let plainBytes = plain.withUTF8Buffer { Array($0) }
            #expect(
                escapedPiece.withUTF8Buffer { Array($0) } == JSONWriter.escapedAsStringContent(plainBytes),
                "\(plain)"
            )
        }
    }
}
