// libFuzzer entry point for PromExposition's streaming parser.
//
// Every input is parsed in both formats (text 0.0.4, OpenMetrics) and both validation modes, whole and split
// into chunks at offsets derived from the input, into a checking consumer, a `SampleBatch` and
// `ExpositionStatistics`. Any disagreement between those parses, or a delivered sample that breaks the
// documented contract, is a `fatalError` (libFuzzer then saves the input as a crash artifact). Memory errors
// are ASan's: each chunk is its own exact-size allocation, freed right after its `parse` call, so a view or
// carry that outlives its chunk, or a read past a chunk's end, is reported.
//
// Build and run: see Fuzz/README.md (`make fuzz` in the repository root).

import CFuzzerDriver
import PromExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: size > 0 ? UnsafeRawPointer(data) : nil, count: size)
    Harness(input).run()
    return 0
}

/// SwiftPM links executable targets with `main` aliased to `ExpositionFuzzer_main` (and `-parse-as-library`
/// emits no `main` of its own), so this is the process entry point: it hands over to libFuzzer's driver, which
/// takes the usual libFuzzer flags. Were `main` not aliased, libFuzzer's own `main` would run instead.
@_cdecl("ExpositionFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

// MARK: - Digest

/// A cheap, deterministic 64-bit digest of everything a parse delivered (FNV-1a for single bytes, a multiply-mix
/// for words).
struct Digest: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ b: UInt8) {
        value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01b3
    }

    mutating func int(_ v: Int) { int64(Int64(v)) }

    mutating func int64(_ v: Int64) { word(UInt64(bitPattern: v)) }

    /// Length-prefixed, so concatenations cannot collide.
    mutating func bytes(_ b: UnsafeRawBufferPointer) {
        var x = UInt64(b.count)
        var i = 0
        while i + 8 <= b.count {
            word(x)
            x = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < b.count {
            x = x &* 31 &+ UInt64(b[i])
            i += 1
        }
        word(x)
    }

    /// One 64-bit word, multiply-mixed (for bulk bytes; FNV byte by byte is slow under ASan).
    mutating func word(_ w: UInt64) {
        value = (value ^ w) &* 0x9E37_79B9_7F4A_7C15
        value ^= value >> 29
    }

    mutating func optionalBytes(_ b: UnsafeRawBufferPointer?) {
        if let b {
            byte(1)
            bytes(b)
        } else {
            byte(0)
        }
    }
}

// MARK: - Checking consumer

/// Checks every delivered family and sample against the contract, and digests them: `full` covers every
/// field, `batchFamilies`/`batchSamples` exactly what a `SampleBatch` keeps (so a batch can be compared).
struct Checker: ExpositionConsumer {
    let format: ExpositionFormat
    let limits: ExpositionLimits

    var full = Digest()
    var batchFamilies = Digest()
    var batchSamples = Digest()
    var families = 0
    var samples = 0
    var labels = 0
    /// The most `SampleBatch.bytes` needs: every delivered byte copied once.
    var arenaBytes = 0
    var samplesByType = [Int](repeating: 0, count: MetricType.allCases.count)
    /// Distinct family names, what `ExpositionStatistics.families` counts.
    var familyNames = Set<[UInt8]>()
    var currentFamily: [UInt8] = []
    var currentType = MetricType.untyped
    var lastLine = 0

    /// Check the contract on every delivery, not only digest it. Costly under the sanitizers, so done in one
    /// parse per format; parses compared with a checked one by digest need not repeat it.
    let checksContract: Bool

    init(format: ExpositionFormat, limits: ExpositionLimits, checksContract: Bool) {
        self.format = format
        self.limits = limits
        self.checksContract = checksContract
    }

    mutating func familyStarted(_ family: FamilyView) {
        if checksContract { checkContract(family) }
        full.byte(1)
        full.bytes(family.name.bytes)
        full.byte(family.type.rawValue)
        full.optionalBytes(family.help?.bytes)
        full.optionalBytes(family.unit?.bytes)
        batchFamilies.bytes(family.name.bytes)
        batchFamilies.byte(family.type.rawValue)
        batchFamilies.optionalBytes(family.help?.bytes)
        batchFamilies.optionalBytes(family.unit?.bytes)
        arenaBytes += family.name.count + (family.help?.count ?? 0) + (family.unit?.count ?? 0)
        families += 1
        currentFamily = Array(family.name.bytes)
        currentType = family.type
        familyNames.insert(currentFamily)
    }

    mutating func consume(_ sample: SampleView) {
        if checksContract { checkContract(sample) }
        lastLine = sample.line
        let name = sample.name.bytes
        let series = sample.seriesText.bytes

        full.byte(2)
        full.bytes(name)
        full.bytes(sample.familyName.bytes)
        full.byte(sample.type.rawValue)
        full.byte(sample.role.rawValue)
        full.bytes(series)
        full.int(sample.labels.count)
        for label in sample.labels {
            full.bytes(label.name.bytes)
            full.bytes(label.value.bytes)
        }
        full.int64(Int64(bitPattern: sample.value.bitPattern))
        full.byte(sample.timestampMilliseconds == nil ? 0 : 1)
        full.int64(sample.timestampMilliseconds ?? 0)
        full.int(sample.line)

        batchSamples.int(families - 1)
        batchSamples.byte(sample.role.rawValue)
        batchSamples.bytes(series)
        batchSamples.int(name.count)
        batchSamples.int(sample.labels.count)
        for label in sample.labels {
            batchSamples.bytes(label.name.bytes)
            batchSamples.bytes(label.value.bytes)
            arenaBytes += label.name.count + label.value.count
        }
        batchSamples.int64(Int64(bitPattern: sample.value.bitPattern))
        batchSamples.byte(sample.timestampMilliseconds == nil ? 0 : 1)
        batchSamples.int64(sample.timestampMilliseconds ?? 0)
        arenaBytes += series.count

        samples += 1
        labels += sample.labels.count
        samplesByType[Int(sample.type.rawValue)] += 1
    }

    private func checkContract(_ family: FamilyView) {
        check(isMetricName(family.name.bytes), "family name \(show(family.name.bytes)) is not a metric name")
        check(allowed(family.type), "family type \(family.type) in \(format)")
        if let help = family.help {
            check(isValidUTF8(help.bytes), "HELP of \(show(family.name.bytes)) is not valid UTF-8")
        }
        if let unit = family.unit {
            check(format == .openMetrics, "unit in text 0.0.4")
            check(unit.bytes.allSatisfy(isMetricNameChar), "unit \(show(unit.bytes)) has a non-name character")
        }
    }

    private func checkContract(_ sample: SampleView) {
        let name = sample.name.bytes
        let series = sample.seriesText.bytes
        let family = sample.familyName.bytes
        check(families > 0, "sample \(show(name)) before any familyStarted")
        check(isMetricName(name), "sample name \(show(name)) is not a metric name")
        check(
            series.count >= name.count && bytesEqual(series.baseAddress, name),
            "name \(show(name)) not a prefix of \(show(series))"
        )
        check(
            name.count >= family.count && bytesEqual(name.baseAddress, family),
            "family \(show(family)) not a prefix of \(show(name))"
        )
        let announced = currentFamily.withUnsafeBytes { family.count == $0.count && bytesEqual(family.baseAddress, $0) }
        check(announced, "sample \(show(name)) outside announced family \(show(currentFamily))")
        check(sample.type == currentType, "sample type \(sample.type) differs from its family's \(currentType)")
        let suffix = UnsafeRawBufferPointer(rebasing: name[family.count...])
        check(
            roleSuffixFits(sample.role, sample.type, suffix),
            "role \(sample.role) of \(sample.type) with suffix \(show(suffix))"
        )
        check(sample.line > lastLine, "sample line \(sample.line) not after \(lastLine)")
        if sample.labels.count > 0 {
            check(series.last == UInt8(ascii: "}"), "series text with labels does not end in '}': \(show(series))")
        } else {
            check(
                series.count == name.count || series.last == UInt8(ascii: "}"),
                "series text without labels is not the name or '{}': \(show(series))"
            )
        }
        check(sample.labels.count <= limits.maximumLabelsPerSample, "\(sample.labels.count) labels over the limit")
        for (k, label) in sample.labels.enumerated() {
            check(isLabelName(label.name.bytes), "label name \(show(label.name.bytes)) is invalid")
            check(label.name.count <= limits.maximumLabelNameLength, "label name over the limit")
            check(label.value.count <= limits.maximumLabelValueLength, "label value over the limit")
            check(isValidUTF8(label.value.bytes), "label value \(show(label.value.bytes)) is not valid UTF-8")
            for other in sample.labels[..<k] where other.name == label.name {
                fail("duplicate label \(show(label.name.bytes)) delivered")
            }
        }
    }

    private func allowed(_ type: MetricType) -> Bool {
        if format == .openMetrics { return type != .untyped }
        switch type {
        case .counter, .gauge, .histogram, .summary, .untyped: return true
        default: return false
        }
    }

    /// The suffix a sample name has beyond its family name, for its role.
    private func roleSuffixFits(_ role: SampleRole, _ type: MetricType, _ suffix: UnsafeRawBufferPointer) -> Bool {
        func `is`(_ s: String) -> Bool { suffix.elementsEqual(s.utf8) }
        switch role {
        case .value: return type == .info ? `is`("_info") : suffix.isEmpty
        case .total: return type == .counter && (suffix.isEmpty || (format == .openMetrics && `is`("_total")))
        case .created: return format == .openMetrics && `is`("_created")
        case .bucket: return (type == .histogram || type == .gaugeHistogram) && `is`("_bucket")
        case .count: return (type == .histogram || type == .summary) && `is`("_count")
        case .sum: return (type == .histogram || type == .summary) && `is`("_sum")
        case .quantile: return type == .summary && suffix.isEmpty
        case .gcount: return type == .gaugeHistogram && `is`("_gcount")
        case .gsum: return type == .gaugeHistogram && `is`("_gsum")
        }
    }

    /// The parts of this checker an `ExpositionStatistics` must agree with.
    func checkStatistics(_ statistics: ExpositionStatistics, _ what: @autoclosure () -> String) {
        check(statistics.samples == samples, "\(what()): statistics.samples \(statistics.samples) != \(samples)")
        check(
            statistics.families == familyNames.count,
            "\(what()): statistics.families \(statistics.families) != \(familyNames.count)"
        )
        for type in MetricType.allCases {
            check(
                statistics.samples(ofType: type) == samplesByType[Int(type.rawValue)],
                "\(what()): statistics.samples(ofType: \(type)) differs"
            )
        }
    }

    /// Bounds of every range in `batch`, and its contents against this checker's digests.
    func checkBatch(_ batch: SampleBatch, _ what: @autoclosure () -> String) {
        let arena = Int32(batch.bytes.count)
        func inBounds(_ r: ByteRange) -> Bool { r.start >= 0 && r.count >= 0 && r.start <= arena - r.count }
        check(
            batch.families.count == families,
            "\(what()): batch has \(batch.families.count) families, \(families) announced"
        )
        check(
            batch.samples.count == samples,
            "\(what()): batch has \(batch.samples.count) samples, \(samples) delivered"
        )
        check(batch.labels.count == labels, "\(what()): batch has \(batch.labels.count) labels, \(labels) delivered")
        // The batch may share bytes (label ranges inside the series text), never need more than one copy of each.
        check(
            batch.bytes.count <= arenaBytes,
            "\(what()): batch arena \(batch.bytes.count) bytes, at most \(arenaBytes) expected"
        )
        check(batch.isEmpty == (samples == 0), "\(what()): batch.isEmpty")
        var familyDigest = Digest()
        for family in batch.families {
            check(inBounds(family.name), "\(what()): family name range out of bounds")
            if let help = family.help { check(inBounds(help), "\(what()): help range out of bounds") }
            if let unit = family.unit { check(inBounds(unit), "\(what()): unit range out of bounds") }
            batch.withBytes(family.name) { familyDigest.bytes($0) }
            familyDigest.byte(family.type.rawValue)
            if let help = family.help {
                batch.withBytes(help) { familyDigest.optionalBytes($0) }
            } else {
                familyDigest.optionalBytes(nil)
            }
            if let unit = family.unit {
                batch.withBytes(unit) { familyDigest.optionalBytes($0) }
            } else {
                familyDigest.optionalBytes(nil)
            }
        }
        check(familyDigest == batchFamilies, "\(what()): batch families differ from the delivered ones")
        var sampleDigest = Digest()
        for sample in batch.samples {
            check(inBounds(sample.name) && inBounds(sample.seriesText), "\(what()): sample range out of bounds")
            check(
                sample.name.start == sample.seriesText.start && sample.name.count <= sample.seriesText.count,
                "\(what()): sample name is not a prefix of its series text"
            )
            check(
                sample.family >= 0 && Int(sample.family) < batch.families.count,
                "\(what()): family index out of range"
            )
            check(
                sample.labelStart >= 0 && sample.labelCount >= 0
                    && Int(sample.labelStart) + Int(sample.labelCount) <= batch.labels.count,
                "\(what()): label range out of bounds"
            )
            let familyName = batch.families[Int(sample.family)].name
            let prefixOK = batch.withBytes(sample.name) { name in
                batch.withBytes(familyName) { family in name.starts(with: family) }
            }
            check(prefixOK, "\(what()): family name is not a prefix of the sample name")
            sampleDigest.int(Int(sample.family))
            sampleDigest.byte(sample.role.rawValue)
            batch.withBytes(sample.seriesText) { sampleDigest.bytes($0) }
            sampleDigest.int(Int(sample.name.count))
            sampleDigest.int(Int(sample.labelCount))
            for label in batch.labels(of: sample) {
                check(inBounds(label.name) && inBounds(label.value), "\(what()): label range out of bounds")
                batch.withBytes(label.name) { sampleDigest.bytes($0) }
                batch.withBytes(label.value) { sampleDigest.bytes($0) }
            }
            sampleDigest.int64(Int64(bitPattern: sample.value.bitPattern))
            sampleDigest.byte(sample.timestampMilliseconds == nil ? 0 : 1)
            sampleDigest.int64(sample.timestampMilliseconds ?? 0)
        }
        check(sampleDigest == batchSamples, "\(what()): batch samples differ from the delivered ones")
    }
}

// MARK: - Harness

/// What a parse ended with: its consumer's state and the error, if any.
struct Outcome<C> {
    var consumer: C
    var error: ExpositionError?
}

struct Harness {
    let input: UnsafeRawBufferPointer
    /// Split offsets, both in `0...input.count`, derived from the input: `split` from a digest of all of it
    /// (any mutation moves it), `second` from its first byte (proportional, so the fuzzer can steer it).
    let split: Int
    let second: Int
    /// The input's digest, which also picks the extra check per mode.
    let hash: UInt64
    /// Small limits derived from the input, to reach every limit error.
    let smallLimits: ExpositionLimits
    let defaultLimits = ExpositionLimits()

    init(_ input: UnsafeRawBufferPointer) {
        self.input = input
        var digest = Digest()
        digest.bytes(input)
        let h = digest.value
        hash = h
        let n = input.count
        split = Int(h % UInt64(n + 1))
        second = n == 0 ? 0 : Int(input[0]) * (n + 1) / 256
        smallLimits = ExpositionLimits(
            maximumLineLength: Int((h >> 20) & 0xFF) + 1,
            maximumLabelsPerSample: Int((h >> 28) & 0x7) + 1,
            maximumLabelNameLength: Int((h >> 31) & 0xF) + 1,
            maximumLabelValueLength: Int((h >> 35) & 0x1F)
        )
    }

    func run() {
        let textStandard = runMode(.text, .standard)
        let textStrict = runMode(.text, .strict)
        let openMetricsStandard = runMode(.openMetrics, .standard)
        let openMetricsStrict = runMode(.openMetrics, .strict)
        // Text 0.0.4 ignores the validation mode.
        sameOutcome(textStandard, textStrict, "text standard vs strict")
        // Strict OpenMetrics is standard plus semantic checks. Standard's errors are reported at the line being
        // parsed (or the next), strict's at that line or an earlier one (a histogram point is judged when it
        // ends), so strict never reports a later line.
        narrowed(
            openMetricsStrict,
            of: openMetricsStandard,
            by: strictOnlyCodes,
            lineOrderHolds: true,
            "OpenMetrics strict vs standard"
        )
    }

    /// `narrow` parsed the input with more checks than `wide` (the `extraCodes`). Until one of those fails it
    /// behaves as `wide`: so it succeeds only if `wide` does, with the same delivery; an error outside
    /// `extraCodes` is `wide`'s own error; an extra-code error stops it no later than `wide` stops.
    func narrowed(
        _ narrow: Outcome<Checker>,
        of wide: Outcome<Checker>,
        by extraCodes: [ExpositionError.Code],
        lineOrderHolds: Bool,
        _ what: @autoclosure () -> String
    ) {
        guard let error = narrow.error, extraCodes.contains(error.code) else {
            sameOutcome(wide, narrow, what())
            return
        }
        check(
            narrow.consumer.samples <= wide.consumer.samples,
            "\(what()): [\(error.code)] \(error) after \(narrow.consumer.samples) samples, "
                + "wider parse delivered \(wide.consumer.samples)"
        )
        if lineOrderHolds, let wideError = wide.error {
            check(
                error.line <= wideError.line,
                "\(what()): [\(error.code)] \(error) after [\(wideError.code)] \(wideError)"
            )
        }
    }

    /// All the parses of one mode; returns the whole, default-limits parse.
    func runMode(_ format: ExpositionFormat, _ validation: ExpositionValidation) -> Outcome<Checker> {
        let mode = ModeName(format: format, validation: validation)
        // Reference: the input as one chunk (libFuzzer's exact-size buffer).
        var parser = ExpositionParser(format: format, limits: defaultLimits, validation: validation)
        // Strict delivers what standard does (checked by the caller), so the contract is checked once per format.
        let checked = validation == .standard
        let whole = parseChunks(&parser, Checker(format: format, limits: defaultLimits, checksContract: checked), [])
        if format == .text && validation == .strict { return whole }  // compared with text/standard by the caller

        // Two chunks, into a SampleBatch.
        var batchParser = ExpositionParser(format: format, limits: defaultLimits, validation: validation)
        let batch = parseChunks(&batchParser, SampleBatch(), [split])
        sameError(whole.error, batch.error, "\(mode): one chunk vs split at \(split) (SampleBatch)")
        whole.consumer.checkBatch(batch.consumer, "\(mode) split at \(split)")

        // One more check in one mode, both chosen by the input (running every check in every mode would cut the
        // speed by three).
        guard selectedMode == (format == .text ? 0 : validation == .standard ? 1 : 2) else { return whole }
        switch Int((hash >> 44) & 3) {
        case 0: reuse(batchParser, batch.consumer, whole, mode)
        case 1: threeChunks(format, validation, whole, mode)
        case 2 where input.count <= 256: bytewise(format, validation, whole, mode)
        case 2: reuse(batchParser, batch.consumer, whole, mode)
        default: smallLimitsParse(format, validation, whole, mode)
        }
        return whole
    }

    /// The mode (text, OpenMetrics standard, OpenMetrics strict) that gets the extra check.
    var selectedMode: Int { Int((hash >> 48) % 3) }

    /// `reset()` + `removeAll()`, then the input again as one chunk into the same batch.
    func reuse(_ batchParser: ExpositionParser, _ batch: SampleBatch, _ whole: Outcome<Checker>, _ mode: ModeName) {
        var batchParser = batchParser
        var reused = batch
        reused.removeAll()
        check(reused.isEmpty && reused.bytes.isEmpty && reused.families.isEmpty, "\(mode): removeAll left data")
        batchParser.reset()
        let again = parseChunks(&batchParser, reused, [])
        sameError(whole.error, again.error, "\(mode): after reset()")
        whole.consumer.checkBatch(again.consumer, "\(mode) after reset() and removeAll()")
    }

    func threeChunks(
        _ format: ExpositionFormat,
        _ validation: ExpositionValidation,
        _ whole: Outcome<Checker>,
        _ mode: ModeName
    ) {
        // Three chunks into ExpositionStatistics; after the first chunk the parser and consumer are copied and
        // both copies finish the input: copy-on-write must keep them apart.
        let cuts = [min(split, second), max(split, second)]
        var statsParser = ExpositionParser(format: format, limits: defaultLimits, validation: validation)
        var stats = ExpositionStatistics()
        var statsError = feed(&statsParser, &stats, 0, cuts[0])
        var copyParser = statsParser
        var copyStats = stats
        var copyError = statsError
        if statsError == nil { statsError = feed(&statsParser, &stats, cuts[0], cuts[1]) }
        if statsError == nil { statsError = feed(&statsParser, &stats, cuts[1], input.count) }
        if statsError == nil { statsError = finish(&statsParser, &stats) }
        sameError(whole.error, statsError, "\(mode): one chunk vs splits at \(cuts) (ExpositionStatistics)")
        whole.consumer.checkStatistics(stats, "\(mode) splits at \(cuts)")
        if copyError == nil { copyError = feed(&copyParser, &copyStats, cuts[0], input.count) }
        if copyError == nil { copyError = finish(&copyParser, &copyStats) }
        sameError(whole.error, copyError, "\(mode): copied parser")
        whole.consumer.checkStatistics(copyStats, "\(mode) copied parser")
    }

    /// One byte at a time (small inputs only).
    func bytewise(
        _ format: ExpositionFormat,
        _ validation: ExpositionValidation,
        _ whole: Outcome<Checker>,
        _ mode: ModeName
    ) {
        var byteParser = ExpositionParser(format: format, limits: defaultLimits, validation: validation)
        let bytewise = parseChunks(
            &byteParser,
            Checker(format: format, limits: defaultLimits, checksContract: false),
            Array(0..<input.count)
        )
        sameOutcome(whole, bytewise, "\(mode): one chunk vs one-byte chunks")
    }

    func smallLimitsParse(
        _ format: ExpositionFormat,
        _ validation: ExpositionValidation,
        _ whole: Outcome<Checker>,
        _ mode: ModeName
    ) {
        // Small limits: the same whole and split; against the default limits, a parse that only adds limit
        // errors. (No line order: a strict histogram error is reported at the point's first line.)
        let limited = Checker(format: format, limits: smallLimits, checksContract: true)
        var limitParser = ExpositionParser(format: format, limits: smallLimits, validation: validation)
        let limitedWhole = parseChunks(&limitParser, limited, [])
        var limitSplitParser = ExpositionParser(format: format, limits: smallLimits, validation: validation)
        let limitedSplit = parseChunks(&limitSplitParser, limited, [split])
        sameOutcome(limitedWhole, limitedSplit, "\(mode) with \(smallLimits): one chunk vs split at \(split)")
        narrowed(
            limitedWhole,
            of: whole,
            by: limitCodes,
            lineOrderHolds: false,
            "\(mode): small limits vs default limits"
        )
    }

    /// Parses the input cut at `cuts` (ascending offsets), each chunk a fresh exact-size allocation except the
    /// single-chunk case, which parses libFuzzer's own buffer.
    func parseChunks<C: ExpositionConsumer>(
        _ parser: inout ExpositionParser,
        _ consumer: C,
        _ cuts: [Int]
    ) -> Outcome<C> {
        var consumer = consumer
        var error: ExpositionError?
        if cuts.isEmpty {
            do throws(ExpositionError) {
                try parser.parse(input, into: &consumer)
            } catch let e {
                error = e
            }
        } else {
            var start = 0
            for end in cuts + [input.count] where error == nil {
                error = feed(&parser, &consumer, start, end)
                start = end
            }
        }
        if error == nil { error = finish(&parser, &consumer) }
        // After an error the parser keeps throwing it.
        if let error {
            do throws(ExpositionError) {
                try parser.finish(into: &consumer)
                fail("finish after \(error) did not throw")
            } catch let again {
                sameError(error, again, "error not sticky")
            }
        }
        return Outcome(consumer: consumer, error: error)
    }

    /// Feeds `input[start..<end]` as its own allocation, freed (after scribbling) once `parse` returns.
    func feed<C: ExpositionConsumer>(
        _ parser: inout ExpositionParser,
        _ consumer: inout C,
        _ start: Int,
        _ end: Int
    ) -> ExpositionError? {
        let count = end - start
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer {
            if count > 0 { memset(chunk.baseAddress!, 0xAA, count) }
            chunk.deallocate()
        }
        if count > 0 { chunk.copyMemory(from: UnsafeRawBufferPointer(rebasing: input[start..<end])) }
        do throws(ExpositionError) {
            try parser.parse(UnsafeRawBufferPointer(chunk), into: &consumer)
            return nil
        } catch {
            return error
        }
    }

    func finish<C: ExpositionConsumer>(_ parser: inout ExpositionParser, _ consumer: inout C) -> ExpositionError? {
        do throws(ExpositionError) {
            try parser.finish(into: &consumer)
            return nil
        } catch {
            return error
        }
    }

    func sameOutcome(_ a: Outcome<Checker>, _ b: Outcome<Checker>, _ what: @autoclosure () -> String) {
        sameError(a.error, b.error, what())
        // A failed parse delivers what came before the failing line; chunking must not change that either.
        check(a.consumer.full == b.consumer.full, "\(what()): delivered families/samples differ")
        check(
            a.consumer.samples == b.consumer.samples,
            "\(what()): \(a.consumer.samples) vs \(b.consumer.samples) samples"
        )
    }
}

// MARK: - Checks

/// Errors only ``ExpositionValidation/strict`` raises.
let strictOnlyCodes: [ExpositionError.Code] = [
    .invalidSampleValue, .invalidTypeLabel, .invalidHistogram, .exemplarNotAllowed, .invalidUnit, .familyClash,
    .invalidOrdering,
]

/// Errors only a lower ``ExpositionLimits`` raises.
let limitCodes: [ExpositionError.Code] = [.lineTooLong, .tooManyLabels, .labelNameTooLong, .labelValueTooLong]

/// A mode's name for failure messages, formatted only when one is printed.
struct ModeName: CustomStringConvertible {
    let format: ExpositionFormat
    let validation: ExpositionValidation
    var description: String { "\(format)/\(validation)" }
}

func sameError(_ a: ExpositionError?, _ b: ExpositionError?, _ what: @autoclosure () -> String) {
    switch (a, b) {
    case (nil, nil): return
    case (let a?, let b?):
        if a.code == b.code && a.line == b.line && a.column == b.column && a.message == b.message { return }
        fail("\(what()): errors differ: [\(a.code)] \(a) vs [\(b.code)] \(b)")
    case (let a?, nil): fail("\(what()): first failed ([\(a.code)] \(a)), second succeeded")
    case (nil, let b?): fail("\(what()): first succeeded, second failed ([\(b.code)] \(b))")
    }
}

@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

func fail(_ message: String) -> Never {
    fatalError("invariant failed: \(message)")
}

func show(_ bytes: some Sequence<UInt8>) -> String {
    String(decoding: Array(bytes.prefix(80)), as: UTF8.self).debugDescription
}

/// Whether `b` starts at `p` (which may be nil only when `b` is empty).
func bytesEqual(_ p: UnsafeRawPointer?, _ b: UnsafeRawBufferPointer) -> Bool {
    guard b.count > 0 else { return true }
    return memcmp(p!, b.baseAddress!, b.count) == 0
}

func isMetricNameChar(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: ":")
}

func isMetricName(_ b: UnsafeRawBufferPointer) -> Bool {
    guard let first = b.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
    return b.allSatisfy(isMetricNameChar)
}

func isLabelName(_ b: UnsafeRawBufferPointer) -> Bool {
    guard let first = b.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
    return b.allSatisfy { isMetricNameChar($0) && $0 != UInt8(ascii: ":") }
}

/// Swift's own validating decoder (rejects overlong forms, surrogates and code points above U+10FFFF).
func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
    var iterator = b.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}
