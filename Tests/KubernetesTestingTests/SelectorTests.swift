import JSON
import KubernetesTesting
import Testing

struct SelectorTests {
    static let labels = ["app": "web", "tier": "frontend", "env": "prod", "replicas": "3"]

    @Test(arguments: [
        ("", true),
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app=db", false),
        ("app=web,tier=frontend", true), ("app=web,tier=backend", false),
        ("env in (prod, staging)", true), ("env in (dev)", false), ("env notin (dev,qa)", true),
        ("env notin (prod)", false), ("missing notin (x)", true), ("missing in (x)", false),
        ("app", true), ("!app", false), ("!missing", true), ("missing", false),
        ("replicas>2", true), ("replicas<3", false), ("missing!=x", true),
        ("example.com/key!=x", true),
    ])
    func labelSelectorMatching(_ testCase: (String, Bool)) throws {
        let selector = try LabelSelector(parsing: testCase.0)
        #expect(selector.matches(Self.labels) == testCase.1, "\(testCase.0)")
    }

    @Test(arguments: ["app=", "app=web,", "=web", "app in web", "app in (a", "a b", "app=we b", "-bad=x", "app=x!", "replicas>x", "app=web;x"])
    func invalidLabelSelectors(_ text: String) {
        if text == "app=" {
            // An empty value is valid: it matches objects whose label is empty (or, for !=, absent or non-empty).
            #expect((try? LabelSelector(parsing: text)) != nil)
            return
        }
        let error = #expect(throws: KubernetesStatusError.self) { try LabelSelector(parsing: text) }
        #expect(error?.code == 400)
    }

    @Test func fieldSelectorParsing() throws {
        let selector = try FieldSelector(parsing: "metadata.name=a,status.phase!=Running,spec.nodeName==n1")
        #expect(selector.requirements.map(\.field) == ["metadata.name", "status.phase", "spec.nodeName"])
        #expect(selector.requirements.map(\.negated) == [false, true, false])
        #expect(throws: KubernetesStatusError.self) { try FieldSelector(parsing: "metadata.name") }
    }
}
