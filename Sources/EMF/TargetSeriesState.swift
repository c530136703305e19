/// The per-target state of the EMF conversion, owned by that target's scrape loop and passed `inout` to every
/// ``EMFConverter/convert(_:target:state:scrapeTimeMilliseconds:synthetic:into:)`` call for the target.
///
/// It holds:
/// - **Delta state**: the previous value (and `_created` timestamp) of every cumulative series — counter,
///   summary `_sum`/`_count`, histogram `_bucket`/`_count`/`_sum` — keyed by the series' text as the target wrote
///   it (``BatchSample/seriesText``), hashed to 64 bits with a stored copy of the key to verify hits, so
///   steady-state lookups do not allocate. Series absent from a scrape are evicted (``ConversionReport/seriesEvicted``);
///   an evicted series is remembered by hash (with its `_created`) for 10 more scrapes, so if it comes back it is
///   treated as known — a new baseline, or a reset if its `_created` changed — rather than as new (which under
///   `initial_value: auto`/`keep` would re-emit its whole cumulative value).
/// - **Caches** that keep regular expressions off the steady-state path: selection per metric name, the
///   `label_matcher` result per joined source-label string, and everything derived from a label set (merged
///   labels, their JSON, dimension-set usability, log group and stream). They are evicted like series and
///   rebuilt when the converter (configuration) or the target's labels change.
/// - Reusable scratch buffers, so converting a same-shaped batch again allocates nothing but the output events.
///
/// An empty batch (a failed scrape) neither evicts anything nor counts as the target's first conversion.
public struct TargetSeriesState: Sendable {
    var series = ByteKeyedTable<SeriesEntry>()
    /// Hashes of recently evicted series → (generation evicted, their `_created`, NaN if none).
    var tombstones: [Int: Tombstone] = [:]
    var names = ByteKeyedTable<NameInfo>()
    var groups = ByteKeyedTable<GroupInfo>()
    var matcherResults = ByteKeyedTable<Bool>()
    var setLists = SetListTable()
    var converterID: UInt64 = 0
    var targetFingerprint: [UInt8] = []
    var generation: UInt32 = 0
    /// Whether a non-empty batch of this target has been converted.
    var hasConverted = false
    var scratch = ConversionScratch()

    /// How many scrapes an evicted series is remembered.
    static let tombstoneGenerations: UInt32 = 10

    public init() {}

    /// The number of cumulative series whose previous value is held.
    public var seriesCount: Int { series.count }

    /// Sizes of the internal tables, for tests and self-metrics.
    public var footprint: Footprint {
        Footprint(
            series: series.count,
            tombstones: tombstones.count,
            metricNames: names.count,
            labelSets: groups.count,
            matcherResults: matcherResults.count,
            dimensionSetLists: setLists.lists.count,
            capacity: series.capacity.entries + series.capacity.slots + names.capacity.entries
                + names.capacity.slots + groups.capacity.entries + groups.capacity.slots
                + matcherResults.capacity.entries + matcherResults.capacity.slots + scratch.capacity
        )
    }

    /// Sizes of ``TargetSeriesState``'s tables.
    public struct Footprint: Sendable, Equatable {
        public var series: Int
        public var tombstones: Int
        public var metricNames: Int
        public var labelSets: Int
        public var matcherResults: Int
        public var dimensionSetLists: Int
        /// Sum of allocated capacities (elements) of the tables and scratch buffers.
        public var capacity: Int
    }
}

struct Tombstone: Sendable {
    var generation: UInt32
    var created: Double
}

/// Delta state of one cumulative series.
struct SeriesEntry: Sendable {
    /// The previous value; NaN when there is none (new series, or cleared by a non-finite sample).
    var previous: Double = .nan
    /// The series' `_created` (seconds) when last seen; NaN when unknown.
    var created: Double = .nan
    /// The series is known but has no usable previous value (a NaN/Inf sample cleared it, or it returned after
    /// eviction): its next value is a baseline, never a "first value".
    var cleared = false
}

/// What a metric name selects, cached per target.
struct NameInfo: Sendable {
    var name: String
    /// Declarations whose `metric_selectors` match the name.
    var declarations: [Int32]
    /// `{"Name":"…","Unit":"…"}`.
    var definitionJSON: [UInt8]
    /// `"…":`.
    var fieldPrefixJSON: [UInt8]
    /// 1–255 bytes and not `_aws`.
    var isValid: Bool
    /// One bit of a 64-bit filter, to detect cheaply that the name may equal a label name.
    var shadowBit: UInt64
}

enum SetStatus: UInt8, Sendable {
    case usable
    case missingLabel
    case invalidValue
}

/// Everything derived from one label set, cached per target.
struct GroupInfo: Sendable {
    /// Merged labels (scraped + target + `ClusterName` + constant labels), sorted by name, no empty values.
    var labels: [(name: String, value: String)]
    /// `"a":"1","b":"2"` (no braces).
    var labelsJSON: [UInt8]
    /// OR of the labels' name bits (see ``NameInfo/shadowBit``).
    var labelMask: UInt64
    /// Per compiled matcher: whether the joined source labels match `label_matcher`.
    var matchers: [Bool]
    /// Per compiled dimension set: whether it can be used for this label set.
    var setStatus: [SetStatus]
    var logGroupName: String
    var logStreamName: String
}

/// Interned lists of dimension-set indices: one EMF directive per distinct list.
struct SetListTable: Sendable {
    var lists: [[Int32]] = []
    /// `[["a","b"],["c"]]` per list.
    var json: [[UInt8]] = []
    var index: [[Int32]: Int32] = [:]

    mutating func removeAll() {
        lists.removeAll()
        json.removeAll()
        index.removeAll()
    }

    mutating func intern(_ list: [Int32], sets: [CompiledConfiguration.DimensionSet]) -> Int32 {
        if let existing = index[list] { return existing }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (n, set) in list.enumerated() {
            if n > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: sets[Int(set)].json)
        }
        bytes.append(UInt8(ascii: "]"))
        let id = Int32(lists.count)
        lists.append(list)
        json.append(bytes)
        index[list] = id
        return id
    }
}

/// Buffers reused from conversion to conversion.
struct ConversionScratch: Sendable {
    var key: [UInt8] = []
    var labelOrder: [Int32] = []
    var pendingGroups: [PendingGroup] = []
    var pendingGroupIndex: [GroupTimeKey: Int32] = [:]
    var metrics: [PendingMetric] = []
    var seenNames: Set<Int64> = []
    var distValues: [Double] = []
    var distCounts: [Double] = []
    var units: [CumulativeUnit] = []
    var unitIndex: [Int32: Int32] = [:]
    var buckets: [BucketRef] = []
    var components: [Int32] = []
    var previous: [Double] = []
    var entryIndices: [Int] = []
    var bucketCounts: [Double] = []
    var setList: [Int32] = []
    var invalidSets: [Int32] = []
    var groupMetrics: [Int32] = []
    var slotMetrics: [Int32] = []
    var leftovers: [Int32] = []
    var slotRemainder: [Int32] = []
    var eventMetrics: [Int32] = []
    var eventDirectives: [Int32] = []
    var fieldBytes: [UInt8] = []
    var fieldStart: [Int32] = []

    mutating func reset() {
        pendingGroups.removeAll(keepingCapacity: true)
        pendingGroupIndex.removeAll(keepingCapacity: true)
        metrics.removeAll(keepingCapacity: true)
        seenNames.removeAll(keepingCapacity: true)
        distValues.removeAll(keepingCapacity: true)
        distCounts.removeAll(keepingCapacity: true)
    }

    var capacity: Int {
        key.capacity + labelOrder.capacity + pendingGroups.capacity + pendingGroupIndex.capacity + metrics.capacity
            + seenNames.capacity + distValues.capacity + distCounts.capacity + units.capacity + unitIndex.capacity
            + buckets.capacity + components.capacity + previous.capacity + entryIndices.capacity
            + bucketCounts.capacity + setList.capacity + invalidSets.capacity + groupMetrics.capacity
            + slotMetrics.capacity + leftovers.capacity + slotRemainder.capacity + eventMetrics.capacity
            + eventDirectives.capacity
            + fieldBytes.capacity + fieldStart.capacity
    }
}

struct GroupTimeKey: Hashable, Sendable {
    var group: Int32
    var timestamp: Int64
}

/// One event group of the current conversion: a label set at a timestamp.
struct PendingGroup: Sendable {
    var group: Int32
    var timestamp: Int64
    var first: Int32
    var last: Int32
    var maxChunk: Int32
}

/// One metric value waiting to be written.
struct PendingMetric: Sendable {
    /// Index into the name table.
    var name: Int32
    /// Interned dimension-set list, or -1 for a plain field.
    var setList: Int32
    /// Distribution chunk number (0 for scalars).
    var chunk: Int32
    var isDistribution: Bool
    /// The scalar value, or the distribution's `Sum`.
    var value: Double
    var distributionStart: Int32
    var distributionCount: Int32
    var next: Int32
}

/// The samples of one counter, summary or histogram series group within a family.
struct CumulativeUnit: Sendable {
    var group: Int32
    var timestamp: Int64
    var total: Int32 = -1
    var sum: Int32 = -1
    var count: Int32 = -1
    /// `_created` in seconds; NaN when absent.
    var created: Double = .nan
    /// Whether a `_sum` came before `_count` (output order for summaries).
    var sumFirst = false
    var bucketStart: Int32 = 0
    var bucketCount: Int32 = 0
}

struct BucketRef: Sendable {
    var unit: Int32
    var sample: Int32
    /// NaN when `le` is missing or unparsable.
    var upperBound: Double
}
