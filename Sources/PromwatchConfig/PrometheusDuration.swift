/// Prometheus's duration syntax: `((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?`, or `0`.
///
/// Units must appear in that order, each at most once; `y` is 365 days and `w` 7 days, as in Prometheus.
public enum PrometheusDuration {
    private static let units: [(symbol: String, milliseconds: Int)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    public static func parse(_ text: String) -> Duration? {
        guard let milliseconds = parseMilliseconds(text) else { return nil }
        return .milliseconds(milliseconds)
    }

    static func parseMilliseconds(_ text: String) -> Int? {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var nextUnit = 0  // units before this index were used (or skipped) already
        var total = 0
        while index < bytes.count {
            var value = 0
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                value = added
                index += 1
            }
            guard index > digitsStart, index < bytes.count else { return nil }
            let symbol: String
            if bytes[index] == UInt8(ascii: "m"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "s") {
                symbol = "ms"
                index += 2
            } else {
                symbol = String(decoding: bytes[index...index], as: UTF8.self)
                index += 1
            }
            guard let unitIndex = units.firstIndex(where: { $0.symbol == symbol }), unitIndex >= nextUnit else {
                return nil
            }
            nextUnit = unitIndex + 1
            let (scaled, overflow1) = value.multipliedReportingOverflow(by: units[unitIndex].milliseconds)
            let (sum, overflow2) = total.addingReportingOverflow(scaled)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
        }
        return total
    }

    /// The shortest Prometheus spelling of `duration` (rounded down to milliseconds), e.g. `1m30s`; `0s` for zero.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var milliseconds = Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
        if milliseconds <= 0 { return "0s" }
        var text = ""
        for unit in units where unit.symbol != "y" && unit.symbol != "w" {
            let count = milliseconds / unit.milliseconds
            if count > 0 {
                text += "\(count)\(unit.symbol)"
                milliseconds -= count * unit.milliseconds
            }
        }
        return text
    }
}

/// Prometheus's `body_size_limit` syntax (alecthomas/units `ParseBase2Bytes`): numbers with units, all powers of
/// 1024 whether spelled `KB` or `KiB`; `kB` is rejected. A plain integer is a number of bytes.
enum ByteSize {
    private static let units: [String: Double] = {
        var units: [String: Double] = ["B": 1]
        let prefixes = ["K", "M", "G", "T", "P", "E"]
        var scale: Double = 1
        for prefix in prefixes {
            scale *= 1024
            units[prefix + "B"] = scale
            units[prefix + "iB"] = scale
        }
        return units
    }()

    static func parse(_ text: String) -> Int? {
        if let bytes = Int(text), bytes >= 0 { return bytes }
        var characters = Substring(text)
        guard !characters.isEmpty else { return nil }
        var total: Double = 0
        while !characters.isEmpty {
            let number = characters.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            characters = characters.dropFirst(number.count)
            let unit = characters.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            characters = characters.dropFirst(unit.count)
            guard !number.isEmpty, let value = Double(number), let scale = units[String(unit)] else { return nil }
            total += value * scale
        }
        guard total < Double(Int.max) else { return nil }
        return Int(total)
    }
}

/// Relative paths in configuration files.
enum FilePaths {
    /// The directory part of `path`, or `nil` when it has none.
    static func directory(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` joined to `base` unless it is absolute or there is no base.
    static func resolve(_ path: String, against base: String?) -> String {
        guard let base, !base.isEmpty, base != ".", !path.hasPrefix("/") else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
