import JSON
import KubernetesTesting
import Testing

/// Examples from RFC 7386 (appendix A) and RFC 6902 (appendix A).
struct JSONPatchTests {
    static let mergeCases: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test(arguments: mergeCases)
    func mergePatchRFC7386(_ testCase: (String, String, String)) throws {
        let result = JSONPatch.mergePatch(try JSONValue(parsing: testCase.1), into: try JSONValue(parsing: testCase.0))
        #expect(result == (try JSONValue(parsing: testCase.2)))
    }

    static let jsonPatchCases: [(String, String, String)] = [
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        (#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
         #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
         #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        (#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
         #"{"foo":["all","cows","eat","grass"]}"#),
        (#"{"baz":"qux","foo":["a",2,"c"]}"#,
         #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
         #"{"baz":"qux","foo":["a",2,"c"]}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
         #"{"foo":"bar","child":{"grandchild":{}}}"#),
        (#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
         #"{"foo":["bar",["abc","def"]]}"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10},{"op":"copy","from":"/~1","path":"/x"}]"#,
         #"{"/":9,"~1":10,"x":9}"#),
    ]

    @Test(arguments: jsonPatchCases)
    func jsonPatchRFC6902(_ testCase: (String, String, String)) throws {
        let result = try JSONPatch.apply(try JSONValue(parsing: testCase.1), to: try JSONValue(parsing: testCase.0))
        #expect(result == (try JSONValue(parsing: testCase.2)))
    }

    @Test func failedTestOperationIsReported() throws {
        let document = try JSONValue(parsing: #"{"baz":"qux"}"#)
        let patch = try JSONValue(parsing: #"[{"op":"test","path":"/baz","value":"bar"}]"#)
        let error = #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply(patch, to: document) }
        #expect(error?.kind == .testFailed)
    }

    @Test func missingTargetIsReported() throws {
        let document = try JSONValue(parsing: #"{"foo":"bar"}"#)
        let patch = try JSONValue(parsing: #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#)
        let error = #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply(patch, to: document) }
        #expect(error?.kind == .missingPath)
    }
}
