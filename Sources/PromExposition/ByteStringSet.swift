/// A set of byte strings stored in one arena: inserting allocates only when the arena or table grows, never per
/// element, and `removeAll()` keeps the storage for the next scrape.
struct ByteStringSet: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var counts: [Int] = []
    /// Open addressing with linear probing; entries are indices into `starts`/`counts`, -1 is empty.
    private var table: [Int32] = []

    init() {}

    var count: Int { starts.count }

    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        for k in table.indices { table[k] = -1 }
    }

    func contains(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !table.isEmpty else { return false }
        return find(bytes, hash: Self.hash(bytes)).found
    }

    /// Inserts `bytes`; returns `false` when they were already present.
    @discardableResult
    mutating func insert(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if (starts.count + 1) * 2 > table.count { grow() }
        let hash = Self.hash(bytes)
        let (found, slot) = find(bytes, hash: hash)
        if found { return false }
        table[slot] = Int32(starts.count)
        starts.append(arena.count)
        counts.append(bytes.count)
        arena.append(contentsOf: bytes)
        return true
    }

    private func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (found: Bool, slot: Int) {
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = table[slot]
            if entry < 0 { return (false, slot) }
            if equals(Int(entry), bytes) { return (true, slot) }
            slot = (slot + 1) & mask
        }
    }

    private func equals(_ entry: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard counts[entry] == bytes.count else { return false }
        let start = starts[entry]
        return arena.withUnsafeBytes { all in
            for k in 0..<bytes.count where all[start + k] != bytes[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let newCount = Swift.max(64, table.count * 2)
        table = [Int32](repeating: -1, count: newCount)
        let mask = newCount - 1
        arena.withUnsafeBytes { all in
            for entry in starts.indices {
                let bytes = UnsafeRawBufferPointer(rebasing: all[starts[entry]..<(starts[entry] + counts[entry])])
                var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
                while table[slot] >= 0 { slot = (slot + 1) & mask }
                table[slot] = Int32(entry)
            }
        }
    }

    /// FNV-1a: deterministic and good enough for metric names.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h ^ (h >> 29)
    }
}
