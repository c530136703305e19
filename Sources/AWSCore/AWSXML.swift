/// A small XML reader for AWS query-protocol responses: elements and text only (attributes are skipped, namespace
/// prefixes dropped), the five predefined entities, numeric character references, CDATA; comments, processing
/// instructions and a DOCTYPE without an internal subset are skipped.
public enum AWSXML {
    /// An element: its local name, child elements in order, and its own character data.
    public struct Element: Sendable, Equatable {
        /// The local name (any `prefix:` removed).
        public var name: String
        public var children: [Element]
        /// The character data directly inside this element (not its children's), entities decoded, untrimmed.
        public var text: String

        public init(name: String, children: [Element] = [], text: String = "") {
            self.name = name
            self.children = children
            self.text = text
        }

        /// The first child element with this name.
        public func child(_ name: String) -> Element? { children.first { $0.name == name } }

        /// All child elements with this name.
        public func children(_ name: String) -> [Element] { children.filter { $0.name == name } }

        /// The descendant reached by following `names` (first match at each step).
        public func path(_ names: String...) -> Element? { path(names) }

        public func path(_ names: [String]) -> Element? {
            var current = self
            for name in names {
                guard let next = current.child(name) else { return nil }
                current = next
            }
            return current
        }

        /// The text of the descendant reached by following `names`, or `nil` if it is absent.
        public func string(_ names: String...) -> String? { path(names)?.text }

        /// The first element named `name` in a depth-first search (including this one).
        public func first(named name: String) -> Element? {
            if self.name == name { return self }
            for child in children {
                if let found = child.first(named: name) { return found }
            }
            return nil
        }

        /// The texts of `<member>` children of the descendant at `names` (AWS query lists); empty if absent.
        public func members(_ names: String...) -> [Element] { path(names)?.children("member") ?? [] }
    }

    /// The deepest nesting accepted.
    public static let maximumDepth = 256

    /// Parses a document and returns its root element.
    /// - Throws: ``AWSError`` with code `.invalidResponse` on malformed XML.
    public static func parse(_ bytes: [UInt8]) throws(AWSError) -> Element {
        var parser = Parser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Parses a document given as a string.
    public static func parse(_ text: String) throws(AWSError) -> Element { try parse(Array(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ message: String) -> AWSError {
            AWSError(.invalidResponse, "malformed XML: \(message) at byte \(index)")
        }

        func starts(with literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            return literal.withUTF8Buffer { lit in
                for k in 0..<count where bytes[index + k] != lit[k] { return false }
                return true
            }
        }

        /// Advances past the next occurrence of `terminator`.
        mutating func skip(past terminator: StaticString) throws(AWSError) {
            while index < bytes.count {
                if starts(with: terminator) {
                    index += terminator.utf8CodeUnitCount
                    return
                }
                index += 1
            }
            throw fail("unterminated construct (expected \(terminator))")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

        /// Skips the prolog and misc items outside the root (declaration, comments, PIs, DOCTYPE, whitespace).
        mutating func skipMisc() throws(AWSError) {
            while true {
                skipWhitespace()
                if starts(with: "<?") {
                    try skip(past: "?>")
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<!DOCTYPE") || starts(with: "<!doctype") {
                    while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
                        if bytes[index] == UInt8(ascii: "[") { throw fail("DOCTYPE internal subsets are not supported") }
                        index += 1
                    }
                    guard index < bytes.count else { throw fail("unterminated DOCTYPE") }
                    index += 1
                } else {
                    return
                }
            }
        }

        mutating func parseDocument() throws(AWSError) -> Element {
            if starts(with: "\u{FEFF}") { index += 3 }
            try skipMisc()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
            let root = try parseElement(depth: 0)
            try skipMisc()
            guard index == bytes.count else { throw fail("content after the root element") }
            return root
        }

        static func isNameByte(_ b: UInt8) -> Bool {
            !(isSpace(b) || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
                || b == UInt8(ascii: "<"))
        }

        mutating func parseName() throws(AWSError) -> (full: ArraySlice<UInt8>, local: String) {
            let start = index
            while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
            guard index > start else { throw fail("expected a name") }
            let full = bytes[start..<index]
            var localStart = start
            if let colon = full.lastIndex(of: UInt8(ascii: ":")) { localStart = colon + 1 }
            return (full, String(decoding: bytes[localStart..<index], as: UTF8.self))
        }

        /// Parses `<name …>…</name>` or `<name …/>` starting at `<`.
        mutating func parseElement(depth: Int) throws(AWSError) -> Element {
            guard depth < AWSXML.maximumDepth else { throw fail("nesting deeper than \(AWSXML.maximumDepth)") }
            index += 1  // "<"
            let (fullName, localName) = try parseName()
            // Attributes: skipped, honouring quotes so a ">" inside a value doesn't end the tag.
            var selfClosing = false
            while true {
                guard index < bytes.count else { throw fail("unterminated start tag <\(localName)>") }
                let b = bytes[index]
                if b == UInt8(ascii: ">") {
                    index += 1
                    break
                } else if b == UInt8(ascii: "/") {
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else {
                        throw fail("stray / in start tag")
                    }
                    index += 2
                    selfClosing = true
                    break
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    index += 1
                    while index < bytes.count, bytes[index] != b { index += 1 }
                    guard index < bytes.count else { throw fail("unterminated attribute value") }
                    index += 1
                } else if b == UInt8(ascii: "<") {
                    throw fail("< inside a start tag")
                } else {
                    index += 1
                }
            }
            var element = Element(name: localName)
            if selfClosing { return element }
            var text: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("unterminated element <\(localName)>") }
                let b = bytes[index]
                if b == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        index += 2
                        let (closing, _) = try parseName()
                        guard closing == fullName else {
                            throw fail(
                                "mismatched end tag </\(String(decoding: closing, as: UTF8.self))> for <\(String(decoding: fullName, as: UTF8.self))>")
                        }
                        skipWhitespace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                            throw fail("unterminated end tag")
                        }
                        index += 1
                        element.text = String(decoding: text, as: UTF8.self)
                        return element
                    } else if starts(with: "<!--") {
                        try skip(past: "-->")
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        let start = index
                        try skip(past: "]]>")
                        text.append(contentsOf: bytes[start..<(index - 3)])
                    } else if starts(with: "<?") {
                        try skip(past: "?>")
                    } else {
                        element.children.append(try parseElement(depth: depth + 1))
                    }
                } else if b == UInt8(ascii: "&") {
                    try parseReference(into: &text)
                } else {
                    // A run of plain character data.
                    let start = index
                    while index < bytes.count, bytes[index] != UInt8(ascii: "<"), bytes[index] != UInt8(ascii: "&") {
                        index += 1
                    }
                    text.append(contentsOf: bytes[start..<index])
                }
            }
        }

        /// Decodes `&name;` or `&#N;` / `&#xH;` at `index` into UTF-8.
        mutating func parseReference(into text: inout [UInt8]) throws(AWSError) {
            let start = index
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), index - start < 12 { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw fail("unterminated entity") }
            let name = bytes[(start + 1)..<index]
            index += 1
            switch String(decoding: name, as: UTF8.self) {
            case "lt": text.append(UInt8(ascii: "<"))
            case "gt": text.append(UInt8(ascii: ">"))
            case "amp": text.append(UInt8(ascii: "&"))
            case "quot": text.append(UInt8(ascii: "\""))
            case "apos": text.append(UInt8(ascii: "'"))
            case let other where other.hasPrefix("#"):
                var digits = other.dropFirst()
                var radix = 10
                if digits.first == "x" || digits.first == "X" {
                    radix = 16
                    digits = digits.dropFirst()
                }
                guard let value = UInt32(digits, radix: radix), let scalar = Unicode.Scalar(value), value != 0 else {
                    throw fail("bad character reference &\(other);")
                }
                text.append(contentsOf: Array(String(Character(scalar)).utf8))
            case let other:
                throw fail("unknown entity &\(other);")
            }
        }
    }
}
