/// A byte range inside a ``SampleBatch``'s arena.
public struct ByteRange: Sendable, Hashable {
    public var start: Int32
    public var count: Int32

    @inlinable
    public init(start: Int32, count: Int32) {
        self.start = start
        self.count = count
    }

    public static let empty = ByteRange(start: 0, count: 0)
}

/// One family recorded in a ``SampleBatch``.
public struct BatchFamily: Sendable {
    public var name: ByteRange
    public var type: MetricType
    public var help: ByteRange?
    public var unit: ByteRange?
}

/// One label recorded in a ``SampleBatch``.
public struct BatchLabel: Sendable {
    public var name: ByteRange
    public var value: ByteRange
}

/// One sample recorded in a ``SampleBatch``.
public struct BatchSample: Sendable {
    public var name: ByteRange
    /// Index into ``SampleBatch/families``.
    public var family: Int32
    public var role: SampleRole
    /// Index of the first label in ``SampleBatch/labels``.
    public var labelStart: Int32
    public var labelCount: Int32
    /// See ``SampleView/seriesText``.
    public var seriesText: ByteRange
    public var value: Double
    /// Milliseconds since the epoch, or `nil` when the exposition gave none.
    public var timestampMilliseconds: Int64?
}

/// The owned result of parsing one scrape: families, samples and labels in flat arrays over one byte arena.
///
/// A batch is reused from scrape to scrape (``removeAll()`` keeps capacity), so steady-state parsing into it
/// allocates nothing per sample. It is the hand-over between a scrape (which must be parsed completely, and
/// succeed, before anything is committed) and the EMF conversion.
public struct SampleBatch: Sendable, ExpositionConsumer {
    public private(set) var bytes: [UInt8] = []
    public private(set) var families: [BatchFamily] = []
    public private(set) var samples: [BatchSample] = []
    public private(set) var labels: [BatchLabel] = []

    /// The family name of the last family appended, to group samples without searching.
    private var lastFamilyName = ByteRange.empty

    public init() {}

    /// Empties the batch, keeping its storage for the next scrape.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        families.removeAll(keepingCapacity: true)
        samples.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        lastFamilyName = .empty
    }

    public var isEmpty: Bool { samples.isEmpty }

    // MARK: Reading

    /// The bytes of `range`, valid only inside `body`.
    @inlinable
    public func withBytes<R>(_ range: ByteRange, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[Int(range.start)..<Int(range.start + range.count)]))
        }
    }

    /// A copy of `range` as a `String`. Allocates.
    public func string(_ range: ByteRange) -> String {
        withBytes(range) { String(decoding: $0, as: UTF8.self) }
    }

    /// The labels of `sample`.
    @inlinable
    public func labels(of sample: BatchSample) -> ArraySlice<BatchLabel> {
        labels[Int(sample.labelStart)..<Int(sample.labelStart + sample.labelCount)]
    }

    // MARK: ExpositionConsumer

    public mutating func familyStarted(_ family: FamilyView) {
        appendFamily(family.name, type: family.type, help: family.help, unit: family.unit)
    }

    public mutating func consume(_ sample: SampleView) {
        // A sample whose family was not announced (or differs from the last one) opens a family record.
        if families.isEmpty || !lastFamilyEquals(sample.familyName) {
            appendFamily(sample.familyName, type: sample.type, help: nil, unit: nil)
        }
        // One copy of the series text as written. The name is a prefix of it, and label names and values that
        // were not unescaped lie inside it: their ranges point into this copy; only unescaped values are copied
        // again.
        let series = sample.seriesText.bytes
        let seriesText = append(sample.seriesText)
        let labelStart = Int32(truncatingIfNeeded: labels.count)
        let sampleLabels = sample.labels
        if let seriesBase = series.baseAddress, !sampleLabels.isEmpty {
            let seriesCount = series.count
            let shift = Int(seriesText.start)
            for index in 0..<sampleLabels.count {
                let label = sampleLabels[index]
                var name = ByteRange.empty
                var value = ByteRange.empty
                if let start = label.name.bytes.baseAddress, start >= seriesBase,
                    start + label.name.count <= seriesBase + seriesCount
                {
                    name = ByteRange(
                        start: Int32(truncatingIfNeeded: start - seriesBase + shift),
                        count: Int32(truncatingIfNeeded: label.name.count))
                } else {
                    name = append(label.name)
                }
                if let start = label.value.bytes.baseAddress, start >= seriesBase,
                    start + label.value.count <= seriesBase + seriesCount
                {
                    value = ByteRange(
                        start: Int32(truncatingIfNeeded: start - seriesBase + shift),
                        count: Int32(truncatingIfNeeded: label.value.count))
                } else {
                    value = append(label.value)
                }
                labels.append(BatchLabel(name: name, value: value))
            }
        } else {
            for label in sampleLabels {
                labels.append(BatchLabel(name: append(label.name), value: append(label.value)))
            }
        }
        samples.append(
            BatchSample(
                name: ByteRange(start: seriesText.start, count: Int32(truncatingIfNeeded: sample.name.count)),
                family: Int32(truncatingIfNeeded: families.count - 1), role: sample.role,
                labelStart: labelStart, labelCount: Int32(truncatingIfNeeded: sampleLabels.count),
                seriesText: seriesText, value: sample.value, timestampMilliseconds: sample.timestampMilliseconds))
    }

    private mutating func appendFamily(_ name: ByteView, type: MetricType, help: ByteView?, unit: ByteView?) {
        let nameRange = append(name)
        families.append(
            BatchFamily(name: nameRange, type: type, help: help.map { append($0) }, unit: unit.map { append($0) }))
        lastFamilyName = nameRange
    }

    private func lastFamilyEquals(_ name: ByteView) -> Bool {
        let count = Int(lastFamilyName.count)
        guard count == name.count else { return false }
        guard count > 0 else { return true }
        return bytes.withUnsafeBytes { all in
            // In range: lastFamilyName was appended to `bytes`.
            wordsEqual(
                name.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                all.baseAddress! + Int(lastFamilyName.start),
                count
            )
        }
    }

    private mutating func append(_ view: ByteView) -> ByteRange {
        let start = Int32(truncatingIfNeeded: bytes.count)
        let count = view.count
        if count > 0 {
            // Grow geometrically (reserveCapacity alone would allocate exactly), then copy once.
            if bytes.capacity - bytes.count < count {
                bytes.reserveCapacity(Swift.max(bytes.count + count, bytes.capacity * 2))
            }
            let source = view.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)  // count > 0
            bytes.append(contentsOf: UnsafeBufferPointer(start: source, count: count))
        }
        return ByteRange(start: start, count: Int32(truncatingIfNeeded: count))
    }
}
