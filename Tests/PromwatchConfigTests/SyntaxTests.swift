import Testing

@testable import PromwatchConfig

/// The small grammars: durations, sizes, key paths, suggestions, `host:port`.
@Suite struct SyntaxTests {
    @Test(arguments: [
        ("0", 0), ("0s", 0), ("1ms", 1), ("30s", 30_000), ("1m", 60_000), ("1h30m", 5_400_000),
        ("2d", 172_800_000), ("1w", 604_800_000), ("1y", 31_536_000_000), ("1m1s1ms", 61_001),
        ("1y2w3d4h5m6s7ms", 31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_007),
    ])
    func validDurations(text: String, milliseconds: Int) {
        #expect(PrometheusDuration.parseMilliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "1", "1x", "s", "1.5s", "-1s", "1s1m", "1m1m", "1 s", "1S", "1msms", "99999999999999999999s", "1h "])
    func invalidDurations(text: String) {
        #expect(PrometheusDuration.parseMilliseconds(text) == nil)
    }

    @Test func durationFormatting() {
        #expect(PrometheusDuration.format(.zero) == "0s")
        #expect(PrometheusDuration.format(.seconds(90)) == "1m30s")
        #expect(PrometheusDuration.format(.milliseconds(1500)) == "1s500ms")
        #expect(PrometheusDuration.format(.seconds(86_400 + 3600)) == "1d1h")
    }

    @Test(arguments: [
        ("0", 0), ("1024", 1024), ("1B", 1), ("1KB", 1024), ("1KiB", 1024), ("10MB", 10_485_760),
        ("512KiB", 524_288), ("1.5MiB", 1_572_864), ("1GB", 1_073_741_824), ("1MB512KB", 1_572_864),
    ])
    func validSizes(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "1kB", "10mb", "MB", "1 MB", "1ZB", "-1", "1.2.3MB"])
    func invalidSizes(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func editDistance() {
        #expect(Suggestion.editDistance(Array("scrape_interval"), Array("scrape_itnerval")) == 1)
        #expect(Suggestion.editDistance(Array("abc"), Array("abc")) == 0)
        #expect(Suggestion.editDistance(Array(""), Array("ab")) == 2)
        #expect(Suggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(Suggestion.closest(to: "job_nam", among: ["job_name", "jobs"]) == "job_name")
        #expect(Suggestion.closest(to: "xyz", among: ["job_name"]) == nil)
        #expect(Suggestion.closest(to: "x", among: ["ab"]) == nil)
    }

    @Test func keyPathsRoundTrip() {
        #expect(KeyPath.child(of: "", key: "emf", userKey: false) == "emf")
        #expect(KeyPath.child(of: "emf.metric_unit", key: "a.b", userKey: true) == "emf.metric_unit[\"a.b\"]")
        #expect(
            KeyPath.components(of: "metric_declaration[1].label_matcher")
                == [.key("metric_declaration"), .index(1), .key("label_matcher")])
        #expect(KeyPath.components(of: "metric_unit[\"a.\\\"b\"]") == [.key("metric_unit"), .key("a.\"b")])
        #expect(KeyPath.components(of: "") == [])
        #expect(KeyPath.components(of: "a[x]") == nil)
    }

    @Test func locateFallsBackToTheDeepestExistingNode() throws {
        let yaml = """
            emf:
              metric_declaration:
                - metric_selectors: [a]
                - label_matcher: x
                  metric_selectors: [b, c]
            """
        let root = try #require(try SourceFile(name: "t", baseDirectory: nil).compose(yaml))
        let emf = try root.mapping(Schemas.topLevel)["emf"]!
        func locate(_ path: String) -> String {
            let mark = KeyPath.locate(KeyPath.components(of: path)!, in: emf.node, rootMark: emf.mark)
            return mark.map { "\($0)" } ?? "nil"  // Mark's description is line:column.
        }
        #expect(locate("") == "1:1")
        #expect(locate("metric_declaration") == "2:3")
        #expect(locate("metric_declaration[1]") == "4:7")
        #expect(locate("metric_declaration[1].label_matcher") == "4:7")
        #expect(locate("metric_declaration[1].metric_selectors[1]") == "5:29")
        #expect(locate("metric_declaration[1].dimensions") == "4:7")
        #expect(locate("metric_declaration[7].label_matcher") == "2:3")
        #expect(locate("log_group_name") == "1:1")
    }

    @Test func hostPort() {
        #expect(HostPort.problem(with: "localhost:9100", allowPortZero: false) == nil)
        #expect(HostPort.problem(with: "10.0.0.1:1", allowPortZero: false) == nil)
        #expect(HostPort.problem(with: "[::1]:65535", allowPortZero: false) == nil)
        #expect(HostPort.problem(with: "0.0.0.0:0", allowPortZero: true) == nil)
        #expect(HostPort.problem(with: "0.0.0.0:0", allowPortZero: false) != nil)
        #expect(HostPort.problem(with: "my host:1", allowPortZero: false) == "the host contains whitespace")
        #expect(HostPort.problem(with: "[::1:1", allowPortZero: false) == "missing \"]\" after the IPv6 address")
    }

    @Test func filePaths() {
        #expect(FilePaths.directory(of: "promwatch.yaml") == nil)
        #expect(FilePaths.directory(of: "config/promwatch.yaml") == "config")
        #expect(FilePaths.directory(of: "/promwatch.yaml") == "/")
        #expect(FilePaths.resolve("a", against: nil) == "a")
        #expect(FilePaths.resolve("a", against: ".") == "a")
        #expect(FilePaths.resolve("a", against: "/") == "/a")
        #expect(FilePaths.resolve("a/b", against: "conf") == "conf/a/b")
        #expect(FilePaths.resolve("/abs", against: "conf") == "/abs")
    }

    @Test func errorDescriptionLeavesOutWhatIsUnknown() {
        let error = ConfigError(code: .invalidEMF, file: "f.yaml", line: nil, column: nil, keyPath: "emf", message: "m")
        #expect(error.description == "f.yaml: emf: m")
        let located = ConfigError(code: .yamlSyntax, file: "f.yaml", line: 2, column: 7, keyPath: "", message: "m")
        #expect(located.description == "f.yaml:2:7: m")
        #expect(located.shortDescription == "yaml_syntax")
        #expect(ConfigError.Code.unknownKey != ConfigError.Code.unsupportedKey)
    }
}

extension SyntaxTests {
    @Test func locateFindsDottedMapKeys() throws {
        let root = try #require(try SourceFile(name: "t", baseDirectory: nil).compose("metric_unit:\n  x: Count\n  a.b: Count\n"))
        let mark = KeyPath.locate(KeyPath.components(of: "metric_unit.a.b")!, in: root.node, rootMark: root.mark)
        #expect(mark.map { "\($0)" } == "3:3")
    }
}
