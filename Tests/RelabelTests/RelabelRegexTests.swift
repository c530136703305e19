import Testing

@testable import Relabel

/// Go's #"find_test.go"# table (#"FindAllStringSubmatchIndex"# results), including the invalid-UTF-8 rows.
@Suite struct GoFindTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var text: [UInt8]
        var matches: [[Int]]
        var testDescription: String { "\(pattern) on \(String(decoding: text, as: UTF8.self))" }

        init(_ pattern: String, _ text: String, _ n: Int = 0, _ flat: Int...) {
            self.init(pattern, Array(text.utf8), n, flat)
        }

        init(_ pattern: String, bytes: [UInt8], _ n: Int, _ flat: Int...) {
            self.init(pattern, bytes, n, flat)
        }

        private init(_ pattern: String, _ text: [UInt8], _ n: Int, _ flat: [Int]) {
            self.pattern = pattern
            self.text = text
            let run = n == 0 ? 0 : flat.count / n
            self.matches = (0..<n).map { Array(flat[($0 * run)..<($0 * run + run)]) }
        }
    }

    static let cases: [Case] = [
        Case(#""#, #""#, 1, 0, 0), Case(#"^abcdefg"#, "abcdefg", 1, 0, 7), Case(#"a+"#, "baaab", 1, 1, 4),
        Case(#"a"#, "bababaab", 4, 1, 2, 3, 4, 5, 6, 6, 7), Case("abcd..", "abcdef", 1, 0, 6),
        Case(#"a"#, "a", 1, 0, 1),
        Case(#"x"#, "y"), Case(#"b"#, "abc", 1, 1, 2), Case(#"."#, "a", 1, 0, 1), Case(#".*"#, "abcdef", 1, 0, 6),
        Case(#"^"#, "abcde", 1, 0, 0), Case(#"$"#, "abcde", 1, 5, 5), Case(#"^abcd$"#, "abcd", 1, 0, 4),
        Case(#"^bcd'"#, "abcdef"), Case(#"^abcd$"#, "abcde"), Case(#"a*"#, "baaab", 3, 0, 0, 1, 4, 5, 5),
        Case(#"[a-z]+"#, "abcd", 1, 0, 4), Case(#"[^a-z]+"#, "ab1234cd", 1, 2, 6),
        Case(#"[a\-\]z]+"#, "az]-bcz", 2, 0, 4, 6, 7),
        Case(#"[^\n]+"#, "abcd\n", 1, 0, 4), Case(#"[日本語]+"#, "日本語日本語", 1, 0, 18), Case(#"日本語+"#, "日本語", 1, 0, 9),
        Case(#"日本語+"#, "日本語語語語", 1, 0, 18), Case(#"()"#, "", 1, 0, 0, 0, 0), Case(#"(a)"#, "a", 1, 0, 1, 0, 1),
        Case(#"(.)(.)"#, "日a", 1, 0, 4, 0, 3, 3, 4), Case(#"(.*)"#, "", 1, 0, 0, 0, 0),
        Case(#"(.*)"#, "abcd", 1, 0, 4, 0, 4),
        Case(#"(..)(..)"#, "abcd", 1, 0, 4, 0, 2, 2, 4), Case(#"(([^xyz]*)(d))"#, "abcd", 1, 0, 4, 0, 4, 0, 3, 3, 4),
        Case(#"((a|b|c)*(d))"#, "abcd", 1, 0, 4, 0, 4, 2, 3, 3, 4),
        Case(#"(((a|b|c)*)(d))"#, "abcd", 1, 0, 4, 0, 4, 0, 3, 2, 3, 3, 4),
        Case(#"\a\f\n\r\t\v"#, "\u{7}\u{c}\n\r\t\u{b}", 1, 0, 6),
        Case(#"[\a\f\n\r\t\v]+"#, "\u{7}\u{c}\n\r\t\u{b}", 1, 0, 6),
        Case(#"a*(|(b))c*"#, "aacc", 1, 0, 4, 2, 2, -1, -1), Case(#"(.*).*"#, "ab", 1, 0, 2, 0, 2),
        Case(#"[.]"#, ".", 1, 0, 1),
        Case(#"/$"#, "/abc/", 1, 4, 5), Case(#"/$"#, "/abc"), Case(#"."#, "abc", 3, 0, 1, 1, 2, 2, 3),
        Case(#"(.)"#, "abc", 3, 0, 1, 0, 1, 1, 2, 1, 2, 2, 3, 2, 3), Case(#".(.)"#, "abcd", 2, 0, 2, 1, 2, 2, 4, 3, 4),
        Case(#"ab*"#, "abbaab", 3, 0, 3, 3, 4, 4, 6), Case(#"a(b*)"#, "abbaab", 3, 0, 3, 1, 3, 3, 4, 4, 4, 4, 6, 5, 6),
        Case(#"ab$"#, "cab", 1, 1, 3), Case(#"axxb$"#, "axxcb"), Case(#"data"#, "daXY data", 1, 5, 9),
        Case(#"da(.)a$"#, "daXY data", 1, 5, 9, 7, 8), Case(#"zx+"#, "zzx", 1, 1, 3), Case(#"ab$"#, "abcab", 1, 3, 5),
        Case(#"(aa)*$"#, "a", 1, 1, 1, -1, -1), Case(#"(?:.|(?:.a))"#, ""), Case(#"(?:A(?:A|a))"#, "Aa", 1, 0, 2),
        Case(#"(?:A|(?:A|a))"#, "a", 1, 0, 1), Case(#"(a){0}"#, "", 1, 0, 0, -1, -1), Case(#"(?-s)(?:(?:^).)"#, "\n"),
        Case(#"(?s)(?:(?:^).)"#, "\n", 1, 0, 1), Case(#"(?:(?:^).)"#, "\n"), Case(#"\b"#, "x", 2, 0, 0, 1, 1),
        Case(#"\b"#, "xx", 2, 0, 0, 2, 2), Case(#"\b"#, "x y", 4, 0, 0, 1, 1, 2, 2, 3, 3),
        Case(#"\b"#, "xx yy", 4, 0, 0, 2, 2, 3, 3, 5, 5), Case(#"\B"#, "x"), Case(#"\B"#, "xx", 1, 1, 1),
        Case(#"\B"#, "x y"),
        Case(#"\B"#, "xx yy", 2, 1, 1, 4, 4), Case(#"(|a)*"#, "aa", 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2),
        Case(#"0A|0[aA]"#, "0a", 1, 0, 2), Case(#"0[aA]|0A"#, "0a", 1, 0, 2), Case("[a-c]*", "\u{65e5}", 2, 0, 0, 3, 3),
        Case("[^\u{65e5}]", "abc\u{65e5}def", 6, 0, 1, 1, 2, 2, 3, 6, 7, 7, 8, 8, 9), Case(#"[^\S\s]"#, "abcd"),
        Case(#"[^\S[:space:]]"#, "abcd"), Case(#"[^\D\d]"#, "abcd"), Case(#"[^\D[:digit:]]"#, "abcd"),
        Case(#"(?i)\W"#, "x"),
        Case(#"(?i)\W"#, "k"), Case(#"(?i)\W"#, "s"),
        Case(
            ##"\!\"\#\$\%\&\'\(\)\*\+\,\-\.\/\:\;\<\=\>\?\@\[\\\]\^\_\{\|\}\~"##,
            ##"!"#$%&'()*+,-./:;<=>?@[\]^_{|}~"##,
            1,
            0,
            31
        ),
        Case(
            ##"[\!\"\#\$\%\&\'\(\)\*\+\,\-\.\/\:\;\<\=\>\?\@\[\\\]\^\_\{\|\}\~]+"##,
            ##"!"#$%&'()*+,-./:;<=>?@[\]^_{|}~"##,
            1,
            0,
            31
        ),
        Case("\\`", "`", 1, 0, 1), Case("[\\`]+", "`", 1, 0, 1),
        Case("\u{fffd}", bytes: [0xFF], 1, 0, 1),
        Case("\u{fffd}", bytes: Array("hello".utf8) + [0xFF] + Array("world".utf8), 1, 5, 6),
        Case(#".*"#, bytes: Array("hello".utf8) + [0xFF] + Array("world".utf8), 1, 0, 11),
        Case(#"\x{fffd}"#, bytes: [0xC2, 0x00], 1, 0, 1), Case("[\u{fffd}]", bytes: [0xFF], 1, 0, 1),
        Case(#"[\x{fffd}]"#, bytes: [0xC2, 0x00], 1, 0, 1),
    ]

    @Test(arguments: cases)
    func findAll(_ testCase: Case) throws {
        let regex = try RelabelRegex(unanchored: testCase.pattern)
        var found: [[Int]] = []
        var pos = 0
        var previousEnd = -1
        while pos <= testCase.text.count {
            guard let match = testCase.text.withUnsafeBufferPointer({ regex.firstMatch(bytes: $0, from: pos) }),
                let whole = match[0]
            else { break }
            var accept = true
            if whole.isEmpty && whole.lowerBound == pos {
                if whole.lowerBound == previousEnd { accept = false }
                pos +=
                    pos < testCase.text.count
                    ? testCase.text.withUnsafeBufferPointer { UTF8Decoding.decode($0, pos).1 } : 1
            } else {
                pos = whole.upperBound
            }
            previousEnd = whole.upperBound
            if accept { found.append(match.flatMap { r in r.map { [$0.lowerBound, $0.upperBound] } ?? [-1, -1] }) }
        }
        #expect(found == testCase.matches)
    }
}

@Suite struct RelabelRegexSyntaxTests {
    /// Messages of current Go (1.22+) where they differ from the Go 1.19 oracle, plus Go's #"invalidRegexps"#.
    @Test(
        arguments: [
            ("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`"),
            ("(?<name", "error parsing regexp: invalid named capture: `(?<name`"),
            ("(?<>a)", "error parsing regexp: invalid named capture: `(?<>`"),
            ("(?P<x y>a)", "error parsing regexp: invalid named capture: `(?P<x y>`"),
            ("(?!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
            ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
            ("a{100000}", "error parsing regexp: invalid repeat count: `{100000}`"),
            ("a{100000,}", "error parsing regexp: invalid repeat count: `{100000,}`"),
            ("((a{10}){10}){11}", "error parsing regexp: invalid repeat count: `{11}`"),
            ("x{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"),
            ("\\8", "error parsing regexp: invalid escape sequence: `\\8`"),
            ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
            ("[a-b-c]", nil), ("\\Q\\E*", "error parsing regexp: missing argument to repetition operator: `*`"),
            ("[[:alpha:]-z]", nil), ("[x-\\pL]", "error parsing regexp: invalid escape sequence: `\\p`"),
            (
                "\\p{Greek}",
                "error parsing regexp: unsupported Unicode class (Unicode scripts are not available): `\\p{Greek}`"
            ),
            ("\\p{Nope}", "error parsing regexp: invalid character class range: `\\p{Nope}`"),
            ("\\p{", "error parsing regexp: invalid character class range: `\\p{`"),
            (
                "(" + String(repeating: "(", count: 1001) + String(repeating: ")", count: 1002),
                "error parsing regexp: expression nests too deeply: `" + String(repeating: "(", count: 1002)
                    + String(repeating: ")", count: 1002) + "`"
            ),
        ] as [(String, String?)]
    )
    func parseErrors(_ pattern: String, _ message: String?) {
        do {
            _ = try RelabelRegex(unanchored: pattern)
            #expect(message == nil, "\(pattern) compiled")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func namedGroupsBothSyntaxes() throws {
        let regex = try RelabelRegex("(?P<a>x)(?<b>y)(z)")
        #expect(regex.captureNames == ["", "a", "b", ""])
        #expect(regex.captureGroupCount == 3)
        #expect(regex.expand("$b$a${3}", in: "xyz") == "yxz")
        #expect(regex.expand("$1x|$$|${1}x", in: "xyz") == "|$|xx")
        #expect(regex.expand("$a", in: "nope") == nil)
    }

    @Test func unicodeClasses() throws {
        #expect(try RelabelRegex(#"\pL+"#).matches("Grüße日本"))
        #expect(try RelabelRegex(#"\p{Lu}\p{Ll}+"#).matches("Ärger"))
        #expect(try !RelabelRegex(#"\p{Lu}+"#).matches("ärger"))
        #expect(try RelabelRegex(#"\p{Letter}+"#).matches("Δx"))
        #expect(try RelabelRegex(#"\PN+"#).matches("abc"))
        #expect(try RelabelRegex(#"\p{^N}+"#).matches("abc"))
        #expect(try RelabelRegex(#"[\p{Nd}]+"#).matches("١٢٣"))
        #expect(try RelabelRegex(#"(?i)\p{Lu}+"#).matches("abc"))
        #expect(try RelabelRegex(#"\p{Any}*"#).matches("\u{10FFFF}\n"))
        #expect(try RelabelRegex(#"[[:^digit:]]+"#).matches("abc"))
    }

    @Test func caseFolding() throws {
        #expect(try RelabelRegex("(?i)k").matches("\u{212A}"))
        #expect(try RelabelRegex("(?i)s").matches("ſ"))
        #expect(try RelabelRegex("(?i)σ+").matches("ΣσςΣ"))
        #expect(try !RelabelRegex("(?i)i").matches("ı"))
        #expect(try RelabelRegex("(?i:FOO)bar").matches("fOobar"))
        #expect(try !RelabelRegex("(?i:FOO)bar").matches("fooBAR"))
        #expect(try RelabelRegex("(?i)foo(?-i)Bar").matches("FOOBar"))
        #expect(try !RelabelRegex("(?i)foo(?-i)Bar").matches("FOObar"))
    }

    @Test func flagsAndAnchors() throws {
        #expect(try RelabelRegex(unanchored: "(?m)^b$").matches("a\nb\nc"))
        #expect(try !RelabelRegex(unanchored: "^b$").matches("a\nb\nc"))
        #expect(try RelabelRegex(unanchored: #"\Aab\z"#).matches("ab"))
        #expect(try RelabelRegex(unanchored: "(?U)a+").firstMatch(in: "aaa")?.first == 0..<1)
        #expect(try RelabelRegex(unanchored: "(?U)a+?").firstMatch(in: "aaa")?.first == 0..<3)
        #expect(try RelabelRegex(unanchored: "a.c").matches("abc"))
        #expect(try !RelabelRegex(unanchored: "a.c").matches("a\nc"))
        // Relabelling anchors as ^(?s:…)$, so #"."# matches a newline there.
        #expect(try RelabelRegex("a.c").matches("a\nc"))
        #expect(try RelabelRegex("(?-s:a.c)").matches("abc"))
        #expect(try !RelabelRegex("(?-s:a.c)").matches("a\nc"))
    }

    @Test func escapes() throws {
        #expect(try RelabelRegex(#"\x41\x{42}\101\0"#).matches("ABA\u{0}"))
        #expect(try RelabelRegex(#"\x{10FFFF}"#).matches("\u{10FFFF}"))
        #expect(try RelabelRegex(#"\Q.*\E+"#).matches(".**"))
        #expect(try RelabelRegex(#"a\.b"#).matches("a.b"))
        #expect(try !RelabelRegex(#"a\.b"#).matches("axb"))
        #expect(try RelabelRegex(#"\d\D\s\S\w\W"#).matches("1a b_-"))
    }

    @Test func linearTimeOnPathologicalPatterns() throws {
        // Exponential for backtracking engines; linear here.
        let regex = try RelabelRegex("(a+)+$")
        let text = String(repeating: "a", count: 5_000) + "b"
        #expect(!regex.matches(text))
        let nested = try RelabelRegex(unanchored: "(x+x+)+y")
        #expect(!nested.matches(String(repeating: "x", count: 5_000)))
    }

    /// The byte fast paths must agree with the automaton.
    @Test(arguments: [
        "foo", "foo|bar|baz", "go_.*|process_.*", ".*", ".+", "(.*)", "(.+)", ".*foo.*", ".*_total", "a.*b.*c",
        "a.+b", "prefix_.*_suffix", "(?-s:a.*)", "(?i)abc", "(?i)123", "\u{fffd}x", "(go_.*)", ".*.+x",
    ])
    func fastPathsAgreeWithAutomaton(_ pattern: String) throws {
        let regex = try RelabelRegex(pattern)
        let texts = [
            "", "foo", "bar", "baz", "foobar", "go_x", "go_", "process_", "a_total", "_total", "abc", "aXbYc", "ab",
            "axb", "prefix__suffix", "prefix_x_suffix", "a\nb", "ABC", "123", "\u{fffd}x", "xx", "x", "日本",
        ]
        for text in texts {
            var bytes = Array(text.utf8)
            let automaton = bytes.withUnsafeMutableBufferPointer { buffer in
                regex.program.pikeSearch(
                    UnsafeBufferPointer(buffer),
                    from: 0,
                    slots: UnsafeMutableBufferPointer(start: nil, count: 0)
                )
            }
            #expect(regex.matches(text) == automaton, "\(pattern) on \(text)")
            let automatonGroups = bytes.withUnsafeMutableBufferPointer { buffer -> [Int]? in
                var slots = [Int](repeating: -1, count: 2 * (regex.captureGroupCount + 1))
                let found = slots.withUnsafeMutableBufferPointer {
                    regex.program.pikeSearch(UnsafeBufferPointer(buffer), from: 0, slots: $0)
                }
                return found ? slots : nil
            }
            let fast = regex.firstMatch(in: text).map {
                $0.flatMap { r in r.map { [$0.lowerBound, $0.upperBound] } ?? [-1, -1] }
            }
            #expect(fast == automatonGroups, "\(pattern) on \(text)")
        }
    }
}

@Suite struct SupportTests {
    @Test func md5Vectors() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("a".utf8)) == "0cc175b9c0f1b6a831c399e269772661")
        #expect(MD5.hex(Array("10.132.183.40:80".utf8)) == "a49f3978a629cdf267d20c50f34f13e0")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "x"), count: 55)) == "04364420e25c512fd958a70738aa8f72")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "y"), count: 56)) == "6c830a5d23df58dbe0171eb5639bf3e4")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "z"), count: 64)) == "3ecc49f9d9d6c263b4f0de7fc3f38aed")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "w"), count: 119)) == "20ffcf857ba39b1d56e11650e63e35d0")
        let hash = Array("baz".utf8).withUnsafeBufferPointer { MD5.hashMod($0, modulus: 1000) }
        #expect(hash == 976)
    }

    @Test func labelsAreSortedByBytesAndDropEmptyValues() {
        let labels: Labels = ["b": "2", "a": "1", "Z": "0", "é": "3", "empty": "", "a": "override"]
        #expect(labels.map(\.name) == ["Z", "a", "b", "é"])
        #expect(labels["a"] == "override")
        #expect(labels["empty"] == nil)
        #expect(labels.description == #"{Z="0", a="override", b="2", é="3"}"#)
    }

    @Test func utf8DecodingMatchesGo() {
        func decode(_ bytes: [UInt8]) -> (UInt32, Int) { bytes.withUnsafeBufferPointer { UTF8Decoding.decode($0, 0) } }
        #expect(decode([0xC0, 0x80]) == (0xFFFD, 1))  // overlong
        #expect(decode([0xED, 0xA0, 0x80]) == (0xFFFD, 1))  // surrogate
        #expect(decode([0xF4, 0x90, 0x80, 0x80]) == (0xFFFD, 1))  // above U+10FFFF
        #expect(decode([0xE2, 0x82]) == (0xFFFD, 1))  // truncated
        #expect(decode([0xE2, 0x82, 0xAC]) == (0x20AC, 3))
        #expect(decode([0xF0, 0x9F, 0x98, 0x80]) == (0x1F600, 4))
    }
}
