/// Receives what ``ExpositionParser`` finds, one sample at a time, while it parses.
///
/// The parser is generic over its consumer so calls are specialised and inlined; views passed to the consumer
/// point into the parser's buffers and are valid **only during the call**. Copy what must outlive it.
public protocol ExpositionConsumer {
    /// Called once per sample line, in input order.
    mutating func consume(_ sample: SampleView)
    /// Called when a family's metadata is complete enough to be known: before its first sample, or at the end
    /// of the family if it has no samples. The default does nothing.
    mutating func familyStarted(_ family: FamilyView)
}

extension ExpositionConsumer {
    public mutating func familyStarted(_ family: FamilyView) {}
}

/// A borrowed run of bytes inside the parser's buffers. Valid only during the consumer call that received it.
public struct ByteView: Hashable, CustomStringConvertible {
    public let bytes: UnsafeRawBufferPointer

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public var count: Int { bytes.count }
    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    /// A copy as a `String` (UTF-8; invalid sequences repaired). Allocates: not for hot paths.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { string }

    @inlinable
    public static func == (lhs: ByteView, rhs: ByteView) -> Bool {
        lhs.bytes.count == rhs.bytes.count
            && (lhs.bytes.count == 0 || memcmpEqual(lhs.bytes.baseAddress!, rhs.bytes.baseAddress!, lhs.bytes.count))
    }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes: bytes) }

    /// Whether the bytes equal an ASCII/UTF-8 string literal.
    @inlinable
    public func equals(_ string: StaticString) -> Bool {
        string.withUTF8Buffer { literal in
            literal.count == bytes.count
                && (literal.count == 0
                    || memcmpEqual(bytes.baseAddress!, UnsafeRawPointer(literal.baseAddress!), literal.count))
        }
    }
}

extension ByteView {
    /// Whether the bytes are a metric name Prometheus 2 accepts: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public var isLegacyMetricName: Bool {
        func isLetter(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
        }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard let first = bytes.first, isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":")
        else { return false }
        for byte in bytes.dropFirst()
        where !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")) {
            return false
        }
        return true
    }
}

@inlinable
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var i = 0
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// One label pair of a sample, unescaped. Valid only during the consumer call.
public struct LabelView {
    public let name: ByteView
    public let value: ByteView

    @inlinable
    public init(name: ByteView, value: ByteView) {
        self.name = name
        self.value = value
    }
}

/// A family's metadata as known when its first sample (or its end) is reached. Valid only during the call.
public struct FamilyView {
    /// The family name: the sample name without type suffixes (`x` for `x_bucket`, `x_total`, …).
    public let name: ByteView
    public let type: MetricType
    /// The unescaped `# HELP` text, if any.
    public let help: ByteView?
    /// The `# UNIT` (OpenMetrics only), if any.
    public let unit: ByteView?

    public init(name: ByteView, type: MetricType, help: ByteView?, unit: ByteView?) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// One sample as the parser delivers it. Valid only during the consumer call.
public struct SampleView {
    /// The full sample name as written (`x_bucket`, `x_total`, `x`).
    public let name: ByteView
    /// The family this sample belongs to (see ``FamilyView/name``).
    public let familyName: ByteView
    public let type: MetricType
    public let role: SampleRole
    /// Labels in input order, values unescaped.
    public let labels: UnsafeBufferPointer<LabelView>
    /// The bytes of the series identity exactly as written: from the first byte of the name through the
    /// closing `}` (or the end of the name when there are no labels). Stable per series for one exporter, so it
    /// serves as a cheap key for per-series state.
    public let seriesText: ByteView
    public let value: Double
    /// The sample's own timestamp in milliseconds since the epoch (OpenMetrics' float seconds converted), if any.
    public let timestampMilliseconds: Int64?
    /// 1-based line number in the exposition.
    public let line: Int

    public init(
        name: ByteView,
        familyName: ByteView,
        type: MetricType,
        role: SampleRole,
        labels: UnsafeBufferPointer<LabelView>,
        seriesText: ByteView,
        value: Double,
        timestampMilliseconds: Int64?,
        line: Int
    ) {
        self.name = name
        self.familyName = familyName
        self.type = type
        self.role = role
        self.labels = labels
        self.seriesText = seriesText
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.line = line
    }

    /// The value of the label named `name`, if present.
    @inlinable
    public func label(_ name: StaticString) -> ByteView? {
        for label in labels where label.name.equals(name) { return label.value }
        return nil
    }
}
