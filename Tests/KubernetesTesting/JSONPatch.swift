public import JSON

/// Patch algorithms over ``JSONValue``: RFC 7386 JSON Merge Patch and RFC 6902 JSON Patch.
public enum JSONPatch {
    /// Why a JSON Patch could not be applied.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The kind of failure; `testFailed` and `missingPath` map to 422 in the API server, `malformed` to 400.
        public enum Kind: Sendable, Hashable { case malformed, missingPath, testFailed }
        public var kind: Kind
        public var message: String
        public var description: String { message }
    }

    /// Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces (arrays
    /// included).
    /// - Parameters:
    ///   - patch: The merge patch document.
    ///   - target: The document to patch.
    /// - Returns: The patched document.
    public static func mergePatch(_ patch: JSONValue, into target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in patchObject {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = mergePatch(value, into: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// Applies an RFC 6902 JSON Patch (`add`, `remove`, `replace`, `move`, `copy`, `test`), atomically.
    /// - Parameters:
    ///   - operations: The patch document (a JSON array of operation objects).
    ///   - target: The document to patch.
    /// - Returns: The patched document.
    /// - Throws: ``Failure``.
    public static func apply(_ operations: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        guard case .array(let ops) = operations else {
            throw Failure(kind: .malformed, message: "json patch must be an array of operations")
        }
        var document = target
        for op in ops {
            guard let name = op["op"]?.stringValue else {
                throw Failure(kind: .malformed, message: "Unexpected kind: missing op")
            }
            guard let pathText = op["path"]?.stringValue else {
                throw Failure(kind: .malformed, message: "missing path for \(name) operation")
            }
            let path = try pointer(pathText)
            switch name {
            case "add":
                guard let value = op["value"] else { throw Failure(kind: .malformed, message: "missing value") }
                try add(value, at: path, in: &document)
            case "remove":
                _ = try remove(at: path, in: &document)
            case "replace":
                guard let value = op["value"] else { throw Failure(kind: .malformed, message: "missing value") }
                _ = try remove(at: path, in: &document)
                try add(value, at: path, in: &document)
            case "move", "copy":
                guard let fromText = op["from"]?.stringValue else {
                    throw Failure(kind: .malformed, message: "missing from for \(name) operation")
                }
                let from = try pointer(fromText)
                let value: JSONValue
                if name == "move" {
                    value = try remove(at: from, in: &document)
                } else {
                    guard let found = get(from, in: document) else {
                        throw Failure(kind: .missingPath, message: "copy from \(fromText): missing value")
                    }
                    value = found
                }
                try add(value, at: path, in: &document)
            case "test":
                let expected = op["value"] ?? .null
                guard let actual = get(path, in: document), actual == expected else {
                    throw Failure(kind: .testFailed, message: "testing value \(pathText) failed: test failed")
                }
            default:
                throw Failure(kind: .malformed, message: "Unexpected kind: \(name)")
            }
        }
        return document
    }

    /// Parses an RFC 6901 JSON Pointer into reference tokens.
    static func pointer(_ text: String) throws(Failure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw Failure(kind: .malformed, message: "JSON pointer must be empty or start with a \"/\": \(text)")
        }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences("~1", with: "/").replacingOccurrences("~0", with: "~")
        }
    }

    static func get(_ path: [String], in document: JSONValue) -> JSONValue? {
        var current = document
        for token in path {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let i = Int(token), array.indices.contains(i) else { return nil }
                current = array[i]
            default:
                return nil
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at path: [String], in document: inout JSONValue) throws(Failure) {
        guard let last = path.last else {
            document = value
            return
        }
        try modifyContainer(Array(path.dropLast()), in: &document) { (container: inout JSONValue) throws(Failure) in
            switch container {
            case .object(var object):
                object[last] = value
                container = .object(object)
            case .array(var array):
                if last == "-" {
                    array.append(value)
                } else if let i = Int(last), i >= 0, i <= array.count {
                    array.insert(value, at: i)
                } else {
                    throw Failure(kind: .missingPath, message: "add operation does not apply: index \(last) out of range")
                }
                container = .array(array)
            default:
                throw Failure(kind: .missingPath, message: "add operation does not apply: doc is missing path")
            }
        }
    }

    private static func remove(at path: [String], in document: inout JSONValue) throws(Failure) -> JSONValue {
        guard let last = path.last else {
            let old = document
            document = .null
            return old
        }
        var removed: JSONValue = .null
        try modifyContainer(Array(path.dropLast()), in: &document) { (container: inout JSONValue) throws(Failure) in
            switch container {
            case .object(var object):
                guard let old = object[last] else {
                    throw Failure(kind: .missingPath, message: "remove operation does not apply: doc is missing key: /\(path.joined(separator: "/"))")
                }
                removed = old
                object[last] = nil
                container = .object(object)
            case .array(var array):
                guard let i = Int(last), array.indices.contains(i) else {
                    throw Failure(kind: .missingPath, message: "remove operation does not apply: index \(last) out of range")
                }
                removed = array.remove(at: i)
                container = .array(array)
            default:
                throw Failure(kind: .missingPath, message: "remove operation does not apply: doc is missing path")
            }
        }
        return removed
    }

    private static func modifyContainer(
        _ path: [String], in document: inout JSONValue,
        _ body: (inout JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        guard let first = path.first else {
            try body(&document)
            return
        }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var object):
            guard var child = object[first] else {
                throw Failure(kind: .missingPath, message: "doc is missing path: /\(path.joined(separator: "/"))")
            }
            try modifyContainer(rest, in: &child, body)
            object[first] = child
            document = .object(object)
        case .array(var array):
            guard let i = Int(first), array.indices.contains(i) else {
                throw Failure(kind: .missingPath, message: "doc is missing path: index \(first) out of range")
            }
            try modifyContainer(rest, in: &array[i], body)
            document = .array(array)
        default:
            throw Failure(kind: .missingPath, message: "doc is missing path: /\(path.joined(separator: "/"))")
        }
    }
}

extension StringProtocol {
    /// Foundation-free substring replacement.
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
