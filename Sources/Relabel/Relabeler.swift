/// Applies a list of relabelling rules exactly as Prometheus's `relabel.Process` does: in order, stopping at the
/// first rule that drops the label set.
///
/// Build one per `relabel_configs` / `metric_relabel_configs` list and share it (it is immutable and `Sendable`).
/// ``process(_:)`` allocates only when a label actually changes: source values are joined on the stack, regular
/// expressions run without allocating, and a rule that would write the value a label already has is a no-op
/// (unless a later `labelmap` could observe the difference in Prometheus's iteration order).
public struct Relabeler: Sendable {
    public let configurations: [RelabelConfiguration]
    private let rules: [Rule]
    /// A `labelmap` rule exists: Prometheus's builder order must then be reproduced exactly, so identical writes
    /// are recorded like any other.
    private let recordsIdenticalWrites: Bool

    public init(_ configurations: [RelabelConfiguration]) {
        self.configurations = configurations
        self.rules = configurations.map(Rule.init)
        self.recordsIdenticalWrites = configurations.contains { $0.action == .labelMap }
    }

    /// Relabels `labels` in place. Returns false when a rule drops the label set (then `labels` is unchanged).
    public func process(_ labels: inout Labels) -> Bool {
        var builder = LabelsBuilder(labels)
        for rule in rules {
            guard apply(rule, to: &builder) else { return false }
        }
        if builder.hasChanges { labels = builder.labels() }
        return true
    }

    /// The relabelled labels, or nil when dropped.
    public func processed(_ labels: Labels) -> Labels? {
        var copy = labels
        return process(&copy) ? copy : nil
    }

    /// A rule with its templates parsed once; a class so walking the rules costs one retain per rule, not one
    /// per field.
    private final class Rule: Sendable {
        let action: RelabelConfiguration.Action
        let sourceLabels: [String]
        let separator: String
        let regex: RelabelRegex
        let modulus: UInt64
        let targetLabel: String
        let nameValidation: RelabelConfiguration.NameValidation
        let target: ExpansionTemplate
        let replacement: ExpansionTemplate
        /// Prometheus's shortcut for the default regex with literal target and replacement.
        let isStaticReplace: Bool

        init(_ configuration: RelabelConfiguration) {
            action = configuration.action
            sourceLabels = configuration.sourceLabels
            separator = configuration.separator
            regex = configuration.regex
            modulus = configuration.modulus
            targetLabel = configuration.targetLabel
            nameValidation = configuration.nameValidation
            let names = configuration.regex.captureNames
            target = ExpansionTemplate(configuration.targetLabel, captureNames: names)
            replacement = ExpansionTemplate(configuration.replacement, captureNames: names)
            isStaticReplace =
                !configuration.regexIsSet && !configuration.targetLabel.utf8.contains(UInt8(ascii: "$"))
                && !configuration.replacement.utf8.contains(UInt8(ascii: "$"))
        }
    }

    // MARK: - One rule

    private func apply(_ rule: Rule, to builder: inout LabelsBuilder) -> Bool {
        let c = rule
        switch c.action {
        case .labelMap, .labelDrop, .labelKeep:
            applyToNames(rule, &builder)
            return true
        default:
            return withJoinedValue(c.sourceLabels, c.separator, &builder) { value, builder in
                applyToValue(rule, value, &builder)
            }
        }
    }

    private func applyToValue(_ rule: Rule, _ value: UnsafeBufferPointer<UInt8>, _ builder: inout LabelsBuilder) -> Bool
    {
        let c = rule
        switch c.action {
        case .drop:
            return !c.regex.matches(bytes: value)
        case .keep:
            return c.regex.matches(bytes: value)
        case .dropEqual:
            return !Self.equals(builder.get(c.targetLabel), value)
        case .keepEqual:
            return Self.equals(builder.get(c.targetLabel), value)
        case .replace:
            replace(rule, value, &builder)
        case .lowercase, .uppercase:
            CaseMapping.withMapped(value, upper: c.action == .uppercase) { mapped in
                set(c.targetLabel, mapped, &builder)
            }
        case .hashMod:
            let hash = MD5.hashMod(value, modulus: c.modulus)
            var text = String(hash)
            text.withUTF8 { set(c.targetLabel, $0, &builder) }
        case .labelMap, .labelDrop, .labelKeep:
            break
        }
        return true
    }

    private func replace(_ rule: Rule, _ value: UnsafeBufferPointer<UInt8>, _ builder: inout LabelsBuilder) {
        let c = rule
        if value.isEmpty && rule.isStaticReplace {
            var replacement = rule.replacement.literalText
            replacement.withUTF8 { set(c.targetLabel, $0, &builder) }
            return
        }
        let slotCount = 2 * (c.regex.captureGroupCount + 1)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: slotCount) { slots in
            guard c.regex.search(value, from: 0, slots: slots) else { return }
            let found = UnsafeBufferPointer(slots)
            let targetName = rule.target.isLiteral ? c.targetLabel : rule.target.expand(input: value, slots: found)
            guard RelabelConfiguration.isValidName(targetName, c.nameValidation) else { return }
            let count = rule.replacement.expandedCount(slots: found)
            if count == 0 {
                if !builder.get(targetName).isEmpty || recordsIdenticalWrites { builder.delete(targetName) }
                return
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { out in
                // Force-unwrap: count > 0 here, so the buffer has a base address.
                let written = rule.replacement.write(input: value, slots: found, to: out.baseAddress!)
                set(targetName, UnsafeBufferPointer(rebasing: out[0..<written]), &builder)
            }
        }
    }

    private func applyToNames(_ rule: Rule, _ builder: inout LabelsBuilder) {
        let c = rule
        builder.forEach { builder, label in
            var name = label.name
            name.withUTF8 { nameBytes in
                switch c.action {
                case .labelDrop:
                    if c.regex.matches(bytes: nameBytes) { builder.delete(label.name) }
                case .labelKeep:
                    if !c.regex.matches(bytes: nameBytes) { builder.delete(label.name) }
                default:
                    // labelmap: Go's ReplaceAllString on an anchored expression is the expansion of the full match.
                    guard c.regex.matches(bytes: nameBytes) else { return }
                    let slotCount = 2 * (c.regex.captureGroupCount + 1)
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: slotCount) { slots in
                        guard c.regex.search(nameBytes, from: 0, slots: slots) else { return }
                        let newName = rule.replacement.expand(input: nameBytes, slots: UnsafeBufferPointer(slots))
                        builder.set(newName, label.value)
                    }
                }
            }
        }
    }

    // MARK: - Helpers

    /// Sets `name` to `value` (deleting it when empty), skipping writes that change nothing.
    private func set(_ name: String, _ value: UnsafeBufferPointer<UInt8>, _ builder: inout LabelsBuilder) {
        if !recordsIdenticalWrites && Self.equals(builder.get(name), value) { return }
        builder.set(name, String(decoding: value, as: UTF8.self))
    }

    private static func equals(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var string = string
        return string.withUTF8 { $0.elementsEqual(bytes) }
    }

    /// Calls `body` with the source label values joined by `separator`, without allocating. The values are read
    /// before `body` runs, so `body` may change the labels.
    private func withJoinedValue<R>(
        _ names: [String],
        _ separator: String,
        _ builder: inout LabelsBuilder,
        _ body: (UnsafeBufferPointer<UInt8>, inout LabelsBuilder) -> R
    ) -> R {
        switch names.count {
        case 0:
            return body(UnsafeBufferPointer(start: nil, count: 0), &builder)
        case 1:
            var value = builder.get(names[0])
            return value.withUTF8 { body($0, &builder) }
        default:
            var separator = separator
            var total = separator.utf8.count * (names.count - 1)
            for name in names { total += builder.get(name).utf8.count }
            return separator.withUTF8 { sep in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { buffer in
                    var n = 0
                    for (i, name) in names.enumerated() {
                        if i > 0 {
                            for b in sep {
                                buffer[n] = b
                                n += 1
                            }
                        }
                        var value = builder.get(name)
                        value.withUTF8 { v in
                            for b in v {
                                buffer[n] = b
                                n += 1
                            }
                        }
                    }
                    return body(UnsafeBufferPointer(rebasing: buffer[0..<n]), &builder)
                }
            }
        }
    }
}

/// Go's `strings.ToLower`/`ToUpper`: simple (one-to-one) case mapping per code point.
enum CaseMapping {
    static func withMapped<R>(
        _ value: UnsafeBufferPointer<UInt8>,
        upper: Bool,
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        if value.allSatisfy({ $0 < 0x80 }) {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(value.count, 1)) { out in
                for (i, b) in value.enumerated() {
                    if upper {
                        out[i] = b >= 0x61 && b <= 0x7A ? b - 32 : b
                    } else {
                        out[i] = b >= 0x41 && b <= 0x5A ? b + 32 : b
                    }
                }
                return body(UnsafeBufferPointer(rebasing: out[0..<value.count]))
            }
        }
        var mapped = ""
        var i = 0
        while i < value.count {
            let (r, width) = UTF8Decoding.decode(value, i)
            i += width
            let scalar = Unicode.Scalar(r) ?? "\u{FFFD}"
            mapped.unicodeScalars.append(upper ? simpleUpper(scalar) : simpleLower(scalar))
        }
        return mapped.withUTF8 { body($0) }
    }

    static func simpleLower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value == 0x130 { return "i" }  // the one unconditional special lower-casing that differs
        return single(s.properties.lowercaseMapping) ?? s
    }

    static func simpleUpper(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if let u = single(s.properties.uppercaseMapping) { return u }
        // Where full upper-casing expands (ᾳ → ΑΙ), the simple mapping is the title-case letter (ᾼ); ß stays ß.
        return single(s.properties.titlecaseMapping) ?? s
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        var it = mapping.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first
    }
}
