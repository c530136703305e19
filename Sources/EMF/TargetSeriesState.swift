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
    var tombstones: [ByteKey: Tombstone] = [:]
    var names = ByteKeyedTable<NameInfo>()
    var groups = ByteKeyedTable<GroupInfo>()
    /// Interned ``GroupProfile``s, referenced by ``GroupInfo/profile``; cleared together with `groups`.
    var profiles: [GroupProfile] = []
    var profileIndex: [GroupProfile: Int32] = [:]
    /// Per profile, the destination its events share (log group and stream); cleared together with `profiles`.
    var destinations: [EMFLogDestination] = []
    /// Interned label-name lists of label sets with a name that is not plain ASCII (see ``GroupInfo/exoticNames``);
    /// cleared together with `groups`.
    var exoticNameLists: [[String]] = []
    var exoticNameListIndex: [[String]: Int32] = [:]
    var matcherResults = ByteKeyedTable<Bool>()
    var setLists = SetListTable()
    var converterID: UInt64 = 0
    /// Changes whenever profiles or interned set lists are forgotten (cached selections then refer to nothing).
    var selectionEpoch: UInt32 = 0
    var targetFingerprint: [UInt8] = []
    var generation: UInt32 = 0
    /// Whether a non-empty batch of this target has been converted.
    var hasConverted = false
    /// The labels every event of this target carries when its scraped labels don't collide with them (see
    /// ``TargetSide``); `nil` until computed for the current converter and target labels.
    var targetSide: TargetSide?
    var scratch = ConversionScratch()
    /// Per position in the previous batch: what its sample resolved to, so a target that writes the same series in
    /// the same order (the usual case) costs one fast fingerprint per sample (``SeriesFingerprint``) instead of
    /// SipHash, label sorting and three lookups.
    var memos: [SampleMemo] = []
    /// Size of the previous conversion's output (message bytes, events), to size the next one's buffers.
    var lastOutputBytes = 0
    var lastOutputEvents = 0
    /// Layout versions of `groups`, `names` and `series` the memos' indices refer to.
    var memoVersions: (groups: UInt32, names: UInt32, series: UInt32) = (0, 0, 0)

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
                + matcherResults.capacity.entries + matcherResults.capacity.slots + scratch.capacity + memos.capacity
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
    /// `{"Name":"…","Unit":"…"}`, in the message encoding (``CompiledConfiguration/messageEncoding``).
    var definitionJSON: [UInt8]
    /// `"…":`, in the message encoding.
    var fieldPrefixJSON: [UInt8]
    /// 1–255 bytes and not `_aws`.
    var isValid: Bool
    /// One bit of a 64-bit filter, to detect cheaply that the name may equal a label name.
    var shadowBit: UInt64
    /// The last ``TargetSeriesState/resolveSelection(name:group:run:)`` result, for label sets of profile
    /// `selectionProfile` in ``TargetSeriesState/selectionEpoch`` `selectionEpoch` (-1: none).
    var selectionProfile: Int32 = -1
    var selectionEpoch: UInt32 = 0
    var selection = Selection.unselected
    var selectionDisabledSets: Int32 = 0
}

enum SetStatus: UInt8, Sendable, Hashable {
    case usable
    case missingLabel
    case invalidValue
}

/// Everything derived from one label set, cached per target. Kept small (40 bytes a table entry): a target holds one
/// per label set.
struct GroupInfo: Sendable {
    /// OR of the labels' name bits (see ``NameInfo/shadowBit``).
    var labelMask: UInt64
    /// Index into ``TargetSeriesState/profiles``: selection inputs and log names, shared by label sets alike.
    var profile: Int32
    /// Index into ``TargetSeriesState/exoticNameLists`` (-1: none): the label names, in `labelsJSON` order, only
    /// when one of them is not plain ASCII (or needs escaping); name comparisons then follow `String` equality
    /// exactly as for any other name.
    var exoticNames: Int32
    /// Whether the scraped labels are plain (printable ASCII, nothing to escape), with distinct names none of which
    /// is reserved (``TargetSide/reservedNames``): the event's labels are then the scraped and the target side's
    /// interleaved.
    var plainScraped: Bool
}

/// What selection and delivery need of a label set; most label sets of a target share one.
struct GroupProfile: Sendable, Hashable {
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
    /// `[["a","b"],["c"]]` per list, in the message encoding (built from the sets' own).
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
    /// The current label set's JSON is `labelsJSON[0..<labelsLength]` (the array only grows), in the message
    /// encoding.
    var labelsJSON: [UInt8] = []
    var labelsLength = 0
    var scrapedLabels: [Int32] = []
    /// Per group index: the pending group at the scrape time (valid where `groupPendingStamp` is `stamp`), and the
    /// current family's unit (valid where `groupUnitStamp` is `unitStamp`): arrays instead of hashing.
    var groupPending: [Int32] = []
    var groupPendingStamp: [UInt32] = []
    var groupUnit: [Int32] = []
    var groupUnitStamp: [UInt32] = []
    var stamp: UInt32 = 0
    var unitStamp: UInt32 = 0
    /// Metrics queued per pending group, for the duplicate check (a short list is scanned, a long one hashed).
    var pendingMetricCounts: [Int32] = []
    var fieldStart: [Int32] = []

    mutating func reset() {
        pendingGroups.clearKeepingCapacity()
        pendingGroupIndex.removeAll(keepingCapacity: true)
        pendingMetricCounts.clearKeepingCapacity()
        stamp &+= 1
        if stamp == 0 {
            for i in groupPendingStamp.indices { groupPendingStamp[i] = 0 }
            stamp = 1
        }
        metrics.clearKeepingCapacity()
        seenNames.removeAll(keepingCapacity: true)
        distValues.clearKeepingCapacity()
        distCounts.clearKeepingCapacity()
    }

    var capacity: Int {
        key.capacity + labelOrder.capacity + pendingGroups.capacity + pendingGroupIndex.capacity + metrics.capacity
            + seenNames.capacity + distValues.capacity + distCounts.capacity + units.capacity + unitIndex.capacity
            + buckets.capacity + components.capacity + previous.capacity + entryIndices.capacity
            + bucketCounts.capacity + setList.capacity + invalidSets.capacity + groupMetrics.capacity
            + slotMetrics.capacity + leftovers.capacity + slotRemainder.capacity + eventMetrics.capacity
            + eventDirectives.capacity
            + fieldBytes.capacity + fieldStart.capacity + labelsJSON.capacity + scrapedLabels.capacity
            + groupPending.capacity + groupPendingStamp.capacity + groupUnit.capacity + groupUnitStamp.capacity
            + pendingMetricCounts.capacity
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
    /// A sample of this conversion's batch carrying the group's scraped labels (-1: none, a synthetic sample),
    /// and whether `le` is left out of them: the event's labels are written from it.
    var labelSample: Int32
    var excludeLE: Bool
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

/// The target's share of every event's labels: `mergeLabels` of no scraped labels, as JSON entries sorted by name,
/// and the names a scraped label must not have for the events' labels to be that list merged with the scraped
/// labels (target labels, `job`, `ClusterName`, constant labels, `_aws`).
struct TargetSide: Sendable {
    /// Where one label's pieces lie in ``bytes``.
    struct Label: Sendable {
        /// The name's bytes (as scraped names are compared).
        var name: Range<Int32>
        /// `"name":"value"`, JSON-encoded, in the message encoding.
        var entry: Range<Int32>
    }

    /// Every label's name and entry, back to back: one buffer, so writing an event's labels touches one array.
    var bytes: [UInt8] = []
    /// Sorted by name bytes.
    var labels: [Label] = []
    /// The entries' total length.
    var entriesLength = 0
    var reservedNames: [[UInt8]]

    init(target: EMFTarget, config: CompiledConfiguration) {
        for label in mergeLabels(scraped: [], target: target, config: config) {
            let nameStart = Int32(bytes.count)
            bytes.append(contentsOf: label.name.utf8)
            let entryStart = Int32(bytes.count)
            var entry: [UInt8] = []
            JSONWriter.appendString(label.name, to: &entry)
            entry.append(UInt8(ascii: ":"))
            JSONWriter.appendString(label.value, to: &entry)
            bytes.append(contentsOf: config.encode(entry))
            labels.append(Label(name: nameStart..<entryStart, entry: entryStart..<Int32(bytes.count)))
            entriesLength += bytes.count - Int(entryStart)
        }
        var reserved = target.labels.map(\.name) + ["job", "ClusterName", "_aws"]
        reserved += config.constantLabels.map(\.name)
        reservedNames = reserved.map { Array($0.utf8) }
    }
}

/// What one position of a batch resolved to (see ``TargetSeriesState/memos``); -1: not resolved yet.
struct SampleMemo: Sendable {
    /// The series text's fingerprint. (24 bytes in all: a target holds one memo per sample.)
    var key: SeriesFingerprint
    var group: Int32 = -1
    var name: Int32 = -1
    var series: Int32 = -1
    /// Whether `group` was resolved without `le` (histogram families).
    var groupExcludesLE = false
}

extension ConversionScratch {
    /// Makes the per-group arrays cover `group`.
    @inline(__always)
    mutating func coverGroup(_ group: Int) {
        if group >= groupPending.count {
            let count = Swift.max(group + 1, groupPending.count * 2)
            let more = count - groupPending.count
            groupPending.append(contentsOf: repeatElement(-1, count: more))
            groupPendingStamp.append(contentsOf: repeatElement(0, count: more))
            groupUnit.append(contentsOf: repeatElement(-1, count: more))
            groupUnitStamp.append(contentsOf: repeatElement(0, count: more))
        }
    }

    /// Starts a family: forgets its units.
    mutating func nextUnitStamp() {
        unitStamp &+= 1
        if unitStamp == 0 {
            for i in groupUnitStamp.indices { groupUnitStamp[i] = 0 }
            unitStamp = 1
        }
    }
}
