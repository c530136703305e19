import PromExposition

/// How a cumulative unit's values become output values.
enum DeltaMode {
    /// First sample (or first after a clear): stored, nothing emitted.
    case baseline
    /// Reset or kept first sample: the current values are the deltas.
    case current
    /// The increase since the previous sample.
    case delta
}

extension TargetSeriesState {
    // MARK: Conversion start and end

    mutating func begin(converter: UInt64, run: ConversionRun) {
        generation &+= 1
        if converterID != converter {
            converterID = converter
            names.removeAll()
            clearGroups()
            targetSide = nil
            matcherResults.removeAll()
            setLists.removeAll()
        }
        scratch.key.clearKeepingCapacity()
        scratch.key.append(contentsOf: run.target.jobName.utf8)
        scratch.key.append(run.target.honorLabels ? 1 : 0)
        for label in run.target.labels {
            scratch.key.append(0)
            scratch.key.append(contentsOf: label.name.utf8)
            scratch.key.append(0)
            scratch.key.append(contentsOf: label.value.utf8)
        }
        if scratch.key != targetFingerprint {
            clearGroups()
            targetSide = nil
            targetFingerprint = Array(scratch.key)
        }
        if setLists.lists.count > 4096 {
            setLists.removeAll()
            selectionEpoch &+= 1
        }
        if profiles.count > 4096 || exoticNameLists.count > 4096 { clearGroups() }
        if matcherResults.count > 16_384 { matcherResults.removeAll() }
        scratch.reset()
        if memoVersions != (groups.layoutVersion, names.layoutVersion, series.layoutVersion) {
            memos.clearKeepingCapacity()
            memoVersions = (groups.layoutVersion, names.layoutVersion, series.layoutVersion)
        }
        if targetSide == nil { targetSide = TargetSide(target: run.target, config: run.config) }
    }

    /// Forgets every label set (and the profiles they share).
    mutating func clearGroups() {
        selectionEpoch &+= 1
        groups.removeAll()
        profiles.removeAll()
        destinations.removeAll()
        profileIndex.removeAll()
        exoticNameLists.removeAll()
        exoticNameListIndex.removeAll()
    }

    mutating func finish(batchCount: Int, run: inout ConversionRun) {
        guard batchCount > 0 else { return }
        hasConverted = true
        let current = generation
        if !tombstones.isEmpty {
            tombstones = tombstones.filter { current &- $0.value.generation < Self.tombstoneGenerations }
        }
        for entry in series.entries where entry.generation != current {
            tombstones[entry.key] = Tombstone(generation: current, created: entry.value.created)
        }
        run.report.seriesEvicted = series.sweep(keeping: current)
        names.sweep(keeping: current)
        groups.sweep(keeping: current)
        if memos.count > batchCount { memos.removeLast(memos.count - batchCount) }
        series.trimCapacity()
        groups.trimCapacity()
        memos.trimCapacity()
    }

    // MARK: Samples

    mutating func collect(_ batch: SampleBatch, arena: UnsafeRawBufferPointer, run: inout ConversionRun) {
        var currentFamily: Int32 = -1
        let secrets = FingerprintSecrets.process
        // The memo of a position holds if the same series text is there again: check every position first, in one
        // pass over the memos.
        let known = Swift.min(memos.count, batch.samples.count)
        batch.samples.withUnsafeBufferPointer { samples in
            memos.withUnsafeMutableBufferPointer { memos in
                for index in 0..<known {
                    let key = SeriesFingerprint(arena.slice(samples[index].seriesText), secrets: secrets)
                    if memos[index].key != key { memos[index] = SampleMemo(key: key) }
                }
            }
        }
        if known < batch.samples.count {
            memos.reserveCapacity(batch.samples.count)
            for index in known..<batch.samples.count {
                memos.append(SampleMemo(key: SeriesFingerprint(arena.slice(batch.samples[index].seriesText), secrets: secrets)))
            }
        }
        run.report.samplesSeen += batch.samples.count
        for index in batch.samples.indices {
            let sample = batch.samples[index]
            if sample.family != currentFamily {
                if currentFamily >= 0 { finishFamily(currentFamily, batch: batch, arena: arena, run: &run) }
                currentFamily = sample.family
                scratch.units.clearKeepingCapacity()
                scratch.nextUnitStamp()
                scratch.buckets.clearKeepingCapacity()
            }
            let type = batch.families[Int(sample.family)].type
            let sampleIndex = Int32(index)
            switch type {
            case .gauge, .untyped, .unknown, .info, .stateset:
                emitScalarSample(sample, index: sampleIndex, batch: batch, arena: arena, run: &run)
            case .counter:
                switch sample.role {
                case .created:
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.created = sample.value }
                case .total, .value:
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.total = sampleIndex }
                default:
                    run.report.dropped.malformed += 1
                }
            case .summary:
                switch sample.role {
                case .quantile, .value:
                    emitScalarSample(sample, index: sampleIndex, batch: batch, arena: arena, run: &run)
                case .sum:
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) {
                        $0.sum = sampleIndex
                        if $0.count < 0 { $0.sumFirst = true }
                    }
                case .count:
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.count = sampleIndex }
                case .created:
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.created = sample.value }
                default:
                    run.report.dropped.malformed += 1
                }
            case .histogram, .gaugeHistogram:
                let gauge = type == .gaugeHistogram
                switch (sample.role, gauge) {
                case (.bucket, _):
                    let upperBound = upperBound(of: sample, batch: batch, arena: arena)
                    let unit = unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { _ in }
                    scratch.buckets.append(BucketRef(unit: unit, sample: sampleIndex, upperBound: upperBound))
                case (.count, false), (.gcount, true):
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.count = sampleIndex }
                case (.sum, false), (.gsum, true):
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.sum = sampleIndex }
                case (.created, _):
                    unit(for: sample, index: sampleIndex, batch: batch, arena: arena, run: &run) { $0.created = sample.value }
                default:
                    run.report.dropped.malformed += 1
                }
            }
        }
        if currentFamily >= 0 { finishFamily(currentFamily, batch: batch, arena: arena, run: &run) }
    }

    mutating func collectSynthetic(_ sample: SyntheticSample, run: inout ConversionRun) {
        run.report.samplesSeen += 1
        scratch.key.clearKeepingCapacity()
        let group = groupIndexForCurrentKey(scraped: [], run: &run)
        var name = sample.name
        let index = name.withUTF8 { self.nameIndex(UnsafeRawBufferPointer($0), run: &run) }
        guard let value = JSONWriter.cloudWatchValue(sample.value) else {
            if !names[index].declarations.isEmpty { run.report.dropped.nonFinite += 1 }
            return
        }
        emit(
            name: index,
            group: group,
            timestamp: run.scrapeTime,
            value: value,
            distribution: nil,
            synthetic: true,
            labelSample: -1,
            excludeLE: false,
            run: &run
        )
    }

    private mutating func emitScalarSample(
        _ sample: BatchSample,
        index: Int32,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        guard let value = JSONWriter.cloudWatchValue(sample.value) else {
            run.report.dropped.nonFinite += 1
            return
        }
        let group = memoGroup(index, sample, excludingLE: false, batch: batch, arena: arena, run: &run)
        let name = memoName(index, sample, arena: arena, run: &run)
        emit(
            name: name,
            group: group,
            timestamp: timestamp(of: sample, run: run),
            value: value,
            distribution: nil,
            synthetic: false,
            labelSample: index,
            excludeLE: false,
            run: &run
        )
    }

    private func timestamp(of sample: BatchSample, run: ConversionRun) -> Int64 {
        run.target.honorTimestamps ? (sample.timestampMilliseconds ?? run.scrapeTime) : run.scrapeTime
    }

    /// The unit of `sample`'s series group within the current family, created on first use, after `update`.
    @discardableResult
    private mutating func unit(
        for sample: BatchSample,
        index sampleIndex: Int32,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun,
        _ update: (inout CumulativeUnit) -> Void
    ) -> Int32 {
        let type = batch.families[Int(sample.family)].type
        let excludeLE = type == .histogram || type == .gaugeHistogram
        let group = memoGroup(sampleIndex, sample, excludingLE: excludeLE, batch: batch, arena: arena, run: &run)
        let index: Int32
        let g = Int(group)
        scratch.coverGroup(g)
        if scratch.groupUnitStamp[g] == scratch.unitStamp {
            index = scratch.groupUnit[g]
        } else {
            index = Int32(scratch.units.count)
            scratch.units.append(CumulativeUnit(group: group, timestamp: timestamp(of: sample, run: run)))
            scratch.groupUnit[g] = index
            scratch.groupUnitStamp[g] = scratch.unitStamp
        }
        update(&scratch.units[Int(index)])
        return index
    }

    private func upperBound(of sample: BatchSample, batch: SampleBatch, arena: UnsafeRawBufferPointer) -> Double {
        for label in batch.labels(of: sample) where arena.slice(label.name).isLE {
            return ExpositionParser.parseNumber(arena.slice(label.value)) ?? .nan
        }
        return .nan
    }

    // MARK: Cumulative units

    private mutating func finishFamily(
        _ family: Int32,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        guard !scratch.units.isEmpty else { return }
        let familyInfo = batch.families[Int(family)]
        switch familyInfo.type {
        case .counter:
            for u in scratch.units.indices { finishCounter(scratch.units[u], batch: batch, arena: arena, run: &run) }
        case .summary:
            for u in scratch.units.indices { finishSummary(scratch.units[u], batch: batch, arena: arena, run: &run) }
        case .histogram, .gaugeHistogram:
            sortBuckets()
            let name = nameIndex(arena.slice(familyInfo.name), run: &run)
            for u in scratch.units.indices {
                finishHistogram(
                    scratch.units[u],
                    gauge: familyInfo.type == .gaugeHistogram,
                    name: name,
                    batch: batch,
                    arena: arena,
                    run: &run
                )
            }
        default:
            break
        }
    }

    private mutating func finishCounter(
        _ unit: CumulativeUnit,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        guard unit.total >= 0 else { return }  // a lone `_created`
        scratch.components.clearKeepingCapacity()
        scratch.components.append(unit.total)
        guard
            let mode = advance(
                monotonicCount: 1,
                created: unit.created,
                metrics: 1,
                batch: batch,
                arena: arena,
                run: &run
            ),
            mode != .baseline
        else { return }
        let sample = batch.samples[Int(unit.total)]
        emitDelta(
            sample, sampleIndex: unit.total, previous: scratch.previous[0], mode: mode, unit: unit, arena: arena,
            run: &run)
    }

    private mutating func finishSummary(
        _ unit: CumulativeUnit,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        scratch.components.clearKeepingCapacity()
        // `_count` drives reset detection; `_sum` may decrease legitimately (negative observations).
        if unit.count >= 0 { scratch.components.append(unit.count) }
        if unit.sum >= 0 { scratch.components.append(unit.sum) }
        let metrics = scratch.components.count
        guard metrics > 0,
            let mode = advance(
                monotonicCount: 1,
                created: unit.created,
                metrics: metrics,
                batch: batch,
                arena: arena,
                run: &run
            ),
            mode != .baseline
        else { return }
        let countPrevious = unit.count >= 0 ? scratch.previous[0] : .nan
        let sumPrevious = unit.sum >= 0 ? scratch.previous[metrics - 1] : .nan
        if unit.sumFirst, unit.sum >= 0 {
            emitDelta(
                batch.samples[Int(unit.sum)],
                sampleIndex: unit.sum,
                previous: sumPrevious,
                mode: mode,
                unit: unit,
                arena: arena,
                run: &run
            )
        }
        if unit.count >= 0 {
            emitDelta(
                batch.samples[Int(unit.count)],
                sampleIndex: unit.count,
                previous: countPrevious,
                mode: mode,
                unit: unit,
                arena: arena,
                run: &run
            )
        }
        if !unit.sumFirst, unit.sum >= 0 {
            emitDelta(
                batch.samples[Int(unit.sum)],
                sampleIndex: unit.sum,
                previous: sumPrevious,
                mode: mode,
                unit: unit,
                arena: arena,
                run: &run
            )
        }
    }

    private mutating func emitDelta(
        _ sample: BatchSample,
        sampleIndex: Int32,
        previous: Double,
        mode: DeltaMode,
        unit: CumulativeUnit,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        let delta = mode == .current ? sample.value : sample.value - previous
        guard let value = JSONWriter.cloudWatchValue(delta) else {
            run.report.dropped.nonFinite += 1
            return
        }
        let name = memoName(sampleIndex, sample, arena: arena, run: &run)
        emit(
            name: name,
            group: unit.group,
            timestamp: unit.timestamp,
            value: value,
            distribution: nil,
            synthetic: false,
            labelSample: sampleIndex,
            excludeLE: false,
            run: &run
        )
    }

    /// Sorts the family's buckets by unit, then upper bound, and records each unit's bucket range.
    private mutating func sortBuckets() {
        var sorted = true
        for i in scratch.buckets.indices.dropFirst() {
            let a = scratch.buckets[i - 1]
            let b = scratch.buckets[i]
            if a.unit > b.unit || (a.unit == b.unit && !(a.upperBound < b.upperBound)) {
                sorted = false
                break
            }
        }
        if !sorted {
            scratch.buckets.sort { a, b in
                if a.unit != b.unit { return a.unit < b.unit }
                if a.upperBound.isNaN || b.upperBound.isNaN { return !a.upperBound.isNaN && b.upperBound.isNaN }
                if a.upperBound != b.upperBound { return a.upperBound < b.upperBound }
                return a.sample < b.sample
            }
        }
        var i = 0
        while i < scratch.buckets.count {
            let unit = Int(scratch.buckets[i].unit)
            var j = i
            while j < scratch.buckets.count, Int(scratch.buckets[j].unit) == unit { j += 1 }
            scratch.units[unit].bucketStart = Int32(i)
            scratch.units[unit].bucketCount = Int32(j - i)
            i = j
        }
    }

    private mutating func finishHistogram(
        _ unit: CumulativeUnit,
        gauge: Bool,
        name: Int,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) {
        let start = Int(unit.bucketStart)
        let bucketCount = Int(unit.bucketCount)
        guard bucketCount > 0 else {
            // `_count`/`_sum`/`_created` without buckets: nothing to encode.
            if unit.count >= 0 || unit.sum >= 0 { run.report.dropped.malformed += 1 }
            return
        }
        // Upper bounds must parse and be distinct.
        for i in start..<(start + bucketCount) {
            let bound = scratch.buckets[i].upperBound
            if bound.isNaN || (i > start && bound == scratch.buckets[i - 1].upperBound) {
                run.report.dropped.malformed += 1
                return
            }
        }
        scratch.components.clearKeepingCapacity()
        for i in start..<(start + bucketCount) { scratch.components.append(scratch.buckets[i].sample) }
        if unit.count >= 0 { scratch.components.append(unit.count) }
        let monotonicCount = scratch.components.count
        if unit.sum >= 0 { scratch.components.append(unit.sum) }

        // Increase of each cumulative bucket, then of `_sum`.
        scratch.bucketCounts.clearKeepingCapacity()
        var sumDelta = Double.nan
        if gauge {
            for k in scratch.components.indices {
                let value = batch.samples[Int(scratch.components[k])].value
                guard value.isFinite else {
                    run.report.dropped.nonFinite += 1
                    return
                }
            }
            for k in 0..<bucketCount { scratch.bucketCounts.append(batch.samples[Int(scratch.components[k])].value) }
            if unit.sum >= 0 { sumDelta = batch.samples[Int(unit.sum)].value }
        } else {
            guard
                let mode = advance(
                    monotonicCount: monotonicCount,
                    created: unit.created,
                    metrics: 1,
                    batch: batch,
                    arena: arena,
                    run: &run
                ),
                mode != .baseline
            else { return }
            for k in 0..<bucketCount {
                let value = batch.samples[Int(scratch.components[k])].value
                scratch.bucketCounts.append(mode == .current ? value : value - scratch.previous[k])
            }
            if unit.sum >= 0 {
                let value = batch.samples[Int(unit.sum)].value
                sumDelta = mode == .current ? value : value - scratch.previous[scratch.components.count - 1]
            }
        }

        // Cumulative → per bucket.
        var below = 0.0
        for k in 0..<bucketCount {
            let cumulative = scratch.bucketCounts[k]
            var own = cumulative - below
            if own < 0 {
                // Tolerate rounding of non-integer counts; anything else is a histogram that is not cumulative.
                guard own > -1e-9 * Swift.max(1, cumulative.magnitude) else {
                    run.report.dropped.malformed += 1
                    return
                }
                own = 0
            }
            scratch.bucketCounts[k] = own
            below = Swift.max(below, cumulative)
        }

        // Representative values: bucket midpoints, ascending; equal values merged.
        let distributionStart = scratch.distValues.count
        var total = 0.0
        var largestFinite = -Double.infinity
        var estimatedSum = 0.0
        for k in 0..<bucketCount {
            let upper = scratch.buckets[start + k].upperBound
            if upper.isFinite { largestFinite = upper }
            let count = scratch.bucketCounts[k]
            guard count > 0 else { continue }
            let value: Double
            if upper == .infinity {
                if largestFinite.isFinite {
                    value = largestFinite
                } else {
                    // Only a `+Inf` bucket: the mean is the best single value.
                    value = sumDelta.isFinite ? sumDelta / count : 0
                }
            } else if k == 0 {
                value = upper > 0 ? upper / 2 : upper
            } else {
                value = (scratch.buckets[start + k - 1].upperBound + upper) / 2
            }
            if scratch.distValues.count > distributionStart, scratch.distValues[scratch.distValues.count - 1] == value {
                scratch.distCounts[scratch.distCounts.count - 1] += count
            } else {
                scratch.distValues.append(value)
                scratch.distCounts.append(count)
            }
            total += count
            estimatedSum += value * count
        }
        let valueCount = scratch.distValues.count - distributionStart
        guard valueCount > 0, total > 0 else { return }  // no observations in the interval: no metric
        let sum = unit.sum >= 0 ? sumDelta : estimatedSum
        guard let checkedSum = JSONWriter.cloudWatchValue(sum),
            scratch.distValues[distributionStart...].allSatisfy({ JSONWriter.cloudWatchValue($0) != nil }),
            JSONWriter.cloudWatchValue(total) != nil
        else {
            scratch.distValues.removeLast(valueCount)
            scratch.distCounts.removeLast(valueCount)
            run.report.dropped.nonFinite += 1
            return
        }
        emit(
            name: name,
            group: unit.group,
            timestamp: unit.timestamp,
            value: checkedSum,
            distribution: (Int32(distributionStart), Int32(valueCount)),
            synthetic: false,
            labelSample: scratch.buckets[start].sample,
            excludeLE: true,
            run: &run
        )
    }

    /// Looks up (or creates) the delta state of `scratch.components`, decides how the unit's values become
    /// output values, and stores the new values. `scratch.previous` receives the previous values (NaN if none),
    /// aligned with the components. The first `monotonicCount` components detect resets by decreasing.
    ///
    /// - Returns: `nil` when a value is non-finite (state cleared, `metrics` counted as dropped).
    private mutating func advance(
        monotonicCount: Int,
        created: Double,
        metrics: Int,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) -> DeltaMode? {
        scratch.entryIndices.clearKeepingCapacity()
        scratch.previous.clearKeepingCapacity()
        var finite = true
        for component in scratch.components {
            let sample = batch.samples[Int(component)]
            if !sample.value.isFinite { finite = false }
            scratch.entryIndices.append(memoSeries(component, batch: batch, arena: arena))
        }
        guard finite else {
            for entry in scratch.entryIndices {
                series[entry].previous = .nan
                series[entry].cleared = true
            }
            run.report.dropped.nonFinite += metrics
            return nil
        }
        let created = created.isFinite ? created : .nan
        var createdChanged = false
        var decreased = false
        var missing = false
        var cleared = false
        for k in scratch.components.indices {
            let entry = series[scratch.entryIndices[k]]
            let value = batch.samples[Int(scratch.components[k])].value
            scratch.previous.append(entry.previous)
            if !entry.created.isNaN, !created.isNaN, entry.created != created { createdChanged = true }
            if entry.previous.isNaN {
                missing = true
                if entry.cleared { cleared = true }
            } else if k < monotonicCount, value < entry.previous {
                decreased = true
            }
        }
        let mode: DeltaMode
        if createdChanged || decreased {
            mode = .current
            run.report.resets += 1
        } else if missing {
            if !cleared, keepFirstValue(created: created, run: run) {
                mode = .current
            } else {
                mode = .baseline
                run.report.baselinesStored += metrics
            }
        } else {
            mode = .delta
        }
        for k in scratch.components.indices {
            let index = scratch.entryIndices[k]
            series[index].previous = batch.samples[Int(scratch.components[k])].value
            series[index].created = created
            series[index].cleared = false
        }
        return mode
    }

    private func keepFirstValue(created: Double, run: ConversionRun) -> Bool {
        switch run.config.initialValue {
        case .keep: true
        case .drop: false
        case .auto:
            run.target.discoveredAfterStartup || hasConverted
                || (!created.isNaN && created * 1000 >= Double(run.agentStart))
        }
    }

    /// The delta-state entry of the series whose text is `text`, created (as new, or as known-but-cleared when
    /// it was evicted recently) on first use, and marked as seen.
    private mutating func memoSeries(_ sampleIndex: Int32, batch: SampleBatch, arena: UnsafeRawBufferPointer) -> Int {
        let i = Int(sampleIndex)
        let known = Int(memos[i].series)
        if known >= 0 {
            series.touch(known, generation: generation)
            return known
        }
        let index = seriesEntry(ByteKey(arena.slice(batch.samples[i].seriesText)))
        memos[i].series = Int32(index)
        return index
    }

    private mutating func memoGroup(
        _ sampleIndex: Int32,
        _ sample: BatchSample,
        excludingLE: Bool,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) -> Int32 {
        let i = Int(sampleIndex)
        let known = memos[i].group
        if known >= 0, memos[i].groupExcludesLE == excludingLE {
            groups.touch(Int(known), generation: generation)
            return known
        }
        let group = groupIndex(of: sample, excludingLE: excludingLE, batch: batch, arena: arena, run: &run)
        memos[i].group = group
        memos[i].groupExcludesLE = excludingLE
        return group
    }

    private mutating func memoName(
        _ sampleIndex: Int32,
        _ sample: BatchSample,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun
    ) -> Int {
        let i = Int(sampleIndex)
        let known = Int(memos[i].name)
        if known >= 0 {
            names.touch(known, generation: generation)
            return known
        }
        let name = nameIndex(arena.slice(sample.name), run: &run)
        memos[i].name = Int32(name)
        return name
    }

    private mutating func seriesEntry(_ key: ByteKey) -> Int {
        if let index = series.find(key) {
            series.touch(index, generation: generation)
            return index
        }
        var entry = SeriesEntry()
        if let tombstone = tombstones.removeValue(forKey: key) {
            entry.cleared = true
            entry.created = tombstone.created
        }
        return series.insert(key, value: entry, generation: generation)
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes of `range` within this arena.
    func slice(_ range: ByteRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[Int(range.start)..<Int(range.start + range.count)])
    }

    /// The bytes of `range` within this buffer.
    func slice(_ range: Range<Int32>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[Int(range.lowerBound)..<Int(range.upperBound)])
    }

    var isLE: Bool { count == 2 && self[0] == UInt8(ascii: "l") && self[1] == UInt8(ascii: "e") }
}
