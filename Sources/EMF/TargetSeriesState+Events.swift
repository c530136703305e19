import PromExposition

/// The fixed pieces of an EMF event in one ``EMFMessageEncoding``, and their lengths for size accounting. The event
/// writers are generic over it, so each encoding gets its own specialized copy with the pieces as constants.
protocol EventPieces {
    /// Whether the pieces are escaped as JSON string content (plain labels are then written `\"name\":\"value\"`).
    static var escaped: Bool { get }
    static var awsOpen: StaticString { get }
    static var metricsOpen: StaticString { get }
    static var awsClose: StaticString { get }
    static var namespaceOpen: StaticString { get }
    static var dimensionsOpen: StaticString { get }
    static var definitionsOpen: StaticString { get }
    static var directiveClose: StaticString { get }
    static var valuesOpen: StaticString { get }
    static var countsOpen: StaticString { get }
    static var maxOpen: StaticString { get }
    static var minOpen: StaticString { get }
    static var countOpen: StaticString { get }
    static var sumOpen: StaticString { get }
}

extension EventPieces {
    static var awsFixed: Int { awsOpen.utf8CodeUnitCount + metricsOpen.utf8CodeUnitCount + awsClose.utf8CodeUnitCount }
    static var directiveFixed: Int {
        namespaceOpen.utf8CodeUnitCount + dimensionsOpen.utf8CodeUnitCount + definitionsOpen.utf8CodeUnitCount
            + directiveClose.utf8CodeUnitCount
    }
}

enum DocumentPieces: EventPieces {
    static var escaped: Bool { false }
    static var awsOpen: StaticString { "\"_aws\":{\"Timestamp\":" }
    static var metricsOpen: StaticString { ",\"CloudWatchMetrics\":[" }
    static var awsClose: StaticString { "]}" }
    static var namespaceOpen: StaticString { "{\"Namespace\":" }
    static var dimensionsOpen: StaticString { ",\"Dimensions\":" }
    static var definitionsOpen: StaticString { ",\"Metrics\":[" }
    static var directiveClose: StaticString { "]}" }
    static var valuesOpen: StaticString { "{\"Values\":[" }
    static var countsOpen: StaticString { "],\"Counts\":[" }
    static var maxOpen: StaticString { "],\"Max\":" }
    static var minOpen: StaticString { ",\"Min\":" }
    static var countOpen: StaticString { ",\"Count\":" }
    static var sumOpen: StaticString { ",\"Sum\":" }
}

/// ``DocumentPieces`` escaped as JSON string content (a test checks each against the escaper).
enum EscapedPieces: EventPieces {
    static var escaped: Bool { true }
    static var awsOpen: StaticString { "\\\"_aws\\\":{\\\"Timestamp\\\":" }
    static var metricsOpen: StaticString { ",\\\"CloudWatchMetrics\\\":[" }
    static var awsClose: StaticString { "]}" }
    static var namespaceOpen: StaticString { "{\\\"Namespace\\\":" }
    static var dimensionsOpen: StaticString { ",\\\"Dimensions\\\":" }
    static var definitionsOpen: StaticString { ",\\\"Metrics\\\":[" }
    static var directiveClose: StaticString { "]}" }
    static var valuesOpen: StaticString { "{\\\"Values\\\":[" }
    static var countsOpen: StaticString { "],\\\"Counts\\\":[" }
    static var maxOpen: StaticString { "],\\\"Max\\\":" }
    static var minOpen: StaticString { ",\\\"Min\\\":" }
    static var countOpen: StaticString { ",\\\"Count\\\":" }
    static var sumOpen: StaticString { ",\\\"Sum\\\":" }
}

/// Running size of an event being packed.
private struct EventSize {
    /// ``EventPieces/awsFixed`` of the encoding.
    var awsFixed: Int
    var timestampLength: Int
    var labelsLength: Int
    var directivesBytes = 0
    var directives = 0
    var definitions = 0
    var fieldsBytes = 0
    var fields = 0

    /// The exact length of the event these counts describe.
    var total: Int {
        var size = 2
        var parts = 0
        if directives > 0 {
            size += awsFixed + timestampLength + directivesBytes + directives - 1
            parts += 1
        }
        if labelsLength > 0 {
            size += labelsLength
            parts += 1
        }
        if fields > 0 {
            size += fieldsBytes + fields - 1
            parts += 1
        }
        return size + Swift.max(0, parts - 1)
    }
}

extension TargetSeriesState {
    /// Writes the queued metrics as events, group by group.
    mutating func writeEvents(
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: inout ConversionRun,
        into output: inout EventOutput
    ) {
        for pending in scratch.pendingGroups.indices {
            let group = scratch.pendingGroups[pending]
            writeLabelsJSON(group, batch: batch, arena: arena, run: run)
            switch run.config.messageEncoding {
            case .document: writeGroup(group, DocumentPieces.self, run: &run, into: &output)
            case .jsonStringContent: writeGroup(group, EscapedPieces.self, run: &run, into: &output)
            }
        }
    }

    /// `scratch.labelsJSON` = `"a":"1","b":"2"` (no braces, in the message encoding): the merged labels of
    /// `pending`'s group (scraped + target + `ClusterName` + constant labels, see
    /// ``mergeLabels(scraped:target:config:)``), sorted by name, without empty values. Written from the batch for
    /// each event rather than kept per label set.
    private mutating func writeLabelsJSON(
        _ pending: PendingGroup,
        batch: SampleBatch,
        arena: UnsafeRawBufferPointer,
        run: ConversionRun
    ) {
        scratch.scrapedLabels.clearKeepingCapacity()
        if pending.labelSample >= 0 {
            let sample = batch.samples[Int(pending.labelSample)]
            let start = Int(sample.labelStart)
            batch.labels.withUnsafeBufferPointer { labels in
                for labelIndex in start..<(start + Int(sample.labelCount)) {
                    let label = labels[labelIndex]
                    if label.value.count == 0 { continue }
                    if pending.excludeLE, arena.slice(label.name).isLE { continue }
                    // Insertion sort: exporters usually write labels sorted already, so this only compares.
                    scratch.scrapedLabels.append(Int32(labelIndex))
                    var j = scratch.scrapedLabels.count - 1
                    while j > 0,
                        Self.precedes(
                            label,
                            labels[Int(scratch.scrapedLabels[j - 1])],
                            arena
                        )
                    {
                        scratch.scrapedLabels.swapAt(j, j - 1)
                        j -= 1
                    }
                }
            }
        }
        guard let side = targetSide else { preconditionFailure("begin() computes the target side") }

        // Fast path: plain scraped labels (printable ASCII, nothing to escape), distinct names, none reserved:
        // the merge is then the two sorted lists interleaved.
        let fast = groups[Int(pending.group)].plainScraped
        #if DEBUG
        var checked = true
        var previousName = UnsafeRawBufferPointer(start: nil, count: 0)
        for (k, labelIndex) in scratch.scrapedLabels.enumerated() {
            let label = batch.labels[Int(labelIndex)]
            let name = arena.slice(label.name)
            if !Self.isPlain(name) || !Self.isPlain(arena.slice(label.value))
                || (k > 0 && name.elementsEqual(previousName))
                || side.reservedNames.contains(where: { $0.elementsEqual(name) })
            {
                checked = false
                break
            }
            previousName = name
        }
        assert(checked == fast, "plainScraped disagrees with the labels")
        #endif
        if fast {
            // The exact length first (`"name":"value"` per label, commas between), then the bytes in place.
            // Escaped (`\"name\":\"value\"`), each of the four quotes takes a backslash.
            let escaped = run.config.messageEncoding == .jsonStringContent
            let labelOverhead = escaped ? 9 : 5
            var length =
                Swift.max(0, scratch.scrapedLabels.count + side.labels.count - 1) + side.entriesLength
            batch.labels.withUnsafeBufferPointer { labels in
                for labelIndex in scratch.scrapedLabels {
                    let label = labels[Int(labelIndex)]
                    length += Int(label.name.count) + Int(label.value.count) + labelOverhead
                }
            }
            // `labelsJSON` only grows: its first `labelsLength` bytes are the labels.
            if scratch.labelsJSON.count < length {
                scratch.labelsJSON.append(contentsOf: repeatElement(0, count: length - scratch.labelsJSON.count))
            }
            scratch.labelsLength = length
            batch.labels.withUnsafeBufferPointer { labels in
                scratch.scrapedLabels.withUnsafeBufferPointer { scraped in
                    side.labels.withUnsafeBufferPointer { sideLabels in
                        side.bytes.withUnsafeBytes { sideBytes in
                            scratch.labelsJSON.withUnsafeMutableBufferPointer { buffer in
                                var out = UnsafeByteWriter(buffer)
                                // Two copies of the loop, each with its quoting constant.
                                if escaped {
                                    Self.interleave(
                                        scraped,
                                        labels: labels,
                                        arena: arena,
                                        side: sideLabels,
                                        sideBytes: sideBytes,
                                        EscapedPieces.self,
                                        into: &out
                                    )
                                } else {
                                    Self.interleave(
                                        scraped,
                                        labels: labels,
                                        arena: arena,
                                        side: sideLabels,
                                        sideBytes: sideBytes,
                                        DocumentPieces.self,
                                        into: &out
                                    )
                                }
                                precondition(out.count == length, "labels JSON length is off")
                            }
                        }
                    }
                }
            }
            return
        }

        // Anything else: exactly as the label set was merged when first seen.
        scratch.labelsJSON.clearKeepingCapacity()
        defer { scratch.labelsLength = scratch.labelsJSON.count }
        var scraped: [(name: String, value: String)] = []
        for labelIndex in scratch.scrapedLabels {
            let label = batch.labels[Int(labelIndex)]
            scraped.append(
                (
                    String(decoding: arena.slice(label.name), as: UTF8.self),
                    String(decoding: arena.slice(label.value), as: UTF8.self)
                )
            )
        }
        for (n, label) in mergeLabels(scraped: scraped, target: run.target, config: run.config).enumerated() {
            if n > 0 { scratch.labelsJSON.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(label.name, to: &scratch.labelsJSON)
            scratch.labelsJSON.append(UInt8(ascii: ":"))
            JSONWriter.appendString(label.value, to: &scratch.labelsJSON)
        }
        if run.config.messageEncoding != .document { scratch.labelsJSON = run.config.encode(scratch.labelsJSON) }
    }

    /// Writes the plain scraped labels (`scraped`, sorted) and the target side's entries (sorted) merged by name,
    /// commas between: `"name":"value"`, or escaped `\"name\":\"value\"`.
    private static func interleave<Pieces: EventPieces>(
        _ scraped: UnsafeBufferPointer<Int32>,
        labels: UnsafeBufferPointer<BatchLabel>,
        arena: UnsafeRawBufferPointer,
        side sideLabels: UnsafeBufferPointer<TargetSide.Label>,
        sideBytes: UnsafeRawBufferPointer,
        _ pieces: Pieces.Type,
        into out: inout UnsafeByteWriter
    ) {
        let escaped = Pieces.escaped
        var i = 0
        var j = 0
        while i < scraped.count || j < sideLabels.count {
            if i + j > 0 { out.write(UInt8(ascii: ",")) }
            if i < scraped.count {
                let label = labels[Int(scraped[i])]
                let name = arena.slice(label.name)
                if j == sideLabels.count || compareBytes(name, sideBytes.slice(sideLabels[j].name)) < 0 {
                    if escaped { out.write(UInt8(ascii: "\\")) }
                    out.write(UInt8(ascii: "\""))
                    out.write(name)
                    if escaped {
                        out.write("\\\":\\\"")
                    } else {
                        out.write("\":\"")
                    }
                    out.write(arena.slice(label.value))
                    if escaped { out.write(UInt8(ascii: "\\")) }
                    out.write(UInt8(ascii: "\""))
                    i += 1
                    continue
                }
            }
            out.write(sideBytes.slice(sideLabels[j].entry))
            j += 1
        }
    }

    /// Printable ASCII without `"` or `\\`: JSON writes it as is.
    private static func isPlain(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        {
            return false
        }
        return true
    }

    private mutating func writeGroup<Pieces: EventPieces>(
        _ pending: PendingGroup,
        _ pieces: Pieces.Type,
        run: inout ConversionRun,
        into output: inout EventOutput
    ) {
        if writeSingleMetricEvent(pending, pieces, run: &run, into: &output) { return }
        let group = Int(pending.group)
        scratch.groupMetrics.clearKeepingCapacity()
        var cursor = pending.first
        while cursor >= 0 {
            scratch.groupMetrics.append(cursor)
            cursor = scratch.metrics[Int(cursor)].next
        }

        // A label named like a metric of this event is not written; sets using it are unusable here.
        let labelMask = groups[group].labelMask
        var shadowed: [String] = []
        // The labels as JSON text, whatever the message encoding (only built when a name may shadow).
        var plainLabels: ArraySlice<UInt8>?
        for metric in scratch.groupMetrics {
            let name = Int(scratch.metrics[Int(metric)].name)
            guard labelMask & names[name].shadowBit != 0 else { continue }
            if plainLabels == nil { plainLabels = labelsAsJSONText(run: run) }
            if groupHasLabel(named: name, group: group, labelsJSON: plainLabels!),
                !shadowed.contains(names[name].name)
            {
                shadowed.append(names[name].name)
            }
        }
        let labelsJSON =
            shadowed.isEmpty
            ? scratch.labelsJSON[0..<scratch.labelsLength]
            : run.config.encode(
                unshadow(group: group, shadowed: shadowed, labelsJSON: plainLabels!, run: &run)
            )[...]
        let profile = Int(groups[group].profile)

        for slot in 0...pending.maxChunk {
            scratch.slotMetrics.clearKeepingCapacity()
            for metric in scratch.groupMetrics {
                let m = scratch.metrics[Int(metric)]
                if m.chunk == slot, m.setList >= -1 { scratch.slotMetrics.append(metric) }
            }
            if scratch.slotMetrics.isEmpty { continue }
            writeSlot(pending: pending, pieces, profile: profile, labelsJSON: labelsJSON, run: &run, into: &output)
        }
    }

    /// The usual group: one metric, no distribution chunks, no label named like it, within the size limit. Writes
    /// its event straight from the labels and the field, without the packing bookkeeping of ``writeSlot``; returns
    /// `false` (having written nothing) for any other group.
    private mutating func writeSingleMetricEvent<Pieces: EventPieces>(
        _ pending: PendingGroup,
        _ pieces: Pieces.Type,
        run: inout ConversionRun,
        into output: inout EventOutput
    ) -> Bool {
        let metric = scratch.metrics[Int(pending.first)]
        guard metric.next < 0, pending.maxChunk == 0, metric.setList >= -1,
            groups[Int(pending.group)].labelMask & names[Int(metric.name)].shadowBit == 0
        else { return false }

        // A plain value (nearly every event) is written from the stack, without going through `fieldBytes`.
        let number = metric.isDistribution ? nil : NumberText(metric.value)
        if metric.isDistribution {
            scratch.fieldBytes.clearKeepingCapacity()
            appendField(metric, pieces)
        }
        var size = EventSize(
            awsFixed: Pieces.awsFixed,
            timestampLength: pending.timestamp == run.scrapeTime
                ? run.scrapeTimeLength : JSONWriter.integerLength(pending.timestamp),
            labelsLength: scratch.labelsLength
        )
        if let number {
            size.fieldsBytes = names.withValue(at: Int(metric.name)) { $0.fieldPrefixJSON.count } + number.count
        } else {
            size.fieldsBytes = scratch.fieldBytes.count
        }
        size.fields = 1
        let namespaceJSON = run.config.namespaceJSON
        if metric.setList >= 0 {
            size.definitions = 1
            size.directives = 1
            size.directivesBytes =
                Pieces.directiveFixed + namespaceJSON.count + setLists.json[Int(metric.setList)].count
                + names[Int(metric.name)].definitionJSON.count
        }
        let total = size.total
        // Too large: the packing drops it and counts it.
        guard total <= run.config.maxEventBytes else { return false }

        let start = output.reserveEvent(size: total)
        output.withUnsafeMutableBufferPointer { all in
            var out = UnsafeByteWriter(UnsafeMutableBufferPointer(rebasing: all[start..<(start + total)]))
            out.write(UInt8(ascii: "{"))
            if metric.setList >= 0 {
                out.write(Pieces.awsOpen)
                out.writeInteger(pending.timestamp)
                out.write(Pieces.metricsOpen)
                out.write(Pieces.namespaceOpen)
                out.write(namespaceJSON)
                out.write(Pieces.dimensionsOpen)
                out.write(setLists.json[Int(metric.setList)])
                out.write(Pieces.definitionsOpen)
                names.withValue(at: Int(metric.name)) { out.write($0.definitionJSON) }
                out.write(Pieces.directiveClose)
                out.write(Pieces.awsClose)
                out.write(UInt8(ascii: ","))
            }
            if scratch.labelsLength > 0 {
                scratch.labelsJSON.withUnsafeBytes {
                    out.write(UnsafeRawBufferPointer(rebasing: $0[0..<scratch.labelsLength]))
                }
                out.write(UInt8(ascii: ","))
            }
            if let number {
                names.withValue(at: Int(metric.name)) { out.write($0.fieldPrefixJSON) }
                out.write(number)
            } else {
                out.write(scratch.fieldBytes)
            }
            out.write(UInt8(ascii: "}"))
            precondition(out.count == total, "event size accounting is off: \(out.count) vs \(total)")
        }
        run.report.events += 1
        run.report.bytes += total
        run.report.metricsEmitted += size.definitions
        run.report.fieldsEmitted += size.fields - size.definitions
        output.events.append(
            EventOutput.Event(
                profile: groups[Int(pending.group)].profile,
                timestampMilliseconds: pending.timestamp,
                bytes: start..<total + start
            )
        )
        return true
    }

    /// Calls `body` with each label of `labelsJSON` (`"name":"value"` entries separated by commas): the entry's
    /// byte range and the range of the name's content (between its quotes).
    private static func forEachLabel(
        _ labelsJSON: ArraySlice<UInt8>,
        _ body: (_ entry: Range<Int>, _ name: Range<Int>) -> Bool
    ) {
        labelsJSON.withUnsafeBufferPointer { json in
            var i = 0
            let end = json.count
            while i < end {
                let start = i
                // "name": content up to the next unescaped quote, then ':'.
                var j = i + 1
                while j < end, json[j] != UInt8(ascii: "\"") {
                    j += json[j] == UInt8(ascii: "\\") ? 2 : 1
                }
                let name = (start + 1)..<j
                // :"value"
                var k = j + 3
                while k < end, json[k] != UInt8(ascii: "\"") {
                    k += json[k] == UInt8(ascii: "\\") ? 2 : 1
                }
                let entryEnd = k + 1
                if !body(start..<entryEnd, name) { return }
                i = entryEnd + 1  // past the comma
            }
        }
    }

    /// The current labels (`scratch.labelsJSON`) as JSON text, whatever the message encoding (rare paths only).
    private func labelsAsJSONText(run: ConversionRun) -> ArraySlice<UInt8> {
        let labels = scratch.labelsJSON[0..<scratch.labelsLength]
        return run.config.messageEncoding == .document ? labels : JSONWriter.unescapedStringContent(labels)[...]
    }

    /// The name of the `index`-th label of `group` as a `String` (rare paths only); `bytes` is its range in
    /// `labelsJSON` (JSON text).
    private func labelName(group: Int, index: Int, bytes: Range<Int>, labelsJSON: ArraySlice<UInt8>) -> String {
        let exotic = Int(groups[group].exoticNames)
        if exotic >= 0 { return exoticNameLists[exotic][index] }
        // Plain names are written as is.
        return String(decoding: labelsJSON[bytes], as: UTF8.self)
    }

    /// Whether a label of `group` (its labels as JSON text: `labelsJSON`) has the name of metric `name` (by
    /// `String` equality).
    private func groupHasLabel(named name: Int, group: Int, labelsJSON json: ArraySlice<UInt8>) -> Bool {
        let metricName = names[name].name
        let exotic = Int(groups[group].exoticNames)
        if exotic >= 0 { return exoticNameLists[exotic].contains(metricName) }
        var found = false
        var index = 0
        let plain = isPlainName(metricName)
        Self.forEachLabel(json) { _, nameRange in
            if plain {
                // Both plain ASCII: equal as Strings exactly when equal as bytes.
                if json[nameRange].elementsEqual(metricName.utf8) { found = true }
            } else if labelName(group: group, index: index, bytes: nameRange, labelsJSON: json) == metricName {
                found = true
            }
            index += 1
            return !found
        }
        return found
    }

    /// Drops shadowed labels: re-encodes the labels (`labelsJSON`, JSON text) without them and removes dimension
    /// sets using them. Returns JSON text.
    private mutating func unshadow(
        group: Int,
        shadowed: [String],
        labelsJSON source: ArraySlice<UInt8>,
        run: inout ConversionRun
    ) -> [UInt8] {
        var json: [UInt8] = []
        var index = 0
        Self.forEachLabel(source) { entry, nameRange in
            if !shadowed.contains(labelName(group: group, index: index, bytes: nameRange, labelsJSON: source)) {
                if !json.isEmpty { json.append(UInt8(ascii: ",")) }
                json.append(contentsOf: source[entry])
            }
            index += 1
            return true
        }
        for metric in scratch.groupMetrics {
            let list = scratch.metrics[Int(metric)].setList
            guard list >= 0 else { continue }
            let sets = setLists.lists[Int(list)]
            let kept = sets.filter { set in
                !run.config.dimensionSets[Int(set)].keys.contains(where: { shadowed.contains($0) })
            }
            if kept.count == sets.count { continue }
            if kept.isEmpty {
                if scratch.metrics[Int(metric)].chunk == 0 { run.report.dropped.noDimensionSet += 1 }
                // -1: plain field (emit_unselected); -2: not written.
                scratch.metrics[Int(metric)].setList = run.config.emitUnselected ? -1 : -2
            } else {
                scratch.metrics[Int(metric)].setList = setLists.intern(kept, sets: run.config.dimensionSets)
            }
        }
        return json
    }

    /// Packs `scratch.slotMetrics` into as few events as the limits allow, in order, and writes them.
    private mutating func writeSlot<Pieces: EventPieces>(
        pending: PendingGroup,
        _ pieces: Pieces.Type,
        profile: Int,
        labelsJSON: ArraySlice<UInt8>,
        run: inout ConversionRun,
        into output: inout EventOutput
    ) {
        // Only the two members needed: copying the whole configuration would retain each of its references.
        let limit = run.config.maxEventBytes
        let namespaceJSON = run.config.namespaceJSON
        let namespaceLength = namespaceJSON.count
        let empty = EventSize(
            awsFixed: Pieces.awsFixed,
            timestampLength: pending.timestamp == run.scrapeTime
                ? run.scrapeTimeLength : JSONWriter.integerLength(pending.timestamp),
            labelsLength: labelsJSON.count
        )

        // Each metric's field, `"name":value`, encoded once.
        scratch.fieldBytes.clearKeepingCapacity()
        scratch.fieldStart.clearKeepingCapacity()
        for metric in scratch.slotMetrics {
            scratch.fieldStart.append(Int32(scratch.fieldBytes.count))
            appendField(scratch.metrics[Int(metric)], pieces)
        }
        scratch.fieldStart.append(Int32(scratch.fieldBytes.count))

        // The usual case: the whole slot fits one event. The packing below would then put every metric into its
        // first event in order (sizes only grow as metrics are added, so every prefix fits too): write that event
        // directly.
        do {
            scratch.eventMetrics.clearKeepingCapacity()
            scratch.eventDirectives.clearKeepingCapacity()
            var size = empty
            var fits = true
            for position in scratch.slotMetrics.indices {
                let setList = scratch.metrics[Int(scratch.slotMetrics[position])].setList
                if setList >= 0, size.definitions == EMFLimits.metricsPerEvent {
                    fits = false
                    break
                }
                let exists = setList >= 0 && scratch.eventDirectives.contains(setList)
                add(
                    position: position,
                    to: &size,
                    directiveExists: exists,
                    namespaceLength: namespaceLength,
                    directiveFixed: Pieces.directiveFixed
                )
                scratch.eventMetrics.append(Int32(position))
                if setList >= 0, !exists { scratch.eventDirectives.append(setList) }
            }
            if fits, size.total <= limit {
                appendEvent(
                    pending: pending,
                    pieces,
                    profile: profile,
                    labelsJSON: labelsJSON,
                    size: size,
                    namespaceJSON: namespaceJSON,
                    run: &run,
                    into: &output
                )
                return
            }
        }

        // Positions (into slotMetrics) still to write; a metric too large for an event on its own is dropped.
        var remaining: [Int32] = []
        var next: [Int32] = []
        swap(&remaining, &scratch.leftovers)
        swap(&next, &scratch.slotRemainder)
        remaining.clearKeepingCapacity()
        for position in scratch.slotMetrics.indices {
            var size = empty
            add(
                position: position,
                to: &size,
                directiveExists: false,
                namespaceLength: namespaceLength,
                directiveFixed: Pieces.directiveFixed
            )
            if size.total > limit {
                run.report.dropped.oversize += 1
            } else {
                remaining.append(Int32(position))
            }
        }

        // Both buffers can need every position; size them alike so their swapping does not grow them later.
        if next.capacity < remaining.count { next.reserveCapacity(remaining.count) }
        while !remaining.isEmpty {
            next.clearKeepingCapacity()
            scratch.eventMetrics.clearKeepingCapacity()
            scratch.eventDirectives.clearKeepingCapacity()
            var size = empty
            for position in remaining {
                let setList = scratch.metrics[Int(scratch.slotMetrics[Int(position)])].setList
                if setList >= 0, size.definitions == EMFLimits.metricsPerEvent {
                    next.append(position)
                    continue
                }
                var candidate = size
                let exists = setList >= 0 && scratch.eventDirectives.contains(setList)
                add(
                    position: Int(position),
                    to: &candidate,
                    directiveExists: exists,
                    namespaceLength: namespaceLength,
                    directiveFixed: Pieces.directiveFixed
                )
                if candidate.total > limit {
                    next.append(position)
                    continue
                }
                size = candidate
                scratch.eventMetrics.append(position)
                if setList >= 0, !exists { scratch.eventDirectives.append(setList) }
            }
            appendEvent(
                pending: pending,
                pieces,
                profile: profile,
                labelsJSON: labelsJSON,
                size: size,
                namespaceJSON: namespaceJSON,
                run: &run,
                into: &output
            )
            swap(&remaining, &next)
        }

        // Hand the buffers back for the next slot and conversion.
        remaining.clearKeepingCapacity()
        next.clearKeepingCapacity()
        swap(&remaining, &scratch.leftovers)
        swap(&next, &scratch.slotRemainder)
    }

    /// Writes the event of `scratch.eventMetrics` and `scratch.eventDirectives` (of `size`) and appends it.
    private mutating func appendEvent<Pieces: EventPieces>(
        pending: PendingGroup,
        _ pieces: Pieces.Type,
        profile: Int,
        labelsJSON: ArraySlice<UInt8>,
        size: EventSize,
        namespaceJSON: [UInt8],
        run: inout ConversionRun,
        into output: inout EventOutput
    ) {
        let start = output.count
        writeEvent(
            timestamp: pending.timestamp,
            labelsJSON: labelsJSON,
            size: size.total,
            namespaceJSON: namespaceJSON,
            pieces,
            into: &output
        )
        run.report.events += 1
        run.report.bytes += size.total
        run.report.metricsEmitted += size.definitions
        run.report.fieldsEmitted += size.fields - size.definitions
        output.events.append(
            EventOutput.Event(
                profile: Int32(profile),
                timestampMilliseconds: pending.timestamp,
                bytes: start..<(start + size.total)
            )
        )
    }

    /// Adds the metric at `position` of `slotMetrics` to `size`, exactly as ``writeEvent`` writes it.
    private func add(
        position: Int,
        to size: inout EventSize,
        directiveExists: Bool,
        namespaceLength: Int,
        directiveFixed: Int
    ) {
        let metric = scratch.metrics[Int(scratch.slotMetrics[position])]
        size.fieldsBytes += Int(scratch.fieldStart[position + 1] - scratch.fieldStart[position])
        size.fields += 1
        guard metric.setList >= 0 else { return }
        let definition = names[Int(metric.name)].definitionJSON.count
        size.definitions += 1
        if directiveExists {
            size.directivesBytes += definition + 1
        } else {
            size.directivesBytes +=
                directiveFixed + namespaceLength + setLists.json[Int(metric.setList)].count + definition
            size.directives += 1
        }
    }

    /// `"name":value` of `metric` into `scratch.fieldBytes`.
    private mutating func appendField<Pieces: EventPieces>(_ metric: PendingMetric, _ pieces: Pieces.Type) {
        scratch.fieldBytes.append(contentsOf: names[Int(metric.name)].fieldPrefixJSON)
        guard metric.isDistribution else {
            JSONWriter.appendNumber(metric.value, to: &scratch.fieldBytes)
            return
        }
        let start = Int(metric.distributionStart)
        let end = start + Int(metric.distributionCount)
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var count = 0.0
        JSONWriter.appendLiteral(Pieces.valuesOpen, to: &scratch.fieldBytes)
        for i in start..<end {
            if i > start { scratch.fieldBytes.append(UInt8(ascii: ",")) }
            let value = scratch.distValues[i]
            JSONWriter.appendNumber(value, to: &scratch.fieldBytes)
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
        }
        JSONWriter.appendLiteral(Pieces.countsOpen, to: &scratch.fieldBytes)
        for i in start..<end {
            if i > start { scratch.fieldBytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendNumber(scratch.distCounts[i], to: &scratch.fieldBytes)
            count += scratch.distCounts[i]
        }
        JSONWriter.appendLiteral(Pieces.maxOpen, to: &scratch.fieldBytes)
        JSONWriter.appendNumber(maximum, to: &scratch.fieldBytes)
        JSONWriter.appendLiteral(Pieces.minOpen, to: &scratch.fieldBytes)
        JSONWriter.appendNumber(minimum, to: &scratch.fieldBytes)
        JSONWriter.appendLiteral(Pieces.countOpen, to: &scratch.fieldBytes)
        JSONWriter.appendNumber(count, to: &scratch.fieldBytes)
        JSONWriter.appendLiteral(Pieces.sumOpen, to: &scratch.fieldBytes)
        JSONWriter.appendNumber(metric.value, to: &scratch.fieldBytes)
        scratch.fieldBytes.append(UInt8(ascii: "}"))
    }

    /// The event of `scratch.eventMetrics` (positions into `slotMetrics`) and `scratch.eventDirectives`, exactly
    /// `size` bytes long (as ``EventSize`` computed it), written in place.
    private func writeEvent<Pieces: EventPieces>(
        timestamp: Int64,
        labelsJSON: ArraySlice<UInt8>,
        size: Int,
        namespaceJSON: [UInt8],
        _ pieces: Pieces.Type,
        into output: inout EventOutput
    ) {
        let start = output.reserveEvent(size: size)
        output.withUnsafeMutableBufferPointer { all in
            var out = UnsafeByteWriter(UnsafeMutableBufferPointer(rebasing: all[start..<(start + size)]))
            scratch.metrics.withUnsafeBufferPointer { metrics in
                scratch.slotMetrics.withUnsafeBufferPointer { slotMetrics in
                    out.write(UInt8(ascii: "{"))
                    var needsComma = false
                    if !scratch.eventDirectives.isEmpty {
                        out.write(Pieces.awsOpen)
                        out.writeInteger(timestamp)
                        out.write(Pieces.metricsOpen)
                        for (d, directive) in scratch.eventDirectives.enumerated() {
                            if d > 0 { out.write(UInt8(ascii: ",")) }
                            out.write(Pieces.namespaceOpen)
                            out.write(namespaceJSON)
                            out.write(Pieces.dimensionsOpen)
                            out.write(setLists.json[Int(directive)])
                            out.write(Pieces.definitionsOpen)
                            var first = true
                            for position in scratch.eventMetrics {
                                let metric = metrics[Int(slotMetrics[Int(position)])]
                                guard metric.setList == directive else { continue }
                                if !first { out.write(UInt8(ascii: ",")) }
                                first = false
                                names.withValue(at: Int(metric.name)) { out.write($0.definitionJSON) }
                            }
                            out.write(Pieces.directiveClose)
                        }
                        out.write(Pieces.awsClose)
                        needsComma = true
                    }
                    if !labelsJSON.isEmpty {
                        if needsComma { out.write(UInt8(ascii: ",")) }
                        out.write(labelsJSON)
                        needsComma = true
                    }
                    scratch.fieldBytes.withUnsafeBytes { fieldBytes in
                        scratch.fieldStart.withUnsafeBufferPointer { fieldStart in
                            for position in scratch.eventMetrics {
                                if needsComma { out.write(UInt8(ascii: ",")) }
                                needsComma = true
                                let p = Int(position)
                                out.write(
                                    UnsafeRawBufferPointer(
                                        rebasing: fieldBytes[Int(fieldStart[p])..<Int(fieldStart[p + 1])]
                                    )
                                )
                            }
                        }
                    }
                    out.write(UInt8(ascii: "}"))
                }
            }
            precondition(out.count == size, "event size accounting is off: \(out.count) vs \(size)")
        }
    }
}

/// A conversion's events as they are written: every message into one buffer, so a scrape costs one allocation for
/// all its messages rather than one per event; ``EMFConverter`` hands them out as slices of it at the end.
struct EventOutput {
    struct Event {
        /// Index into ``TargetSeriesState/profiles`` (log group and stream).
        var profile: Int32
        var timestampMilliseconds: Int64
        var bytes: Range<Int>
    }

    /// The messages are its first ``count`` bytes; the rest is room for the next ones, not yet written.
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0
    var events: [Event] = []

    /// Allocates room for about `capacity` bytes of messages.
    init(capacity: Int = 0) {
        bytes = Self.uninitialized(count: capacity)
    }

    /// Makes room for an event of `size` bytes after ``count`` and a newline after it (written here), and counts
    /// both in; returns where the event starts. The caller writes all `size` bytes. The newlines make the messages
    /// one newline-delimited text, which a line-oriented sink writes as it is.
    mutating func reserveEvent(size: Int) -> Int {
        let start = count
        grow(by: size + 1)
        bytes[count - 1] = UInt8(ascii: "\n")
        return start
    }

    /// Makes room for `size` more bytes after ``count`` and counts them in; the caller writes all of them.
    private mutating func grow(by size: Int) {
        let needed = count + size
        if bytes.count < needed {
            var larger = Self.uninitialized(count: Swift.max(needed, bytes.count * 2, 1 << 16))
            larger.withUnsafeMutableBufferPointer { larger in
                bytes.withUnsafeBufferPointer { old in
                    _ = larger.update(fromContentsOf: old[0..<count])
                }
            }
            bytes = larger
        }
        count = needed
    }

    /// Calls `body` with the buffer of every byte, written or not.
    mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeMutableBufferPointer(body)
    }

    /// Drops the unused room: `bytes` is then exactly the messages.
    mutating func trim() {
        bytes.removeLast(bytes.count - count)
    }

    /// A byte array of `count` elements that are not zero-filled first: every byte of an event is written before
    /// it is read (``TargetSeriesState`` checks each event's length), so clearing would only double the stores.
    private static func uninitialized(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
