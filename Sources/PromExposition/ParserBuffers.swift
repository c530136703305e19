/// A growable run of bytes in manually allocated memory. Views handed to consumers point into it, so it never
/// moves while views exist: callers reserve before a line is parsed, never in the middle of one.
struct ByteStore {
    var base: UnsafeMutableRawPointer?
    var count = 0
    var capacity = 0

    /// Ensures room for `needed` bytes in total; may move the storage (copying the first `count` bytes).
    mutating func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        let newCapacity = Swift.max(needed, capacity * 2, 256)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let base {
            newBase.copyMemory(from: base, byteCount: count)
            base.deallocate()
        }
        base = newBase
        capacity = newCapacity
    }

    mutating func append(_ bytes: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        reserve(count + n)
        (base! + count).copyMemory(from: bytes, byteCount: n)  // reserve allocated it
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
