/// Parameters of an AWS query-protocol request (`Action=…&Version=…&Name.member.1=…`), in insertion order.
public struct AWSQueryParameters: Sendable {
    public private(set) var items: [(name: String, value: String)] = []

    public init(action: String, version: String) {
        items = [("Action", action), ("Version", version)]
    }

    public init() {}

    public mutating func add(_ name: String, _ value: String?) {
        if let value { items.append((name, value)) }
    }

    public mutating func add<I: BinaryInteger>(_ name: String, _ value: I?) {
        if let value { items.append((name, String(value))) }
    }

    /// Adds a double in a form AWS parses (`1.5`, `1e-05`); non-finite values are the caller's bug and are skipped.
    public mutating func add(_ name: String, _ value: Double?) {
        if let value, value.isFinite { items.append((name, Self.formatDouble(value))) }
    }

    public mutating func add(_ name: String, _ value: Bool?) {
        if let value { items.append((name, value ? "true" : "false")) }
    }

    /// Adds an ISO 8601 timestamp from epoch milliseconds.
    public mutating func addTimestamp(_ name: String, milliseconds: Int64?) {
        if let milliseconds { items.append((name, AWSTimestamp.iso8601(milliseconds: milliseconds))) }
    }

    /// Adds a list as `name.member.1`, `name.member.2`, … (nothing for an empty list).
    public mutating func addList(_ name: String, _ values: [String]) {
        for (i, value) in values.enumerated() { items.append(("\(name).member.\(i + 1)", value)) }
    }

    /// Adds a list of structures: `build` receives each element and its prefix `name.member.N`.
    public mutating func addList<T>(_ name: String, _ values: [T], _ build: (inout AWSQueryParameters, String, T) -> Void) {
        for (i, value) in values.enumerated() { build(&self, "\(name).member.\(i + 1)", value) }
    }

    /// A double as AWS parses it: integral values without a fraction (`3`), others in Swift's shortest form.
    public static func formatDouble(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `application/x-www-form-urlencoded` body as botocore writes it (Python's `urlencode`): RFC 3986 unreserved
    /// characters as is, space as `+`, everything else percent-encoded. AWS hashes the bytes it receives, so any
    /// encoding verifies there; moto re-encodes the parsed form this way before checking the signature.
    public var formEncoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            Self.percentEncode(item.name, spaceAsPlus: true, into: &out)
            out.append(UInt8(ascii: "="))
            Self.percentEncode(item.value, spaceAsPlus: true, into: &out)
        }
        return out
    }

    /// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`.
    public static func percentEncode(_ text: String, spaceAsPlus: Bool = false, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: " ") where spaceAsPlus:
                out.append(UInt8(ascii: "+"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
    }

    public static func percentEncode(_ text: String) -> String {
        var out: [UInt8] = []
        percentEncode(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
