/// A `replacement` / `target_label` template, parsed once with Go's `Regexp.Expand` rules:
///
/// - `$1`, `${1}`: group 1; `$name`, `${name}`: the first group called `name` that took part in the match;
/// - `$$`: a literal `$`;
/// - a reference takes the longest run of letters, digits and `_`, so `$1x` is the group *named* `1x` (empty);
/// - unknown, out-of-range or non-participating groups expand to nothing;
/// - a malformed reference (`$`, `${`, `${x`, `$-`) leaves the `$` as text.
struct ExpansionTemplate: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        case text([UInt8])
        /// Candidate groups, in order; the first that took part is used. Empty: expands to nothing.
        case group([Int])
    }

    let segments: [Segment]
    /// The template has no references, so expanding it gives ``literalText``.
    let isLiteral: Bool
    let literalText: String

    init(_ template: String, captureNames: [String]) {
        let bytes = Array(template.utf8)
        var segments: [Segment] = []
        var text: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "$") else {
                text.append(c)
                i += 1
                continue
            }
            i += 1
            if i < bytes.count && bytes[i] == UInt8(ascii: "$") {
                text.append(UInt8(ascii: "$"))
                i += 1
                continue
            }
            guard let (name, rest) = Self.extract(bytes, from: i) else {
                text.append(UInt8(ascii: "$"))
                continue
            }
            i = rest
            if !text.isEmpty {
                segments.append(.text(text))
                text.removeAll()
            }
            if let number = Self.number(name) {
                segments.append(.group(number < captureNames.count ? [number] : []))
            } else {
                let nameString = String(decoding: name, as: UTF8.self)
                segments.append(.group(captureNames.indices.filter { captureNames[$0] == nameString && $0 > 0 }))
            }
        }
        if !text.isEmpty { segments.append(.text(text)) }
        self.segments = segments
        self.isLiteral = segments.allSatisfy { if case .text = $0 { true } else { false } }
        var literal: [UInt8] = []
        for case .text(let bytes) in segments { literal += bytes }
        self.literalText = isLiteral ? String(decoding: literal, as: UTF8.self) : ""
    }

    /// Go's `extract`: a name or `{name}` after `$`; returns the name bytes and where the rest starts.
    private static func extract(_ bytes: [UInt8], from start: Int) -> (ArraySlice<UInt8>, Int)? {
        guard start < bytes.count else { return nil }
        var i = start
        let brace = bytes[i] == UInt8(ascii: "{")
        if brace { i += 1 }
        let nameStart = i
        while i < bytes.count {
            let (r, width) = bytes.withUnsafeBufferPointer { UTF8Decoding.decode($0, i) }
            guard isNameCharacter(r) else { break }
            i += width
        }
        guard i > nameStart else { return nil }
        let name = bytes[nameStart..<i]
        if brace {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else { return nil }
            i += 1
        }
        return (name, i)
    }

    /// A decimal group number without leading zeros, else nil (the reference is a name).
    private static func number(_ name: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for b in name {
            guard RegexParser.isDigit(b), n < 100_000_000 else { return nil }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        if name.count > 1 && name.first == UInt8(ascii: "0") { return nil }
        return n
    }

    /// Go's `unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'`.
    private static func isNameCharacter(_ r: UInt32) -> Bool {
        if r < 0x80 {
            return RegexParser.isAlphanumeric(r) || r == 0x5F
        }
        guard let scalar = Unicode.Scalar(r) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// Whether any segment refers to a group.
    var hasReferences: Bool { !isLiteral }

    /// Bytes the expansion takes for this match.
    func expandedCount(slots: UnsafeBufferPointer<Int>) -> Int {
        var count = 0
        for segment in segments {
            switch segment {
            case .text(let bytes): count += bytes.count
            case .group(let candidates):
                if let g = Self.participating(candidates, slots) { count += slots[2 * g + 1] - slots[2 * g] }
            }
        }
        return count
    }

    /// Writes the expansion to `out` (which must hold ``expandedCount(slots:)`` bytes); returns bytes written.
    @discardableResult
    func write(
        input: UnsafeBufferPointer<UInt8>,
        slots: UnsafeBufferPointer<Int>,
        to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var n = 0
        for segment in segments {
            switch segment {
            case .text(let bytes):
                bytes.withUnsafeBufferPointer { b in
                    for byte in b {
                        out[n] = byte
                        n += 1
                    }
                }
            case .group(let candidates):
                if let g = Self.participating(candidates, slots) {
                    for i in slots[2 * g]..<slots[2 * g + 1] {
                        out[n] = input[i]
                        n += 1
                    }
                }
            }
        }
        return n
    }

    /// The expansion as a new string.
    func expand(input: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<Int>) -> String {
        if isLiteral { return literalText }
        let count = expandedCount(slots: slots)
        return String(unsafeUninitializedCapacity: count) { buffer in
            // Force-unwrap: only reached with count > 0 there is a base address; guard for the empty case.
            guard count > 0 else { return 0 }
            return write(input: input, slots: slots, to: buffer.baseAddress!)
        }
    }

    @inline(__always)
    private static func participating(_ candidates: [Int], _ slots: UnsafeBufferPointer<Int>) -> Int? {
        for g in candidates where 2 * g + 1 < slots.count && slots[2 * g] >= 0 { return g }
        return nil
    }
}
