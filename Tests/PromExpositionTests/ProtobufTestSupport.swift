@testable import PromExposition

// MARK: Text format of protobuf messages (the corpus's `.textproto` decodes)

/// A field value in protobuf text format.
indirect enum TextProtoValue {
    /// A number or enum name, as written.
    case scalar(String)
    /// A string, unescaped.
    case string([UInt8])
    case message(TextProtoMessage)
}

/// A message in protobuf text format: its fields in order (repeated fields repeat).
struct TextProtoMessage {
    var fields: [(name: String, value: TextProtoValue)] = []

    func all(_ name: String) -> [TextProtoValue] { fields.filter { $0.name == name }.map(\.value) }
    func first(_ name: String) -> TextProtoValue? { fields.first { $0.name == name }?.value }

    func message(_ name: String) -> TextProtoMessage? {
        if case .message(let message)? = first(name) { return message }
        return nil
    }

    func messages(_ name: String) -> [TextProtoMessage] {
        all(name).compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    func string(_ name: String) -> String? {
        if case .string(let bytes)? = first(name) { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    func scalar(_ name: String) -> String? {
        if case .scalar(let text)? = first(name) { return text }
        return nil
    }

    /// A double field (`inf`, `-inf`, `nan` included).
    func double(_ name: String) -> Double? { scalar(name).flatMap(TextProto.double) }
}

enum TextProto {
    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses a `.textproto` of the corpus: messages separated by `# --- message N` comment lines.
    static func parseBlocks(_ text: [UInt8]) throws -> [TextProtoMessage] {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var blocks: [[UInt8]] = []
        var current: [UInt8]?
        for line in lines {
            if line.starts(with: Array("# --- message".utf8)) {
                if let current { blocks.append(current) }
                current = []
            } else if current != nil {
                current! += line + [UInt8(ascii: "\n")]
            }
        }
        if let current { blocks.append(current) }
        return try blocks.map { try parse($0) }
    }

    /// Parses one message's fields.
    static func parse(_ text: [UInt8]) throws -> TextProtoMessage {
        var index = 0
        let message = try parseFields(text, &index, closing: false)
        return message
    }

    private static func parseFields(_ t: [UInt8], _ i: inout Int, closing: Bool) throws -> TextProtoMessage {
        var message = TextProtoMessage()
        while true {
            skipSpace(t, &i)
            guard i < t.count else {
                if closing { throw SyntaxError(description: "unexpected end, expected }") }
                return message
            }
            if t[i] == UInt8(ascii: "}") {
                guard closing else { throw SyntaxError(description: "unexpected } at \(i)") }
                i += 1
                return message
            }
            let start = i
            while i < t.count && (isIdentifier(t[i])) { i += 1 }
            guard i > start else { throw SyntaxError(description: "expected a field name at \(i)") }
            let name = String(decoding: t[start..<i], as: UTF8.self)
            skipSpace(t, &i)
            if i < t.count && t[i] == UInt8(ascii: ":") {
                i += 1
                skipSpace(t, &i)
            }
            guard i < t.count else { throw SyntaxError(description: "missing value for \(name)") }
            if t[i] == UInt8(ascii: "{") || t[i] == UInt8(ascii: "<") {
                i += 1
                message.fields.append((name, .message(try parseFields(t, &i, closing: true))))
            } else if t[i] == UInt8(ascii: "\"") || t[i] == UInt8(ascii: "'") {
                message.fields.append((name, .string(try parseString(t, &i))))
            } else {
                let valueStart = i
                while i < t.count && !isSpace(t[i]) && t[i] != UInt8(ascii: "}") { i += 1 }
                message.fields.append((name, .scalar(String(decoding: t[valueStart..<i], as: UTF8.self))))
            }
        }
    }

    private static func parseString(_ t: [UInt8], _ i: inout Int) throws -> [UInt8] {
        let quote = t[i]
        i += 1
        var out: [UInt8] = []
        while i < t.count && t[i] != quote {
            if t[i] == UInt8(ascii: "\\") {
                i += 1
                guard i < t.count else { break }
                let e = t[i]
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = 0
                    var k = 0
                    while k < 3 && i < t.count && t[i] >= UInt8(ascii: "0") && t[i] <= UInt8(ascii: "7") {
                        value = value * 8 + Int(t[i] - UInt8(ascii: "0"))
                        i += 1
                        k += 1
                    }
                    out.append(UInt8(value & 0xFF))
                    continue
                case UInt8(ascii: "x"):
                    var value = 0
                    i += 1
                    while i < t.count, let digit = hexDigit(t[i]) {
                        value = value * 16 + digit
                        i += 1
                    }
                    out.append(UInt8(value & 0xFF))
                    continue
                default: out.append(e)
                }
                i += 1
            } else {
                out.append(t[i])
                i += 1
            }
        }
        guard i < t.count else { throw SyntaxError(description: "unterminated string") }
        i += 1
        return out
    }

    private static func hexDigit(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    private static func skipSpace(_ t: [UInt8], _ i: inout Int) {
        while i < t.count {
            if isSpace(t[i]) {
                i += 1
            } else if t[i] == UInt8(ascii: "#") {
                while i < t.count && t[i] != UInt8(ascii: "\n") { i += 1 }
            } else {
                return
            }
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    private static func isIdentifier(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_")
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    /// A double as text format writes it (`inf`, `-inf`, `nan`, `1e-05`, `8.0`).
    static func double(_ text: String) -> Double? {
        switch text.lowercased() {
        case "inf", "infinity": .infinity
        case "-inf", "-infinity": -.infinity
        case "nan": .nan
        default: Double(text)
        }
    }
}

// MARK: What a MetricFamily should become

/// A sample the protobuf parser should deliver, derived from a decoded message by the documented rules.
struct ExpectedSample: Equatable, CustomStringConvertible {
    var name: String
    var family: String
    var type: MetricType
    var role: SampleRole
    /// Labels in order; `le`/`quantile` last, compared by value.
    var labels: [RecordedSample.Pair]
    var value: Double
    var timestamp: Int64?

    var description: String {
        "\(name)[\(family) \(role)]{\(labels.map { "\($0.name)=\($0.value)" }.joined(separator: ","))} \(value) \(timestamp.map(String.init) ?? "-")"
    }

    static func == (lhs: ExpectedSample, rhs: ExpectedSample) -> Bool {
        lhs.name == rhs.name && lhs.family == rhs.family && lhs.type == rhs.type && lhs.role == rhs.role
            && lhs.timestamp == rhs.timestamp
            // Text format prints every NaN as `nan`, so a decode cannot tell NaN payloads apart.
            && (lhs.value.bitPattern == rhs.value.bitPattern || (lhs.value.isNaN && rhs.value.isNaN))
            && normalisedLabels(lhs.labels) == normalisedLabels(rhs.labels)
    }

    /// `le`/`quantile` values compared as numbers (`1` = `1.0` = `1e0`).
    static func normalisedLabels(_ labels: [RecordedSample.Pair]) -> [RecordedSample.Pair] {
        labels.map { pair in
            guard pair.name == "le" || pair.name == "quantile",
                let number = TextProto.double(pair.value.replacingPlus())
            else { return pair }
            return RecordedSample.Pair(name: pair.name, value: "#\(number.bitPattern)")
        }
    }

    init(
        name: String,
        family: String,
        type: MetricType,
        role: SampleRole,
        labels: [RecordedSample.Pair],
        value: Double,
        timestamp: Int64?
    ) {
        self.name = name
        self.family = family
        self.type = type
        self.role = role
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    init(_ recorded: RecordedSample) {
        self.init(
            name: recorded.name,
            family: recorded.family,
            type: recorded.type,
            role: recorded.role,
            labels: recorded.labels,
            value: recorded.value,
            timestamp: recorded.timestamp
        )
    }

    /// The families and samples `message` (a decoded MetricFamily) should produce.
    static func from(_ message: TextProtoMessage) -> (RecordedFamily, [ExpectedSample]) {
        let name = message.string("name") ?? ""
        let type: MetricType =
            switch message.scalar("type") ?? "COUNTER" {
            case "GAUGE": .gauge
            case "SUMMARY": .summary
            case "UNTYPED": .untyped
            case "HISTOGRAM": .histogram
            case "GAUGE_HISTOGRAM": .gaugeHistogram
            default: .counter
            }
        let help = message.string("help").flatMap { $0.isEmpty ? nil : $0 }
        let unit = message.string("unit").flatMap { $0.isEmpty ? nil : $0 }
        var samples: [ExpectedSample] = []
        for metric in message.messages("metric") {
            let labels = metric.messages("label").map {
                RecordedSample.Pair(name: $0.string("name") ?? "", value: $0.string("value") ?? "")
            }
            let timestamp = metric.scalar("timestamp_ms").flatMap { Int64($0) }
            func add(_ suffix: String, _ role: SampleRole, _ value: Double, extra: (String, Double)? = nil) {
                var all = labels
                if let extra { all.append(.init(name: extra.0, value: OpenMetricsFloatFormat.string(extra.1))) }
                samples.append(
                    ExpectedSample(
                        name: name + suffix,
                        family: name,
                        type: type,
                        role: role,
                        labels: all,
                        value: value,
                        timestamp: timestamp
                    )
                )
            }
            switch type {
            case .counter: add("", .total, metric.message("counter")?.double("value") ?? 0)
            case .gauge: add("", .value, metric.message("gauge")?.double("value") ?? 0)
            case .untyped: add("", .value, metric.message("untyped")?.double("value") ?? 0)
            case .summary:
                let summary = metric.message("summary") ?? TextProtoMessage()
                for quantile in summary.messages("quantile") {
                    add(
                        "",
                        .quantile,
                        quantile.double("value") ?? 0,
                        extra: ("quantile", quantile.double("quantile") ?? 0)
                    )
                }
                add("_sum", .sum, summary.double("sample_sum") ?? 0)
                add("_count", .count, Double(summary.scalar("sample_count").flatMap { UInt64($0) } ?? 0))
            default:
                let histogram = metric.message("histogram") ?? TextProtoMessage()
                let count = Double(histogram.scalar("sample_count").flatMap { UInt64($0) } ?? 0)
                var sawInfinity = false
                for bucket in histogram.messages("bucket") {
                    let bound = bucket.double("upper_bound") ?? 0
                    if bound == .infinity { sawInfinity = true }
                    add(
                        "_bucket",
                        .bucket,
                        Double(bucket.scalar("cumulative_count").flatMap { UInt64($0) } ?? 0),
                        extra: ("le", bound)
                    )
                }
                if !sawInfinity { add("_bucket", .bucket, count, extra: ("le", .infinity)) }
                add("_sum", .sum, histogram.double("sample_sum") ?? 0)
                add("_count", .count, count)
            }
        }
        return (RecordedFamily(name: name, type: type, help: help, unit: unit), samples)
    }
}

extension String {
    /// `+Inf` → `inf` for ``TextProto/double(_:)``.
    fileprivate func replacingPlus() -> String { hasPrefix("+") ? String(dropFirst()) : self }
}

// MARK: Writing protobuf by hand

/// A minimal protobuf encoder for test messages.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func uint(_ field: Int, _ value: UInt64) {
        tag(field, 0)
        varint(value)
    }

    mutating func int(_ field: Int, _ value: Int64) { uint(field, UInt64(bitPattern: value)) }

    mutating func sint(_ field: Int, _ value: Int64) {
        uint(field, UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, 1)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(bits & 0xFF))
            bits >>= 8
        }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// `message` with its varint length prefix, as the delimited format frames it.
    static func delimited(_ build: (inout ProtoWriter) -> Void) -> [UInt8] {
        var inner = ProtoWriter()
        build(&inner)
        var outer = ProtoWriter()
        outer.varint(UInt64(inner.bytes.count))
        return outer.bytes + inner.bytes
    }
}

/// MetricFamily field numbers and builders.
enum MF {
    static func family(
        _ name: String,
        type: Int? = nil,
        help: String? = nil,
        unit: String? = nil,
        metrics: [(inout ProtoWriter) -> Void] = []
    ) -> [UInt8] {
        ProtoWriter.delimited { w in
            w.string(1, name)
            if let help { w.string(2, help) }
            if let type { w.uint(3, UInt64(type)) }
            for metric in metrics { w.message(4, metric) }
            if let unit { w.string(5, unit) }
        }
    }

    static func label(_ w: inout ProtoWriter, _ name: String, _ value: String) {
        w.message(1) {
            $0.string(1, name)
            $0.string(2, value)
        }
    }

    static func labelBytes(_ w: inout ProtoWriter, _ name: String, _ value: [UInt8]) {
        w.message(1) {
            $0.string(1, name)
            $0.bytes(2, value)
        }
    }

    static let counter = 0, gauge = 1, summary = 2, untyped = 3, histogram = 4, gaugeHistogram = 5
}

// MARK: Recording

/// Parses a protobuf body whole and records what the parser delivers.
func recordProtobuf(
    _ bytes: [UInt8],
    limits: ExpositionLimits = .init(),
    maximumMessageSize: Int = ProtobufExpositionParser.defaultMaximumMessageSize
) throws(ProtobufExpositionError) -> Recorder {
    var recorder = Recorder()
    try ProtobufExpositionParser.parse(
        bytes,
        limits: limits,
        maximumMessageSize: maximumMessageSize,
        into: &recorder
    )
    return recorder
}

/// The error parsing a protobuf body whole, or `nil`.
func protobufError(
    _ bytes: [UInt8],
    limits: ExpositionLimits = .init(),
    maximumMessageSize: Int = ProtobufExpositionParser.defaultMaximumMessageSize
) -> ProtobufExpositionError? {
    do {
        _ = try recordProtobuf(bytes, limits: limits, maximumMessageSize: maximumMessageSize)
        return nil
    } catch {
        return error
    }
}

/// Parses `bytes` fed in chunks ending at `splits`; each chunk is a fresh allocation scribbled over after use.
func recordProtobufChunked(_ bytes: [UInt8], splits: [Int]) throws(ProtobufExpositionError) -> Recorder {
    var recorder = Recorder()
    var parser = ProtobufExpositionParser()
    var start = 0
    for end in splits + [bytes.count] {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 1)
        defer {
            chunk.initializeMemory(as: UInt8.self, repeating: 0xAA)
            chunk.deallocate()
        }
        for k in start..<end { chunk[k - start] = bytes[k] }
        try parser.parse(UnsafeRawBufferPointer(chunk), into: &recorder)
        start = end
    }
    try parser.finish(into: &recorder)
    return recorder
}
