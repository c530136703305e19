/// Edits to a ``Labels`` during relabelling, kept beside the untouched base like Prometheus's `labels.Builder`
/// (so `labelmap`/`labeldrop`/`labelkeep` see labels in the same order as Prometheus does). Nothing is allocated
/// until a label actually changes.
struct LabelsBuilder {
    private(set) var base: Labels
    /// Labels set since the start, in the order first set.
    private var added: [Label] = []
    /// Names deleted since the start (a later set puts the name into `added` again).
    private var deleted: [String] = []

    init(_ base: Labels) { self.base = base }

    var hasChanges: Bool { !added.isEmpty || !deleted.isEmpty }

    /// The current value, or "" when absent (Prometheus treats both the same).
    func get(_ name: String) -> String {
        if !added.isEmpty || !deleted.isEmpty {
            for i in added.indices where Labels.bytesEqual(added[i].name, name) { return added[i].value }
            for i in deleted.indices where Labels.bytesEqual(deleted[i], name) { return "" }
        }
        return base[name] ?? ""
    }

    /// Sets `name`; an empty value deletes it.
    mutating func set(_ name: String, _ value: String) {
        if value.isEmpty {
            delete(name)
            return
        }
        for i in added.indices where Labels.bytesEqual(added[i].name, name) {
            added[i].value = value
            return
        }
        added.append(Label(name: name, value: value))
    }

    mutating func delete(_ name: String) {
        added.removeAll { Labels.bytesEqual($0.name, name) }
        deleted.append(name)
    }

    /// Calls `body` for each current label: untouched base labels first (sorted), then set labels in the order
    /// set; changes made by `body` are not seen during the walk.
    mutating func forEach(_ body: (inout LabelsBuilder, Label) -> Void) {
        let originalAdded = added
        let originalDeleted = deleted
        for label in base.elements {
            if originalDeleted.contains(where: { Labels.bytesEqual($0, label.name) }) { continue }
            if originalAdded.contains(where: { Labels.bytesEqual($0.name, label.name) }) { continue }
            body(&self, label)
        }
        for label in originalAdded { body(&self, label) }
    }

    /// The resulting label set.
    func labels() -> Labels {
        guard hasChanges else { return base }
        var result: [Label] = []
        result.reserveCapacity(base.count + added.count)
        for label in base.elements {
            if deleted.contains(where: { Labels.bytesEqual($0, label.name) }) { continue }
            if added.contains(where: { Labels.bytesEqual($0.name, label.name) }) { continue }
            result.append(label)
        }
        if !added.isEmpty {
            result += added
            result.sort { Labels.bytesLess($0.name, $1.name) }
        }
        return Labels(sorted: result)
    }
}
