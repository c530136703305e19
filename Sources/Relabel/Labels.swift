/// One label: a name and a value.
public struct Label: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\"\(value)\"" }
}

/// A label set sorted by name (byte order, as Prometheus's `labels.Labels`), names unique, no empty values.
///
/// A plain array underneath: cheap to copy (copy-on-write), cheap to scan for the few tens of labels of a sample,
/// and good enough for the few hundred `__meta_*` labels of a discovered target.
public struct Labels: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public private(set) var elements: [Label]

    /// An empty label set.
    public init() { elements = [] }

    /// Sorts the pairs by name; for a repeated name the last value wins; empty values are dropped.
    public init(_ pairs: some Sequence<(String, String)>) {
        var list: [Label] = []
        for (name, value) in pairs {
            if let i = list.firstIndex(where: { Labels.bytesEqual($0.name, name) }) { list.remove(at: i) }
            if !value.isEmpty { list.append(Label(name: name, value: value)) }
        }
        list.sort { Labels.bytesLess($0.name, $1.name) }
        elements = list
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Wraps labels already sorted by name without duplicates or empty values (not checked).
    init(sorted: [Label]) { elements = sorted }

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> Label { elements[position] }

    /// The value of `name`, or nil.
    public subscript(name: String) -> String? {
        elements.withUnsafeBufferPointer { labels in
            for i in labels.indices where Labels.bytesEqual(labels[i].name, name) { return labels[i].value }
            return nil
        }
    }

    public var description: String { "{" + elements.map(\.description).joined(separator: ", ") + "}" }

    /// Byte-wise equality (Go's `==` on strings), without Unicode canonical equivalence.
    @inline(__always)
    static func bytesEqual(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        let fast = x.withContiguousStorageIfAvailable { xs in
            y.withContiguousStorageIfAvailable { ys in xs.elementsEqual(ys) }
        }
        return (fast ?? nil) ?? x.elementsEqual(y)
    }

    /// Byte-wise ordering (Go's `<` on strings).
    static func bytesLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
