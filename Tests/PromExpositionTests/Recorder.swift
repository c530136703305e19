@testable import PromExposition

/// A family as delivered to `familyStarted`, copied out of the views.
struct RecordedFamily: Equatable, CustomStringConvertible {
    var name: String
    var type: MetricType
    var help: String?
    var unit: String?

    var description: String { "family \(name) \(type.exposedName) help=\(help ?? "nil") unit=\(unit ?? "nil")" }
}

/// A sample as delivered to `consume`, copied out of the views. Values compare by bit pattern.
struct RecordedSample: Equatable, CustomStringConvertible {
    var name: String
    var family: String
    var type: MetricType
    var role: SampleRole
    var labels: [Pair]
    var valueBits: UInt64
    var timestamp: Int64?
    var seriesText: String
    var line: Int

    struct Pair: Equatable {
        var name: String
        var value: String
    }

    var value: Double { Double(bitPattern: valueBits) }

    func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    var description: String {
        let pairs = labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ",")
        let stamp = timestamp.map(String.init) ?? "-"
        return "\(name)[\(family) \(type.exposedName) \(role)]{\(pairs)} \(value) \(stamp) @\(line)"
    }
}

enum RecordedEvent: Equatable, CustomStringConvertible {
    case family(RecordedFamily)
    case sample(RecordedSample)

    var description: String {
        switch self {
        case .family(let f): f.description
        case .sample(let s): s.description
        }
    }
}

/// Records everything the parser delivers, in order.
struct Recorder: ExpositionConsumer {
    var events: [RecordedEvent] = []

    var samples: [RecordedSample] {
        events.compactMap { if case .sample(let s) = $0 { s } else { nil } }
    }

    var families: [RecordedFamily] {
        events.compactMap { if case .family(let f) = $0 { f } else { nil } }
    }

    mutating func familyStarted(_ family: FamilyView) {
        events.append(
            .family(
                RecordedFamily(
                    name: family.name.string,
                    type: family.type,
                    help: family.help?.string,
                    unit: family.unit?.string
                )
            )
        )
    }

    mutating func consume(_ sample: SampleView) {
        // The series text starts with the name (SampleBatch relies on it).
        precondition(sample.seriesText.bytes.starts(with: sample.name.bytes), "series text must start with the name")
        events.append(
            .sample(
                RecordedSample(
                    name: sample.name.string,
                    family: sample.familyName.string,
                    type: sample.type,
                    role: sample.role,
                    labels: sample.labels.map { RecordedSample.Pair(name: $0.name.string, value: $0.value.string) },
                    valueBits: sample.value.bitPattern,
                    timestamp: sample.timestampMilliseconds,
                    seriesText: sample.seriesText.string,
                    line: sample.line
                )
            )
        )
    }
}

/// Parses `text` whole and records the result.
func record(
    _ text: String,
    _ format: ExpositionFormat = .text,
    validation: ExpositionValidation = .standard,
    limits: ExpositionLimits = .init()
) throws(ExpositionError) -> Recorder {
    var recorder = Recorder()
    try ExpositionParser.parse(
        Array(text.utf8),
        format: format,
        limits: limits,
        validation: validation,
        into: &recorder
    )
    return recorder
}

/// The error parsing `text` whole, or `nil` when it parses.
func parseError(
    _ text: String,
    _ format: ExpositionFormat = .text,
    validation: ExpositionValidation = .standard,
    limits: ExpositionLimits = .init()
) -> ExpositionError? {
    parseError(Array(text.utf8), format, validation: validation, limits: limits)
}

func parseError(
    _ bytes: [UInt8],
    _ format: ExpositionFormat,
    validation: ExpositionValidation = .standard,
    limits: ExpositionLimits = .init()
) -> ExpositionError? {
    var statistics = ExpositionStatistics()
    do {
        try ExpositionParser.parse(bytes, format: format, limits: limits, validation: validation, into: &statistics)
        return nil
    } catch {
        return error
    }
}

/// Parses `bytes` fed in the given chunks (split points are offsets into `bytes`). Each chunk is a fresh
/// allocation, scribbled over after the call, so a view that outlived its chunk would show up as garbage.
func recordChunked(
    _ bytes: [UInt8],
    splits: [Int],
    _ format: ExpositionFormat = .text,
    validation: ExpositionValidation = .standard
) throws(ExpositionError) -> Recorder {
    var recorder = Recorder()
    var parser = ExpositionParser(format: format, validation: validation)
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
