/// Counts what a parse found, for `promwatch parse`'s one-line summary (`families=237 samples=1857`).
public struct ExpositionStatistics: ExpositionConsumer, Sendable, CustomStringConvertible {
    /// Samples seen.
    public private(set) var samples = 0
    /// Samples per family type, indexed by `MetricType.rawValue`.
    private var samplesByType = [Int](repeating: 0, count: MetricType.allCases.count)
    /// Distinct family names seen, with or without samples (a family split in two counts once).
    private var familyNames = ByteStringSet()

    public init() {}

    /// Distinct families seen, with or without samples.
    public var families: Int { familyNames.count }

    /// Samples whose family has `type`.
    public func samples(ofType type: MetricType) -> Int { samplesByType[Int(type.rawValue)] }

    public var description: String { "families=\(families) samples=\(samples)" }

    public mutating func familyStarted(_ family: FamilyView) {
        familyNames.insert(family.name.bytes)
    }

    public mutating func consume(_ sample: SampleView) {
        samples += 1
        samplesByType[Int(sample.type.rawValue)] += 1
    }
}
