/// A 128-bit keyed hash of a byte string: the identity of a key in a ``ByteKeyedTable``.
///
/// Both halves come from one pass of the standard library's `Hasher` (SipHash-1-3, seeded randomly per process,
/// so a scraped target can neither predict nor craft collisions), finalized twice with different tails. Two
/// different keys share a `ByteKey` with probability about 2⁻¹²⁸, so the tables keep the 16 bytes instead of a copy
/// of every key: the per-series state of a target costs no key bytes.
struct ByteKey: Hashable, Sendable {
    var low: UInt64
    var high: UInt64

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        var second = hasher
        second.combine(UInt8(0xA5))
        low = UInt64(UInt(bitPattern: hasher.finalize()))
        high = UInt64(UInt(bitPattern: second.finalize()))
    }

    static func == (a: ByteKey, b: ByteKey) -> Bool { a.low == b.low && a.high == b.high }

    func hash(into hasher: inout Hasher) { hasher.combine(low) }
}

/// An open-addressing hash table keyed by byte strings, for per-target state that is looked up once per sample.
///
/// A key is identified by its ``ByteKey`` (a 128-bit keyed hash), computed by the caller from borrowed bytes, so
/// lookups never allocate and entries hold no copy of their key. Entries live in a dense array whose indices stay
/// stable until the next ``sweep(keeping:)``, which drops every entry not touched in the given generation and
/// compacts in place.
struct ByteKeyedTable<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var key: ByteKey
        var value: Value
        var generation: UInt32
    }

    private(set) var entries: [Entry] = []
    /// Indices into `entries`, or -1 for an empty slot. Power-of-two count, at most half full.
    private var slots: [Int32] = []
    /// Incremented whenever entry indices change (sweep with removals, removeAll), so caches of indices can tell.
    private(set) var layoutVersion: UInt32 = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// Allocated capacity (entries, slots), for tests asserting that steady state does not grow.
    var capacity: (entries: Int, slots: Int) { (entries.capacity, slots.count) }

    /// The index of the entry whose key is `key`, if any.
    @inline(__always)
    func find(_ key: ByteKey) -> Int? {
        if slots.isEmpty { return nil }
        return slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                let mask = slots.count - 1
                var i = Int(truncatingIfNeeded: key.low) & mask
                while true {
                    let slot = Int(slots[i])
                    if slot < 0 { return nil }
                    if entries[slot].key == key { return slot }
                    i = (i &+ 1) & mask
                }
            }
        }
    }

    /// Adds an entry for `key`, which must not be present. Returns its index.
    @discardableResult
    mutating func insert(_ key: ByteKey, value: Value, generation: UInt32) -> Int {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let index = entries.count
        entries.append(Entry(key: key, value: value, generation: generation))
        place(index: index, key: key)
        return index
    }

    subscript(index: Int) -> Value {
        get { entries[index].value }
        _modify { yield &entries[index].value }
        set { entries[index].value = newValue }
    }

    func key(at index: Int) -> ByteKey { entries[index].key }

    func generation(at index: Int) -> UInt32 { entries[index].generation }

    @inline(__always)
    mutating func touch(_ index: Int, generation: UInt32) { entries[index].generation = generation }

    /// Removes every entry whose generation is not `generation`; returns how many were removed.
    @discardableResult
    mutating func sweep(keeping generation: UInt32) -> Int {
        var write = 0
        for read in entries.indices where entries[read].generation == generation {
            if write != read { entries.swapAt(write, read) }
            write += 1
        }
        let removed = entries.count - write
        guard removed > 0 else { return 0 }
        entries.removeLast(removed)
        rebuildSlots(count: slots.count)
        layoutVersion &+= 1
        return removed
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
        layoutVersion &+= 1
    }

    private mutating func grow() {
        rebuildSlots(count: Swift.max(16, slots.count * 2))
    }

    private mutating func rebuildSlots(count: Int) {
        if slots.count != count {
            slots = Array(repeating: -1, count: count)
        } else {
            for i in slots.indices { slots[i] = -1 }
        }
        for index in entries.indices { place(index: index, key: entries[index].key) }
    }

    private mutating func place(index: Int, key: ByteKey) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: key.low) & mask
        while slots[i] >= 0 { i = (i &+ 1) & mask }
        slots[i] = Int32(index)
    }
}
