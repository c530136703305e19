/// Random, valid Prometheus text 0.0.4 expositions for differential tests, reproducible from a seed.
///
/// Covers every text type (counter with and without `_total`, gauge, histogram, summary, explicit `untyped`,
/// families with only HELP or no metadata), label values with escapes (`\\`, `\"`, `\n` and unknown ones such as
/// `\t`, kept verbatim), multi-byte UTF-8, `NaN`/`±Inf` in several spellings, decimal values that are hard to round,
/// millisecond timestamps (negative ones included), blank lines, free comments, blanks around tokens, trailing
/// commas, empty label sets, a trailing `# EOF` comment and a missing final newline.
///
/// It stays inside what both promwatch and prometheus_client's text parser define the same way; the documented
/// divergences (`PythonClientDifferentialTests.divergences`) are exercised separately.
struct ExpositionGenerator {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// One exposition.
    mutating func exposition() -> String {
        var out = ""
        var used: Set<String> = []
        let families = int(1...12)
        for index in 0..<families {
            var name = metricName()
            while used.contains(name) { name += "_\(index)" }
            used.insert(name)
            family(name, into: &out)
            if chance(0.1) { out += "\n" }
            if chance(0.05) { out += "# a free comment: TYPE HELP {} \"\n" }
        }
        if chance(0.2) { out += "# EOF\n" }
        if chance(0.1), out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    // MARK: Families

    private mutating func family(_ base: String, into out: inout String) {
        switch int(0...7) {
        case 0:  // counter named without _total: samples `name`
            metadata(base, "counter", into: &out)
            for labels in labelSets(count: int(1...4)) { sampleLine(base, labels, into: &out) }
        case 1:  // counter named with _total
            let name = base + "_total"
            metadata(name, "counter", into: &out)
            for labels in labelSets(count: int(1...4)) { sampleLine(name, labels, into: &out) }
        case 2:
            metadata(base, "gauge", into: &out)
            for labels in labelSets(count: int(0...4)) { sampleLine(base, labels, into: &out) }
        case 3:
            metadata(base, "histogram", into: &out)
            for labels in labelSets(count: int(1...3)) {
                var bounds = (0..<int(0...5)).map { _ in boundText() }
                if chance(0.9) { bounds.append("+Inf") }
                for bound in bounds { sampleLine(base + "_bucket", labels + [("le", bound)], into: &out) }
                if chance(0.9) { sampleLine(base + "_sum", labels, into: &out) }
                if chance(0.9) { sampleLine(base + "_count", labels, into: &out) }
            }
        case 4:
            metadata(base, "summary", into: &out)
            for labels in labelSets(count: int(1...3)) {
                for quantile in ["0", "0.5", "0.9", "0.99", "1"].filter({ _ in chance(0.6) }) {
                    sampleLine(base, labels + [("quantile", quantile)], into: &out)
                }
                sampleLine(base + "_sum", labels, into: &out)
                sampleLine(base + "_count", labels, into: &out)
            }
        case 5:
            metadata(base, "untyped", into: &out)
            for labels in labelSets(count: int(1...3)) { sampleLine(base, labels, into: &out) }
        case 6:  // HELP only
            out += "# HELP \(base) \(helpText())\n"
            for labels in labelSets(count: int(1...3)) { sampleLine(base, labels, into: &out) }
        default:  // no metadata at all
            for labels in labelSets(count: int(1...3)) { sampleLine(base, labels, into: &out) }
        }
    }

    private mutating func metadata(_ name: String, _ type: String, into out: inout String) {
        let help = chance(0.7) ? "# HELP \(name) \(helpText())\n" : ""
        let typeLine = "# TYPE \(name) \(type)\n"
        out += chance(0.5) ? help + typeLine : typeLine + help
    }

    /// Up to `count` distinct label sets over the same label names.
    private mutating func labelSets(count: Int) -> [[(String, String)]] {
        let names = (0..<int(0...4)).map { _ in labelName() }
        var seen: Set<[String]> = []
        var sets: [[(String, String)]] = []
        for _ in 0..<count {
            var labels: [(String, String)] = []
            var labelSeen: Set<String> = []
            for name in names where !labelSeen.contains(name) {
                labelSeen.insert(name)
                labels.append((name, labelValue()))
            }
            let key = labels.map { $0.0 + "\u{0}" + $0.1 }
            if seen.contains(key) { continue }
            seen.insert(key)
            sets.append(labels)
        }
        return sets
    }

    // MARK: Lines

    private mutating func sampleLine(_ name: String, _ labels: [(String, String)], into out: inout String) {
        if chance(0.05) { out += " " }
        out += name
        if !labels.isEmpty || chance(0.1) {
            if chance(0.1) { out += " " }
            out += "{"
            for (index, (name, value)) in labels.enumerated() {
                if index > 0 { out += chance(0.1) ? ", " : "," }
                out += name + (chance(0.05) ? " = " : "=") + "\"" + value + "\""
            }
            if !labels.isEmpty && chance(0.1) { out += "," }
            out += "}"
        }
        out += chance(0.05) ? "   " : " "
        out += valueText()
        if chance(0.25) { out += " " + timestampText() }
        if chance(0.03) { out += "  " }
        out += "\n"
    }

    // MARK: Tokens

    private mutating func metricName() -> String {
        let first = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:")
        let rest = Array("abcdefghijklmnopqrstuvwxyz_0123456789:")
        var name = String(pick(first))
        for _ in 0..<int(2...20) { name.append(pick(rest)) }
        // Keep clear of the type suffixes so families do not run into each other.
        for suffix in ["_total", "_sum", "_count", "_bucket", "_created"] where name.hasSuffix(suffix) { name += "x" }
        return name
    }

    private mutating func labelName() -> String {
        let first = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        let rest = Array("abcdefghijklmnopqrstuvwxyz_0123456789")
        var name = String(pick(first))
        for _ in 0..<int(0...10) { name.append(pick(rest)) }
        return name == "le" || name == "quantile" ? name + "_" : name
    }

    /// A label value as written between the quotes.
    private mutating func labelValue() -> String {
        let pieces = [
            "a", "value", "GET", "/api/v1/query", "200", " ", "=", ",", "{", "}", "#", "'", "%", "ä", "日本語", "Ω",
            "🙂", "\u{301}", "é", "\\\\", "\\\"", "\\n", "\\t", "\\a", "\\u00e9", "\u{0}", "\u{7f}", "\u{a0}",
            "\u{2028}", "x y", "\\\\\\\"",
        ]
        var value = ""
        for _ in 0..<int(0...6) { value += pick(pieces) }
        return value
    }

    private mutating func helpText() -> String {
        let pieces = ["Total", " number", " of", " requests", "\\n", "\\\\", " \\\"quoted\\\"", " ä日本", " \\t", " {}"]
        var text = ""
        for _ in 0..<int(1...5) { text += pick(pieces) }
        return text.trimmingSpaces()
    }

    private mutating func valueText() -> String {
        switch int(0...15) {
        case 0: return pick(["NaN", "nan", "+Inf", "-Inf", "Inf", "inf", "-inf", "+inf", "Infinity", "-Infinity"])
        case 1: return "\(int(-1000...1000))"
        case 2: return String(random.next() >> UInt64(int(0...63)))
        case 3: return pick(["0", "-0", "0.0", ".5", "5.", "007", "1e3", "1E-3", "-2.5e+10", "1.0e0", "+1"])
        case 4:  // hard rounding cases and extremes
            return pick([
                "0.1000000000000000055511151231257827", "2.2250738585072011e-308", "2.2250738585072012e-308",
                "4.9e-324", "1.7976931348623157e308", "9007199254740993", "0.30000000000000004",
                "123456789012345678901234567890", "1.00000000000000011102230246251565404236316680908203125",
                "5e-324", "2.47e-324",
            ])
        case 5...8:
            var value = Double(bitPattern: random.next())
            while !value.isFinite { value = Double(bitPattern: random.next()) }
            return "\(value)"
        default:
            let mantissa = Double(int(0...1_000_000)) / Double([1, 10, 100, 1000, 1_000_000][int(0...4)])
            return chance(0.2) ? "-\(mantissa)" : "\(mantissa)"
        }
    }

    private mutating func timestampText() -> String {
        switch int(0...5) {
        case 0: return "0"
        case 1: return "\(int(-5_000_000...(-1)))"
        case 2: return pick(["9223372036854775807", "-9223372036854775808", "9007199254740993"])
        default: return "\(1_600_000_000_000 + int(0...100_000_000_000))"
        }
    }

    private mutating func boundText() -> String {
        pick(["0.005", "0.01", "0.1", "1", "1.0", "2.5", "10", "1e3", "1e+06", "-1", "0", "NaN"])
    }

    // MARK: Randomness

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

/// A small, fast, seedable generator (SplitMix64).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
