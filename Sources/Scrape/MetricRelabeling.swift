public import PromExposition
import PromwatchConfig
public import Relabel

/// A job's `metric_relabel_configs`, applied to a parsed scrape as Prometheus applies them: each sample's labels
/// are first merged with the target's (`honor_labels` decides who wins a conflict; a losing scraped label is kept
/// as `exported_<name>`), `__name__` holds the metric name, then the rules run. A sample a rule drops, or that is
/// left without a `__name__` or a valid metric name, is not kept.
///
/// The result holds each sample's final labels except target labels the rules left unchanged; it is to be
/// converted with `honor_labels` semantics (as the agent's EMF handler does for such jobs), which adds those back
/// and keeps every label the rules changed. A target label a rule drops therefore still appears in EMF events:
/// every event carries its target's labels. Kept samples stay in their family (a renamed counter is still a
/// counter) and get a series text written from their final labels, which keys their delta state.
public struct MetricRelabeling: Sendable {
    private let relabeler: Relabeler
    /// Set when every rule keeps or drops by metric name alone (`source_labels: [__name__]`), the usual use: the
    /// regular expressions then run on the name's bytes and kept samples are copied as they are, without building
    /// a label set (see ``copyFiltered(_:from:arena:targetNames:honorLabels:into:)``).
    private let nameFilters: [(keep: Bool, regex: RelabelRegex)]?

    /// `nil` when `job` has no `metric_relabel_configs`.
    init?(job: ScrapeConfiguration) {
        guard !job.metricRelabelConfigs.isEmpty else { return nil }
        self.init(rules: job.metricRelabelConfigs)
    }

    /// The rules of a `metric_relabel_configs` list, compiled once.
    public init(rules: [RelabelConfiguration]) {
        relabeler = Relabeler(rules)
        let filtersByName = rules.allSatisfy {
            ($0.action == .keep || $0.action == .drop) && $0.sourceLabels == ["__name__"]
        }
        nameFilters = filtersByName ? rules.map { ($0.action == .keep, $0.regex) } : nil
    }

    /// What one application did.
    public struct Outcome: Equatable, Sendable {
        public var kept = 0
        public var dropped = 0
        /// The kept sample with the most labels (`__name__` not counted), and how many: for `label_limit`.
        public var mostLabels = 0
        public var mostLabelsName = ""
    }

    /// Relabels every sample of `source`, scraped from a target with `targetLabels`, into `output` (emptied first).
    public func apply(
        to source: SampleBatch,
        targetLabels: [TargetLabel],
        honorLabels: Bool,
        into output: inout SampleBatch
    ) -> Outcome {
        output.removeAll()
        var outcome = Outcome()
        let targetPairs = targetLabels.map { (name: $0.name, value: $0.value) }
        var previousFamily: Int32 = -1
        var text: [UInt8] = []
        var values: [UInt8] = []
        var labelOffsets: [(name: Range<Int>, value: Range<Int>)] = []
        var views: [LabelView] = []
        let targetNames = targetLabels.map { Array($0.name.utf8) }
        for sample in source.samples {
            if let nameFilters {
                switch copyFiltered(
                    sample,
                    from: source,
                    filters: nameFilters,
                    targetNames: targetNames,
                    previousFamily: &previousFamily,
                    views: &views,
                    into: &output
                )
                {
                case .kept(let labelCount):
                    outcome.kept += 1
                    if labelCount + targetLabels.count > outcome.mostLabels {
                        outcome.mostLabels = labelCount + targetLabels.count
                        outcome.mostLabelsName = source.string(sample.name)
                    }
                    continue
                case .dropped:
                    outcome.dropped += 1
                    continue
                case .needsLabelSet:
                    break
                }
            }
            var labels = Self.merged(sample: sample, in: source, targetLabels: targetPairs, honorLabels: honorLabels)
            guard relabeler.process(&labels), let name = labels["__name__"], Self.isValidMetricName(name) else {
                outcome.dropped += 1
                continue
            }
            if labels.count - 1 > outcome.mostLabels {
                outcome.mostLabels = labels.count - 1
                outcome.mostLabelsName = name
            }
            if sample.family != previousFamily {
                previousFamily = sample.family
                Self.announceFamily(source.families[Int(sample.family)], of: source, to: &output)
            }
            // The series text `name{a="1",b="2"}` (escaped as the text format escapes), and the raw values.
            text.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            labelOffsets.removeAll(keepingCapacity: true)
            text.append(contentsOf: name.utf8)
            var first = true
            // Target labels the rules left as they were are not written: the conversion adds them back (under
            // `honor_labels` semantics), which keeps its fast path for ordinary label sets.
            for label in labels
            where label.name != "__name__"
                && !targetLabels.contains(where: { $0.name == label.name && $0.value == label.value })
            {
                text.append(UInt8(ascii: first ? "{" : ","))
                first = false
                let nameStart = text.count
                text.append(contentsOf: label.name.utf8)
                let nameRange = nameStart..<text.count
                text.append(contentsOf: "=\"".utf8)
                for byte in label.value.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): text.append(contentsOf: "\\\\".utf8)
                    case UInt8(ascii: "\""): text.append(contentsOf: "\\\"".utf8)
                    case UInt8(ascii: "\n"): text.append(contentsOf: "\\n".utf8)
                    default: text.append(byte)
                    }
                }
                text.append(UInt8(ascii: "\""))
                let valueStart = values.count
                values.append(contentsOf: label.value.utf8)
                labelOffsets.append((nameRange, valueStart..<values.count))
            }
            if !first { text.append(UInt8(ascii: "}")) }
            let nameLength = name.utf8.count
            text.withUnsafeBytes { textBytes in
                values.withUnsafeBytes { valueBytes in
                    source.withBytes(source.families[Int(sample.family)].name) { familyName in
                        // Views into `text` and `values`, used only inside these closures (the array is reused).
                        views.removeAll(keepingCapacity: true)
                        for offsets in labelOffsets {
                            views.append(
                                LabelView(
                                    name: ByteView(UnsafeRawBufferPointer(rebasing: textBytes[offsets.name])),
                                    value: ByteView(UnsafeRawBufferPointer(rebasing: valueBytes[offsets.value]))
                                )
                            )
                        }
                        views.withUnsafeBufferPointer { labelViews in
                            output.consume(
                                SampleView(
                                    name: ByteView(UnsafeRawBufferPointer(rebasing: textBytes[0..<nameLength])),
                                    familyName: ByteView(familyName),
                                    type: source.families[Int(sample.family)].type,
                                    role: sample.role,
                                    labels: labelViews,
                                    seriesText: ByteView(textBytes),
                                    value: sample.value,
                                    timestampMilliseconds: sample.timestampMilliseconds,
                                    line: 0
                                )
                            )
                        }
                    }
                }
            }
            outcome.kept += 1
        }
        return outcome
    }

    private enum FilterVerdict {
        /// Copied unchanged; the number of its own labels.
        case kept(Int)
        case dropped
        /// A scraped label has a target label's name: the merge can rename it, so the general path decides.
        case needsLabelSet
    }

    /// The fast path of name-only rules: runs them on the sample's name and copies a kept sample with its own
    /// labels and series text. Without a name conflict the merge with the target labels only adds them, which the
    /// conversion does anyway, so the result is what the general path would write.
    private func copyFiltered(
        _ sample: BatchSample,
        from source: SampleBatch,
        filters: [(keep: Bool, regex: RelabelRegex)],
        targetNames: [[UInt8]],
        previousFamily: inout Int32,
        views: inout [LabelView],
        into output: inout SampleBatch
    ) -> FilterVerdict {
        source.bytes.withUnsafeBytes { arena in
            func slice(_ range: ByteRange) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: arena[Int(range.start)..<Int(range.start + range.count)])
            }
            let labels = source.labels(of: sample)
            for label in labels {
                let name = slice(label.name)
                if targetNames.contains(where: { $0.elementsEqual(name) }) { return .needsLabelSet }
            }
            let name = slice(sample.name).assumingMemoryBound(to: UInt8.self)
            for filter in filters where filter.regex.matches(bytes: name) != filter.keep { return .dropped }

            let family = source.families[Int(sample.family)]
            if sample.family != previousFamily {
                previousFamily = sample.family
                Self.announceFamily(family, of: source, to: &output)
            }
            views.removeAll(keepingCapacity: true)
            for label in labels {
                views.append(LabelView(name: ByteView(slice(label.name)), value: ByteView(slice(label.value))))
            }
            views.withUnsafeBufferPointer { labelViews in
                output.consume(
                    SampleView(
                        name: ByteView(slice(sample.name)),
                        familyName: ByteView(slice(family.name)),
                        type: family.type,
                        role: sample.role,
                        labels: labelViews,
                        seriesText: ByteView(slice(sample.seriesText)),
                        value: sample.value,
                        timestampMilliseconds: sample.timestampMilliseconds,
                        line: 0
                    )
                )
            }
            return .kept(labels.count)
        }
    }

    /// The sample's labels merged with the target's as Prometheus merges them, plus `__name__`.
    static func merged(
        sample: BatchSample,
        in batch: SampleBatch,
        targetLabels: [(name: String, value: String)],
        honorLabels: Bool
    ) -> Labels {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(Int(sample.labelCount) + targetLabels.count + 1)
        var collides = false
        for label in batch.labels(of: sample) where label.value.count > 0 {
            let name = batch.string(label.name)
            if !collides, targetLabels.contains(where: { $0.name == name }) { collides = true }
            pairs.append((name, batch.string(label.value)))
        }
        if collides {
            // Rare: conflicts resolved exactly as the conversion resolves them (`exported_` names).
            var merged = TargetLabelMerge.merge(
                scraped: pairs.map { (name: $0.0, value: $0.1) },
                target: targetLabels,
                honorLabels: honorLabels
            )
            merged["__name__"] = batch.string(sample.name)
            return Labels(merged.map { ($0.key, $0.value) })
        }
        // Distinct names: the union.
        for label in targetLabels where !label.value.isEmpty { pairs.append((label.name, label.value)) }
        pairs.append(("__name__", batch.string(sample.name)))
        return Labels(pairs)
    }

    /// The job's `sample_limit` and `label_limit` on what the rules kept.
    static func checkLimits(_ outcome: Outcome, job: ScrapeConfiguration) throws(ScrapeError) {
        if job.sampleLimit > 0, outcome.kept > job.sampleLimit {
            throw ScrapeError(.sampleLimit, "sample_limit exceeded: more than \(job.sampleLimit) samples")
        }
        if job.labelLimit > 0, outcome.mostLabels > job.labelLimit {
            throw ScrapeError(
                .labelLimit,
                "label_limit exceeded: \(outcome.mostLabelsName) has \(outcome.mostLabels) labels (limit \(job.labelLimit))"
            )
        }
    }

    /// Whether `name` is a metric name Prometheus 2 accepts (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    static func isValidMetricName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { ByteView(UnsafeRawBufferPointer($0)).isLegacyMetricName }
    }

    private static func announceFamily(_ family: BatchFamily, of source: SampleBatch, to output: inout SampleBatch) {
        source.bytes.withUnsafeBytes { arena in
            func view(_ range: ByteRange) -> ByteView {
                ByteView(UnsafeRawBufferPointer(rebasing: arena[Int(range.start)..<Int(range.start + range.count)]))
            }
            output.familyStarted(
                FamilyView(
                    name: view(family.name),
                    type: family.type,
                    help: family.help.map(view),
                    unit: family.unit.map(view)
                )
            )
        }
    }
}
