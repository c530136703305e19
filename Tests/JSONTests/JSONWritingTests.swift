import JSON
import Testing

struct JSONWritingTests {
    @Test func writeRoundTrips() throws {
        let value = JSONValue.compactObject([
            ("name", .string("a \"b\" \\ c\n\t\u{1}é")), ("n", JSONValue(42)), ("d", JSONValue(0.25)), ("skip", nil),
            ("list", .array([.bool(true), .null])), ("obj", .object(["k": .string("v")])),
        ])
        let text = String(decoding: value.serializedBytes, as: UTF8.self)
        #expect(text == #"{"name":"a \"b\" \\ c\n\t\u0001é","n":42,"d":0.25,"list":[true,null],"obj":{"k":"v"}}"#)
        #expect(try JSONValue(parsing: value.serializedBytes) == value)
        #expect(JSONValue(Double.nan) == .null)
        #expect(JSONValue(-Double.infinity) == .null)
    }

    @Test func escapesControlCharacters() {
        #expect(JSONValue.string("\u{01}\t").serialized == #""\u0001\t""#)
        #expect(JSONValue.string("\u{08}\u{0C}\r\u{1F}\u{7F}").serialized == #""\b\f\r\u001f"# + "\u{7F}\"")
    }

    @Test func escapingEveryByte() throws {
        // Every byte value below 0x80 survives a round trip through the escaper and the parser.
        let all = String(decoding: (1..<0x80).map { UInt8($0) }, as: UTF8.self)
        var out: [UInt8] = []
        JSONValue.writeString(all, into: &out)
        #expect(try JSONValue(parsing: out).stringValue == all)
        #expect(JSONValue.string(all).serializedBytes == out)
    }

    @Test func writeStringFromUTF8BytesMatchesTheStringWriter() {
        let message = Array(#"{"_aws":{"Timestamp":1},"Path":"C:\\x","Line":"1\n2","ünï":"🚀"}"#.utf8)
        var fromBytes: [UInt8] = []
        message.withUnsafeBufferPointer { JSONValue.writeString(utf8: $0, into: &fromBytes) }
        var fromString: [UInt8] = []
        JSONValue.writeString(String(decoding: message, as: UTF8.self), into: &fromString)
        #expect(fromBytes == fromString)
        #expect(fromBytes.first == UInt8(ascii: "\"") && fromBytes.last == UInt8(ascii: "\""))
    }

    @Test func quotedWriterStaysWithinItsBoundAndRoundTrips() throws {
        // Random strings, with and without control characters (which take the byte-by-byte path), long enough for the
        // eight-byte steps and their tails: the writer stays within the bound, and the parser gives the string back.
        var random = SystemRandomNumberGenerator()
        let alphabet = Array(#"ab"\{}:, é🚀"#.utf8) + [0x01, 0x0A, 0x1F, 0x7F]
        for round in 0..<2_000 {
            let allowControls = round % 2 == 0
            let count = Int.random(in: 0..<160, using: &random)
            var bytes: [UInt8] = []
            while bytes.count < count {
                let byte = alphabet.randomElement(using: &random)!
                if !allowControls && byte < 0x20 { continue }
                bytes.append(byte)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let utf8 = Array(text.utf8)
            let written = try utf8.withUnsafeBufferPointer { source in
                let bound = JSONValue.quotedLengthBound(utf8: source)
                // Guard bytes after the bound: the writer must not touch them.
                var room = [UInt8](repeating: 0xAB, count: bound + 16)
                let count = room.withUnsafeMutableBufferPointer { JSONValue.writeQuoted(utf8: source, to: $0.baseAddress!) }
                #expect(count <= bound)
                #expect(room[bound...].allSatisfy { $0 == 0xAB }, "wrote past the bound")
                return try #require(JSONValue(parsing: Array(room[..<count])).stringValue)
            }
            #expect(written == text)
        }
    }

    @Test func decimalDigitsAndTheirLength() {
        for value: Int64 in [0, 7, -7, 10, 99, -100, 1_700_000_000_000, .max, .min] {
            let digits = JSONValue.withDecimalDigits(value) { Array($0) }
            #expect(String(decoding: digits, as: UTF8.self) == String(value))
            #expect(JSONValue.decimalLength(value) == digits.count)
        }
    }

    @Test func doubles() {
        // Go prints integral floats as integers; Kubernetes clients compare against that.
        #expect(JSONValue.double(3).serialized == "3")
        #expect(JSONValue.double(-0.0).serialized == "0")
        #expect(JSONValue.double(0.1).serialized == "0.1")
        #expect(JSONValue.double(1.5e-7).serialized == "1.5e-07")
        #expect(JSONValue.double(1e16).serialized == "1e+16")
        #expect(JSONValue.double(.infinity).serialized == "null")
    }

    @Test func integersFromAnyIntegerType() {
        #expect(JSONValue(Int64.max).serialized == "9223372036854775807")
        #expect(JSONValue(Int32(-5)) == .integer(-5))
        #expect(JSONValue(UInt64.max) == .double(18_446_744_073_709_551_615))
    }

    @Test func descriptionIsTheCompactText() {
        let value: JSONValue = ["b": [1, 2.5, "x", nil, false], "a": [:]]
        #expect("\(value)" == #"{"b":[1,2.5,"x",null,false],"a":{}}"#)
    }
}
