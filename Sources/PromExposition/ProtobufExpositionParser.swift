import PromProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming parser for the protobuf exposition format
/// (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`): a sequence of
/// `io.prometheus.client.MetricFamily` messages, each prefixed with its length as a varint.
///
/// Feed the body chunk by chunk, split at any byte, then call ``finish(into:)``, exactly as with
/// ``ExpositionParser`` (or use ``AnyExpositionParser``, which picks the parser from the `Content-Type`). A message
/// that lies whole in a chunk is unpacked where it lies; one split across chunks is collected in a carry buffer,
/// which ``maximumMessageSize`` bounds. Messages are unpacked by libprotobuf-c into a bump arena that is reset per
/// message, so after the first scrape nothing is allocated per sample; the arena refuses to grow beyond 24 times
/// the message's size plus 1 MiB (real messages take 4–12 times), so a small hostile message cannot make the
/// unpack allocate without bound.
///
/// The consumer receives the same calls the text parser makes for the same metrics:
/// - `familyStarted` once per message, with the family's name, type, HELP and UNIT (empty strings become `nil`);
///   types map one to one (`UNTYPED` → ``MetricType/untyped``, `GAUGE_HISTOGRAM` → ``MetricType/gaugeHistogram``).
/// - per metric, the samples text 0.0.4 would have: counter `name` (the family name as sent, usually ending in
///   `_total`; role ``SampleRole/total``); gauge and untyped `name`; summary `name{…,quantile="φ"}`, `name_sum`,
///   `name_count`; histogram `name_bucket{…,le="b"}` in message order plus `le="+Inf"` (with the sample count)
///   when the message has no `+Inf` bucket, then `name_sum` and `name_count`; gauge histogram `name_bucket`,
///   `name_gsum`, `name_gcount`. Float counts (`cumulative_count_float`, `sample_count_float`) override integer
///   ones when positive, as in Prometheus. A metric that lacks its type's field gets value 0, as in Prometheus.
/// - `name_created` (role ``SampleRole/created``, value in seconds since the epoch) after a counter's, summary's or
///   histogram's samples when the message has a created timestamp; for counters the name drops `_total` first.
/// - ``SampleView/seriesText`` is synthesised in canonical text form: `name{a="b",le="0.5"}` with `\\`, `\"` and
///   `\n` escaped, labels in message order, `le`/`quantile` last and formatted as Prometheus formats them
///   (`1.0`, `0.005`, `1e+06`, `+Inf`). ``SampleView/line`` is the 1-based number of the message.
/// - Timestamps: `timestamp_ms` when present. Exemplars are not delivered.
///
/// **Native histograms.** A histogram metric with native-histogram data (spans, zero bucket or zero threshold, the
/// test Prometheus uses) and no classic buckets is skipped — none of its samples is delivered, because promwatch
/// cannot represent its buckets and a lone `_count`/`_sum` would look like an empty classic histogram downstream —
/// and counted in ``nativeHistogramsSkipped``. A histogram with both classic buckets and native data is delivered
/// as its classic part.
///
/// Checks: family names and label names follow the text format's syntax; label values, HELP and UNIT must be
/// UTF-8; label names must be unique per metric (with `le`/`quantile`); ``ExpositionLimits`` bound labels per
/// sample, label name and label value lengths. ``ExpositionLimits/maximumLineLength`` does not apply. libprotobuf-c
/// stores strings NUL-terminated, so a string with an embedded NUL byte is cut at it (a known gap; Go exporters
/// do not send them).
///
/// Errors name the byte offset of the message at fault. After an error the parser keeps throwing it; call
/// ``reset()`` to parse another exposition.
public struct ProtobufExpositionParser: @unchecked Sendable {
    // @unchecked: all state lives in `storage`, which every mutating entry point makes unique first
    // (copy-on-write), so no two parser values ever share memory they write.

    /// The default bound on one message (one metric family): 16 MiB.
    public static let defaultMaximumMessageSize = 16 << 20

    public let limits: ExpositionLimits
    /// The longest message accepted, in bytes without its length prefix. It also bounds the carry buffer that
    /// holds a message split across chunks.
    public let maximumMessageSize: Int

    private var storage: ProtobufParserStorage

    /// - Parameters:
    ///   - limits: label bounds (``ExpositionLimits/maximumLineLength`` is not used).
    ///   - maximumMessageSize: bytes per message; default ``defaultMaximumMessageSize``.
    public init(limits: ExpositionLimits = .init(), maximumMessageSize: Int = Self.defaultMaximumMessageSize) {
        precondition(maximumMessageSize > 0, "maximumMessageSize must be positive")
        self.limits = limits
        self.maximumMessageSize = maximumMessageSize
        self.storage = ProtobufParserStorage()
    }

    /// Histogram metrics skipped so far because they carry only native-histogram data.
    public var nativeHistogramsSkipped: Int { storage.nativeHistogramsSkipped }

    /// Messages (metric families) parsed so far.
    public var messagesParsed: Int { storage.messageCount }

    /// Parses one chunk of the body. Complete messages are delivered to `consumer` before this returns; an
    /// incomplete last message waits for the next chunk or ``finish(into:)``.
    ///
    /// - Parameters:
    ///   - chunk: the next bytes of the body, split anywhere.
    ///   - consumer: receives families and samples; views are valid only during each call.
    /// - Throws: ``ProtobufExpositionError`` on the first malformed message or exceeded limit.
    public mutating func parse<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        if let failure = storage.failure { throw failure }
        precondition(!storage.finished, "ProtobufExpositionParser.parse after finish(into:); call reset() first")
        makeUnique()
        do throws(ProtobufExpositionError) {
            try storage.parseChunk(chunk, settings: settings, into: &consumer)
        } catch {
            storage.failure = error
            throw error
        }
    }

    /// Ends the input; fails if it ends inside a message.
    ///
    /// - Throws: ``ProtobufExpositionError/Code/truncatedMessage``.
    public mutating func finish<C: ExpositionConsumer>(into consumer: inout C) throws(ProtobufExpositionError) {
        if let failure = storage.failure { throw failure }
        precondition(!storage.finished, "ProtobufExpositionParser.finish called twice; call reset() first")
        makeUnique()
        if storage.carryCount > 0 {
            let error = storage.truncated()
            storage.failure = error
            throw error
        }
        storage.finished = true
        storage.releaseArena()
    }

    /// Prepares the parser for another exposition, keeping its buffers.
    public mutating func reset() {
        makeUnique()
        storage.reset()
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ProtobufExpositionError`` on the first malformed message, exceeded limit or truncation.
    public static func parse<C: ExpositionConsumer>(
        _ bytes: UnsafeRawBufferPointer,
        limits: ExpositionLimits = .init(),
        maximumMessageSize: Int = Self.defaultMaximumMessageSize,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        var parser = ProtobufExpositionParser(limits: limits, maximumMessageSize: maximumMessageSize)
        try parser.parse(bytes, into: &consumer)
        try parser.finish(into: &consumer)
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ProtobufExpositionError`` on the first malformed message, exceeded limit or truncation.
    public static func parse<C: ExpositionConsumer>(
        _ bytes: [UInt8],
        limits: ExpositionLimits = .init(),
        maximumMessageSize: Int = Self.defaultMaximumMessageSize,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        var result: Result<Void, ProtobufExpositionError> = .success(())
        bytes.withUnsafeBytes { raw in
            do throws(ProtobufExpositionError) {
                try parse(raw, limits: limits, maximumMessageSize: maximumMessageSize, into: &consumer)
            } catch {
                result = .failure(error)
            }
        }
        try result.get()
    }

    private var settings: ProtobufParserSettings {
        ProtobufParserSettings(limits: limits, maximumMessageSize: maximumMessageSize)
    }

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        storage = storage.copy()
    }
}

/// What the storage needs of the parser's configuration.
struct ProtobufParserSettings {
    var limits: ExpositionLimits
    var maximumMessageSize: Int
}

/// The parser's memory and position. A class so the arena and scratch buffers are freed exactly once; only
/// ever mutated through a uniquely referenced ``ProtobufExpositionParser``.
final class ProtobufParserStorage {
    /// libprotobuf-c unpacks into this; reset before each message. Created on first use.
    private var arena: OpaquePointer?

    /// The bytes of a message (with its length prefix) split across chunks.
    private(set) var carryCount = 0
    private var carry: UnsafeMutablePointer<UInt8>?
    private var carryCapacity = 0
    /// Length prefix plus body of the carried message; 0 while its length prefix is incomplete.
    private var pendingTotal = 0
    private var pendingPrefix = 0

    /// Input bytes before the current chunk.
    private var consumed = 0
    /// Offset of the current (or carried) message's length prefix.
    private var messageOffset = 0

    private(set) var messageCount = 0
    private(set) var nativeHistogramsSkipped = 0
    var failure: ProtobufExpositionError?
    var finished = false

    /// Label views of the current sample: the metric's labels, then `le` or `quantile`.
    private var labels: UnsafeMutablePointer<LabelView>?
    private var labelCapacity = 0
    /// The current sample's synthesised series text (which also holds the `le`/`quantile` value).
    private var series: UnsafeMutablePointer<UInt8>?
    private var seriesCapacity = 0

    /// Formatted `le`/`quantile` values by bit pattern: bucket bounds repeat for every series of a family.
    private var floatTexts: [UInt64: FloatText] = [:]

    init() {}

    deinit {
        if let arena { promproto_arena_destroy(arena) }
        carry?.deallocate()
        labels?.deallocate()
        series?.deallocate()
    }

    /// A storage for a parser copy: the same position and carried bytes, fresh scratch.
    func copy() -> ProtobufParserStorage {
        let other = ProtobufParserStorage()
        if carryCount > 0, let carry {
            other.reserveCarry(carryCount)
            other.carry!.update(from: carry, count: carryCount)  // reserveCarry allocated it.
        }
        other.carryCount = carryCount
        other.pendingTotal = pendingTotal
        other.pendingPrefix = pendingPrefix
        other.consumed = consumed
        other.messageOffset = messageOffset
        other.messageCount = messageCount
        other.nativeHistogramsSkipped = nativeHistogramsSkipped
        other.failure = failure
        other.finished = finished
        return other
    }

    func reset() {
        carryCount = 0
        pendingTotal = 0
        pendingPrefix = 0
        consumed = 0
        messageOffset = 0
        messageCount = 0
        nativeHistogramsSkipped = 0
        failure = nil
        finished = false
    }

    /// Gives the last message's memory back to the arena (it keeps its capacity for the next exposition).
    func releaseArena() {
        if let arena { promproto_arena_reset(arena) }
    }

    func truncated() -> ProtobufExpositionError {
        let what =
            pendingTotal == 0
            ? "inside the length prefix of a message"
            : "inside a message: \(carryCount - pendingPrefix) of its \(pendingTotal - pendingPrefix) bytes arrived"
        return ProtobufExpositionError(
            code: .truncatedMessage,
            byteOffset: messageOffset,
            message: "the input ends \(what)"
        )
    }

    // MARK: Framing

    func parseChunk<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        settings: ProtobufParserSettings,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        guard let start = chunk.baseAddress, chunk.count > 0 else { return }
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        let end = chunk.count
        var position = 0
        defer { consumed += end }

        while position < end {
            if carryCount > 0 {
                // Finish the carried length prefix, byte by byte (at most 10).
                while pendingTotal == 0 && position < end {
                    appendCarry(bytes + position, 1)
                    position += 1
                    try decodeCarriedPrefix(settings: settings)
                }
                if pendingTotal == 0 { return }
                let take = min(pendingTotal - carryCount, end - position)
                appendCarry(bytes + position, take)
                position += take
                guard carryCount == pendingTotal else { return }
                let body = carry! + pendingPrefix  // Non-empty carry: allocated.
                let length = pendingTotal - pendingPrefix
                carryCount = 0
                pendingTotal = 0
                pendingPrefix = 0
                // The carry buffer is not touched again while its message is processed.
                try processMessage(body, length, settings: settings, into: &consumer)
                continue
            }

            messageOffset = consumed + position
            switch Self.decodeVarint(bytes + position, end - position) {
            case .incomplete:
                appendCarry(bytes + position, end - position)
                return
            case .invalid:
                throw invalidPrefix()
            case .complete(let length, let prefix):
                try checkSize(length, settings: settings)
                if end - position - prefix >= length {
                    try processMessage(bytes + position + prefix, length, settings: settings, into: &consumer)
                    position += prefix + length
                } else {
                    pendingTotal = prefix + length
                    pendingPrefix = prefix
                    reserveCarry(pendingTotal)
                    appendCarry(bytes + position, end - position)
                    return
                }
            }
        }
    }

    private func decodeCarriedPrefix(settings: ProtobufParserSettings) throws(ProtobufExpositionError) {
        switch Self.decodeVarint(carry!, carryCount) {  // Called after an append: allocated.
        case .incomplete: return
        case .invalid: throw invalidPrefix()
        case .complete(let length, let prefix):
            try checkSize(length, settings: settings)
            pendingTotal = prefix + length
            pendingPrefix = prefix
            reserveCarry(pendingTotal)
        }
    }

    private func checkSize(_ length: Int, settings: ProtobufParserSettings) throws(ProtobufExpositionError) {
        guard length <= settings.maximumMessageSize else {
            throw ProtobufExpositionError(
                code: .messageTooLarge,
                byteOffset: messageOffset,
                message: "message of \(length) bytes is longer than the limit of \(settings.maximumMessageSize) bytes"
            )
        }
    }

    private func invalidPrefix() -> ProtobufExpositionError {
        ProtobufExpositionError(
            code: .invalidLengthPrefix,
            byteOffset: messageOffset,
            message: "invalid message length prefix (a varint longer than 10 bytes or out of range)"
        )
    }

    enum Varint {
        case complete(length: Int, prefix: Int)
        case incomplete
        case invalid
    }

    /// Decodes a base-128 varint length at `p`.
    static func decodeVarint(_ p: UnsafePointer<UInt8>, _ available: Int) -> Varint {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        while i < 10 {
            guard i < available else { return .incomplete }
            let byte = p[i]
            if i == 9 && byte > 1 { return .invalid }
            value |= UInt64(byte & 0x7F) << shift
            i += 1
            if byte & 0x80 == 0 {
                guard value <= UInt64(Int.max) else { return .invalid }
                return .complete(length: Int(value), prefix: i)
            }
            shift += 7
        }
        return .invalid
    }

    private func reserveCarry(_ needed: Int) {
        guard needed > carryCapacity else { return }
        let capacity = max(needed, carryCapacity * 2, 256)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        if let carry {
            fresh.update(from: carry, count: carryCount)
            carry.deallocate()
        }
        carry = fresh
        carryCapacity = capacity
    }

    private func appendCarry(_ p: UnsafePointer<UInt8>, _ count: Int) {
        guard count > 0 else { return }
        reserveCarry(carryCount + count)
        (carry! + carryCount).update(from: p, count: count)  // Reserved above.
        carryCount += count
    }

    // MARK: Messages

    private func processMessage<C: ExpositionConsumer>(
        _ body: UnsafePointer<UInt8>,
        _ length: Int,
        settings: ProtobufParserSettings,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        messageCount += 1
        let arena = try makeArena()
        promproto_arena_reset(arena)
        let budget = Self.unpackBudget(length)
        promproto_arena_set_limit(arena, budget)
        guard let family = promproto_unpack_metric_family(arena, length, body) else {
            if promproto_arena_exhausted(arena) != 0 {
                throw error(
                    .messageTooLarge,
                    "message \(messageCount) (\(length) bytes) needs more than \(budget) bytes to unpack "
                        + "(\(Self.unpackFactor) times its size plus 1 MiB)"
                )
            }
            throw error(.invalidMessage, "message \(messageCount) (\(length) bytes) is not a valid MetricFamily")
        }
        try walkFamily(family.pointee, settings: settings, into: &consumer)
    }

    /// Unpacked, a message takes 4–5 times its size, up to about 12 times for families of tiny metrics;
    /// a hostile one (thousands of empty sub-messages) could take 50 times. The arena refuses more than this.
    static let unpackFactor = 24

    static func unpackBudget(_ length: Int) -> Int {
        let (scaled, overflow) = length.multipliedReportingOverflow(by: unpackFactor)
        return overflow ? Int.max : scaled &+ (1 << 20)
    }

    private func makeArena() throws(ProtobufExpositionError) -> OpaquePointer {
        if let arena { return arena }
        guard let created = promproto_arena_create(64 << 10) else {
            throw error(.invalidMessage, "out of memory for the unpack arena")
        }
        arena = created
        return created
    }

    private func error(_ code: ProtobufExpositionError.Code, _ message: String) -> ProtobufExpositionError {
        ProtobufExpositionError(code: code, byteOffset: messageOffset, message: message)
    }

    private func walkFamily<C: ExpositionConsumer>(
        _ family: Io__Prometheus__Client__MetricFamily,
        settings: ProtobufParserSettings,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        let name = Self.view(family.name)
        guard ProtobufSyntax.isMetricName(name) else {
            throw error(
                .invalidMetricName,
                name.isEmpty ? "MetricFamily without a name" : "invalid metric name \(Self.quote(name))"
            )
        }
        let help = Self.view(family.help)
        guard ProtobufSyntax.isValidUTF8(help) else {
            throw error(.invalidUTF8, "HELP of \(Self.quote(name)) is not valid UTF-8")
        }
        let unit = Self.view(family.unit)
        guard ProtobufSyntax.isValidUTF8(unit) else {
            throw error(.invalidUTF8, "UNIT of \(Self.quote(name)) is not valid UTF-8")
        }
        let rawType = family.has_type != 0 ? family.type.rawValue : 0
        let type: MetricType
        switch rawType {
        case 0: type = .counter
        case 1: type = .gauge
        case 2: type = .summary
        case 3: type = .untyped
        case 4: type = .histogram
        case 5: type = .gaugeHistogram
        default: throw error(.invalidMetricType, "unknown metric type \(rawType) for \(Self.quote(name))")
        }
        consumer.familyStarted(
            FamilyView(
                name: name,
                type: type,
                help: help.isEmpty ? nil : help,
                unit: unit.isEmpty ? nil : unit
            )
        )

        var walk = FamilyWalk(name: name, type: type)
        for index in 0..<family.n_metric {
            guard let metric = family.metric[index] else { continue }
            try walkMetric(metric.pointee, &walk, settings: settings, into: &consumer)
        }
    }

    /// What every sample of the family shares.
    private struct FamilyWalk {
        var name: ByteView
        var type: MetricType
        var labelCount = 0
        /// Upper bound of the labels' bytes in series text form (names, escaped values, `="`, `",`).
        var labelTextBound = 0
        var timestamp: Int64?
    }

    private func walkMetric<C: ExpositionConsumer>(
        _ metric: Io__Prometheus__Client__Metric,
        _ walk: inout FamilyWalk,
        settings: ProtobufParserSettings,
        into consumer: inout C
    ) throws(ProtobufExpositionError) {
        walk.timestamp = metric.has_timestamp_ms != 0 ? metric.timestamp_ms : nil
        let extra: StaticString? =
            switch walk.type {
            case .summary: "quantile"
            case .histogram, .gaugeHistogram: "le"
            default: nil
            }
        try collectLabels(metric, extra: extra, &walk, limits: settings.limits)

        switch walk.type {
        case .counter:
            let counter = metric.counter?.pointee
            emit(walk, role: .total, value: counter?.value ?? 0, into: &consumer)
            if let created = counter?.created_timestamp {
                emitCreated(walk, created.pointee, into: &consumer)
            }
        case .gauge:
            emit(walk, role: .value, value: metric.gauge?.pointee.value ?? 0, into: &consumer)
        case .untyped:
            emit(walk, role: .value, value: metric.untyped?.pointee.value ?? 0, into: &consumer)
        case .summary:
            let summary = metric.summary?.pointee
            if let summary {
                for index in 0..<summary.n_quantile {
                    guard let quantile = summary.quantile[index]?.pointee else { continue }
                    emit(
                        walk,
                        role: .quantile,
                        extra: ("quantile", quantile.quantile),
                        value: quantile.value,
                        into: &consumer
                    )
                }
            }
            emit(walk, suffix: "_sum", role: .sum, value: summary?.sample_sum ?? 0, into: &consumer)
            emit(walk, suffix: "_count", role: .count, value: Double(summary?.sample_count ?? 0), into: &consumer)
            if let created = summary?.created_timestamp {
                emitCreated(walk, created.pointee, into: &consumer)
            }
        case .histogram, .gaugeHistogram:
            let histogram = metric.histogram?.pointee
            if let histogram, histogram.n_bucket == 0, Self.isNative(histogram) {
                nativeHistogramsSkipped += 1
                return
            }
            var count = Double(histogram?.sample_count ?? 0)
            if let float = histogram?.sample_count_float, float > 0 { count = float }
            var sawInfinity = false
            if let histogram {
                for index in 0..<histogram.n_bucket {
                    guard let bucket = histogram.bucket[index]?.pointee else { continue }
                    let cumulative =
                        bucket.cumulative_count_float > 0
                        ? bucket.cumulative_count_float : Double(bucket.cumulative_count)
                    if bucket.upper_bound == .infinity { sawInfinity = true }
                    emit(
                        walk,
                        suffix: "_bucket",
                        role: .bucket,
                        extra: ("le", bucket.upper_bound),
                        value: cumulative,
                        into: &consumer
                    )
                }
            }
            if !sawInfinity {
                emit(walk, suffix: "_bucket", role: .bucket, extra: ("le", .infinity), value: count, into: &consumer)
            }
            let gauge = walk.type == .gaugeHistogram
            emit(
                walk,
                suffix: gauge ? "_gsum" : "_sum",
                role: gauge ? .gsum : .sum,
                value: histogram?.sample_sum ?? 0,
                into: &consumer
            )
            emit(
                walk,
                suffix: gauge ? "_gcount" : "_count",
                role: gauge ? .gcount : .count,
                value: count,
                into: &consumer
            )
            if !gauge, let created = histogram?.created_timestamp {
                emitCreated(walk, created.pointee, into: &consumer)
            }
        case .unknown, .info, .stateset:
            preconditionFailure("protobuf has no \(walk.type.exposedName) type")
        }
    }

    /// Prometheus's test (`isNativeHistogram` in `model/textparse/protobufparse.go`), plus float zero counts.
    private static func isNative(_ histogram: Io__Prometheus__Client__Histogram) -> Bool {
        histogram.n_positive_span > 0 || histogram.n_negative_span > 0 || histogram.zero_threshold > 0
            || histogram.zero_count > 0 || histogram.zero_count_float > 0
    }

    /// Validates the metric's labels into the label views, checking `extra` (`le`, `quantile`) is not among them.
    private func collectLabels(
        _ metric: Io__Prometheus__Client__Metric,
        extra: StaticString?,
        _ walk: inout FamilyWalk,
        limits: ExpositionLimits
    ) throws(ProtobufExpositionError) {
        let count = metric.n_label
        let total = count + (extra == nil ? 0 : 1)
        if total > limits.maximumLabelsPerSample {
            throw error(
                .tooManyLabels,
                "a metric of \(Self.quote(walk.name)) has \(total) labels, more than \(limits.maximumLabelsPerSample)"
            )
        }
        reserveLabels(max(total, 1))
        let views = labels!  // Reserved (capacity ≥ 16).
        var bound = 0
        for index in 0..<count {
            guard let pair = metric.label[index]?.pointee else {
                throw error(.invalidMessage, "a metric of \(Self.quote(walk.name)) has a missing label")
            }
            let name = Self.view(pair.name)
            let value = Self.view(pair.value)
            guard ProtobufSyntax.isLabelName(name) else {
                throw error(
                    .invalidLabelName,
                    "invalid label name \(Self.quote(name)) on a metric of \(Self.quote(walk.name))"
                )
            }
            if name.count > limits.maximumLabelNameLength {
                throw error(
                    .labelNameTooLong,
                    "label name \(Self.quote(name)) on a metric of \(Self.quote(walk.name)) is longer than "
                        + "\(limits.maximumLabelNameLength) bytes"
                )
            }
            if value.count > limits.maximumLabelValueLength {
                throw error(
                    .labelValueTooLong,
                    "value of label \(Self.quote(name)) on a metric of \(Self.quote(walk.name)) is longer than "
                        + "\(limits.maximumLabelValueLength) bytes"
                )
            }
            guard ProtobufSyntax.isValidUTF8(value) else {
                throw error(
                    .invalidUTF8,
                    "value of label \(Self.quote(name)) on a metric of \(Self.quote(walk.name)) is not valid UTF-8"
                )
            }
            for other in 0..<index where views[other].name == name {
                throw error(
                    .duplicateLabelName,
                    "duplicate label name \(Self.quote(name)) on a metric of \(Self.quote(walk.name))"
                )
            }
            if let extra, name.equals(extra) {
                throw error(
                    .duplicateLabelName,
                    "label \(Self.quote(name)) on a metric of \(Self.quote(walk.name)) clashes with the "
                        + "\(walk.type.exposedName)'s own"
                )
            }
            (views + index).initialize(to: LabelView(name: name, value: value))
            bound += name.count + 2 * value.count + 4
        }
        walk.labelCount = count
        walk.labelTextBound = bound
    }

    private func emitCreated<C: ExpositionConsumer>(
        _ walk: FamilyWalk,
        _ created: Google__Protobuf__Timestamp,
        into consumer: inout C
    ) {
        let seconds = Double(created.seconds) + Double(created.nanos) / 1e9
        emit(
            walk,
            suffix: "_created",
            dropTotal: walk.type == .counter,
            role: .created,
            value: seconds,
            into: &consumer
        )
    }

    /// Synthesises one sample's name, series text and label views, and delivers it.
    private func emit<C: ExpositionConsumer>(
        _ walk: FamilyWalk,
        suffix: StaticString = "",
        dropTotal: Bool = false,
        role: SampleRole,
        extra: (name: StaticString, value: Double)? = nil,
        value: Double,
        into consumer: inout C
    ) {
        var baseCount = walk.name.count
        if dropTotal, baseCount > 6, walk.name.bytes.suffix(6).elementsEqual("_total".utf8) { baseCount -= 6 }
        let extraBound = extra.map { $0.name.utf8CodeUnitCount + 4 + OpenMetricsFloatFormat.maximumLength } ?? 0
        reserveSeries(baseCount + suffix.utf8CodeUnitCount + 2 + walk.labelTextBound + extraBound)
        let out = series!  // Reserved (capacity ≥ 256).

        var n = 0
        if baseCount > 0 {
            out.update(from: walk.name.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: baseCount)
        }
        n += baseCount
        Self.append(suffix, to: out, &n)
        let nameCount = n
        var labelCount = walk.labelCount
        if labelCount > 0 || extra != nil {
            out[n] = UInt8(ascii: "{")
            n += 1
            let views = labels!  // collectLabels reserved them.
            for index in 0..<labelCount {
                if index > 0 {
                    out[n] = UInt8(ascii: ",")
                    n += 1
                }
                let label = views[index]
                if label.name.count > 0 {
                    (out + n).update(
                        from: label.name.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        count: label.name.count
                    )
                    n += label.name.count
                }
                out[n] = UInt8(ascii: "=")
                out[n + 1] = UInt8(ascii: "\"")
                n += 2
                for byte in label.value.bytes {
                    switch byte {
                    case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                        out[n] = UInt8(ascii: "\\")
                        out[n + 1] = byte
                        n += 2
                    case UInt8(ascii: "\n"):
                        out[n] = UInt8(ascii: "\\")
                        out[n + 1] = UInt8(ascii: "n")
                        n += 2
                    default:
                        out[n] = byte
                        n += 1
                    }
                }
                out[n] = UInt8(ascii: "\"")
                n += 1
            }
            if let extra {
                if labelCount > 0 {
                    out[n] = UInt8(ascii: ",")
                    n += 1
                }
                Self.append(extra.name, to: out, &n)
                out[n] = UInt8(ascii: "=")
                out[n + 1] = UInt8(ascii: "\"")
                n += 2
                let valueStart = n
                n += formatFloat(extra.value, to: out + n)
                let valueView = ByteView(UnsafeRawBufferPointer(start: out + valueStart, count: n - valueStart))
                let nameView = ByteView(
                    UnsafeRawBufferPointer(start: extra.name.utf8Start, count: extra.name.utf8CodeUnitCount)
                )
                (views + labelCount).initialize(to: LabelView(name: nameView, value: valueView))
                labelCount += 1
                out[n] = UInt8(ascii: "\"")
                n += 1
            }
            out[n] = UInt8(ascii: "}")
            n += 1
        }
        consumer.consume(
            SampleView(
                name: ByteView(UnsafeRawBufferPointer(start: out, count: nameCount)),
                familyName: walk.name,
                type: walk.type,
                role: role,
                labels: UnsafeBufferPointer(start: labels, count: labelCount),
                seriesText: ByteView(UnsafeRawBufferPointer(start: out, count: n)),
                value: value,
                timestampMilliseconds: walk.timestamp,
                line: messageCount
            )
        )
    }

    private static func append(_ text: StaticString, to out: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        let count = text.utf8CodeUnitCount
        guard count > 0 else { return }
        (out + n).update(from: text.utf8Start, count: count)
        n += count
    }

    /// Writes `value` as Prometheus formats `le`/`quantile`, from the cache when seen before.
    private func formatFloat(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let key = value.bitPattern
        if let cached = floatTexts[key] { return cached.write(to: out) }
        var text = FloatText()
        text.count = UInt8(OpenMetricsFloatFormat.write(value, to: out))
        text.store(from: out)
        // Bounded: a hostile target could send a new bound for every bucket.
        if floatTexts.count >= 4096 { floatTexts.removeAll(keepingCapacity: true) }
        floatTexts[key] = text
        return Int(text.count)
    }

    private func reserveLabels(_ needed: Int) {
        guard needed > labelCapacity else { return }
        let capacity = max(needed, labelCapacity * 2, 16)
        // Views are rebuilt for every metric, so the old ones need not move.
        labels?.deallocate()
        labels = UnsafeMutablePointer<LabelView>.allocate(capacity: capacity)
        labelCapacity = capacity
    }

    private func reserveSeries(_ needed: Int) {
        guard needed > seriesCapacity else { return }
        let capacity = max(needed, seriesCapacity * 2, 256)
        series?.deallocate()
        series = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        seriesCapacity = capacity
    }

    // MARK: Strings

    /// A view of a NUL-terminated string from the arena (empty for NULL).
    private static func view(_ string: UnsafeMutablePointer<CChar>?) -> ByteView {
        guard let string else { return ByteView(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return ByteView(UnsafeRawBufferPointer(start: string, count: strlen(string)))
    }

    /// A token for an error message: quoted, invalid UTF-8 repaired, cut at 64 bytes.
    private static func quote(_ view: ByteView) -> String {
        let shown = UnsafeRawBufferPointer(rebasing: view.bytes.prefix(64))
        return "\"" + String(decoding: shown, as: UTF8.self) + (view.count > 64 ? "…\"" : "\"")
    }
}

/// The formatted text of one float: up to 32 bytes inline.
private struct FloatText {
    var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count: UInt8 = 0

    mutating func store(from p: UnsafePointer<UInt8>) {
        let n = Int(count)
        withUnsafeMutableBytes(of: &bytes) { $0.baseAddress!.copyMemory(from: p, byteCount: n) }  // Non-empty tuple.
    }

    func write(to out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = Int(count)
        withUnsafeBytes(of: bytes) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: n) }
        return n
    }
}

/// Name and UTF-8 checks for strings from protobuf messages.
enum ProtobufSyntax {
    static func isMetricName(_ view: ByteView) -> Bool { view.isLegacyMetricName }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    static func isLabelName(_ view: ByteView) -> Bool {
        guard let first = view.bytes.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        for byte in view.bytes.dropFirst() where !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_")) {
            return false
        }
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
    static func isValidUTF8(_ view: ByteView) -> Bool {
        let bytes = view.bytes
        let n = bytes.count
        var i = 0
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return false
            }
            guard i + length <= n else { return false }
            let second = bytes[i + 1]
            guard second >= lower && second <= upper else { return false }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
