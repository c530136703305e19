import Foundation
import JSON
import Testing

struct JSONValueTests {
    @Test func objectEqualityIgnoresKeyOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":2}"#) == JSONValue(parsing: #"{"b":2,"a":1}"#))
    }

    @Test func numbersCompareAndHashByValue() {
        #expect(JSONValue.integer(3) == .double(3))
        #expect(JSONValue.double(3) == .integer(3))
        #expect(JSONValue.integer(3) != .double(3.5))
        #expect(JSONValue.integer(3) != .string("3"))
        #expect(Set<JSONValue>([.integer(3), .double(3), .double(-0.0), .integer(0)]).count == 2)
        #expect(Set<JSONValue>([["a": 1, "b": 2], ["b": 2.0, "a": 1]]).count == 1)
    }

    @Test func accessors() {
        let value: JSONValue = ["s": "x", "b": true, "i": 7, "d": 2.0, "f": 2.5, "a": [1], "o": ["k": nil]]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == true)
        #expect(value["i"]?.intValue == 7)
        #expect(value["i"]?.doubleValue == 7)
        #expect(value["d"]?.intValue == 2)
        #expect(value["f"]?.intValue == nil)
        #expect(value["f"]?.doubleValue == 2.5)
        #expect(value["a"]?[0] == 1)
        #expect(value["a"]?[1] == nil)
        #expect(value["o"]?.objectValue?.keys == ["k"])
        #expect(value["o"]?["k"]?.isNull == true)
        #expect(value["s"]?.intValue == nil)
        #expect(value["s"]?["k"] == nil)
    }

    @Test func objectKeepsInsertionOrderAndRemoves() {
        var object: JSONObject = ["b": 1]
        object["a"] = 2
        object["b"] = 3  // replaced in place
        #expect(object.keys == ["b", "a"])
        #expect(object.map(\.key) == ["b", "a"])
        #expect(JSONValue.object(object).serialized == #"{"b":3,"a":2}"#)
        object["b"] = nil
        #expect(object.keys == ["a"])
        #expect(object.count == 1)
        #expect(!object.isEmpty)
        #expect(JSONObject([("x", 1), ("x", 2)]).count == 1)
    }

    @Test func pathSubscriptCreatesAndRemoves() {
        var value: JSONValue = [:]
        value[path: ["metadata", "labels", "app"]] = "x"
        #expect(value.serialized == #"{"metadata":{"labels":{"app":"x"}}}"#)
        value[path: ["metadata", "labels", "app"]] = nil
        #expect(value.serialized == #"{"metadata":{"labels":{}}}"#)
        var scalar: JSONValue = 5
        scalar["k"] = "v"  // writing a member turns a non-object into an object
        #expect(scalar == ["k": "v"])
    }

    @Test func roundTripsThroughCodableWithSortedMembersAndIntegersKept() throws {
        var object = JSONObject()
        object["b"] = .integer(3)
        object["a"] = .array([.string("x"), .bool(true), .null, .double(1.5)])
        object["c"] = .object(["z": .integer(-2)])
        object["big"] = .integer(9_007_199_254_740_993)  // 2^53 + 1: not representable as a Double
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = try encoder.encode(JSONValue.object(object))
        #expect(
            String(decoding: bytes, as: UTF8.self) == #"{"a":["x",true,null,1.5],"b":3,"big":9007199254740993,"c":{"z":-2}}"#)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: bytes)
        #expect(decoded == .object(object))
        guard case .integer(let big)? = decoded["big"] else {
            Issue.record("9007199254740993 did not decode as an integer: \(String(describing: decoded["big"]))")
            return
        }
        #expect(big == 9_007_199_254_740_993)
        object["b"] = nil
        #expect(object.keys == ["a", "c", "big"])
    }

    @Test func codableObjectsInsideModels() throws {
        struct Model: Codable, Equatable {
            var name: String
            var extra: JSONObject
        }
        let model = try JSONDecoder().decode(Model.self, from: Data(#"{"name":"n","extra":{"k":[1,{"x":null}]}}"#.utf8))
        #expect(model.extra["k"] == [1, ["x": nil]])
        #expect(try JSONDecoder().decode(Model.self, from: JSONEncoder().encode(model)) == model)
    }
}
