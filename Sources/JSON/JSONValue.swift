/// Any JSON value: AWS JSON-protocol bodies, Kubernetes objects kept opaque (custom resources, `managedFields`,
/// patches) and the Kubernetes API emulator's store.
///
/// Integers and doubles are distinct cases so that 64-bit integers (AWS timestamps in milliseconds, Kubernetes
/// `generation`, `replicas`) round-trip exactly; a number literal that has no fraction or exponent and fits in `Int`
/// (64 bits on every platform promwatch supports) parses as ``integer(_:)``, every other number as ``double(_:)``.
/// Equality is by content, as JSON means it: object member order is ignored, and numbers compare by value
/// (`.integer(3) == .double(3)`). Objects still keep insertion order, so what is written follows what was built or
/// parsed.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Building

extension JSONValue {
    /// An empty object.
    public static var emptyObject: JSONValue { .object(JSONObject()) }

    /// An integer; values outside `Int` (only possible for `UInt64`-sized input) become the nearest double.
    public init(_ value: some BinaryInteger) {
        self = Int(exactly: value).map(JSONValue.integer) ?? .double(Double(value))
    }

    /// A double; NaN and the infinities, which JSON cannot represent, become `null`.
    public init(_ value: Double) {
        self = value.isFinite ? .double(value) : .null
    }

    /// An object from `(key, value?)` pairs in order, leaving out the `nil` values (optional request fields).
    public static func compactObject(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        var object = JSONObject()
        for (key, value) in pairs {
            if let value { object[key] = value }
        }
        return .object(object)
    }
}

// MARK: - Reading

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The integer, if this is an integer or a double without a fractional part that `Int` holds exactly.
    public var intValue: Int? {
        switch self {
        case .integer(let i): i
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }

    /// ``intValue`` as an `Int64` (the type AWS APIs use for timestamps and counts).
    public var int64Value: Int64? { intValue.map(Int64.init) }

    /// The number as a double (integers beyond 2^53 lose precision), if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Member access on objects: reading a missing key (or reading from a non-object) gives `nil`; writing to a
    /// non-object replaces it with an object; writing `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var object = objectValue ?? JSONObject()
            // Drop our reference first so the object's storage is uniquely referenced and mutates in place.
            self = .null
            object[key] = newValue
            self = .object(object)
        }
    }

    /// Element access on arrays (`nil` when out of range or not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// Nested member access: `object[path: ["metadata", "name"]]`. Setting creates intermediate objects (replacing
    /// non-objects on the way); setting `nil` removes the last key.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            if path.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first] ?? .emptyObject
            if child.objectValue == nil { child = .emptyObject }
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }
}

// MARK: - Equality by content

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.integer(let i), .double(let d)), (.double(let d), .integer(let i)): Int(exactly: d) == i
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b):
            hasher.combine(1)
            hasher.combine(b)
        case .integer(let i):
            hasher.combine(2)
            hasher.combine(i)
        case .double(let d):
            // A double equal to an integer must hash like that integer (see `==`).
            if let i = Int(exactly: d) {
                hasher.combine(2)
                hasher.combine(i)
            } else {
                hasher.combine(3)
                hasher.combine(d)
            }
        case .string(let s):
            hasher.combine(4)
            hasher.combine(s)
        case .array(let a):
            hasher.combine(5)
            hasher.combine(a)
        case .object(let o):
            hasher.combine(6)
            hasher.combine(o)
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { serialized }
}
