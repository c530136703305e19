/// A growable run of bytes in manually allocated memory. Views handed to consumers point into it, so it never
/// moves while views exist: callers reserve before a line is parsed, never in the middle of one.
///
/// Every allocation has ``padding`` readable bytes past `capacity`, so word-at-a-time loops may load eight bytes
/// at any offset up to `count` without a bounds check.
struct ByteStore {
    static let padding = 16

    var base: UnsafeMutableRawPointer?
    var count = 0
    var capacity = 0

    /// Ensures room for `needed` bytes in total; may move the storage (copying the first `count` bytes).
    @inline(__always)
    mutating func reserve(_ needed: Int) {
        if needed > capacity { grow(needed) }
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2, 256)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity + Self.padding, alignment: 16)
        newBase.initializeMemory(as: UInt8.self, repeating: 0, count: newCapacity + Self.padding)
        if let base {
            newBase.copyMemory(from: base, byteCount: count)
            base.deallocate()
        }
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        reserve(count + n)
        copyBytes(base! + count, bytes, n)  // reserve allocated it
        count += n
    }

    mutating func append(_ byte: UInt8) {
        reserve(count + 1)
        base!.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)  // reserve allocated it
        count += 1
    }

    /// The bytes `range` as a view; only valid until the next `reserve`/`append`.
    func view(_ start: Int, _ n: Int) -> ByteView {
        guard n > 0 else { return ByteView(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return ByteView(UnsafeRawBufferPointer(start: base! + start, count: n))
    }

    func deallocate() { base?.deallocate() }

    func copy() -> ByteStore {
        var other = ByteStore()
        if let base { other.append(base, count) }
        return other
    }
}

/// The parser's memory: the carry buffer for a line split across chunks, unescape scratch, the pending
/// family's metadata and the label view array. Plain pointers so the hot path touches no class properties
/// (whose accesses Swift checks for exclusivity at run time).
struct ParserBufferSet {
    /// The incomplete last line of the previous chunk.
    var carry = ByteStore()
    /// Unescaped label values of the current line. Reserved to the line's length on first use, so it never
    /// moves within a line (unescaping only shrinks).
    var scratch = ByteStore()
    /// The current family's name, then its unescaped HELP and UNIT.
    var meta = ByteStore()
    /// The previous family's metadata: opening a family swaps it with `meta`, so a view of the family just
    /// closed stays valid while the line that closed it is delivered.
    var metaAlt = ByteStore()
    /// The name of the last sample parsed on the fast path and the byte after it (`{` or a space).
    var nameCache = ByteStore()
    /// The label names of the last sample with labels that missed the template: entries of an `Int32` length and
    /// the name followed by `="`, ended by a length of 0 (the fast path compares them word by word instead of
    /// validating every byte).
    var template = ByteStore()
    var labels: UnsafeMutablePointer<LabelView>?
    var labelCapacity = 0

    mutating func reserveLabels(_ needed: Int) {
        guard needed > labelCapacity else { return }
        let newCapacity = Swift.max(needed, labelCapacity * 2, 16)
        let newLabels = UnsafeMutablePointer<LabelView>.allocate(capacity: newCapacity)
        if let labels {
            // LabelView is a trivial type: a byte copy moves it.
            UnsafeMutableRawPointer(newLabels).copyMemory(
                from: labels,
                byteCount: labelCapacity * MemoryLayout<LabelView>.stride
            )
            labels.deallocate()
        }
        labels = newLabels
        labelCapacity = newCapacity
    }

    func deallocate() {
        carry.deallocate()
        scratch.deallocate()
        meta.deallocate()
        metaAlt.deallocate()
        nameCache.deallocate()
        template.deallocate()
        labels?.deallocate()
    }
}

/// Frees the buffers when the last parser copy sharing them goes away. ``ExpositionParser`` keeps the pointers
/// in its own stored properties and mirrors them here whenever one moves; before any mutation it makes its
/// owner unique (copy-on-write), so a copied parser never frees or grows memory another copy uses.
final class ParserBufferOwner: @unchecked Sendable {
    // @unchecked: only mutated through a uniquely referenced owner (see ExpositionParser.makeUnique).
    var buffers: ParserBufferSet

    init(_ buffers: ParserBufferSet) { self.buffers = buffers }

    deinit { buffers.deallocate() }
}

/// Copies `n` bytes; runs of up to 32 bytes (names, short help) with a few overlapping loads and stores instead of
/// a call to memcpy.
@inline(__always)
func copyBytes(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ n: Int) {
    if n > 32 {
        destination.copyMemory(from: source, byteCount: n)
    } else if n >= 16 {
        let a = source.loadUnaligned(as: UInt64.self)
        let b = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let c = source.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self)
        let d = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        destination.storeBytes(of: a, as: UInt64.self)
        destination.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: c, toByteOffset: n &- 16, as: UInt64.self)
        destination.storeBytes(of: d, toByteOffset: n &- 8, as: UInt64.self)
    } else if n >= 8 {
        let a = source.loadUnaligned(as: UInt64.self)
        let b = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        destination.storeBytes(of: a, as: UInt64.self)
        destination.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
    } else if n >= 4 {
        let a = source.loadUnaligned(as: UInt32.self)
        let b = source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        destination.storeBytes(of: a, as: UInt32.self)
        destination.storeBytes(of: b, toByteOffset: n &- 4, as: UInt32.self)
    } else if n > 0 {
        let a = source.load(as: UInt8.self)
        let b = source.load(fromByteOffset: n &- 1, as: UInt8.self)
        let c = source.load(fromByteOffset: n &>> 1, as: UInt8.self)
        destination.storeBytes(of: a, as: UInt8.self)
        destination.storeBytes(of: b, toByteOffset: n &- 1, as: UInt8.self)
        destination.storeBytes(of: c, toByteOffset: n &>> 1, as: UInt8.self)
    }
}
