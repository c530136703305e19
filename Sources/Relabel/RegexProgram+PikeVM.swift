/// The Pike VM (Go's `regexp/exec.go` machine): a Thompson NFA simulation carrying submatch positions per thread,
/// with threads kept in priority order so the result is leftmost-first (Perl/Go), in O(text × program) time.
///
/// All working memory comes from one block: on the stack for small programs, else a per-thread buffer
/// (``ThreadScratch``), so a match allocates nothing on the heap in steady state.
extension RegexProgram {
    /// Sentinel in the work stack marking an "explore this pc" entry (otherwise the entry restores a slot).
    private static let exploreMarker = Int.min

    /// Searches `input` from byte offset `start`.
    ///
    /// - Parameter slots: receives `[start, end]` of the match and of each group (`-1` when a group did not take
    ///   part); pass an empty buffer when only the yes/no answer is needed (the machine then stops at the first
    ///   match it finds). Must hold 0 or `2 * (captureCount + 1)` elements or fewer.
    /// - Returns: whether there is a match. Unanchored unless the expression begins with `^`/`\A`.
    func pikeSearch(
        _ input: UnsafeBufferPointer<UInt8>,
        from start: Int,
        slots: UnsafeMutableBufferPointer<Int>
    ) -> Bool {
        let n = instructions.count
        let ncap = slots.count
        let queueInts = 2 * n + n * ncap
        let stackInts = 2 * (2 * n + 2)
        let total = 2 * queueInts + stackInts + ncap
        return ThreadScratch.withInts(total) { base -> Bool in
            // The sparse-set trick tolerates garbage, but initialise so no uninitialised memory is read.
            base.initialize(repeating: 0, count: total)
            var queueA = Queue(base: base, n: n, ncap: ncap)
            var queueB = Queue(base: base + queueInts, n: n, ncap: ncap)
            let stack = base + 2 * queueInts
            let startCap = stack + stackInts
            for i in 0..<ncap { startCap[i] = -1 }
            return instructions.withUnsafeBufferPointer { insts in
                classes.withUnsafeBufferPointer { classes in
                    var machine = Machine(
                        insts: insts,
                        classes: classes,
                        startPC: self.start,
                        stack: stack,
                        ncap: ncap,
                        input: input,
                        slots: slots
                    )
                    return machine.run(from: start, startCap: startCap, &queueA, &queueB, anchored: anchoredStart)
                }
            }
        }
    }

    /// A sparse set of program counters, in insertion (= priority) order, with a capture vector per entry.
    private struct Queue {
        let sparse: UnsafeMutablePointer<Int>
        let dense: UnsafeMutablePointer<Int>
        let caps: UnsafeMutablePointer<Int>
        var count = 0

        init(base: UnsafeMutablePointer<Int>, n: Int, ncap: Int) {
            sparse = base
            dense = base + n
            caps = base + 2 * n
        }

        @inline(__always)
        func contains(_ pc: Int) -> Bool {
            let j = sparse[pc]
            return j < count && dense[j] == pc
        }
    }

    private struct Machine {
        let insts: UnsafeBufferPointer<RegexInstruction>
        let classes: UnsafeBufferPointer<CompiledRuneClass>
        let startPC: Int
        let stack: UnsafeMutablePointer<Int>
        let ncap: Int
        let input: UnsafeBufferPointer<UInt8>
        let slots: UnsafeMutableBufferPointer<Int>
        var matched = false

        init(
            insts: UnsafeBufferPointer<RegexInstruction>,
            classes: UnsafeBufferPointer<CompiledRuneClass>,
            startPC: Int,
            stack: UnsafeMutablePointer<Int>,
            ncap: Int,
            input: UnsafeBufferPointer<UInt8>,
            slots: UnsafeMutableBufferPointer<Int>
        ) {
            self.insts = insts
            self.classes = classes
            self.startPC = startPC
            self.stack = stack
            self.ncap = ncap
            self.input = input
            self.slots = slots
        }

        @inline(__always)
        func decode(_ pos: Int) -> (Int64, Int) {
            guard pos < input.count else { return (-1, 0) }
            let (r, w) = UTF8Decoding.decode(input, pos)
            return (Int64(r), w)
        }

        mutating func run(
            from start: Int,
            startCap: UnsafeMutablePointer<Int>,
            _ a: inout Queue,
            _ b: inout Queue,
            anchored: Bool
        ) -> Bool {
            var runq = a
            var nextq = b
            var pos = start
            var (r, width) = decode(pos)
            var (r1, width1): (Int64, Int) = (-1, 0)
            if r != -1 { (r1, width1) = decode(pos + width) }
            var previous: Int64 = start == 0 ? -1 : Int64(UTF8Decoding.decodeLast(input, before: start) ?? 0)
            while true {
                if runq.count == 0 {
                    // Anchored and past the start: no thread can begin any more.
                    if anchored && pos != 0 { break }
                    if matched { break }
                }
                if !matched && (pos == 0 || !anchored) {
                    if ncap > 0 { startCap[0] = pos }
                    add(&runq, pc: startPC, pos: pos, cap: startCap, previous: previous, next: r)
                }
                step(&runq, &nextq, pos: pos, nextPos: pos + width, r: r, next: r1)
                if width == 0 { break }
                if ncap == 0 && matched { break }
                pos += width
                previous = r
                r = r1
                width = width1
                if r != -1 { (r1, width1) = decode(pos + width) }
                swap(&runq, &nextq)
            }
            return matched
        }

        /// Go's `step`: advances every thread in `runq` over `r`; a match cuts off all lower-priority threads.
        mutating func step(_ runq: inout Queue, _ nextq: inout Queue, pos: Int, nextPos: Int, r: Int64, next: Int64) {
            var j = 0
            while j < runq.count {
                let pc = runq.dense[j]
                let inst = insts[pc]
                let cap = runq.caps + j * ncap
                var advance = false
                switch inst.op {
                case .match:
                    if ncap > 0 {
                        cap[1] = pos
                        for i in 0..<ncap { slots[i] = cap[i] }
                    }
                    matched = true
                    runq.count = 0
                    return
                case .rune1:
                    advance = r == Int64(inst.arg)
                case .runeClass:
                    advance = r >= 0 && classes[Int(inst.arg)].contains(UInt32(r))
                case .anyChar:
                    advance = r >= 0
                case .anyCharNotNewline:
                    advance = r >= 0 && r != 0x0A
                default:
                    break
                }
                if advance {
                    add(&nextq, pc: Int(inst.out), pos: nextPos, cap: cap, previous: r, next: next)
                }
                j += 1
            }
            runq.count = 0
        }

        /// Go's `add`: follows empty transitions from `pc` in priority order, recording a thread for each
        /// instruction that consumes input (or matches). Iterative, with an explicit stack, so deep programs
        /// cannot overflow the call stack.
        mutating func add(
            _ q: inout Queue,
            pc firstPC: Int,
            pos: Int,
            cap: UnsafeMutablePointer<Int>,
            previous: Int64,
            next: Int64
        ) {
            stack[0] = firstPC
            stack[1] = RegexProgram.exploreMarker
            var sp = 1
            while sp > 0 {
                sp -= 1
                let a = stack[2 * sp]
                let b = stack[2 * sp + 1]
                if b != RegexProgram.exploreMarker {
                    cap[a] = b
                    continue
                }
                var pc = a
                explore: while pc != 0 {
                    if q.contains(pc) { break }
                    let j = q.count
                    q.dense[j] = pc
                    q.sparse[pc] = j
                    q.count += 1
                    let inst = insts[pc]
                    switch inst.op {
                    case .fail:
                        break explore
                    case .alt:
                        stack[2 * sp] = Int(inst.arg)
                        stack[2 * sp + 1] = RegexProgram.exploreMarker
                        sp += 1
                        pc = Int(inst.out)
                    case .nop:
                        pc = Int(inst.out)
                    case .empty:
                        guard Self.assertionHolds(UInt8(inst.arg), previous: previous, next: next) else {
                            break explore
                        }
                        pc = Int(inst.out)
                    case .save:
                        let slot = Int(inst.arg)
                        if slot < ncap {
                            stack[2 * sp] = slot
                            stack[2 * sp + 1] = cap[slot]
                            sp += 1
                            cap[slot] = pos
                        }
                        pc = Int(inst.out)
                    case .match, .rune1, .runeClass, .anyChar, .anyCharNotNewline:
                        if ncap > 0 {
                            let dst = q.caps + j * ncap
                            if dst != cap { dst.update(from: cap, count: ncap) }
                        }
                        break explore
                    }
                }
            }
        }

        /// Go's `lazyFlag.match`: `previous`/`next` are the code points around the position, -1 at the ends.
        @inline(__always)
        static func assertionHolds(_ bits: UInt8, previous: Int64, next: Int64) -> Bool {
            var op = EmptyAssertion(rawValue: bits)
            if op.isEmpty { return true }
            if op.contains(.beginLine) {
                if previous != 0x0A && previous >= 0 { return false }
                op.remove(.beginLine)
            }
            if op.contains(.beginText) {
                if previous >= 0 { return false }
                op.remove(.beginText)
            }
            if op.isEmpty { return true }
            if op.contains(.endLine) {
                if next != 0x0A && next >= 0 { return false }
                op.remove(.endLine)
            }
            if op.contains(.endText) {
                if next >= 0 { return false }
                op.remove(.endText)
            }
            if op.isEmpty { return true }
            if isWordCharacter(previous) != isWordCharacter(next) {
                op.remove(.wordBoundary)
            } else {
                op.remove(.noWordBoundary)
            }
            return op.isEmpty
        }

        @inline(__always)
        static func isWordCharacter(_ r: Int64) -> Bool {
            (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5A) || (r >= 0x61 && r <= 0x7A) || r == 0x5F
        }
    }
}
