import KubernetesTesting
import Testing

struct JSONValueTests {
    @Test func parsesAndSerializesPreservingKeyOrder() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"y":"s","b":-2.5},"e":{}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized == text)
        #expect(value["m"]?["b"] == .double(-2.5))
        #expect(value["z"]?.intValue == 1)
    }

    @Test func objectEqualityIgnoresKeyOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":2}"#) == JSONValue(parsing: #"{"b":2,"a":1}"#))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\n\u00e9\ud83d\ude00\/""#)
        #expect(value.stringValue == "a\"b\\c\né😀/")
        #expect(try JSONValue(parsing: value.serialized) == value)
    }

    @Test func escapesControlCharacters() {
        #expect(JSONValue.string("\u{01}\t").serialized == #""\u0001\t""#)
    }

    @Test func numbers() throws {
        #expect(try JSONValue(parsing: "123") == .integer(123))
        #expect(try JSONValue(parsing: "1e3") == .double(1000))
        #expect(JSONValue.double(3).serialized == "3")
        #expect(try JSONValue(parsing: "99999999999999999999").intValue == nil)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "\"abc", "{}x", "-", "1."])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func pathSubscriptCreatesAndRemoves() {
        var value: JSONValue = [:]
        value[path: ["metadata", "labels", "app"]] = "x"
        #expect(value.serialized == #"{"metadata":{"labels":{"app":"x"}}}"#)
        value[path: ["metadata", "labels", "app"]] = nil
        #expect(value.serialized == #"{"metadata":{"labels":{}}}"#)
    }
}
