import Relabel
import Testing

/// Prometheus's `TestRelabelValidate` and `TestTargetLabelLegacyValidity`, plus every message of `Validate`.
@Suite struct RelabelConfigurationTests {
    struct Invalid: Sendable, CustomTestStringConvertible {
        var make: @Sendable () throws -> RelabelConfiguration
        var message: String
        var testDescription: String { message }
    }

    static let invalid: [Invalid] = [
        Invalid(
            make: { try rule(.replace) },
            message: "relabel configuration for replace action requires 'target_label' value"
        ),
        Invalid(
            make: { try rule(.lowercase) },
            message: "relabel configuration for lowercase action requires 'target_label' value"
        ),
        Invalid(
            make: { try rule(.lowercase, target: "${3}", names: .legacy) },
            message: #""${3}" is invalid 'target_label' for lowercase action"#
        ),
        Invalid(
            make: { try rule(.hashMod, target: "x") },
            message: "relabel configuration for hashmod requires non-zero modulus"
        ),
        Invalid(
            make: { try rule(.hashMod, modulus: 2, target: "0x", names: .legacy) },
            message: #""0x" is invalid 'target_label' for hashmod action"#
        ),
        Invalid(
            make: { try rule(.replace, target: "-foo", names: .legacy) },
            message: #""-foo" is invalid 'target_label' for replace action"#
        ),
        Invalid(
            make: { try rule(.replace, target: "bar.foo${1}bar", names: .legacy) },
            message: #""bar.foo${1}bar" is invalid 'target_label' for replace action"#
        ),
        Invalid(
            make: { try rule(.uppercase, target: "x", replacement: "y") },
            message: "'replacement' can not be set for uppercase action"
        ),
        Invalid(
            make: { try rule(.labelMap, regex: "(.*)", replacement: "-$1", names: .legacy) },
            message: #""-$1" is invalid 'replacement' for labelmap action"#
        ),
        Invalid(
            make: { try rule(.labelMap, replacement: "") },
            message: #""" is invalid 'replacement' for labelmap action"#
        ),
        Invalid(
            make: { try rule(.keepEqual, regex: "(.*)", target: "x") },
            message: "keepequal action requires only 'source_labels' and `target_label`, and no other fields"
        ),
        Invalid(
            make: { try rule(.dropEqual, separator: ",", target: "x") },
            message: "dropequal action requires only 'source_labels' and `target_label`, and no other fields"
        ),
        Invalid(
            make: { try rule(.labelDrop, source: ["a"], regex: "x") },
            message: "labeldrop action requires only 'regex', and no other fields"
        ),
        Invalid(
            make: { try rule(.labelKeep, regex: "x", target: "y") },
            message: "labelkeep action requires only 'regex', and no other fields"
        ),
        Invalid(
            make: { try rule(.drop, source: ["a"], regex: "(?=x)") },
            message: "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
        ),
        Invalid(
            make: { try rule(.keep, regex: "(a") },
            message: "error parsing regexp: missing closing ): `^(?s:(a)$`"
        ),
    ]

    @Test(arguments: invalid)
    func rejects(_ testCase: Invalid) {
        let error = #expect(throws: RelabelConfigurationError.self) { try testCase.make() }
        #expect(error?.message == testCase.message)
    }

    @Test func acceptsPrometheusValidCases() throws {
        _ = try rule(.lowercase, target: "${3}")  // legal with UTF-8 names
        _ = try rule(.replace, source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}")
        _ = try rule(.replace, source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "0${3}", replacement: "${1}")
        _ = try rule(.replace, source: ["a"], regex: "some-([^-]+)-([^,]+)", target: "-${3}", replacement: "${1}")
        _ = try rule(.labelMap, regex: "__meta_kubernetes_pod_label_(strimzi_io_.+)", replacement: "$1", names: .legacy)
        _ = try rule(.labelMap, regex: "__meta_(.+)", replacement: "${1}", names: .legacy)
        _ = try rule(.keepEqual, source: ["a"], target: "b")
        _ = try rule(.labelDrop, regex: "tmp_.*")
    }

    @Test(arguments: [
        ("-label", false), ("label", true), ("label${1}", true), ("${1}label", true), ("${1}", true), ("${", false),
        ("$", false), ("${}", false), ("foo${", false), ("$1", true), ("asd$2asd", true), ("-foo${1}bar-", false),
        ("bar.foo${1}bar", false), ("_${1}_", true), ("foo${bar}foo", true),
    ])
    func legacyTargetLabelTemplates(_ target: String, _ valid: Bool) {
        let accepted = (try? rule(.replace, target: target, names: .legacy)) != nil
        #expect(accepted == valid)
    }

    @Test func actionParsing() throws {
        #expect(try RelabelConfiguration.Action(parsing: "LabelMap") == .labelMap)
        #expect(try RelabelConfiguration.Action(parsing: "keepequal") == .keepEqual)
        let error = #expect(throws: RelabelConfigurationError.self) {
            try RelabelConfiguration.Action(parsing: "explode")
        }
        #expect(error?.message == #"unknown relabel action "explode""#)
    }

    @Test func defaults() throws {
        let c = try rule(target: "x")
        #expect(c.separator == ";")
        #expect(c.replacement == "$1")
        #expect(c.regex.pattern == "(.*)")
        #expect(c.regex.expression == "^(?s:(.*))$")
        #expect(c.action == .replace)
    }
}
