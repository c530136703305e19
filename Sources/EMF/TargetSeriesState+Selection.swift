import PromExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the declarations make of one metric in one label set.
enum Selection {
    /// Extracted with this interned list of dimension sets.
    case extracted(Int32)
    /// No declaration selects it.
    case unselected
    /// Selected, but no dimension set is usable; `invalid` when an invalid label value disabled one.
    case noDimensionSet(invalid: Bool)
}

extension TargetSeriesState {
    // MARK: Label sets

    /// The cached label-set entry of `sample` (scraped labels, `le` excluded for histograms), created on first use.
    mutating func groupIndex(
        of sample: BatchSample,
        excludingLE: Bool,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) -> Int32 {
        // Canonical key: labels with non-empty values sorted by name, each as length-prefixed name and value.
        scratch.labelOrder.clearKeepingCapacity()
        let start = Int(sample.labelStart)
        for labelIndex in start..<(start + Int(sample.labelCount)) {
            let label = batch.labels[labelIndex]
            if label.value.count == 0 { continue }
            if excludingLE, arena.slice(label.name).isLE { continue }
            scratch.labelOrder.append(Int32(labelIndex))
            var j = scratch.labelOrder.count - 1
            while j > 0,
                Self.precedes(
                    batch.labels[Int(scratch.labelOrder[j])],
                    batch.labels[Int(scratch.labelOrder[j - 1])],
                    arena
                )
            {
                scratch.labelOrder.swapAt(j, j - 1)
                j -= 1
            }
        }
        scratch.key.clearKeepingCapacity()
        for labelIndex in scratch.labelOrder {
            let label = batch.labels[Int(labelIndex)]
            Self.appendLengthPrefixed(arena.slice(label.name), to: &scratch.key)
            Self.appendLengthPrefixed(arena.slice(label.value), to: &scratch.key)
        }
        if let existing = findGroupForCurrentKey() { return existing }
        var scraped: [(name: String, value: String)] = []
        scraped.reserveCapacity(scratch.labelOrder.count)
        for labelIndex in scratch.labelOrder {
            let label = batch.labels[Int(labelIndex)]
            scraped.append(
                (
                    String(decoding: arena.slice(label.name), as: UTF8.self),
                    String(decoding: arena.slice(label.value), as: UTF8.self)
                )
            )
        }
        return insertGroupForCurrentKey(scraped: scraped, run: &run)
    }

    /// The label-set entry for `scratch.key` (which the caller filled with `scraped`), created on first use.
    mutating func groupIndexForCurrentKey(scraped: [(name: String, value: String)], run: inout ConversionRun) -> Int32 {
        if let existing = findGroupForCurrentKey() { return existing }
        return insertGroupForCurrentKey(scraped: scraped, run: &run)
    }

    private mutating func findGroupForCurrentKey() -> Int32? {
        let found = groups.find(scratch.key.withUnsafeBytes { ByteKey($0) })
        guard let found else { return nil }
        groups.touch(found, generation: generation)
        return Int32(found)
    }

    private mutating func insertGroupForCurrentKey(
        scraped: [(name: String, value: String)],
        run: inout ConversionRun
    ) -> Int32 {
        let info = makeGroupInfo(scraped: scraped, run: run)
        let generation = self.generation
        let index = groups.insert(scratch.key.withUnsafeBytes { ByteKey($0) }, value: info, generation: generation)
        return Int32(index)
    }

    static func precedes(_ a: BatchLabel, _ b: BatchLabel, _ arena: UnsafeRawBufferPointer) -> Bool {
        let byName = compareBytes(arena.slice(a.name), arena.slice(b.name))
        if byName != 0 { return byName < 0 }
        return compareBytes(arena.slice(a.value), arena.slice(b.value)) < 0
    }

    private static func appendLengthPrefixed(_ bytes: UnsafeRawBufferPointer, to key: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: bytes.count)
        key.append(UInt8(truncatingIfNeeded: count))
        key.append(UInt8(truncatingIfNeeded: count >> 8))
        key.append(UInt8(truncatingIfNeeded: count >> 16))
        key.append(UInt8(truncatingIfNeeded: count >> 24))
        key.append(contentsOf: bytes)
    }

    /// Everything derived from one scraped label set (slow path: once per new label set).
    private mutating func makeGroupInfo(scraped: [(name: String, value: String)], run: ConversionRun) -> GroupInfo {
        let config = run.config
        let labels = mergeLabels(scraped: scraped, target: run.target, config: config)
        func value(_ name: String) -> String? { labels.first { $0.name == name }?.value }

        var labelMask: UInt64 = 0
        var exotic = false
        for label in labels {
            labelMask |= shadowBit(label.name)
            if !isPlainName(label.name) { exotic = true }
        }

        var matchers: [Bool] = []
        matchers.reserveCapacity(config.matchers.count)
        for (m, matcher) in config.matchers.enumerated() {
            let joined = matcher.sourceLabels.map { value($0) ?? "" }.joined(separator: matcher.separator)
            var key: [UInt8] = []
            withUnsafeBytes(of: UInt32(m).littleEndian) { key.append(contentsOf: $0) }
            key.append(contentsOf: joined.utf8)
            let matched = key.withUnsafeBytes { key -> Bool in
                let hash = ByteKey(key)
                if let found = matcherResults.find(hash) { return matcherResults[found] }
                let matched = config.regexes.matches(matcher.regex, joined)
                matcherResults.insert(hash, value: matched, generation: generation)
                return matched
            }
            matchers.append(matched)
        }

        var setStatus: [SetStatus] = []
        setStatus.reserveCapacity(config.dimensionSets.count)
        for set in config.dimensionSets {
            var status = SetStatus.usable
            for key in set.keys {
                guard let labelValue = value(key) else {
                    status = .missingLabel
                    break
                }
                if !isValidDimensionValue(labelValue.utf8) { status = .invalidValue }
            }
            setStatus.append(status)
        }

        let profile = GroupProfile(
            matchers: matchers,
            setStatus: setStatus,
            logGroupName: config.logGroup.resolve(jobName: run.target.jobName, label: value),
            logStreamName: config.logStream.resolve(jobName: run.target.jobName, label: value)
        )
        let profileID: Int32
        if let existing = profileIndex[profile] {
            profileID = existing
        } else {
            profileID = Int32(profiles.count)
            profiles.append(profile)
            destinations.append(
                EMFLogDestination(logGroupName: profile.logGroupName, logStreamName: profile.logStreamName)
            )
            profileIndex[profile] = profileID
        }
        return GroupInfo(
            labelMask: labelMask,
            profile: profileID,
            exoticNames: exotic ? internExoticNames(labels.map(\.name)) : -1,
            plainScraped: scraped.indices.allSatisfy { k in
                let name = scraped[k].name
                return isPlainName(name) && isPlainName(scraped[k].value)
                    && (k == 0 || name != scraped[k - 1].name)
                    && targetSide?.reservedNames.contains(where: { $0.elementsEqual(name.utf8) }) == false
            }
        )
    }

    /// The index of `names` in ``exoticNameLists``, added if new.
    private mutating func internExoticNames(_ names: [String]) -> Int32 {
        if let existing = exoticNameListIndex[names] { return existing }
        let index = Int32(exoticNameLists.count)
        exoticNameLists.append(names)
        exoticNameListIndex[names] = index
        return index
    }

    // MARK: Metric names

    /// The cached selection entry of the metric named `bytes`, created on first use (regexes run only then).
    mutating func nameIndex(_ bytes: UnsafeRawBufferPointer, run: inout ConversionRun) -> Int {
        let hash = ByteKey(bytes)
        if let found = names.find(hash) {
            names.touch(found, generation: generation)
            return found
        }
        let config = run.config
        let name = String(decoding: bytes, as: UTF8.self)
        var declarations: [Int32] = []
        for (d, declaration) in config.declarations.enumerated()
        where declaration.selectors.contains(where: { config.regexes.matches($0, name) }) {
            declarations.append(Int32(d))
        }
        var definition: [UInt8] = []
        JSONWriter.appendLiteral("{\"Name\":", to: &definition)
        JSONWriter.appendString(name, to: &definition)
        if let unit = config.units[name], unit != .none {
            JSONWriter.appendLiteral(",\"Unit\":", to: &definition)
            JSONWriter.appendString(unit.rawValue, to: &definition)
        }
        definition.append(UInt8(ascii: "}"))
        var prefix = JSONWriter.encodedString(name)
        prefix.append(UInt8(ascii: ":"))
        let info = NameInfo(
            name: name,
            declarations: declarations,
            definitionJSON: config.encode(definition),
            fieldPrefixJSON: config.encode(prefix),
            isValid: (1...255).contains(bytes.count) && name != "_aws",
            shadowBit: shadowBit(name)
        )
        return names.insert(hash, value: info, generation: generation)
    }

    // MARK: Selection and emission

    mutating func resolveSelection(name: Int, group: Int32, run: inout ConversionRun) -> Selection {
        // The selection depends only on the name and the label set's profile: remember the last one per name.
        let profile = groups[Int(group)].profile
        if names[name].selectionProfile == profile, names[name].selectionEpoch == selectionEpoch {
            run.report.dimensionSetsDisabled += Int(names[name].selectionDisabledSets)
            return names[name].selection
        }
        let disabledBefore = run.report.dimensionSetsDisabled
        let selection = computeSelection(name: name, group: group, run: &run)
        names[name].selectionProfile = profile
        names[name].selectionEpoch = selectionEpoch
        names[name].selection = selection
        names[name].selectionDisabledSets = Int32(run.report.dimensionSetsDisabled - disabledBefore)
        return selection
    }

    private mutating func computeSelection(name: Int, group: Int32, run: inout ConversionRun) -> Selection {
        let declarations = names[name].declarations
        if declarations.isEmpty { return .unselected }
        scratch.setList.clearKeepingCapacity()
        scratch.invalidSets.clearKeepingCapacity()
        var selected = false
        let profile = Int(groups[Int(group)].profile)
        for d in declarations {
            let declaration = run.config.declarations[Int(d)]
            guard profiles[profile].matchers[declaration.matcher] else { continue }
            selected = true
            for set in declaration.sets {
                switch profiles[profile].setStatus[Int(set)] {
                case .usable:
                    if !scratch.setList.contains(set) { scratch.setList.append(set) }
                case .invalidValue:
                    if !scratch.invalidSets.contains(set) { scratch.invalidSets.append(set) }
                case .missingLabel:
                    break
                }
            }
        }
        guard selected else { return .unselected }
        run.report.dimensionSetsDisabled += scratch.invalidSets.count
        if scratch.setList.isEmpty { return .noDimensionSet(invalid: !scratch.invalidSets.isEmpty) }
        scratch.setList.sort()
        return .extracted(setLists.intern(scratch.setList, sets: run.config.dimensionSets))
    }

    /// Queues one metric value (a scalar, or a distribution whose values/counts are in the scratch buffers) for
    /// the event of (`group`, `timestamp`), after the timestamp, name, selection and duplicate checks.
    mutating func emit(
        name: Int,
        group: Int32,
        timestamp: Int64,
        value: Double,
        distribution: (start: Int32, count: Int32)?,
        synthetic: Bool,
        labelSample: Int32,
        excludeLE: Bool,
        run: inout ConversionRun
    ) {
        if timestamp < run.scrapeTime - ConversionRun.maximumAgeMilliseconds
            || timestamp > run.scrapeTime + ConversionRun.maximumFutureMilliseconds
        {
            run.report.dropped.timestampOutOfRange += 1
            return
        }
        guard names[name].isValid else {
            run.report.dropped.invalidName += 1
            return
        }
        let setList: Int32
        switch resolveSelection(name: name, group: group, run: &run) {
        case .extracted(let list):
            setList = list
        case .unselected:
            if synthetic { return }
            run.report.dropped.unselected += 1
            guard run.config.emitUnselected else { return }
            setList = -1
        case .noDimensionSet(let invalid):
            if invalid {
                run.report.dropped.invalidDimensionValue += 1
            } else {
                run.report.dropped.noDimensionSet += 1
            }
            guard run.config.emitUnselected, !synthetic else { return }
            setList = -1
        }

        let pending: Int32
        let g = Int(group)
        if timestamp == run.scrapeTime {
            // The usual case: the event of the label set at the scrape time, found by group index.
            scratch.coverGroup(g)
            if scratch.groupPendingStamp[g] == scratch.stamp {
                pending = scratch.groupPending[g]
            } else {
                pending = newPendingGroup(
                    group: group,
                    timestamp: timestamp,
                    labelSample: labelSample,
                    excludeLE: excludeLE
                )
                scratch.groupPending[g] = pending
                scratch.groupPendingStamp[g] = scratch.stamp
            }
        } else {
            let key = GroupTimeKey(group: group, timestamp: timestamp)
            if let existing = scratch.pendingGroupIndex[key] {
                pending = existing
            } else {
                pending = newPendingGroup(
                    group: group,
                    timestamp: timestamp,
                    labelSample: labelSample,
                    excludeLE: excludeLE
                )
                scratch.pendingGroupIndex[key] = pending
            }
        }
        guard insertName(name, into: pending) else {
            run.report.dropped.duplicate += 1
            return
        }

        guard let distribution else {
            append(
                PendingMetric(
                    name: Int32(name),
                    setList: setList,
                    chunk: 0,
                    isDistribution: false,
                    value: value,
                    distributionStart: 0,
                    distributionCount: 0,
                    next: -1
                ),
                to: pending
            )
            return
        }
        // At most 100 values per distribution object; each chunk goes to its own event. `Sum` on the first only.
        var offset: Int32 = 0
        var chunk: Int32 = 0
        while offset < distribution.count {
            let count = Swift.min(EMFLimits.valuesPerDistribution, distribution.count - offset)
            append(
                PendingMetric(
                    name: Int32(name),
                    setList: setList,
                    chunk: chunk,
                    isDistribution: true,
                    value: chunk == 0 ? value : 0,
                    distributionStart: distribution.start + offset,
                    distributionCount: count,
                    next: -1
                ),
                to: pending
            )
            offset += count
            chunk += 1
        }
    }

    private mutating func newPendingGroup(group: Int32, timestamp: Int64, labelSample: Int32, excludeLE: Bool) -> Int32
    {
        let pending = Int32(scratch.pendingGroups.count)
        scratch.pendingGroups.append(
            PendingGroup(
                group: group,
                timestamp: timestamp,
                first: -1,
                last: -1,
                maxChunk: 0,
                labelSample: labelSample,
                excludeLE: excludeLE
            )
        )
        scratch.pendingMetricCounts.append(0)
        return pending
    }

    /// Records that metric `name` is in `pending`'s event; false if it already is (a duplicate).
    private mutating func insertName(_ name: Int, into pending: Int32) -> Bool {
        let p = Int(pending)
        let count = scratch.pendingMetricCounts[p]
        let pair = Int64(pending) << 32 | Int64(name)
        if count < 16 {
            // Few metrics so far: scan the event's list.
            var cursor = scratch.pendingGroups[p].first
            while cursor >= 0 {
                if scratch.metrics[Int(cursor)].name == Int32(name) { return false }
                cursor = scratch.metrics[Int(cursor)].next
            }
            if count == 15 {
                // From now on the set answers for this event: give it every name queued so far.
                var cursor = scratch.pendingGroups[p].first
                while cursor >= 0 {
                    scratch.seenNames.insert(Int64(pending) << 32 | Int64(scratch.metrics[Int(cursor)].name))
                    cursor = scratch.metrics[Int(cursor)].next
                }
                scratch.seenNames.insert(pair)
            }
        } else if !scratch.seenNames.insert(pair).inserted {
            return false
        }
        scratch.pendingMetricCounts[p] = count + 1
        return true
    }

    private mutating func append(_ metric: PendingMetric, to pending: Int32) {
        let index = Int32(scratch.metrics.count)
        scratch.metrics.append(metric)
        let p = Int(pending)
        if scratch.pendingGroups[p].first < 0 {
            scratch.pendingGroups[p].first = index
        } else {
            scratch.metrics[Int(scratch.pendingGroups[p].last)].next = index
        }
        scratch.pendingGroups[p].last = index
        scratch.pendingGroups[p].maxChunk = Swift.max(scratch.pendingGroups[p].maxChunk, metric.chunk)
    }
}

/// EMF specification limits promwatch enforces.
enum EMFLimits {
    /// MetricDefinitions per event (the spec's per-directive limit, applied to the whole event).
    static let metricsPerEvent = 100
    /// Values per array or distribution object.
    static let valuesPerDistribution: Int32 = 100
}

/// Whether `name` is printable ASCII that JSON writes as is (no `"` or `\\`): such names compare equal as
/// `String`s exactly when their bytes are equal.
func isPlainName(_ name: String) -> Bool {
    name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
}

/// A cheap 64-bit filter bit for a name (FNV-1a), shared by label names and metric names.
func shadowBit(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
    }
    return 1 << (hash & 63)
}

/// Merges scraped labels with target labels, `ClusterName` and constant labels (see ``EMFConverter``).
///
/// - Returns: labels sorted by name (UTF-8 bytes), without empty values or `_aws`.
func mergeLabels(
    scraped: [(name: String, value: String)],
    target: EMFTarget,
    config: CompiledConfiguration
) -> [(name: String, value: String)] {
    var targetLabels = target.labels
    if !targetLabels.contains(where: { $0.name == "job" }) {
        targetLabels.append((name: "job", value: target.jobName))
    }
    targetLabels.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    var result = TargetLabelMerge.merge(scraped: scraped, target: targetLabels, honorLabels: target.honorLabels)
    if let clusterName = config.clusterName, !clusterName.isEmpty, result["ClusterName"] == nil {
        result["ClusterName"] = clusterName
    }
    for label in config.constantLabels where !label.value.isEmpty && result[label.name] == nil {
        result[label.name] = label.value
    }
    result["_aws"] = nil
    return result.map { (name: $0.key, value: $0.value) }.sorted {
        $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
    }
}

/// Compares two byte strings as `lexicographicallyPrecedes` orders them (unsigned bytes, a prefix first): negative,
/// zero or positive.
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = Swift.min(a.count, b.count)
    if common > 0 {
        // Names usually differ in their first byte: no call then.
        let first = Int(a[0]) - Int(b[0])
        if first != 0 { return first }
        let order = memcmp(a.baseAddress!, b.baseAddress!, common)
        if order != 0 { return Int(order) }
    }
    return a.count - b.count
}
