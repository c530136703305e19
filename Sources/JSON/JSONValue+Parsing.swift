// The parser: RFC 8259, one pass over contiguous bytes, no intermediate tokens. Strings without escapes are
// decoded straight from the input; integers are accumulated without going through `String`.

extension JSONValue {
    /// The nesting depth (arrays and objects inside each other) accepted unless a parse says otherwise.
    public static let defaultMaximumDepth = 512

    /// Parses a complete JSON text; anything but whitespace after the value is an error.
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text. Invalid UTF-8 inside strings is replaced by U+FFFD.
    ///   - maximumDepth: how deeply arrays and objects may nest. The parser recurses per level, so the limit keeps
    ///     hostile input from overflowing the stack of whichever task parses it.
    /// - Throws: ``JSONParseError`` naming the byte offset of the problem.
    public init(parsing bytes: some Collection<UInt8>, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) {
        let parsed = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try Self.parseDocument(buffer, maximumDepth: maximumDepth) }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            self = try Self.parseDocument(Array(bytes), maximumDepth: maximumDepth)
        }
    }

    /// Parses a complete JSON text from a string.
    /// - Throws: ``JSONParseError`` naming the byte offset (in the string's UTF-8) of the problem.
    public init(parsing text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) {
        var text = text
        let parsed = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try Self.parseDocument(buffer, maximumDepth: maximumDepth) }
        }
        self = try parsed.get()
    }

    private static func parseDocument(_ bytes: [UInt8], maximumDepth: Int) throws(JSONParseError) -> JSONValue {
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try parseDocument(buffer, maximumDepth: maximumDepth) }
        }
        return try parsed.get()
    }

    private static func parseDocument(
        _ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        return try parser.parseDocument()
    }
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error(.trailingData, "unexpected data after the value") }
        return value
    }

    func error(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code, offset: index, message: message)
    }

    func unexpected(_ expectation: String) -> JSONParseError {
        guard index < bytes.count else { return error(.unexpectedEnd, "unexpected end of input, \(expectation)") }
        return error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), \(expectation)")
    }

    func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected("expected a value")
        }
    }

    mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let start = index
        let matches = word.withUTF8Buffer { word in
            bytes.count - index >= word.count && (0..<word.count).allSatisfy { bytes[index + $0] == word[$0] }
        }
        guard matches else { throw error(.invalidLiteral, "invalid literal, expected '\(word)'") }
        index = start + word.utf8CodeUnitCount
        return value
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else { throw error(.nestingTooDeep, "nesting deeper than \(maximumDepth)") }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1  // {
        var object = JSONObject()
        if consume(UInt8(ascii: "}")) { return .object(object) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected("expected a member name") }
            let key = try parseString()
            guard consume(UInt8(ascii: ":")) else { throw unexpected("expected ':'") }
            object[key] = try parseValue()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return .object(object) }
            throw unexpected("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        index += 1  // [
        var elements: [JSONValue] = []
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            elements.append(try parseValue())
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            throw unexpected("expected ',' or ']'")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, so the string is the input bytes as they are.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return string
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            index += 1
        }
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard index < bytes.count else { throw error(.unexpectedEnd, "unterminated string") }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw error(.invalidString, "control character \(describe(b)) in string (must be escaped)")
            default:
                utf8.append(b)
                index += 1
            }
        }
    }

    /// Decodes the escape at `index` (a backslash) and appends its UTF-8.
    mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        index += 1  // backslash
        guard index < bytes.count else { throw error(.unexpectedEnd, "unterminated escape") }
        let e = bytes[index]
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            index += 1
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar), bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            {
                let lowStart = index
                index += 2
                let low = try parseHex4()
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    index = lowStart  // not a pair: the second escape is read on its own
                }
            }
            // Lone surrogates become U+FFFD, as Go's encoding/json does.
            UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { utf8.append($0) }
            return
        default:
            throw error(.invalidString, "invalid escape \\\(describe(e)) in string")
        }
        index += 1
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error(.unexpectedEnd, "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error(.invalidString, "invalid hex digit \(describe(b)) in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    func isDigit(at position: Int) -> Bool {
        position < bytes.count && bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9")
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard isDigit(at: index) else { throw error(.invalidNumber, "expected a digit") }
        // Accumulated negatively so that Int.min fits; `nil` once it overflows (then the number is a double).
        var integer: Int? = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            guard !isDigit(at: index) else { throw error(.invalidNumber, "leading zero in number") }
        } else {
            while isDigit(at: index) {
                if let value = integer {
                    let (scaled, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = scaled.subtractingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                    integer = overflow1 || overflow2 ? nil : next
                }
                index += 1
            }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard isDigit(at: index) else { throw error(.invalidNumber, "expected a digit after '.'") }
            while isDigit(at: index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(at: index) else { throw error(.invalidNumber, "expected a digit in the exponent") }
            while isDigit(at: index) { index += 1 }
        }
        if isInteger, let integer {
            if !negative {
                guard integer != .min else { return .double(-Double(integer)) }  // 2^63 itself
                return .integer(-integer)
            }
            return .integer(integer)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            index = start
            throw error(.invalidNumber, "number \(text) is out of range")
        }
        return .double(double)
    }
}
