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
    /// Indices into `entries`, or -1 for an empty slot. Power-of-two count, at most three quarters full: keys are
    /// uniform (SipHash), and steady-state lookups mostly go through the memos, so the longer probes cost little
    /// while every target's slots take half the memory a half-full table would often need.
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
        if (entries.count + 1) * 4 > slots.count * 3 { grow() }
        let index = entries.count
        entries.append(Entry(key: key, value: value, generation: generation))
        place(index: index, key: key)
        return index
    }

    subscript(index: Int) -> Value {
        // Borrowed, not copied: reading one member must not retain the others.
        _read { yield entries[index].value }
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

    /// Gives back the spare capacity that growing by doubling leaves (up to half the entries' memory, per target),
    /// keeping an eighth as headroom so that a few new keys per scrape do not reallocate every time.
    mutating func trimCapacity() {
        entries.trimCapacity()
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

/// A fast 64-bit keyed hash of a byte string, to recognise that a batch position holds the same series text as in
/// the previous scrape (see ``TargetSeriesState/memos``) without SipHash's cost per sample.
///
/// Two multiply-fold lanes (in the manner of wyhash) over 16-byte blocks, keyed with random secrets drawn once per
/// process, so a target can neither predict nor craft equal fingerprints; the length is mixed in. 64 bits keep a memo
/// small (a target holds one per sample); a position whose text changed keeps its fingerprint with probability
/// 2⁻⁶⁴. The tables keep using ``ByteKey``: a fingerprint only confirms a memo, and a memo miss falls back to
/// ``ByteKey``.
struct SeriesFingerprint: Equatable, Sendable {
    var value: UInt64

    init(value: UInt64) {
        self.value = value
    }

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer, secrets s: FingerprintSecrets) {
        let n = bytes.count
        var a = s.a
        var b = s.b
        var i = 0
        if let base = bytes.baseAddress {
            while i + 16 <= n {
                let w0 = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let w1 = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                a = Self.fold(w0 ^ a, w1 ^ s.c)
                b = Self.fold(w1 ^ b, w0 ^ s.d)
                i += 16
            }
        }
        var tail: (UInt64, UInt64) = (0, 0)
        if i < n {
            withUnsafeMutableBytes(of: &tail) { tail in
                tail.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
            }
        }
        let length = UInt64(truncatingIfNeeded: n)
        a = Self.fold(tail.0 ^ a, tail.1 ^ s.c ^ length)
        b = Self.fold(tail.1 ^ b, tail.0 ^ s.d ^ length)
        value = Self.fold(a ^ s.e, b ^ s.f)
    }

    @inline(__always)
    static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: y)
        return product.high ^ product.low
    }
}

/// The per-process random secrets of ``SeriesFingerprint``.
struct FingerprintSecrets: Sendable {
    var a, b, c, d, e, f: UInt64

    /// Drawn once per process.
    static let process: FingerprintSecrets = {
        var random = SystemRandomNumberGenerator()
        // Odd secrets: a multiplier of zero would discard its other operand.
        func odd() -> UInt64 { random.next() | 1 }
        return FingerprintSecrets(a: odd(), b: odd(), c: odd(), d: odd(), e: odd(), f: odd())
    }()
}

extension ByteKeyedTable {
    /// Calls `body` with the value at `index`, borrowed in place (no copy of its members).
    @inline(__always)
    func withValue<R>(at index: Int, _ body: (borrowing Value) -> R) -> R {
        entries.withUnsafeBufferPointer { body($0[index].value) }
    }
}

extension Array {
    /// Reallocates to `count` plus an eighth when more than a quarter (and 64 elements) would otherwise stay unused.
    mutating func trimCapacity() {
        let spare = capacity - count
        guard spare > count / 4 + 64 else { return }
        let target = count + count / 8 + 16
        var trimmed: [Element] = []
        trimmed.reserveCapacity(target)
        trimmed.append(contentsOf: self)
        self = trimmed
    }
}
