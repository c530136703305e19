#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0 expositions.
///
/// Feed the body chunk by chunk, as it arrives, split at any byte, then call ``finish(into:)``:
///
/// ```swift
/// var parser = ExpositionParser(format: .init(contentType: contentType))
/// for chunk in body { try chunk.withUnsafeReadableBytes { try parser.parse($0, into: &batch) } }
/// try parser.finish(into: &batch)
/// ```
///
/// Complete lines are parsed where they lie in the chunk; only a line split across chunks is copied, into a
/// carry buffer. Label views go into a reusable array and label values are copied only when they contain a
/// backslash, so after the first scrape the parser allocates nothing per sample. Views handed to the consumer
/// are valid only during the call.
///
/// Families: in text 0.0.4 a `# TYPE` applies to the sample with exactly that name, and for histograms and
/// summaries also to `_bucket`, `_sum` and `_count` (so `# TYPE x counter` followed by `x_total` makes an
/// untyped family `x_total`, as Prometheus and the pushgateway do). In OpenMetrics the family name is the
/// sample name without the type's suffixes (`_total`, `_created`, `_bucket`, `_gcount`, `_info`, …). A sample
/// that does not belong to the current family starts a new one of type `untyped` (text) or `unknown`
/// (OpenMetrics).
///
/// Values are Go `ParseFloat`'s decimal syntax plus `NaN`/`Inf` spellings, bit-identical to `strtod` (NaN is
/// the quiet NaN `strtod` returns, not Prometheus's normalised `0x7ff8000000000001`); hex floats and `_` are
/// rejected. Timestamps: text 0.0.4 takes int64 milliseconds, negative ones included (expfmt and the format
/// documentation's own example accept them; Prometheus's lexer rejects the `-`, failing whole scrapes for a
/// well-defined pre-1970 instant). OpenMetrics takes float seconds, converted to milliseconds rounding toward
/// negative infinity and saturating at the `Int64` range.
///
/// After an error the parser keeps throwing it; call ``reset()`` to parse another exposition.
public struct ExpositionParser: @unchecked Sendable {
    // @unchecked: the raw buffer pointers are owned by `owner`, which every mutating entry point makes unique
    // first (copy-on-write), so no two parser values ever share memory they write.

    public let format: ExpositionFormat
    public let limits: ExpositionLimits
    public let validation: ExpositionValidation

    private let isOpenMetrics: Bool
    /// OpenMetrics with ``ExpositionValidation/strict``: run `validator`.
    private let isStrict: Bool

    private var owner: ParserBufferOwner
    private var buffers: ParserBufferSet
    private var family = FamilyState()
    private var validator = OpenMetricsValidator()
    /// The number of the line being parsed (1-based); lines completed so far between lines.
    private var lineNumber = 0
    private var sawEOF = false
    private var finished = false
    private var failure: ExpositionError?

    /// - Parameters:
    ///   - format: text 0.0.4 or OpenMetrics; choose it with ``ExpositionFormat/init(contentType:)``.
    ///   - limits: line and label bounds.
    ///   - validation: how much of OpenMetrics' semantics to enforce (ignored for text 0.0.4).
    public init(
        format: ExpositionFormat,
        limits: ExpositionLimits = .init(),
        validation: ExpositionValidation = .standard
    ) {
        self.format = format
        self.limits = limits
        self.validation = validation
        self.isOpenMetrics = format == .openMetrics
        self.isStrict = format == .openMetrics && validation == .strict
        self.buffers = ParserBufferSet()
        self.owner = ParserBufferOwner(buffers)
    }

    /// Parses one chunk of the body. Complete lines are delivered to `consumer` before this returns; an
    /// incomplete last line waits for the next chunk or ``finish(into:)``.
    ///
    /// - Parameters:
    ///   - chunk: the next bytes of the body, split anywhere.
    ///   - consumer: receives families and samples; views are valid only during each call.
    /// - Throws: ``ExpositionError`` on the first malformed line or exceeded limit.
    public mutating func parse<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        into consumer: inout C
    ) throws(ExpositionError) {
        if let failure { throw failure }
        precondition(!finished, "ExpositionParser.parse after finish(into:); call reset() first")
        makeUnique()
        do throws(ExpositionError) {
            try parseChunk(chunk, into: &consumer)
        } catch {
            failure = error
            throw error
        }
    }

    /// Ends the input: parses a last line without `\n` (accepted in text 0.0.4, as Prometheus's scrape parser
    /// does), requires `# EOF` in OpenMetrics, and announces a trailing family that had metadata but no samples.
    ///
    /// - Throws: ``ExpositionError`` for a malformed last line or a missing `# EOF`.
    public mutating func finish<C: ExpositionConsumer>(into consumer: inout C) throws(ExpositionError) {
        if let failure { throw failure }
        precondition(!finished, "ExpositionParser.finish called twice; call reset() first")
        makeUnique()
        do throws(ExpositionError) {
            if buffers.carry.count > 0 {
                let count = buffers.carry.count
                buffers.carry.count = 0
                // The carry buffer is not touched again while its line is parsed.
                try processLine(buffers.carry.base!.assumingMemoryBound(to: UInt8.self), count, into: &consumer)
            }
            if isOpenMetrics && !sawEOF {
                throw ExpositionError(
                    code: .missingEOF,
                    line: lineNumber + 1,
                    column: 1,
                    message: "OpenMetrics exposition does not end with # EOF"
                )
            }
            try closeFamily(into: &consumer)
            finished = true
        } catch {
            failure = error
            throw error
        }
    }

    /// Prepares the parser for another exposition, keeping its buffers.
    public mutating func reset() {
        makeUnique()
        buffers.carry.count = 0
        buffers.scratch.count = 0
        buffers.meta.count = 0
        family = FamilyState()
        validator.reset()
        lineNumber = 0
        sawEOF = false
        finished = false
        failure = nil
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ExpositionError`` on the first malformed line, exceeded limit or missing `# EOF`.
    public static func parse<C: ExpositionConsumer>(
        _ bytes: UnsafeRawBufferPointer,
        format: ExpositionFormat,
        limits: ExpositionLimits = .init(),
        validation: ExpositionValidation = .standard,
        into consumer: inout C
    ) throws(ExpositionError) {
        var parser = ExpositionParser(format: format, limits: limits, validation: validation)
        try parser.parse(bytes, into: &consumer)
        try parser.finish(into: &consumer)
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ExpositionError`` on the first malformed line, exceeded limit or missing `# EOF`.
    public static func parse<C: ExpositionConsumer>(
        _ bytes: [UInt8],
        format: ExpositionFormat,
        limits: ExpositionLimits = .init(),
        validation: ExpositionValidation = .standard,
        into consumer: inout C
    ) throws(ExpositionError) {
        var result: Result<Void, ExpositionError> = .success(())
        bytes.withUnsafeBytes { raw in
            do throws(ExpositionError) {
                try parse(raw, format: format, limits: limits, validation: validation, into: &consumer)
            } catch {
                result = .failure(error)
            }
        }
        try result.get()
    }

    // MARK: Chunks and lines

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&owner) else { return }
        // Only the carry and metadata hold state between calls; scratch and label views live for one line.
        var copy = ParserBufferSet()
        copy.carry = buffers.carry.copy()
        copy.meta = buffers.meta.copy()
        buffers = copy
        owner = ParserBufferOwner(copy)
    }

    /// Mirrors moved buffer pointers into `owner`, which frees them.
    @inline(__always)
    private mutating func syncOwner() { owner.buffers = buffers }

    private mutating func parseChunk<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        into consumer: inout C
    ) throws(ExpositionError) {
        guard let start = chunk.baseAddress, chunk.count > 0 else { return }
        if sawEOF { throw contentAfterEOF() }
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        let end = chunk.count
        var position = 0

        if buffers.carry.count > 0 {
            guard let newline = memchr(start, Int32(Byte.newline), end) else {
                try appendCarry(bytes, end)
                return
            }
            let length = UnsafeRawPointer(newline) - start
            try appendCarry(bytes, length)
            let count = buffers.carry.count
            buffers.carry.count = 0
            // The carry buffer is not touched again while its line is parsed.
            try processLine(buffers.carry.base!.assumingMemoryBound(to: UInt8.self), count, into: &consumer)
            position = length + 1
            if sawEOF && position < end { throw contentAfterEOF() }
        }

        while position < end {
            guard let newline = memchr(start + position, Int32(Byte.newline), end - position) else {
                try appendCarry(bytes + position, end - position)
                return
            }
            let length = UnsafeRawPointer(newline) - (start + position)
            try processLine(bytes + position, length, into: &consumer)
            position += length + 1
            if sawEOF && position < end { throw contentAfterEOF() }
        }
    }

    private mutating func appendCarry(_ bytes: UnsafePointer<UInt8>, _ count: Int) throws(ExpositionError) {
        guard buffers.carry.count + count <= limits.maximumLineLength else {
            throw ExpositionError(
                code: .lineTooLong,
                line: lineNumber + 1,
                column: limits.maximumLineLength + 1,
                message: "line longer than \(limits.maximumLineLength) bytes"
            )
        }
        let old = buffers.carry.base
        buffers.carry.append(bytes, count)
        if buffers.carry.base != old { syncOwner() }
    }

    private func contentAfterEOF() -> ExpositionError {
        ExpositionError(
            code: .contentAfterEOF,
            line: lineNumber + 1,
            column: 1,
            message: "content after # EOF"
        )
    }

    /// One line without its `\n`.
    private mutating func processLine<C: ExpositionConsumer>(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        into consumer: inout C
    ) throws(ExpositionError) {
        lineNumber += 1
        if n > limits.maximumLineLength {
            throw error(.lineTooLong, limits.maximumLineLength, "line longer than \(limits.maximumLineLength) bytes")
        }
        if isOpenMetrics {
            guard n > 0 else { throw error(.blankLine, 0, "blank line") }
            if b[0] == Byte.hash {
                try parseOpenMetricsComment(b, n, into: &consumer)
            } else {
                try parseSample(b, n, start: 0, into: &consumer)
            }
        } else {
            var i = 0
            while i < n && isBlank(b[i]) { i += 1 }
            if i == n { return }
            if b[i] == Byte.hash {
                try parseTextComment(b, n, hash: i, into: &consumer)
            } else {
                try parseSample(b, n, start: i, into: &consumer)
            }
        }
    }

    /// An error at 0-based `column` of the current line.
    private func error(_ code: ExpositionError.Code, _ column: Int, _ message: String) -> ExpositionError {
        ExpositionError(code: code, line: lineNumber, column: column + 1, message: message)
    }

    // MARK: Samples

    private mutating func parseSample<C: ExpositionConsumer>(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        start: Int,
        into consumer: inout C
    ) throws(ExpositionError) {
        let om = isOpenMetrics
        var i = start
        guard isMetricNameStart(b[i]) else {
            throw error(
                .invalidMetricName,
                i,
                b[i] == Byte.openBrace ? "metric name missing before label set" : "invalid metric name"
            )
        }
        i += 1
        while i < n && isMetricNameChar(b[i]) { i += 1 }
        let nameCount = i - start
        buffers.scratch.count = 0

        // Labels.
        var labelCount = 0
        var seriesEnd = i
        var j = i
        if !om { while j < n && isBlank(b[j]) { j += 1 } }
        if j < n && b[j] == Byte.openBrace {
            (i, labelCount) = try parseLabels(b, n, open: j, first: 0)
            seriesEnd = i
            if om {
                guard i < n else { throw error(.missingValue, i, "missing value") }
                guard b[i] == Byte.space else {
                    throw error(.invalidWhitespace, i, "expected one space after the label set")
                }
                i += 1
            } else {
                while i < n && isBlank(b[i]) { i += 1 }
            }
        } else {
            guard i < n else { throw error(.missingValue, i, "missing value") }
            if om {
                guard b[i] == Byte.space else { throw error(.invalidMetricName, i, "invalid character in metric name") }
                i += 1
            } else {
                guard isBlank(b[i]) else { throw error(.invalidMetricName, i, "invalid character in metric name") }
                i = j
            }
        }

        // Value.
        let valueStart = i
        if om {
            while i < n && b[i] != Byte.space { i += 1 }
        } else {
            while i < n && !isBlank(b[i]) { i += 1 }
        }
        if i == valueStart {
            if om && i < n { throw error(.invalidWhitespace, i, "expected exactly one space before the value") }
            throw error(.missingValue, i, "missing value")
        }
        guard let value = NumberParser.parseDouble(b + valueStart, i - valueStart) else {
            throw error(.invalidValue, valueStart, "invalid value \(quoted(b + valueStart, i - valueStart))")
        }

        // Timestamp, exemplar.
        var timestamp: Int64?
        var timestampSeconds: Double?
        var exemplarCodePoints: Int?
        if om {
            if i < n {
                i += 1
                guard i < n else { throw error(.invalidWhitespace, i - 1, "trailing space") }
                if b[i] != Byte.hash {
                    let tsStart = i
                    while i < n && b[i] != Byte.space { i += 1 }
                    if i == tsStart {
                        throw error(.invalidWhitespace, i, "expected exactly one space before the timestamp")
                    }
                    guard let ts = NumberParser.parseSecondsAsMilliseconds(b + tsStart, i - tsStart) else {
                        throw error(.invalidTimestamp, tsStart, "invalid timestamp \(quoted(b + tsStart, i - tsStart))")
                    }
                    timestamp = ts.milliseconds
                    timestampSeconds = ts.seconds
                    if i < n {
                        i += 1
                        guard i < n else { throw error(.invalidWhitespace, i - 1, "trailing space") }
                        guard b[i] == Byte.hash else {
                            throw error(.unexpectedToken, i, "unexpected text after timestamp")
                        }
                    }
                }
                if i < n { exemplarCodePoints = try parseExemplar(b, n, at: i, first: labelCount) }
            }
        } else {
            while i < n && isBlank(b[i]) { i += 1 }
        }
        if !om && i < n {
            let tsStart = i
            while i < n && !isBlank(b[i]) { i += 1 }
            guard let ts = NumberParser.parseInt64(b + tsStart, i - tsStart) else {
                throw error(
                    .invalidTimestamp,
                    tsStart,
                    "expected an integer timestamp in milliseconds, found \(quoted(b + tsStart, i - tsStart))"
                )
            }
            timestamp = ts
            while i < n && isBlank(b[i]) { i += 1 }
            if i < n { throw error(.unexpectedToken, i, "unexpected text after timestamp") }
        }

        // Family.
        let name = b + start
        var role = SampleRole.value
        var familyCount = nameCount
        if let resolved = resolveFamily(name, nameCount) {
            (familyCount, role) = resolved
        } else {
            try closeFamily(into: &consumer)
            openFamily(name, nameCount)
        }
        if !family.announced { try announceFamily(into: &consumer) }
        family.hasSamples = true

        let labels = UnsafeBufferPointer(start: buffers.labels, count: labelCount)
        if isStrict {
            try validator.sample(
                role: role,
                labels: labels,
                value: value,
                timestamp: timestampSeconds,
                exemplarCodePoints: exemplarCodePoints,
                line: lineNumber,
                column: valueStart + 1
            )
        }
        consumer.consume(
            SampleView(
                name: ByteView(UnsafeRawBufferPointer(start: name, count: nameCount)),
                familyName: ByteView(UnsafeRawBufferPointer(start: name, count: familyCount)),
                type: family.type,
                role: role,
                labels: labels,
                seriesText: ByteView(UnsafeRawBufferPointer(start: name, count: seriesEnd - start)),
                value: value,
                timestampMilliseconds: timestamp,
                line: lineNumber
            )
        )
    }

    /// The exemplar at `start` (its `#`); returns the code points of its label names and values.
    private mutating func parseExemplar(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        at start: Int,
        first: Int
    ) throws(ExpositionError) -> Int {
        var i = start
        guard i + 1 < n, b[i + 1] == Byte.space else {
            throw error(.invalidExemplar, i, "expected \"# \" before an exemplar")
        }
        i += 2
        guard i < n, b[i] == Byte.openBrace else {
            throw error(.invalidExemplar, i, "expected '{' to open the exemplar labels")
        }
        let (end, count) = try parseLabels(b, n, open: i, first: first)
        var codePoints = 0
        for k in first..<(first + count) {
            let label = buffers.labels![k]  // parseLabels reserved them
            codePoints += codePointCount(label.name.bytes) + codePointCount(label.value.bytes)
        }
        i = end
        guard i < n, b[i] == Byte.space else {
            throw error(.invalidExemplar, i, "expected a space and a value after the exemplar labels")
        }
        i += 1
        let valueStart = i
        while i < n && b[i] != Byte.space { i += 1 }
        guard i > valueStart, NumberParser.parseDouble(b + valueStart, i - valueStart) != nil else {
            throw error(
                .invalidExemplar,
                valueStart,
                "invalid exemplar value \(quoted(b + valueStart, i - valueStart))"
            )
        }
        if i < n {
            i += 1
            let tsStart = i
            while i < n && b[i] != Byte.space { i += 1 }
            guard i > tsStart, NumberParser.parseSecondsAsMilliseconds(b + tsStart, i - tsStart) != nil else {
                throw error(.invalidExemplar, tsStart, "invalid exemplar timestamp \(quoted(b + tsStart, i - tsStart))")
            }
            if i < n { throw error(.invalidExemplar, i, "unexpected text after the exemplar timestamp") }
        }
        return codePoints
    }

    /// Parses `{…}` whose `{` is at `open`, writing label views from index `first` of the label buffer.
    /// Returns the index after `}` and the number of labels.
    private mutating func parseLabels(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        open: Int,
        first: Int
    ) throws(ExpositionError) -> (end: Int, count: Int) {
        let om = isOpenMetrics
        var i = open + 1
        var count = 0
        if !om { while i < n && isBlank(b[i]) { i += 1 } }
        if i < n && b[i] == Byte.closeBrace { return (i + 1, 0) }
        while true {
            let nameStart = i
            guard i < n else { throw error(.invalidLabelSyntax, i, "label set not closed") }
            guard isLabelNameStart(b[i]) else { throw error(.invalidLabelName, i, "invalid label name") }
            i += 1
            while i < n && isLabelNameChar(b[i]) { i += 1 }
            let nameCount = i - nameStart
            if nameCount > limits.maximumLabelNameLength {
                throw error(
                    .labelNameTooLong,
                    nameStart,
                    "label name longer than \(limits.maximumLabelNameLength) bytes"
                )
            }
            if !om { while i < n && isBlank(b[i]) { i += 1 } }
            guard i < n, b[i] == Byte.equals else {
                throw error(
                    i < n && !isBlank(b[i]) && b[i] != Byte.quote ? .invalidLabelName : .invalidLabelSyntax,
                    i,
                    i < n && !isBlank(b[i]) && b[i] != Byte.quote
                        ? "invalid character in label name" : "expected '=' after label name"
                )
            }
            i += 1
            if !om { while i < n && isBlank(b[i]) { i += 1 } }
            guard i < n, b[i] == Byte.quote else {
                throw error(.invalidLabelSyntax, i, "expected '\"' to open the label value")
            }
            let quote = i
            let value: UnsafeRawBufferPointer
            (value, i) = try scanLabelValue(b, n, quote: quote)
            if value.count > limits.maximumLabelValueLength {
                throw error(
                    .labelValueTooLong,
                    quote + 1,
                    "label value longer than \(limits.maximumLabelValueLength) bytes"
                )
            }
            let name = UnsafeRawBufferPointer(start: b + nameStart, count: nameCount)
            if count > 0 {
                let labels = buffers.labels!  // count > 0: reserved
                for k in first..<(first + count) {
                    let other = labels[k].name.bytes
                    if other.count == nameCount && memcmp(other.baseAddress!, name.baseAddress!, nameCount) == 0 {
                        throw error(
                            .duplicateLabelName,
                            nameStart,
                            "duplicate label name \(quoted(b + nameStart, nameCount))"
                        )
                    }
                }
            }
            if count == limits.maximumLabelsPerSample {
                throw error(.tooManyLabels, nameStart, "more than \(limits.maximumLabelsPerSample) labels")
            }
            if first + count == buffers.labelCapacity {
                buffers.reserveLabels(first + count + 1)
                syncOwner()
            }
            (buffers.labels! + first + count).initialize(to: LabelView(name: ByteView(name), value: ByteView(value)))
            count += 1

            if !om { while i < n && isBlank(b[i]) { i += 1 } }
            guard i < n else { throw error(.invalidLabelSyntax, i, "label set not closed") }
            if b[i] == Byte.comma {
                i += 1
                if !om { while i < n && isBlank(b[i]) { i += 1 } }
                if i < n && b[i] == Byte.closeBrace {
                    if om { throw error(.invalidLabelSyntax, i - 1, "trailing comma in label set") }
                    return (i + 1, count)
                }
            } else if b[i] == Byte.closeBrace {
                return (i + 1, count)
            } else {
                throw error(.invalidLabelSyntax, i, "expected ',' or '}' after label value")
            }
        }
    }

    /// The label value whose opening quote is at `quote`: a view into the line when it has no backslash, else
    /// unescaped into scratch. Returns the index after the closing quote.
    private mutating func scanLabelValue(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        quote: Int
    ) throws(ExpositionError) -> (UnsafeRawBufferPointer, Int) {
        let start = quote + 1
        guard let close = memchr(b + start, Int32(Byte.quote), n - start) else {
            throw error(.unterminatedLabelValue, quote, "label value not terminated")
        }
        let closeIndex = UnsafeRawPointer(close) - UnsafeRawPointer(b)
        if memchr(b + start, Int32(Byte.backslash), closeIndex - start) == nil {
            let count = closeIndex - start
            if !isASCII(b + start, count) && !isValidUTF8(b + start, count) {
                throw error(.invalidUTF8, start, "label value is not valid UTF-8")
            }
            return (UnsafeRawBufferPointer(start: b + start, count: count), closeIndex + 1)
        }

        // Unescape. Scratch is sized to the whole line on first use in a line, so it never moves while earlier
        // values of the line point into it (unescaped values never exceed their escaped length).
        if buffers.scratch.capacity < n {
            precondition(buffers.scratch.count == 0, "scratch grown within a line")
            buffers.scratch.reserve(n)
            syncOwner()
        }
        let out = (buffers.scratch.base! + buffers.scratch.count).assumingMemoryBound(to: UInt8.self)
        var written = 0
        var high: UInt8 = 0
        var k = start
        while k < n {
            let c = b[k]
            if c == Byte.quote { break }
            if c == Byte.backslash {
                guard k + 1 < n else { break }
                let e = b[k + 1]
                switch e {
                case UInt8(ascii: "n"):
                    out[written] = Byte.newline
                    written += 1
                case Byte.backslash, Byte.quote:
                    out[written] = e
                    written += 1
                default:
                    // Prometheus keeps unknown escapes (`\t`) verbatim; OpenMetrics allows `BS normal-char`.
                    out[written] = Byte.backslash
                    out[written + 1] = e
                    written += 2
                }
                high |= e
                k += 2
            } else {
                out[written] = c
                written += 1
                high |= c
                k += 1
            }
        }
        guard k < n else { throw error(.unterminatedLabelValue, quote, "label value not terminated") }
        if high & 0x80 != 0 && !isValidUTF8(out, written) {
            throw error(.invalidUTF8, start, "label value is not valid UTF-8")
        }
        buffers.scratch.count += written
        return (UnsafeRawBufferPointer(start: out, count: written), k + 1)
    }

    // MARK: Families

    /// The family length and role of sample `name` if it belongs to the current family.
    private func resolveFamily(_ name: UnsafePointer<UInt8>, _ count: Int) -> (Int, SampleRole)? {
        guard family.isOpen else { return nil }
        let familyCount = family.nameCount
        guard count >= familyCount, memcmp(name, buffers.meta.base!, familyCount) == 0 else { return nil }
        let suffix = name + familyCount
        let suffixCount = count - familyCount
        let om = isOpenMetrics
        switch family.type {
        case .counter:
            if suffixCount == 0 { return om ? nil : (familyCount, .total) }
            if om && bytesEqual(suffix, suffixCount, "_total") { return (familyCount, .total) }
            if om && bytesEqual(suffix, suffixCount, "_created") { return (familyCount, .created) }
        case .gauge, .untyped, .unknown, .stateset:
            if suffixCount == 0 { return (familyCount, .value) }
        case .histogram:
            // Text is lenient about a bare histogram name; OpenMetrics has no such sample.
            if suffixCount == 0 { return om ? nil : (familyCount, .value) }
            if bytesEqual(suffix, suffixCount, "_bucket") { return (familyCount, .bucket) }
            if bytesEqual(suffix, suffixCount, "_count") { return (familyCount, .count) }
            if bytesEqual(suffix, suffixCount, "_sum") { return (familyCount, .sum) }
            if om && bytesEqual(suffix, suffixCount, "_created") { return (familyCount, .created) }
        case .summary:
            if suffixCount == 0 { return (familyCount, .quantile) }
            if bytesEqual(suffix, suffixCount, "_count") { return (familyCount, .count) }
            if bytesEqual(suffix, suffixCount, "_sum") { return (familyCount, .sum) }
            if om && bytesEqual(suffix, suffixCount, "_created") { return (familyCount, .created) }
        case .gaugeHistogram:
            if bytesEqual(suffix, suffixCount, "_bucket") { return (familyCount, .bucket) }
            if bytesEqual(suffix, suffixCount, "_gcount") { return (familyCount, .gcount) }
            if bytesEqual(suffix, suffixCount, "_gsum") { return (familyCount, .gsum) }
        case .info:
            if bytesEqual(suffix, suffixCount, "_info") { return (familyCount, .value) }
        }
        return nil
    }

    /// Makes `name` the current family, without metadata yet.
    private mutating func openFamily(_ name: UnsafePointer<UInt8>, _ count: Int) {
        buffers.meta.count = 0
        appendMeta(name, count)
        family = FamilyState()
        family.isOpen = true
        family.nameCount = count
        family.type = isOpenMetrics ? .unknown : .untyped
    }

    private mutating func appendMeta(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        let old = buffers.meta.base
        buffers.meta.append(bytes, count)
        if buffers.meta.base != old { syncOwner() }
    }

    /// Delivers the current family's metadata (once per family).
    private mutating func announceFamily<C: ExpositionConsumer>(into consumer: inout C) throws(ExpositionError) {
        family.announced = true
        let meta = buffers.meta
        let name = meta.view(0, family.nameCount)
        let help = family.helpCount > 0 ? meta.view(family.helpStart, family.helpCount) : nil
        let unit = family.unitCount > 0 ? meta.view(family.unitStart, family.unitCount) : nil
        if isStrict {
            try validator.familyStarted(name: name.bytes, type: family.type, unit: unit?.bytes, line: lineNumber)
        }
        consumer.familyStarted(FamilyView(name: name, type: family.type, help: help, unit: unit))
    }

    private mutating func closeFamily<C: ExpositionConsumer>(into consumer: inout C) throws(ExpositionError) {
        guard family.isOpen else { return }
        if !family.announced { try announceFamily(into: &consumer) }
        if isStrict { try validator.familyClosed() }
        family.isOpen = false
    }

    /// Starts or continues the family a metadata line names. OpenMetrics allows each kind once per family and
    /// only before its samples; text 0.0.4 lets a repeat overwrite, and metadata after samples starts a new
    /// family (Prometheus's scrape parser does not check either).
    private mutating func beginMetadata<C: ExpositionConsumer>(
        _ kind: MetadataKind,
        _ b: UnsafePointer<UInt8>,
        nameStart: Int,
        nameCount: Int,
        into consumer: inout C
    ) throws(ExpositionError) {
        let name = b + nameStart
        let sameFamily =
            family.isOpen && family.nameCount == nameCount && memcmp(name, buffers.meta.base!, nameCount) == 0
        if sameFamily && isOpenMetrics {
            if family.hasSamples {
                throw error(
                    .metadataAfterSamples,
                    0,
                    "# \(kind.keyword) for \(quoted(name, nameCount)) after its samples"
                )
            }
            let repeated =
                switch kind {
                case .help: family.hasHelp
                case .type: family.hasType
                case .unit: family.hasUnit
                }
            if repeated {
                throw error(.duplicateMetadata, 0, "second # \(kind.keyword) for \(quoted(name, nameCount))")
            }
        } else if !sameFamily || family.hasSamples {
            try closeFamily(into: &consumer)
            openFamily(name, nameCount)
        }
    }

    // MARK: Comments and metadata

    private mutating func parseTextComment<C: ExpositionConsumer>(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        hash: Int,
        into consumer: inout C
    ) throws(ExpositionError) {
        // Like Prometheus: `#` then blanks then HELP or TYPE then a blank; anything else is a comment.
        var i = hash + 1
        guard i < n, isBlank(b[i]) else { return }
        while i < n && isBlank(b[i]) { i += 1 }
        guard n - i >= 4 else { return }
        let kind: MetadataKind
        if bytesEqual(b + i, 4, "HELP") {
            kind = .help
        } else if bytesEqual(b + i, 4, "TYPE") {
            kind = .type
        } else {
            return
        }
        i += 4
        guard i == n || isBlank(b[i]) else { return }
        while i < n && isBlank(b[i]) { i += 1 }
        let nameStart = i
        guard i < n, isMetricNameStart(b[i]) else {
            throw error(.invalidMetadata, i, "expected a metric name after # \(kind.keyword)")
        }
        while i < n && isMetricNameChar(b[i]) { i += 1 }
        let nameCount = i - nameStart
        guard i == n || isBlank(b[i]) else { throw error(.invalidMetricName, i, "invalid character in metric name") }
        while i < n && isBlank(b[i]) { i += 1 }

        switch kind {
        case .help:
            guard isValidUTF8(b + i, n - i) else { throw error(.invalidUTF8, i, "HELP text is not valid UTF-8") }
            try beginMetadata(.help, b, nameStart: nameStart, nameCount: nameCount, into: &consumer)
            appendHelp(b + i, n - i, unescapeQuotes: false)
        case .type:
            let typeStart = i
            while i < n && !isBlank(b[i]) { i += 1 }
            let typeCount = i - typeStart
            while i < n && isBlank(b[i]) { i += 1 }
            guard i == n else { throw error(.unexpectedToken, i, "unexpected text after the metric type") }
            guard typeCount > 0 else { throw error(.invalidMetadata, typeStart, "missing metric type") }
            guard let type = Self.textType(b + typeStart, typeCount) else {
                throw error(.invalidMetricType, typeStart, "invalid metric type \(quoted(b + typeStart, typeCount))")
            }
            try beginMetadata(.type, b, nameStart: nameStart, nameCount: nameCount, into: &consumer)
            family.type = type
            family.hasType = true
        case .unit:
            preconditionFailure("text 0.0.4 has no # UNIT")
        }
    }

    private mutating func parseOpenMetricsComment<C: ExpositionConsumer>(
        _ b: UnsafePointer<UInt8>,
        _ n: Int,
        into consumer: inout C
    ) throws(ExpositionError) {
        guard n >= 2, b[1] == Byte.space else {
            throw error(.invalidComment, 0, "comments are not allowed in OpenMetrics")
        }
        if bytesEqual(b, n, "# EOF") {
            try closeFamily(into: &consumer)
            sawEOF = true
            return
        }
        let kind: MetadataKind
        if n >= 7 && b[6] == Byte.space && bytesEqual(b + 2, 4, "TYPE") {
            kind = .type
        } else if n >= 7 && b[6] == Byte.space && bytesEqual(b + 2, 4, "HELP") {
            kind = .help
        } else if n >= 7 && b[6] == Byte.space && bytesEqual(b + 2, 4, "UNIT") {
            kind = .unit
        } else {
            throw error(.invalidComment, 0, "comments other than # TYPE, # HELP, # UNIT and # EOF are not allowed")
        }
        var i = 7
        let nameStart = i
        guard i < n, isMetricNameStart(b[i]) else {
            throw error(.invalidMetadata, i, "expected a metric name after # \(kind.keyword)")
        }
        while i < n && isMetricNameChar(b[i]) { i += 1 }
        let nameCount = i - nameStart
        guard i < n, b[i] == Byte.space else {
            throw error(
                .invalidMetadata,
                i,
                i == n
                    ? "expected a space and the \(kind.payload) after the metric name"
                    : "invalid character in metric name"
            )
        }
        i += 1
        let payloadCount = n - i

        switch kind {
        case .type:
            guard let type = Self.openMetricsType(b + i, payloadCount) else {
                let hint = bytesEqual(b + i, payloadCount, "untyped") ? " (OpenMetrics uses unknown)" : ""
                throw error(.invalidMetricType, i, "invalid metric type \(quoted(b + i, payloadCount))\(hint)")
            }
            try beginMetadata(.type, b, nameStart: nameStart, nameCount: nameCount, into: &consumer)
            family.type = type
            family.hasType = true
        case .help:
            guard isValidUTF8(b + i, payloadCount) else { throw error(.invalidUTF8, i, "HELP text is not valid UTF-8") }
            try beginMetadata(.help, b, nameStart: nameStart, nameCount: nameCount, into: &consumer)
            appendHelp(b + i, payloadCount, unescapeQuotes: true)
        case .unit:
            for k in i..<n where !isMetricNameChar(b[k]) {
                throw error(.invalidMetadata, k, "invalid character in unit")
            }
            try beginMetadata(.unit, b, nameStart: nameStart, nameCount: nameCount, into: &consumer)
            family.hasUnit = true
            family.unitStart = buffers.meta.count
            family.unitCount = payloadCount
            appendMeta(b + i, payloadCount)
        }
    }

    /// Appends HELP text to the family metadata, unescaping `\\` and `\n` (and `\"` in OpenMetrics); other
    /// backslashes stay, as Prometheus keeps them.
    private mutating func appendHelp(_ b: UnsafePointer<UInt8>, _ n: Int, unescapeQuotes: Bool) {
        let old = buffers.meta.base
        buffers.meta.reserve(buffers.meta.count + n)
        if buffers.meta.base != old { syncOwner() }
        let start = buffers.meta.count
        let out = (buffers.meta.base! + start).assumingMemoryBound(to: UInt8.self)
        var written = 0
        var k = 0
        while k < n {
            let c = b[k]
            if c == Byte.backslash && k + 1 < n {
                let e = b[k + 1]
                if e == UInt8(ascii: "n") {
                    out[written] = Byte.newline
                    written += 1
                    k += 2
                    continue
                }
                if e == Byte.backslash || (unescapeQuotes && e == Byte.quote) {
                    out[written] = e
                    written += 1
                    k += 2
                    continue
                }
            }
            out[written] = c
            written += 1
            k += 1
        }
        buffers.meta.count += written
        family.hasHelp = true
        family.helpStart = start
        family.helpCount = written
    }

    /// Text 0.0.4 types, case-insensitive like expfmt.
    private static func textType(_ p: UnsafePointer<UInt8>, _ n: Int) -> MetricType? {
        switch n {
        case 5: NumberParser.equalsIgnoringCase(p, "gauge") ? .gauge : nil
        case 7:
            NumberParser.equalsIgnoringCase(p, "counter")
                ? .counter
                : NumberParser.equalsIgnoringCase(p, "summary")
                    ? .summary : NumberParser.equalsIgnoringCase(p, "untyped") ? .untyped : nil
        case 9: NumberParser.equalsIgnoringCase(p, "histogram") ? .histogram : nil
        default: nil
        }
    }

    /// OpenMetrics types, lowercase only (the ABNF spells them with `%d` code points).
    private static func openMetricsType(_ p: UnsafePointer<UInt8>, _ n: Int) -> MetricType? {
        if bytesEqual(p, n, "counter") { return .counter }
        if bytesEqual(p, n, "gauge") { return .gauge }
        if bytesEqual(p, n, "histogram") { return .histogram }
        if bytesEqual(p, n, "gaugehistogram") { return .gaugeHistogram }
        if bytesEqual(p, n, "summary") { return .summary }
        if bytesEqual(p, n, "info") { return .info }
        if bytesEqual(p, n, "stateset") { return .stateset }
        if bytesEqual(p, n, "unknown") { return .unknown }
        return nil
    }
}

/// The family whose metadata or samples are being read.
private struct FamilyState {
    var isOpen = false
    /// The name is `meta[0..<nameCount]`.
    var nameCount = 0
    var type = MetricType.untyped
    var hasType = false
    var hasHelp = false
    var hasUnit = false
    var helpStart = 0
    var helpCount = 0
    var unitStart = 0
    var unitCount = 0
    var hasSamples = false
    /// `familyStarted` was delivered.
    var announced = false
}

private enum MetadataKind {
    case help, type, unit

    var keyword: String {
        switch self {
        case .help: "HELP"
        case .type: "TYPE"
        case .unit: "UNIT"
        }
    }

    var payload: String {
        switch self {
        case .help: "help text"
        case .type: "type"
        case .unit: "unit"
        }
    }
}

/// A token for an error message: quoted, invalid UTF-8 repaired, cut at 64 bytes.
func quoted(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    let shown = UnsafeBufferPointer(start: p, count: Swift.min(n, 64))
    return "\"" + String(decoding: shown, as: UTF8.self) + (n > 64 ? "…\"" : "\"")
}
