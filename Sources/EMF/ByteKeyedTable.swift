/// An open-addressing hash table keyed by byte strings, for per-target state that is looked up once per sample.
///
/// The key is hashed to 64 bits (`Hasher`, seeded per process so a scraped target cannot craft collisions); each
/// entry keeps a copy of its key bytes to verify a hit. Lookups take borrowed bytes and never allocate; only
/// inserting a new key copies it. Entries live in a dense array whose indices stay stable until the next
/// ``sweep(keeping:)``, which drops every entry not touched in the given generation and compacts in place.
struct ByteKeyedTable<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var hash: Int
        var key: [UInt8]
        var value: Value
        var generation: UInt32
    }

    private(set) var entries: [Entry] = []
    /// Indices into `entries`, or -1 for an empty slot. Power-of-two count, at most half full.
    private var slots: [Int32] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// Allocated capacity (entries, slots), for tests asserting that steady state does not grow.
    var capacity: (entries: Int, slots: Int) { (entries.capacity, slots.count) }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    /// The index of the entry whose key equals `bytes`, if any.
    func find(_ bytes: UnsafeRawBufferPointer, hash: Int) -> Int? {
        if slots.isEmpty { return nil }
        let mask = slots.count - 1
        var i = hash & mask
        while true {
            let slot = Int(slots[i])
            if slot < 0 { return nil }
            if entries[slot].hash == hash, Self.keysEqual(entries[slot].key, bytes) { return slot }
            i = (i &+ 1) & mask
        }
    }

    private static func keysEqual(_ key: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        key.count == bytes.count && key.withUnsafeBytes { $0.elementsEqual(bytes) }
    }

    /// Adds an entry for `bytes`, which must not be present. Returns its index.
    @discardableResult
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: Int, value: Value, generation: UInt32) -> Int {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let index = entries.count
        entries.append(Entry(hash: hash, key: Array(bytes), value: value, generation: generation))
        place(index: index, hash: hash)
        return index
    }

    subscript(index: Int) -> Value {
        get { entries[index].value }
        _modify { yield &entries[index].value }
        set { entries[index].value = newValue }
    }

    func generation(at index: Int) -> UInt32 { entries[index].generation }

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
        return removed
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
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
        for index in entries.indices { place(index: index, hash: entries[index].hash) }
    }

    private mutating func place(index: Int, hash: Int) {
        let mask = slots.count - 1
        var i = hash & mask
        while slots[i] >= 0 { i = (i &+ 1) & mask }
        slots[i] = Int32(index)
    }
}
