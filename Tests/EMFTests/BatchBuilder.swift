import PromExposition

/// Builds ``SampleBatch``es the way the exposition parser feeds them (through `familyStarted`/`consume` with
/// borrowed views), so EMF tests do not depend on the parser.
///
/// ```swift
/// var b = BatchBuilder()
/// b.family("http_requests", .counter)
/// b.sample("http_requests_total", ["method": "get"], 5)
/// ```
/// Roles are inferred from the family type and the name suffix (`_bucket`, `_count`, `_sum`, `_created`,
/// `_gcount`, `_gsum`, a `quantile` label), unless given.
struct BatchBuilder {
    private(set) var batch = SampleBatch()
    private var familyName = ""
    private var familyType = MetricType.untyped

    init() {}

    /// Starts a family (as a `# TYPE` line would).
    mutating func family(_ name: String, _ type: MetricType, help: String? = nil, unit: String? = nil) {
        familyName = name
        familyType = type
        var storage: [UInt8] = []
        let nameRange = Self.append(name, to: &storage)
        let helpRange = help.map { Self.append($0, to: &storage) }
        let unitRange = unit.map { Self.append($0, to: &storage) }
        storage.withUnsafeBytes { raw in
            func view(_ range: Range<Int>) -> ByteView { ByteView(UnsafeRawBufferPointer(rebasing: raw[range])) }
            batch.familyStarted(
                FamilyView(
                    name: view(nameRange),
                    type: type,
                    help: helpRange.map(view),
                    unit: unitRange.map(view)
                )
            )
        }
    }

    /// Appends one label-less sample of the current family.
    mutating func sample(_ name: String, _ value: Double, role: SampleRole? = nil, timestamp: Int64? = nil) {
        sample(name, [(String, String)](), value, role: role, timestamp: timestamp)
    }

    /// Appends one sample of the current family, labels in the given order.
    mutating func sample(
        _ name: String,
        _ labels: [(String, String)],
        _ value: Double,
        role: SampleRole? = nil,
        timestamp: Int64? = nil
    ) {
        let role = role ?? inferRole(name, labels: labels)
        var seriesText = name
        if !labels.isEmpty {
            seriesText += "{"
            seriesText += labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            seriesText += "}"
        }
        var storage: [UInt8] = []
        let seriesRange = Self.append(seriesText, to: &storage)
        let familyRange = Self.append(familyName, to: &storage)
        let labelRanges = labels.map { (Self.append($0.0, to: &storage), Self.append($0.1, to: &storage)) }
        let nameCount = name.utf8.count
        let type = familyType
        storage.withUnsafeBytes { raw in
            func view(_ range: Range<Int>) -> ByteView { ByteView(UnsafeRawBufferPointer(rebasing: raw[range])) }
            let labelViews = labelRanges.map { LabelView(name: view($0.0), value: view($0.1)) }
            labelViews.withUnsafeBufferPointer { labelBuffer in
                batch.consume(
                    SampleView(
                        name: view(seriesRange.lowerBound..<(seriesRange.lowerBound + nameCount)),
                        familyName: view(familyRange),
                        type: type,
                        role: role,
                        labels: labelBuffer,
                        seriesText: view(seriesRange),
                        value: value,
                        timestampMilliseconds: timestamp,
                        line: 0
                    )
                )
            }
        }
    }

    private func inferRole(_ name: String, labels: [(String, String)]) -> SampleRole {
        switch familyType {
        case .counter:
            return name.hasSuffix("_created") ? .created : .total
        case .summary:
            if name.hasSuffix("_sum") { return .sum }
            if name.hasSuffix("_count") { return .count }
            if name.hasSuffix("_created") { return .created }
            return .quantile
        case .histogram:
            if name.hasSuffix("_bucket") { return .bucket }
            if name.hasSuffix("_sum") { return .sum }
            if name.hasSuffix("_count") { return .count }
            if name.hasSuffix("_created") { return .created }
            return .value
        case .gaugeHistogram:
            if name.hasSuffix("_bucket") { return .bucket }
            if name.hasSuffix("_gsum") { return .gsum }
            if name.hasSuffix("_gcount") { return .gcount }
            return .value
        default:
            return .value
        }
    }

    private static func append(_ string: String, to storage: inout [UInt8]) -> Range<Int> {
        let start = storage.count
        storage.append(contentsOf: string.utf8)
        return start..<storage.count
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

extension BatchBuilder {
    /// A classic histogram series: cumulative `counts` per upper bound (last must be `+Inf`), then `_sum`,
    /// `_count`.
    mutating func histogram(
        _ name: String,
        _ labels: [(String, String)] = [],
        bounds: [String],
        cumulative: [Double],
        sum: Double,
        created: Double? = nil
    ) {
        for (bound, count) in zip(bounds, cumulative) {
            sample("\(name)_bucket", labels + [("le", bound)], count)
        }
        sample("\(name)_sum", labels, sum)
        sample("\(name)_count", labels, cumulative.last ?? 0)
        if let created { sample("\(name)_created", labels, created) }
    }
}

/// Builds a batch in one expression.
func makeBatch(_ build: (inout BatchBuilder) -> Void) -> SampleBatch {
    var builder = BatchBuilder()
    build(&builder)
    return builder.batch
}
