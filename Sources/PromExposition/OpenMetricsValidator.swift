/// The OpenMetrics 1.0 semantic rules beyond the grammar (``ExpositionValidation/strict``), checked as samples
/// stream past: per-sample value and label rules, per-metric grouping and timestamp order, per-MetricPoint
/// histogram structure, and family name clashes across the exposition.
///
/// A "metric" is a family's samples with one label set, ignoring `le` (histograms), `quantile` (summaries) and
/// the state label (statesets). Metrics are told apart by a 64-bit hash of that label set: a collision could
/// only hide an ordering error, never reject a valid exposition… except by calling two different metrics
/// interleaved, with probability about n²/2^64 for n metrics in a family.
struct OpenMetricsValidator {
    private var familyNames = ByteStringSet()
    private var candidate: [UInt8] = []
    private var familyType = MetricType.unknown
    private var familyName: [UInt8] = []
    private var seenMetrics = Set<Int>()
    private var metric = MetricState()

    /// Checks that apply across MetricPoints of one metric.
    private struct MetricState {
        var active = false
        var identity = 0
        var line = 0
        /// 0: no sample yet; 1: samples carry timestamps; 2: they do not (`_created` aside).
        var timestampMode = 0
        var lastTimestamp = -Double.infinity
        var point = PointState()
    }

    /// A histogram or gauge histogram MetricPoint: buckets, count and sum with one timestamp.
    private struct PointState {
        var hasSamples = false
        var buckets = 0
        var lastBound = -Double.infinity
        var lastBucket = 0.0
        var hasInfBucket = false
        var infBucket = 0.0
        var hasCount = false
        var count = 0.0
        var hasSum = false
        var sum = 0.0
        var hasNegativeBucket = false
    }

    mutating func reset() {
        familyNames.removeAll()
        familyType = .unknown
        familyName.removeAll(keepingCapacity: true)
        seenMetrics.removeAll(keepingCapacity: true)
        metric = MetricState()
    }

    // MARK: Families

    mutating func familyStarted(
        name: UnsafeRawBufferPointer,
        type: MetricType,
        unit: UnsafeRawBufferPointer?,
        line: Int
    ) throws(ExpositionError) {
        if let unit, unit.count > 0 {
            if type == .info || type == .stateset {
                throw ExpositionError(
                    code: .invalidUnit,
                    line: line,
                    column: 1,
                    message: "\(type.exposedName) families have no unit"
                )
            }
            let suffixStart = name.count - unit.count
            let isSuffix =
                suffixStart > 1 && name[suffixStart - 1] == Byte.underscore
                && zip(name[suffixStart...], unit).allSatisfy { $0 == $1 }
            if !isSuffix {
                throw ExpositionError(
                    code: .invalidUnit,
                    line: line,
                    column: 1,
                    message: "unit \(String(decoding: unit, as: UTF8.self)) is not a suffix of family "
                        + String(decoding: name, as: UTF8.self)
                )
            }
        }
        // A family must not repeat, nor share a sample name with another family (gauge `a_created` vs counter
        // `a`): register the name and every sample name the type implies.
        let suffixes = Self.sampleSuffixes(type)
        for suffix in suffixes {
            let name = makeCandidate(name, suffix)
            if name.withUnsafeBytes({ familyNames.contains($0) }) {
                throw ExpositionError(
                    code: .familyClash,
                    line: line,
                    column: 1,
                    message: "family \(String(decoding: name, as: UTF8.self)) repeats or clashes with a sample "
                        + "name of an earlier family"
                )
            }
        }
        for suffix in suffixes {
            let name = makeCandidate(name, suffix)
            name.withUnsafeBytes { _ = familyNames.insert($0) }
        }
        familyType = type
        familyName.removeAll(keepingCapacity: true)
        familyName.append(contentsOf: name)
        seenMetrics.removeAll(keepingCapacity: true)
        metric = MetricState()
    }

    mutating func familyClosed() throws(ExpositionError) {
        if metric.active { try finishPoint() }
        metric = MetricState()
    }

    /// `name` + `suffix`, built in reused storage (the returned array shares it until the next call).
    private mutating func makeCandidate(_ name: UnsafeRawBufferPointer, _ suffix: StaticString) -> [UInt8] {
        candidate.removeAll(keepingCapacity: true)
        candidate.append(contentsOf: name)
        suffix.withUTF8Buffer { candidate.append(contentsOf: $0) }
        return candidate
    }

    private static func sampleSuffixes(_ type: MetricType) -> [StaticString] {
        switch type {
        case .counter: ["", "_total", "_created"]
        case .histogram: ["", "_bucket", "_count", "_sum", "_created"]
        case .gaugeHistogram: ["", "_bucket", "_gcount", "_gsum"]
        case .summary: ["", "_count", "_sum", "_created"]
        case .info: ["", "_info"]
        case .gauge, .stateset, .unknown, .untyped: [""]
        }
    }

    // MARK: Samples

    mutating func sample(
        role: SampleRole,
        labels: UnsafeBufferPointer<LabelView>,
        value: Double,
        timestamp: Double?,
        exemplarCodePoints: Int?,
        line: Int,
        column: Int
    ) throws(ExpositionError) {
        func fail(_ code: ExpositionError.Code, _ message: String) -> ExpositionError {
            ExpositionError(code: code, line: line, column: column, message: message)
        }
        let type = familyType

        if let exemplarCodePoints {
            let allowed =
                (type == .counter && role == .total)
                || ((type == .histogram || type == .gaugeHistogram) && role == .bucket)
            guard allowed else {
                throw fail(.exemplarNotAllowed, "exemplars are allowed only on counter totals and histogram buckets")
            }
            guard exemplarCodePoints <= 128 else {
                throw fail(.exemplarNotAllowed, "exemplar labels longer than 128 code points")
            }
        }

        var bound = 0.0
        switch (type, role) {
        case (.counter, .total), (.histogram, .count), (.histogram, .sum), (.gaugeHistogram, .gcount),
            (.summary, .count), (.summary, .sum):
            guard !value.isNaN && value >= 0 else { throw fail(.invalidSampleValue, "value must be a number ≥ 0") }
        case (.histogram, .bucket), (.gaugeHistogram, .bucket):
            bound = try Self.bound(labels, "le", line: line, fail: fail)
            guard !value.isNaN && value >= 0 else {
                throw fail(.invalidSampleValue, "bucket count must be a number ≥ 0")
            }
        case (.gaugeHistogram, .gsum):
            guard !value.isNaN else { throw fail(.invalidSampleValue, "_gsum must not be NaN") }
        case (.summary, .quantile):
            let q = try Self.bound(labels, "quantile", line: line, fail: fail)
            guard q >= 0 && q <= 1 else { throw fail(.invalidTypeLabel, "quantile must be between 0 and 1") }
            guard !(value < 0) else { throw fail(.invalidSampleValue, "quantile value must not be negative") }
        case (.info, _):
            guard value == 1 else { throw fail(.invalidSampleValue, "info value must be 1") }
        case (.stateset, _):
            guard hasStateLabel(labels) else {
                throw fail(.invalidTypeLabel, "stateset sample without a label named after its family")
            }
            guard value == 0 || value == 1 else { throw fail(.invalidSampleValue, "stateset value must be 0 or 1") }
        default:
            break
        }

        // Metric grouping: a metric's samples are contiguous within its family.
        let identity = metricIdentity(labels)
        if !metric.active || identity != metric.identity {
            if metric.active { try finishPoint() }
            guard seenMetrics.insert(identity).inserted else {
                throw fail(.invalidOrdering, "samples of one metric are interleaved with another metric of the family")
            }
            metric = MetricState()
            metric.active = true
            metric.identity = identity
        }

        // Timestamps: all or none (`_created` lines aside), never decreasing. A new timestamp starts a new
        // MetricPoint.
        if role != .created {
            let mode = timestamp == nil ? 2 : 1
            if metric.timestampMode == 0 {
                metric.timestampMode = mode
            } else if metric.timestampMode != mode {
                throw fail(.invalidOrdering, "some samples of a metric have a timestamp and some do not")
            }
            if let timestamp {
                guard timestamp >= metric.lastTimestamp else {
                    throw fail(.invalidOrdering, "timestamp goes backwards")
                }
                if timestamp != metric.lastTimestamp && metric.point.hasSamples { try finishPoint() }
                metric.lastTimestamp = timestamp
            }
        }

        if type == .histogram || type == .gaugeHistogram {
            switch role {
            case .bucket:
                if metric.point.buckets > 0 {
                    guard bound > metric.point.lastBound else {
                        throw fail(.invalidHistogram, "buckets not in increasing order of le")
                    }
                    guard value >= metric.point.lastBucket else {
                        throw fail(.invalidHistogram, "bucket counts are not cumulative")
                    }
                }
                metric.point.buckets += 1
                metric.point.lastBound = bound
                metric.point.lastBucket = value
                if bound < 0 { metric.point.hasNegativeBucket = true }
                if bound == .infinity {
                    metric.point.hasInfBucket = true
                    metric.point.infBucket = value
                }
                metric.point.hasSamples = true
            case .count, .gcount:
                metric.point.hasCount = true
                metric.point.count = value
                metric.point.hasSamples = true
            case .sum, .gsum:
                metric.point.hasSum = true
                metric.point.sum = value
                metric.point.hasSamples = true
            default:
                break
            }
        }
        metric.line = line
    }

    /// Ends a histogram MetricPoint: `+Inf` bucket present, `_count` iff `_sum`, `_count` = `+Inf` bucket, no
    /// `_sum` with negative buckets, a negative `_gsum` only with negative buckets.
    private mutating func finishPoint() throws(ExpositionError) {
        defer { metric.point = PointState() }
        let point = metric.point
        guard (familyType == .histogram || familyType == .gaugeHistogram) && point.hasSamples else { return }
        func fail(_ message: String) -> ExpositionError {
            ExpositionError(code: .invalidHistogram, line: metric.line, column: 1, message: message)
        }
        let count = familyType == .histogram ? "_count" : "_gcount"
        let sum = familyType == .histogram ? "_sum" : "_gsum"
        guard point.hasInfBucket else { throw fail("histogram without a +Inf bucket") }
        guard point.hasCount == point.hasSum else {
            throw fail(
                point.hasCount ? "histogram with \(count) but no \(sum)" : "histogram with \(sum) but no \(count)"
            )
        }
        if point.hasCount && point.count != point.infBucket {
            throw fail("histogram \(count) differs from its +Inf bucket")
        }
        if familyType == .histogram && point.hasNegativeBucket && point.hasSum {
            throw fail("histogram with negative buckets must not have _sum")
        }
        if familyType == .gaugeHistogram && point.hasSum && point.sum < 0 && !point.hasNegativeBucket {
            throw fail("negative _gsum without negative buckets")
        }
    }

    /// A `le` or `quantile` label value as a number: required, not NaN, infinity only as `+Inf`/`-Inf`.
    private static func bound(
        _ labels: UnsafeBufferPointer<LabelView>,
        _ name: StaticString,
        line: Int,
        fail: (ExpositionError.Code, String) -> ExpositionError
    ) throws(ExpositionError) -> Double {
        for label in labels where label.name.equals(name) {
            let bytes = label.value.bytes
            guard bytes.count > 0,
                let value = NumberParser.parseDouble(
                    bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    bytes.count
                ),
                !value.isNaN,
                !value.isInfinite || label.value.equals("+Inf") || label.value.equals("-Inf")
            else {
                throw fail(.invalidTypeLabel, "invalid \(name) label value \(label.value.string)")
            }
            return value
        }
        throw fail(.invalidTypeLabel, "missing \(name) label")
    }

    private func hasStateLabel(_ labels: UnsafeBufferPointer<LabelView>) -> Bool {
        familyName.withUnsafeBytes { name in labels.contains { ByteView(name) == $0.name } }
    }

    private func metricIdentity(_ labels: UnsafeBufferPointer<LabelView>) -> Int {
        var hasher = Hasher()
        familyName.withUnsafeBytes { familyName in
            let family = ByteView(familyName)
            for label in labels {
                switch familyType {
                case .histogram, .gaugeHistogram: if label.name.equals("le") { continue }
                case .summary: if label.name.equals("quantile") { continue }
                case .stateset: if label.name == family { continue }
                default: break
                }
                hasher.combine(label.name.count)
                hasher.combine(bytes: label.name.bytes)
                hasher.combine(label.value.count)
                hasher.combine(bytes: label.value.bytes)
            }
        }
        return hasher.finalize()
    }
}
