import Relabel
import Testing

/// Differential tests against Go's `regexp`:
/// - `Data/re2-search.txt`: RE2's search tests as shipped in Go's `src/regexp/testdata` (full and partial match,
///   leftmost-first submatches; the leftmost-longest columns are not used);
/// - `Data/go-regexp-oracle.txt`: Go's own answers for curated relabelling patterns and 400 random patterns
///   (unanchored find-all, Prometheus-anchored submatches, `ExpandString`, compile errors), produced by
///   `Data/generate-go-oracle.go`.
@Suite struct GoOracleTests {
    @Test func re2SearchFile() async throws {
        let lines = try TestData.lines("re2-search.txt")
        var strings: [[UInt8]] = []
        var inStrings = false
        var pending: [[UInt8]] = []
        var regex: RelabelRegex? = nil
        var full: RelabelRegex? = nil
        var pattern = ""
        var cases = 0
        var failures: [String] = []
        for (index, line) in lines.enumerated() {
            // Long CPU-bound loop: let other tests' tasks run (the cooperative pool has as many threads as cores).
            if index % 256 == 0 { await Task.yield() }
            guard let first = line.first, first != "#" else { continue }
            if first.isUppercase { continue }
            if line == "strings" {
                strings = []
                inStrings = true
                continue
            }
            if line == "regexps" {
                inStrings = false
                continue
            }
            if first == "\"" {
                let unquoted = try #require(GoQuoted.unquote(line), "unquote \(line)")
                if inStrings {
                    strings.append(unquoted)
                    continue
                }
                pending = strings
                pattern = String(decoding: unquoted, as: UTF8.self)
                guard Array(pattern.utf8) == unquoted else {
                    regex = nil
                    continue
                }
                do {
                    regex = try RelabelRegex(unanchored: pattern)
                    full = try RelabelRegex(unanchored: "\\A(?:" + pattern + ")\\z")
                } catch {
                    regex = nil
                    // Go skips \C (match any byte) too; scripts such as \p{Greek} are knowingly unsupported.
                    if !pattern.contains("\\C") && error.code != .unsupportedUnicodeClass {
                        failures.append("compile \(pattern): \(error)")
                    }
                }
                continue
            }
            // A result line for the next pending string.
            guard !pending.isEmpty else { continue }
            let text = pending.removeFirst()
            guard let regex, let full else { continue }
            if !text.allSatisfy({ $0 < 0x80 }) && pattern.contains("\\B") { continue }  // as Go's test
            let results = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            cases += 1
            let haveFull = text.withUnsafeBufferPointer { full.firstMatch(bytes: $0) }
            let havePartial = text.withUnsafeBufferPointer { regex.firstMatch(bytes: $0) }
            if flatten(haveFull) != parseRE2Result(results[0]) {
                failures.append(
                    "full \(pattern) on \(text): \(String(describing: flatten(haveFull))) want \(results[0])"
                )
            }
            if flatten(havePartial) != parseRE2Result(results[1]) {
                failures.append(
                    "partial \(pattern) on \(text): \(String(describing: flatten(havePartial))) want \(results[1])"
                )
            }
            let matched = text.withUnsafeBufferPointer { regex.matches(bytes: $0) }
            if matched != (results[1] != "-") { failures.append("match \(pattern) on \(text)") }
        }
        #expect(cases > 1700)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(20))")
    }

    @Test func goOracleFile() async throws {
        let lines = try TestData.lines("go-regexp-oracle.txt")
        var failures: [String] = []
        var cases = 0
        for (index, line) in lines.enumerated() where !line.isEmpty {
            if index % 256 == 0 { await Task.yield() }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let mode = fields[0]
            let patternBytes = try #require(GoQuoted.unquote(fields[1]))
            let pattern = String(decoding: patternBytes, as: UTF8.self)
            let text = try #require(GoQuoted.unquote(fields[2]))
            let want = fields[fields.count - 1]
            cases += 1
            switch mode {
            case "find":
                do {
                    let regex = try RelabelRegex(unanchored: pattern)
                    let have = findAll(regex, text)
                    if have != want { failures.append("find \(fields[1]) in \(fields[2]): \(have) want \(want)") }
                } catch {
                    if "error:\(error)" != want { failures.append("find \(fields[1]): \(error) want \(want)") }
                }
            case "prom":
                do {
                    let regex = try RelabelRegex(pattern)
                    let match = text.withUnsafeBufferPointer { regex.firstMatch(bytes: $0) }
                    let have = match.map { format($0) } ?? "none"
                    if have != want { failures.append("prom \(fields[1]) on \(fields[2]): \(have) want \(want)") }
                    let matched = text.withUnsafeBufferPointer { regex.matches(bytes: $0) }
                    if matched != (want != "none") { failures.append("prom match \(fields[1]) on \(fields[2])") }
                } catch {
                    if "error:\(error)" != want { failures.append("prom \(fields[1]): \(error) want \(want)") }
                }
            case "expand":
                let template = String(decoding: try #require(GoQuoted.unquote(fields[3])), as: UTF8.self)
                let regex = try RelabelRegex(pattern)
                let have = regex.expand(template, in: String(decoding: text, as: UTF8.self))
                let expected =
                    want == "nomatch" ? nil : GoQuoted.unquote(want).map { String(decoding: $0, as: UTF8.self) }
                if have != expected {
                    failures.append("expand \(fields[1]) \(fields[3]): \(String(describing: have)) want \(want)")
                }
            default:
                failures.append("unknown mode \(mode)")
            }
        }
        #expect(cases > 16_000)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(30))")
    }

    /// Go's `FindAllStringSubmatchIndex(text, -1)`, formatted as the oracle file does.
    private func findAll(_ regex: RelabelRegex, _ text: [UInt8]) -> String {
        var matches: [String] = []
        var pos = 0
        var previousEnd = -1
        while pos <= text.count {
            guard let match = text.withUnsafeBufferPointer({ regex.firstMatch(bytes: $0, from: pos) }),
                let whole = match[0]
            else { break }
            var accept = true
            if whole.upperBound == pos {
                if whole.lowerBound == previousEnd { accept = false }
                pos += pos < text.count ? text.withUnsafeBufferPointer { width($0, pos) } : 1
            } else {
                pos = whole.upperBound
            }
            previousEnd = whole.upperBound
            if accept { matches.append(format(match)) }
        }
        return matches.isEmpty ? "none" : matches.joined(separator: ";")
    }

    private func width(_ text: UnsafeBufferPointer<UInt8>, _ pos: Int) -> Int {
        // Go's utf8 rules: a valid sequence's length, else 1.
        let s = String(decoding: text[pos..<min(text.count, pos + 4)], as: UTF8.self)
        let first = s.unicodeScalars.first
        if let first, first != "\u{FFFD}" { return String(first).utf8.count }
        if text.count - pos >= 3 && text[pos] == 0xEF && text[pos + 1] == 0xBF && text[pos + 2] == 0xBD { return 3 }
        return 1
    }

    private func format(_ match: [Range<Int>?]) -> String {
        match.map { r in r.map { "\($0.lowerBound) \($0.upperBound)" } ?? "-1 -1" }.joined(separator: " ")
    }

    private func flatten(_ match: [Range<Int>?]?) -> [Int]? {
        match.map { $0.flatMap { r in r.map { [$0.lowerBound, $0.upperBound] } ?? [-1, -1] } }
    }

    /// RE2 result syntax: `-` for no match, else `a-b` pairs separated by spaces, `-` for an unset group.
    private func parseRE2Result(_ s: String) -> [Int]? {
        if s == "-" { return nil }
        return s.split(separator: " ").flatMap { pair -> [Int] in
            if pair == "-" { return [-1, -1] }
            let parts = pair.split(separator: "-")
            return [Int(parts[0]) ?? -99, Int(parts[1]) ?? -99]
        }
    }
}
