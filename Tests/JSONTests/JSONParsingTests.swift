import JSON
import Testing

struct JSONParsingTests {
    @Test func parseAndRead() throws {
        let json = try JSONValue(
            parsing:
                #" {"a": 1, "b": [true, false, null], "c": {"d": "x\"y\\z\u00e9\ud83d\ude80\n"}, "e": -1.5e3, "f": 1700000000123} "#
        )
        #expect(json["a"]?.intValue == 1)
        #expect(json["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(json["c"]?["d"]?.stringValue == "x\"y\\zé🚀\n")
        #expect(json["e"]?.doubleValue == -1500)
        #expect(json["f"]?.int64Value == 1_700_000_000_123)
        #expect(json["missing"] == nil)
    }

    @Test func parsesAndSerializesPreservingKeyOrder() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"y":"s","b":-2.5},"e":{}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized == text)
        #expect(value["m"]?["b"] == .double(-2.5))
        #expect(value["z"]?.intValue == 1)
    }

    @Test func parsesFromBytesAndFromNonArrayCollections() throws {
        let text = #"{"k":[1,"two"]}"#
        let fromBytes = try JSONValue(parsing: Array(text.utf8))
        let fromSlice = try JSONValue(parsing: Array("xx\(text)".utf8)[2...])
        let fromNonContiguous = try JSONValue(parsing: text.utf8)
        #expect(fromBytes == ["k": [1, "two"]])
        #expect(fromSlice == fromBytes)
        #expect(fromNonContiguous == fromBytes)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\n\u00e9\ud83d\ude00\/""#)
        #expect(value.stringValue == "a\"b\\c\né😀/")
        #expect(try JSONValue(parsing: value.serialized) == value)
        #expect(try JSONValue(parsing: #""\b\f\r\t\u0041\u00DF""#).stringValue == "\u{08}\u{0C}\r\tAß")
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSONValue(parsing: #""\ud83d""#).stringValue == "\u{FFFD}")
        #expect(try JSONValue(parsing: #""\ude00x""#).stringValue == "\u{FFFD}x")
        // A high surrogate followed by an escape that is not a low surrogate: the second escape still counts.
        #expect(try JSONValue(parsing: #""\ud83d\u0041""#).stringValue == "\u{FFFD}A")
    }

    @Test func nonASCIIStringsPassThrough() throws {
        let text = #"{"ключ":"значение ünï 🚀"}"#
        let value = try JSONValue(parsing: text)
        #expect(value["ключ"]?.stringValue == "значение ünï 🚀")
        #expect(value.serializedBytes == Array(text.utf8))
    }

    @Test func numbers() throws {
        #expect(try JSONValue(parsing: "123") == .integer(123))
        #expect(try JSONValue(parsing: "1e3") == .double(1000))
        #expect(try JSONValue(parsing: "99999999999999999999").intValue == nil)
        #expect(try JSONValue(parsing: "-0") == .integer(0))
        #expect(try JSONValue(parsing: "0.5") == .double(0.5))
        #expect(try JSONValue(parsing: "-1.25E-2") == .double(-0.0125))
    }

    @Test func int64ExtremesStayExactIntegers() throws {
        for text in ["9223372036854775807", "-9223372036854775808", "1700000000123", "9007199254740993"] {
            let value = try JSONValue(parsing: text)
            guard case .integer(let integer) = value else {
                Issue.record("\(text) parsed as \(value), not an integer")
                continue
            }
            #expect(String(integer) == text)
            #expect(value.serialized == text)
            #expect(value.int64Value.map { String($0) } == text)
        }
        // One past Int64 is still a number, just not an exact one.
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
        guard case .double = try JSONValue(parsing: "-9223372036854775809") else {
            Issue.record("one below Int64.min parsed as an integer")
            return
        }
        #expect(try JSONValue(parsing: "-1e19").intValue == nil)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "\"\u{01}\"", "01x", "tru", "{\"a\":1}}", "\"\\q\"", "1.", "\"abc", "{}x", "-",
        "01", "1e", "1e+", "[1 2]", "{\"a\":1,}", "{1:2}", "\"\\u12\"", "\"\\u12G4\"", "nul", "+1", ".5", "1e400", "[",
        "\"\\",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test(arguments: [
        ("", JSONParseError.Code.unexpectedEnd, 0),
        ("[1,2", .unexpectedEnd, 4),
        ("[1;2]", .unexpectedCharacter, 2),
        ("{\"a\" 1}", .unexpectedCharacter, 5),
        ("[tru]", .invalidLiteral, 1),
        ("[01]", .invalidNumber, 2),
        ("[1.]", .invalidNumber, 3),
        ("\"ab\u{0A}\"", .invalidString, 3),
        ("\"\\q\"", .invalidString, 2),
        ("{} x", .trailingData, 3),
    ])
    func errorsNameTheCodeAndByteOffset(_ text: String, _ code: JSONParseError.Code, _ offset: Int) throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(error.code == code)
        #expect(error.offset == offset)
        #expect("\(error)".hasPrefix("invalid JSON at byte \(offset): "))
    }

    @Test func nestingIsLimited() throws {
        let depth = JSONValue.defaultMaximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try JSONValue(parsing: deepest).arrayValue != nil)
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: tooDeep) }
        #expect(error.code == .nestingTooDeep)
        #expect(error.offset == depth)
        let objects = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: objects, maximumDepth: 2) }
        #expect(try JSONValue(parsing: objects, maximumDepth: 3)[path: ["a", "a", "a"]] == 1)
    }
}
