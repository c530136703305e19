/// How Prometheus merges a scraped sample's labels with its target's labels (`mutateSampleLabels`), shared by the
/// EMF conversion and `metric_relabel_configs` so both see the same label set.
public enum TargetLabelMerge {
    /// Merges `scraped` with `target` labels. A label with an empty value counts as absent (and is not kept).
    ///
    /// With `honorLabels`, a scraped label wins and a target label only fills in. Otherwise the target label wins
    /// and a conflicting scraped value is kept as `exported_<name>` (shortest names first, prefixing again while
    /// the name is taken).
    ///
    /// - Parameter target: the target labels, sorted by name.
    /// - Returns: the merged labels (unordered).
    public static func merge(
        scraped: [(name: String, value: String)],
        target: [(name: String, value: String)],
        honorLabels: Bool
    ) -> [String: String] {
        var result: [String: String] = [:]
        for label in scraped where !label.value.isEmpty && result[label.name] == nil {
            result[label.name] = label.value
        }
        if honorLabels {
            for label in target where !label.value.isEmpty && result[label.name] == nil {
                result[label.name] = label.value
            }
            return result
        }
        var conflicts: [(name: String, value: String)] = []
        for label in target {
            if let existing = result[label.name] { conflicts.append((label.name, existing)) }
            result[label.name] = label.value.isEmpty ? nil : label.value
        }
        conflicts = conflicts.enumerated().sorted {
            $0.element.name.utf8.count != $1.element.name.utf8.count
                ? $0.element.name.utf8.count < $1.element.name.utf8.count : $0.offset < $1.offset
        }.map(\.element)
        for conflict in conflicts {
            var name = conflict.name
            repeat { name = "exported_" + name } while result[name] != nil
            result[name] = conflict.value
        }
        return result
    }
}
