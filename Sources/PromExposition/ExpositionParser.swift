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
    //
    // Structure (for speed): the generic entry points (`parse(_:into:)`, `finish(into:)`) are `@inlinable`, so
    // they are specialised for the consumer in the caller's module; they only hand over what the non-generic
    // core (`_step()`) leaves in `_sample`, `_family0` and `_family1`. The core parses complete lines where they
    // lie in the chunk: a fast path for the common shape of a sample line (`name{l="v",…} value[ ts]`, single
    // spaces, no escapes) and the general line parser for everything else, including every error.

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
    @usableFromInline var failure: ExpositionError?

    // What `_step()` found, for the inlinable entry points to deliver (see `Events`). Views are valid until the
    // next `_step()`.
    @usableFromInline var _sample: SampleView
    @usableFromInline var _family0: FamilyView
    @usableFromInline var _family1: FamilyView
    private var events: UInt8 = 0

    // The chunk being parsed: lines start at `cursor`; complete lines end before `linesEnd` (one past the
    // chunk's last newline); `chunkEnd` bounds reads. All equal when no chunk is being parsed.
    private var cursor: UnsafePointer<UInt8>
    private var linesEnd: UnsafePointer<UInt8>
    private var chunkEnd: UnsafePointer<UInt8>
    /// The carry buffer holds a complete line (with its `\n`) to parse before the chunk's lines.
    private var pendingCarryLine = false
    /// `finish(into:)` is in progress: after the lines, check `# EOF` and close the family.
    private var finishing = false

    // Fast-path caches (see `fastSample`). `nameCacheCount` is the cached name's length plus its terminator,
    // 0 when the cache is invalid: it is valid only while the family it resolved into stays open.
    private var nameCacheCount = 0
    private var nameCacheFamilyCount = 0
    private var nameCacheRole = SampleRole.value
    private var templateCount = 0
    /// The template's length in bytes.
    private var templateTotal = 0

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
        let empty = ByteView(UnsafeRawBufferPointer(start: nil, count: 0))
        self._sample = SampleView(
            name: empty,
            familyName: empty,
            type: .untyped,
            role: .value,
            labels: UnsafeBufferPointer(start: nil, count: 0),
            seriesText: empty,
            value: 0,
            timestampMilliseconds: nil,
            line: 0
        )
        self._family0 = FamilyView(name: empty, type: .untyped, help: nil, unit: nil)
        self._family1 = _family0
        self.cursor = Self.noChunk
        self.linesEnd = Self.noChunk
        self.chunkEnd = Self.noChunk
    }

    /// Stands for "no chunk" in `cursor`/`linesEnd`/`chunkEnd`; never dereferenced.
    private static var noChunk: UnsafePointer<UInt8> { UnsafePointer(bitPattern: 0x10)! }

    /// Parses one chunk of the body. Complete lines are delivered to `consumer` before this returns; an
    /// incomplete last line waits for the next chunk or ``finish(into:)``.
    ///
    /// - Parameters:
    ///   - chunk: the next bytes of the body, split anywhere.
    ///   - consumer: receives families and samples; views are valid only during each call.
    /// - Throws: ``ExpositionError`` on the first malformed line or exceeded limit.
    @inlinable
    public mutating func parse<C: ExpositionConsumer>(
        _ chunk: UnsafeRawBufferPointer,
        into consumer: inout C
    ) throws(ExpositionError) {
        var events = _beginChunk(chunk)
        while true {
            if events == Events.sample {
                consumer.consume(_sample)
            } else {
                if events & Events.family0 != 0 { consumer.familyStarted(_family0) }
                if events & Events.family1 != 0 { consumer.familyStarted(_family1) }
                if events & Events.sample != 0 { consumer.consume(_sample) }
                if events & Events.failed != 0 { throw _failure() }
                if events & Events.done != 0 { return }
            }
            events = _step()
        }
    }

    /// Ends the input: parses a last line without `\n` (accepted in text 0.0.4, as Prometheus's scrape parser
    /// does), requires `# EOF` in OpenMetrics, and announces a trailing family that had metadata but no samples.
    ///
    /// - Throws: ``ExpositionError`` for a malformed last line or a missing `# EOF`.
    @inlinable
    public mutating func finish<C: ExpositionConsumer>(into consumer: inout C) throws(ExpositionError) {
        var events = _beginFinish()
        while true {
            if events & Events.family0 != 0 { consumer.familyStarted(_family0) }
            if events & Events.family1 != 0 { consumer.familyStarted(_family1) }
            if events & Events.sample != 0 { consumer.consume(_sample) }
            if events & Events.failed != 0 { throw _failure() }
            if events & Events.done != 0 { return }
            events = _step()
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
        events = 0
        endChunk()
        pendingCarryLine = false
        finishing = false
        nameCacheCount = 0
    }

    /// Parses a whole exposition held in memory.
    ///
    /// - Throws: ``ExpositionError`` on the first malformed line, exceeded limit or missing `# EOF`.
    @inlinable
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
    @inlinable
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

    // MARK: Core: chunks and lines

    /// What `_step()` leaves for the entry points, as bits, delivered in this order.
    @usableFromInline
    enum Events {
        /// `_family0` holds a family to announce.
        @usableFromInline static var family0: UInt8 { 1 }
        /// `_family1` holds a second family to announce (after `_family0`).
        @usableFromInline static var family1: UInt8 { 2 }
        /// `_sample` holds a sample.
        @usableFromInline static var sample: UInt8 { 4 }
        /// Parsing failed: throw `failure` (after delivering the other events).
        @usableFromInline static var failed: UInt8 { 8 }
        /// The chunk (or the input, in `finish`) is done.
        @usableFromInline static var done: UInt8 { 16 }
    }

    @usableFromInline
    func _failure() -> ExpositionError { failure! }  // Set whenever `Events.failed` is returned.

    /// Starts parsing `chunk`, and parses up to the first event.
    @usableFromInline
    mutating func _beginChunk(_ chunk: UnsafeRawBufferPointer) -> UInt8 {
        if failure != nil { return Events.failed }
        precondition(!finished, "ExpositionParser.parse after finish(into:); call reset() first")
        makeUnique()
        guard let start = chunk.baseAddress, chunk.count > 0 else { return Events.done }
        events = 0
        do throws(ExpositionError) {
            if sawEOF { throw contentAfterEOF() }
            let bytes = start.assumingMemoryBound(to: UInt8.self)
            let end = bytes + chunk.count
            var first = bytes
            if buffers.carry.count > 0 {
                guard let newline = memchr(start, Int32(Byte.newline), chunk.count) else {
                    try appendCarry(bytes, chunk.count)
                    return Events.done
                }
                let length = UnsafeRawPointer(newline) - start
                try appendCarry(bytes, length)
                appendCarryNewline()
                pendingCarryLine = true
                first = bytes + length + 1
            }
            // Complete lines end at the last newline; memchr found one above if a carry line is pending.
            var last = end
            while last > first && last[-1] != Byte.newline { last -= 1 }
            cursor = first
            linesEnd = last
            chunkEnd = end
        } catch {
            failure = error
            return Events.failed
        }
        return _step()
    }

    /// Starts `finish(into:)`, and parses up to the first event.
    @usableFromInline
    mutating func _beginFinish() -> UInt8 {
        if failure != nil { return Events.failed }
        precondition(!finished, "ExpositionParser.finish called twice; call reset() first")
        makeUnique()
        events = 0
        endChunk()
        if buffers.carry.count > 0 {
            appendCarryNewline()
            pendingCarryLine = true
        }
        finishing = true
        return _step()
    }

    private mutating func endChunk() {
        cursor = Self.noChunk
        linesEnd = Self.noChunk
        chunkEnd = Self.noChunk
    }

    /// Parses lines until one yields an event, or to the end of the chunk (then keeps an incomplete last line in
    /// the carry buffer) or, in `finish`, of the input.
    @usableFromInline
    mutating func _step() -> UInt8 {
        events = 0
        do throws(ExpositionError) {
            if pendingCarryLine {
                pendingCarryLine = false
                // The carry buffer is not touched again until the chunk's lines are parsed and delivered.
                try parseCarryLine()
                if sawEOF && cursor < chunkEnd { throw contentAfterEOF() }
                if events != 0 { return events }
            }
            var p = cursor
            let end = linesEnd
            let limit = chunkEnd
            while p < end {
                p = try parseLine(p, limit)
                if events != 0 {
                    cursor = p
                    if sawEOF && p < limit { throw contentAfterEOF() }
                    return events
                }
                if sawEOF && p < limit { throw contentAfterEOF() }
            }
            cursor = p
            if finishing {
                finishing = false
                if isOpenMetrics && !sawEOF {
                    throw ExpositionError(
                        code: .missingEOF,
                        line: lineNumber + 1,
                        column: 1,
                        message: "OpenMetrics exposition does not end with # EOF"
                    )
                }
                try closeFamily()
                finished = true
                return events | Events.done
            }
            if p < limit { try appendCarry(p, limit - p) }
            endChunk()
            return events | Events.done
        } catch {
            failure = error
            return events | Events.failed
        }
    }

    /// Parses the line in the carry buffer (out of line, so `parseLine` is inlined only into the chunk loop).
    @inline(never)
    private mutating func parseCarryLine() throws(ExpositionError) {
        let base = buffers.carry.base!.assumingMemoryBound(to: UInt8.self)  // count > 0
        let count = buffers.carry.count
        buffers.carry.count = 0
        _ = try parseLine(base, base + count)
    }

    /// Parses the complete line at `line` (a newline lies before `limit`, the end of readable memory); returns
    /// the start of the next line.
    @inline(__always)
    private mutating func parseLine(
        _ line: UnsafePointer<UInt8>,
        _ limit: UnsafePointer<UInt8>
    ) throws(ExpositionError) -> UnsafePointer<UInt8> {
        let first = line[0]
        if isMetricNameStart(first) {
            if let next = try fastSample(line, limit) { return next }
        } else if first == Byte.hash {
            if let next = try fastComment(line, limit) { return next }
        }
        return try slowLine(line, limit)
    }

    /// The general line parser, for every line the fast path declines.
    @inline(never)
    private mutating func slowLine(
        _ line: UnsafePointer<UInt8>,
        _ limit: UnsafePointer<UInt8>
    ) throws(ExpositionError) -> UnsafePointer<UInt8> {
        // A newline lies before `limit`.
        let newline = UnsafePointer<UInt8>(
            memchr(line, Int32(Byte.newline), limit - line)!.assumingMemoryBound(to: UInt8.self)
        )
        try processLine(line, newline - line)
        return newline + 1
    }

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&owner) else { return }
        // Only the carry and metadata hold state between calls; scratch and label views live for one line, and
        // the fast-path caches start empty.
        var copy = ParserBufferSet()
        copy.carry = buffers.carry.copy()
        copy.meta = buffers.meta.copy()
        buffers = copy
        owner = ParserBufferOwner(copy)
        nameCacheCount = 0
        templateCount = 0
    }

    /// Mirrors moved buffer pointers into `owner`, which frees them.
    @inline(__always)
    private mutating func syncOwner() { owner.buffers = buffers }

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

    /// Ends the carried line with the newline the line parsers stop at (not counted against the line limit).
    private mutating func appendCarryNewline() {
        let old = buffers.carry.base
        buffers.carry.append(Byte.newline)
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

    // MARK: Fast path

    /// Parses a sample line of the common shape — `name{label="value",…} value[ timestamp]\n` with single spaces,
    /// label values without backslashes, no exemplar — and returns the start of the next line; returns `nil`,
    /// having changed nothing that `processLine` depends on, for any other line, which then goes to the general
    /// parser (so every error and every unusual form is handled, and reported, there).
    ///
    /// Hot loop: unsafe pointers throughout. `limit` is the end of readable memory; a newline lies before it, so
    /// byte loops stop at the newline at the latest; eight-byte loads check `limit` first.
    ///
    /// Two caches replace per-byte validation where lines repeat themselves: the last sample name (with the byte
    /// after it) and its family and role, and a template of label names (each with `="`). A line that matches
    /// them word by word has the same, already validated, names.
    @inline(__always)
    private mutating func fastSample(
        _ line: UnsafePointer<UInt8>,
        _ limit: UnsafePointer<UInt8>
    ) throws(ExpositionError) -> UnsafePointer<UInt8>? {
        let om = isOpenMetrics
        var p = line

        // Name.
        var nameCount: Int
        let cacheHit: Bool
        let cached = nameCacheCount
        if cached > 0 && limit - p > cached
            && wordsEqual(p, UnsafeRawPointer(buffers.nameCache.base!), cached)  // cached > 0: allocated
        {
            nameCount = cached - 1
            cacheHit = true
        } else {
            var q = p + 1
            // The family name, when the sample starts with it, needs no validation.
            let familyCount = family.nameCount
            if family.isOpen && familyCount > 1 && limit - p > familyCount
                && wordsEqual(p, UnsafeRawPointer(buffers.meta.base!), familyCount)  // open family: allocated
            {
                q = p + familyCount
            }
            q = scanMetricNameChars(q, limit)
            nameCount = q - p
            cacheHit = false
        }
        p += nameCount

        // Labels.
        var labelCount = 0
        var templateMiss = false
        let seriesEnd: UnsafePointer<UInt8>
        if p[0] == Byte.openBrace {
            p += 1
            if p[0] == Byte.closeBrace {
                p += 1
            } else {
                let maximumNameLength = limits.maximumLabelNameLength
                // The template: entries of an Int32 length and that many bytes (a label name and `="`), ended by a
                // length of 0; `template` is the next entry to compare, nil after the first miss. Each comparison
                // checks the chunk still holds `length` bytes: `p` also moves past label values (fuzzer-found
                // overflow when the room was checked once, against `templateTotal`, at the first label).
                var template = templateCount > 0 ? UnsafeRawPointer(buffers.template.base) : nil
                var labels = buffers.labels
                var labelCapacity = buffers.labelCapacity
                while true {
                    let nameStart = p
                    var matched = false
                    if let entry = template {
                        let length = Int(entry.loadUnaligned(as: Int32.self))
                        if length > 0 && limit - p > length && wordsEqual(p, entry + 4, length) {
                            p += length
                            template = entry + 4 + length
                            matched = true
                        } else {
                            template = nil
                            templateMiss = true
                        }
                    } else {
                        templateMiss = true
                    }
                    if !matched {
                        guard isLabelNameStart(p[0]) else { return nil }
                        p += 1
                        while isLabelNameChar(p[0]) { p += 1 }
                        guard p[0] == Byte.equals && p[1] == Byte.quote, p - nameStart <= maximumNameLength
                        else { return nil }
                        p += 2
                    }
                    let nameEnd = p - 2

                    // Value: to the closing quote, eight bytes at a time. Stops at a quote, backslash, newline,
                    // other bytes below `"` (spaces: skipped) and non-ASCII bytes (skipped, validated below).
                    let valueStart = p
                    var nonASCII = false
                    while true {
                        if limit - p >= 8 {
                            let m = swarLabelValueStops(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                            if m == 0 {
                                p += 8
                                continue
                            }
                            p += m.trailingZeroBitCount &>> 3
                        }
                        let c = p[0]
                        if c == Byte.quote { break }
                        if c == Byte.backslash || c == Byte.newline { return nil }
                        if c >= 0x80 { nonASCII = true }
                        p += 1
                    }
                    // Value lengths and the label count are checked once the line is parsed.
                    let valueCount = p - valueStart
                    if nonASCII && !isValidUTF8(valueStart, valueCount) { return nil }
                    if labelCount == labelCapacity {
                        buffers.reserveLabels(labelCount + 1)
                        syncOwner()
                        labels = buffers.labels
                        labelCapacity = buffers.labelCapacity
                    }
                    (labels! + labelCount).initialize(  // reserved above
                        to: LabelView(
                            name: ByteView(UnsafeRawBufferPointer(start: nameStart, count: nameEnd - nameStart)),
                            value: ByteView(UnsafeRawBufferPointer(start: valueStart, count: valueCount))
                        )
                    )
                    labelCount += 1
                    p += 1
                    if p[0] == Byte.comma {
                        p += 1
                        if p[0] == Byte.closeBrace {
                            if om { return nil }  // a trailing comma: an OpenMetrics error
                            p += 1
                            break
                        }
                    } else if p[0] == Byte.closeBrace {
                        p += 1
                        break
                    } else {
                        return nil
                    }
                }
                guard labelCount <= limits.maximumLabelsPerSample else { return nil }
                // Names that matched the template (a prefix of it) are distinct; otherwise check.
                if templateMiss && labelCount > 1 && Self.hasDuplicateName(labels!, labelCount) { return nil }
            }
            seriesEnd = p
        } else {
            seriesEnd = p
        }
        guard p[0] == Byte.space else { return nil }
        p += 1

        // Value: integers and short decimals exactly (Clinger's fast path: a mantissa of at most 2^53 and a power
        // of ten of at most 10^22 are exact doubles, so one IEEE operation rounds as strtod does); anything else
        // through NumberParser.
        let valueStart = p
        var value: Double
        var q = p
        let negative = q[0] == UInt8(ascii: "-")
        if negative { q += 1 }
        var mantissa: UInt64 = 0
        let digitsStart = q
        while true {
            let d = q[0] &- UInt8(ascii: "0")
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            q += 1
        }
        var digits = q - digitsStart
        var exponent = 0
        if q[0] == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            while true {
                let d = q[0] &- UInt8(ascii: "0")
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                q += 1
            }
            exponent = fractionStart - q
            digits += q - fractionStart
        }
        if q[0] | 0x20 == UInt8(ascii: "e") && digits > 0 {
            var r = q + 1
            let exponentNegative = r[0] == UInt8(ascii: "-")
            if exponentNegative || r[0] == UInt8(ascii: "+") { r += 1 }
            let exponentStart = r
            var e = 0
            while r - exponentStart < 4 {
                let d = r[0] &- UInt8(ascii: "0")
                if d > 9 { break }
                e = e &* 10 &+ Int(d)
                r += 1
            }
            if r == exponentStart { digits = 0 }  // not a number: let NumberParser decide
            exponent += exponentNegative ? -e : e
            q = r
        }
        if digits > 0 && digits <= 19 && (q[0] == Byte.space || q[0] == Byte.newline) && mantissa <= 1 << 53
            && exponent >= -22 && exponent <= 22
        {
            let m = Double(mantissa)
            value =
                exponent >= 0 ? m * NumberParser.exactPowerOfTen(exponent) : m / NumberParser.exactPowerOfTen(-exponent)
            if negative { value = -value }
        } else if digits > 0 && digits <= 19 && (q[0] == Byte.space || q[0] == Byte.newline),
            let v = NumberParser.eiselLemire(mantissa, exponent, negative: negative)
        {
            value = v
        } else {
            q = valueStart
            while q[0] != Byte.space && q[0] != Byte.newline && q[0] != Byte.tab { q += 1 }
            guard q[0] != Byte.tab, let v = NumberParser.parseDouble(valueStart, q - valueStart) else { return nil }
            value = v
        }

        // Timestamp.
        var timestamp: Int64?
        var timestampSeconds: Double?
        if q[0] == Byte.space {
            q += 1
            let timestampStart = q
            if om {
                while q[0] != Byte.space && q[0] != Byte.newline { q += 1 }
                // A space: an exemplar follows, or a trailing space.
                guard q[0] == Byte.newline,
                    let ts = NumberParser.parseSecondsAsMilliseconds(timestampStart, q - timestampStart)
                else { return nil }
                timestamp = ts.milliseconds
                timestampSeconds = ts.seconds
            } else {
                let timestampNegative = q[0] == UInt8(ascii: "-")
                if timestampNegative { q += 1 }
                let digitsStart = q
                var t: Int64 = 0
                while true {
                    let d = q[0] &- UInt8(ascii: "0")
                    if d > 9 { break }
                    t = t &* 10 &+ Int64(d)
                    q += 1
                }
                let count = q - digitsStart
                if count > 0 && count <= 18 && q[0] == Byte.newline {
                    timestamp = timestampNegative ? -t : t
                } else {
                    q = timestampStart
                    while q[0] != Byte.space && q[0] != Byte.newline && q[0] != Byte.tab { q += 1 }
                    guard q[0] == Byte.newline, let t = NumberParser.parseInt64(timestampStart, q - timestampStart)
                    else { return nil }
                    timestamp = t
                }
            }
        }
        guard q[0] == Byte.newline, q - line <= limits.maximumLineLength else { return nil }
        // A label value is shorter than its line: check lengths only for lines longer than the limit.
        if q - line > limits.maximumLabelValueLength {
            // labelCount > 0: the label buffer is allocated.
            for k in 0..<labelCount where buffers.labels![k].value.count > limits.maximumLabelValueLength {
                return nil
            }
        }

        // The line is valid: commit.
        lineNumber += 1
        var role: SampleRole
        var familyCount: Int
        if cacheHit {
            role = nameCacheRole
            familyCount = nameCacheFamilyCount
        } else {
            if let resolved = resolveFamily(line, nameCount) {
                (familyCount, role) = resolved
            } else {
                try closeFamily()
                openFamily(line, nameCount)
                familyCount = nameCount
                role = SampleRole.value
            }
            if !family.announced { try announceFamily() }
            family.hasSamples = true
            cacheName(line, nameCount + 1, familyCount: familyCount, role: role)
        }
        if templateMiss { cacheTemplate(labelCount) }

        let labels = UnsafeBufferPointer(start: UnsafePointer(buffers.labels), count: labelCount)
        if isStrict {
            try validator.sample(
                role: role,
                labels: labels,
                value: value,
                timestamp: timestampSeconds,
                exemplarCodePoints: nil,
                line: lineNumber,
                column: valueStart - line + 1
            )
        }
        _sample = SampleView(
            name: ByteView(UnsafeRawBufferPointer(start: line, count: nameCount)),
            familyName: ByteView(UnsafeRawBufferPointer(start: line, count: familyCount)),
            type: family.type,
            role: role,
            labels: labels,
            seriesText: ByteView(UnsafeRawBufferPointer(start: line, count: seriesEnd - line)),
            value: value,
            timestampMilliseconds: timestamp,
            line: lineNumber
        )
        events |= Events.sample
        return q + 1
    }

    /// Parses a text-format `# HELP name text` or `# TYPE name type` line of the usual shape — single spaces,
    /// ASCII help text without backslashes, a lowercase type — and returns the start of the next line; `nil`
    /// (having changed nothing) for any other line. Help text is checked and copied in one pass, eight bytes at a
    /// time. Unsafe pointers as in `fastSample`.
    @inline(__always)
    private mutating func fastComment(
        _ line: UnsafePointer<UInt8>,
        _ limit: UnsafePointer<UInt8>
    ) throws(ExpositionError) -> UnsafePointer<UInt8>? {
        guard !isOpenMetrics, limit - line >= 16 else { return nil }
        // "# HELP " and "# TYPE " as little-endian words (seven bytes).
        let head = UnsafeRawPointer(line).loadUnaligned(as: UInt64.self) & 0x00FF_FFFF_FFFF_FFFF
        let isHelp: Bool
        if head == 0x20_504C_4548_2023 {
            isHelp = true
        } else if head == 0x20_4550_5954_2023 {
            isHelp = false
        } else {
            return nil
        }
        let name = line + 7
        guard isMetricNameStart(name[0]) else { return nil }
        var p: UnsafePointer<UInt8>
        let familyCount = family.nameCount
        // The open family's name (TYPE after HELP): then, before its samples, the line only adds metadata.
        var sameFamily = false
        if family.isOpen && limit - name > familyCount && name[familyCount] == Byte.space
            && wordsEqual(name, UnsafeRawPointer(buffers.meta.base!), familyCount)  // open family: allocated
        {
            p = name + familyCount
            sameFamily = true
        } else {
            p = scanMetricNameChars(name + 1, limit)
        }
        guard p[0] == Byte.space else { return nil }
        let nameCount = p - name
        p += 1
        if isHelp {
            let text = p
            guard !isBlank(text[0]) else { return nil }
            // To the newline, sixteen bytes at a time; a backslash or a non-ASCII byte goes to the general parser.
            // Stops at control bytes too: a tab is skipped.
            while true {
                if limit - p >= 16 {
                    let m0 = swarHelpStops(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                    let m1 = swarHelpStops(UnsafeRawPointer(p).loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    if m0 | m1 == 0 {
                        p += 16
                        continue
                    }
                    p += m0 != 0 ? m0.trailingZeroBitCount &>> 3 : 8 &+ m1.trailingZeroBitCount &>> 3
                }
                let c = p[0]
                if c == Byte.newline { break }
                if c == Byte.backslash || c >= 0x80 { return nil }
                p += 1
            }
            guard p - line <= limits.maximumLineLength else { return nil }
            lineNumber += 1
            if sameFamily && !family.hasSamples {
                nameCacheCount = 0
            } else {
                try beginMetadata(.help, name, nameStart: 0, nameCount: nameCount)
            }
            let textCount = p - text
            let old = buffers.meta.base
            let start = buffers.meta.count
            buffers.meta.append(text, textCount)
            if buffers.meta.base != old { syncOwner() }
            family.hasHelp = true
            family.helpStart = start
            family.helpCount = textCount
            return p + 1
        }
        // The type and the newline, compared as words.
        guard limit - p >= 16 else { return nil }
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let type: MetricType
        let count: Int
        if w == 0x0A72_6574_6E75_6F63 {  // "counter\n"
            type = .counter
            count = 8
        } else if w & 0xFFFF_FFFF_FFFF == 0x0A_6567_7561_67 {  // "gauge\n"
            type = .gauge
            count = 6
        } else if w == 0x6172_676F_7473_6968 && p[8] == UInt8(ascii: "m") && p[9] == Byte.newline {  // "histogram\n"
            type = .histogram
            count = 10
        } else if w == 0x0A79_7261_6D6D_7573 {  // "summary\n"
            type = .summary
            count = 8
        } else if w == 0x0A64_6570_7974_6E75 {  // "untyped\n"
            type = .untyped
            count = 8
        } else {
            return nil
        }
        guard p + count - 1 - line <= limits.maximumLineLength else { return nil }
        lineNumber += 1
        if sameFamily && !family.hasSamples {
            nameCacheCount = 0
        } else {
            try beginMetadata(.type, name, nameStart: 0, nameCount: nameCount)
        }
        family.type = type
        family.hasType = true
        return p + count
    }

    private static func hasDuplicateName(_ labels: UnsafeMutablePointer<LabelView>, _ count: Int) -> Bool {
        for j in 1..<count {
            let name = labels[j].name
            for k in 0..<j where labels[k].name == name { return true }
        }
        return false
    }

    /// Remembers the sample name `line[0..<count]` (its last byte is the one after the name) and its family.
    private mutating func cacheName(_ line: UnsafePointer<UInt8>, _ count: Int, familyCount: Int, role: SampleRole) {
        buffers.nameCache.count = 0
        let old = buffers.nameCache.base
        buffers.nameCache.append(line, count)
        if buffers.nameCache.base != old { syncOwner() }
        nameCacheCount = count
        nameCacheFamilyCount = familyCount
        nameCacheRole = role
    }

    /// Makes the first `count` label names of the current sample the template.
    private mutating func cacheTemplate(_ count: Int) {
        let labels = buffers.labels!  // count > 0
        var template = buffers.template
        let oldTemplate = template.base
        template.count = 0
        for k in 0..<count {
            let name = labels[k].name.bytes
            var length = Int32(name.count + 2)
            withUnsafeBytes(of: &length) { template.append($0.baseAddress!, 4) }
            template.append(name.baseAddress!, name.count)  // label names are not empty
            template.append(Byte.equals)
            template.append(Byte.quote)
        }
        var end: Int32 = 0
        withUnsafeBytes(of: &end) { template.append($0.baseAddress!, 4) }
        buffers.template = template
        if template.base != oldTemplate { syncOwner() }
        templateCount = count
        templateTotal = template.count
    }

    /// One line without its `\n`.
    @inline(never)
    private mutating func processLine(_ b: UnsafePointer<UInt8>, _ n: Int) throws(ExpositionError) {
        lineNumber += 1
        if n > limits.maximumLineLength {
            throw error(.lineTooLong, limits.maximumLineLength, "line longer than \(limits.maximumLineLength) bytes")
        }
        if isOpenMetrics {
            guard n > 0 else { throw error(.blankLine, 0, "blank line") }
            if b[0] == Byte.hash {
                try parseOpenMetricsComment(b, n)
            } else {
                try parseSample(b, n, start: 0)
            }
        } else {
            var i = 0
            while i < n && isBlank(b[i]) { i += 1 }
            if i == n { return }
            if b[i] == Byte.hash {
                try parseTextComment(b, n, hash: i)
            } else {
                try parseSample(b, n, start: i)
            }
        }
    }

    /// An error at 0-based `column` of the current line.
    private func error(_ code: ExpositionError.Code, _ column: Int, _ message: String) -> ExpositionError {
        ExpositionError(code: code, line: lineNumber, column: column + 1, message: message)
    }

    // MARK: Samples

    private mutating func parseSample(_ b: UnsafePointer<UInt8>, _ n: Int, start: Int) throws(ExpositionError) {
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
            try closeFamily()
            openFamily(name, nameCount)
        }
        if !family.announced { try announceFamily() }
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
        _sample = SampleView(
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
        events |= Events.sample
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
    // `mutating` only so `self` is passed by reference: a non-mutating call from a mutating context copies the
    // whole parser.
    private mutating func resolveFamily(_ name: UnsafePointer<UInt8>, _ count: Int) -> (Int, SampleRole)? {
        guard family.isOpen else { return nil }
        let familyCount = family.nameCount
        guard count >= familyCount, wordsEqual(name, UnsafeRawPointer(buffers.meta.base!), familyCount) else {
            return nil
        }
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

    /// Makes `name` the current family, without metadata yet. The previous family's metadata moves to `metaAlt`,
    /// where a view of it announced by `closeFamily` stays valid while this line is delivered.
    private mutating func openFamily(_ name: UnsafePointer<UInt8>, _ count: Int) {
        // `owner` frees both stores whichever is which: a swap needs no syncOwner().
        swap(&buffers.meta, &buffers.metaAlt)
        buffers.meta.count = 0
        appendMeta(name, count)
        nameCacheCount = 0
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
    private mutating func announceFamily() throws(ExpositionError) {
        family.announced = true
        let meta = buffers.meta
        let name = meta.view(0, family.nameCount)
        let help = family.helpCount > 0 ? meta.view(family.helpStart, family.helpCount) : nil
        let unit = family.unitCount > 0 ? meta.view(family.unitStart, family.unitCount) : nil
        if isStrict {
            try validator.familyStarted(name: name.bytes, type: family.type, unit: unit?.bytes, line: lineNumber)
        }
        let view = FamilyView(name: name, type: family.type, help: help, unit: unit)
        if events & Events.family0 == 0 {
            _family0 = view
            events |= Events.family0
        } else {
            // A line announces at most two families: the one it closes and the one it opens.
            precondition(events & Events.family1 == 0, "three families announced by one line")
            _family1 = view
            events |= Events.family1
        }
    }

    private mutating func closeFamily() throws(ExpositionError) {
        nameCacheCount = 0
        guard family.isOpen else { return }
        if !family.announced { try announceFamily() }
        if isStrict { try validator.familyClosed() }
        family.isOpen = false
    }

    /// Starts or continues the family a metadata line names. OpenMetrics allows each kind once per family and
    /// only before its samples; text 0.0.4 lets a repeat overwrite, and metadata after samples starts a new
    /// family (Prometheus's scrape parser does not check either).
    private mutating func beginMetadata(
        _ kind: MetadataKind,
        _ b: UnsafePointer<UInt8>,
        nameStart: Int,
        nameCount: Int
    ) throws(ExpositionError) {
        nameCacheCount = 0
        let name = b + nameStart
        let sameFamily =
            family.isOpen && family.nameCount == nameCount
            && wordsEqual(name, UnsafeRawPointer(buffers.meta.base!), nameCount)  // open family: allocated
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
            try closeFamily()
            openFamily(name, nameCount)
        }
    }

    // MARK: Comments and metadata

    private mutating func parseTextComment(_ b: UnsafePointer<UInt8>, _ n: Int, hash: Int) throws(ExpositionError) {
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
        i = skipMetricName(b, n, i)
        let nameCount = i - nameStart
        guard i == n || isBlank(b[i]) else { throw error(.invalidMetricName, i, "invalid character in metric name") }
        while i < n && isBlank(b[i]) { i += 1 }

        switch kind {
        case .help:
            guard isValidUTF8(b + i, n - i) else { throw error(.invalidUTF8, i, "HELP text is not valid UTF-8") }
            try beginMetadata(.help, b, nameStart: nameStart, nameCount: nameCount)
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
            try beginMetadata(.type, b, nameStart: nameStart, nameCount: nameCount)
            family.type = type
            family.hasType = true
        case .unit:
            preconditionFailure("text 0.0.4 has no # UNIT")
        }
    }

    private mutating func parseOpenMetricsComment(_ b: UnsafePointer<UInt8>, _ n: Int) throws(ExpositionError) {
        guard n >= 2, b[1] == Byte.space else {
            throw error(.invalidComment, 0, "comments are not allowed in OpenMetrics")
        }
        if bytesEqual(b, n, "# EOF") {
            try closeFamily()
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
        i = skipMetricName(b, n, i)
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
            try beginMetadata(.type, b, nameStart: nameStart, nameCount: nameCount)
            family.type = type
            family.hasType = true
        case .help:
            guard isValidUTF8(b + i, payloadCount) else { throw error(.invalidUTF8, i, "HELP text is not valid UTF-8") }
            try beginMetadata(.help, b, nameStart: nameStart, nameCount: nameCount)
            appendHelp(b + i, payloadCount, unescapeQuotes: true)
        case .unit:
            for k in i..<n where !isMetricNameChar(b[k]) {
                throw error(.invalidMetadata, k, "invalid character in unit")
            }
            try beginMetadata(.unit, b, nameStart: nameStart, nameCount: nameCount)
            family.hasUnit = true
            family.unitStart = buffers.meta.count
            family.unitCount = payloadCount
            appendMeta(b + i, payloadCount)
        }
    }

    /// The end of the metric name starting at `b[i]` (a valid first byte) in the line `b[0..<n]`, whose newline
    /// `b[n]` is readable. A name equal to the open family's (HELP then TYPE) is recognised by comparison.
    /// (`mutating`: see `resolveFamily`.)
    private mutating func skipMetricName(_ b: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        let familyCount = family.nameCount
        if family.isOpen && n - i > familyCount && !isMetricNameChar(b[i + familyCount])
            && wordsEqual(b + i, UnsafeRawPointer(buffers.meta.base!), familyCount)  // open family: allocated
        {
            return i + familyCount
        }
        return Swift.min(scanMetricNameChars(b + i + 1, b + n + 1) - b, n)
    }

    /// Appends HELP text to the family metadata, unescaping `\\` and `\n` (and `\"` in OpenMetrics); other
    /// backslashes stay, as Prometheus keeps them.
    private mutating func appendHelp(_ b: UnsafePointer<UInt8>, _ n: Int, unescapeQuotes: Bool) {
        let old = buffers.meta.base
        buffers.meta.reserve(buffers.meta.count + n)
        if buffers.meta.base != old { syncOwner() }
        let start = buffers.meta.count
        let out = (buffers.meta.base! + start).assumingMemoryBound(to: UInt8.self)
        // Copy up to the first backslash (usually the whole text) in one go.
        var k = n
        if let backslash = memchr(b, Int32(Byte.backslash), n) {
            k = UnsafeRawPointer(backslash) - UnsafeRawPointer(b)
        }
        UnsafeMutableRawPointer(out).copyMemory(from: b, byteCount: k)
        var written = k
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
