import JSON

/// A request as the emulator received it (also the element of the request log).
public struct RecordedRequest: Sendable {
    /// `GET`, `PUT`, …
    public var method: String
    /// The path without the query, percent-decoded (`/api/v1/namespaces/default/pods`).
    public var path: String
    /// The raw query string (without `?`), empty when there is none.
    public var rawQuery: String
    /// Query parameters, percent-decoded; the first value wins for repeated names.
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The HTTP status the emulator answered with (`nil` while the request is still being handled; `200` for a
    /// watch as soon as its stream starts).
    public var responseStatus: Int?

    public init(
        method: String, path: String, rawQuery: String = "", headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.query = Self.parseQuery(rawQuery)
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/api/v1/pods?watch=1`) into path and query.
    init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = Self.percentDecode(String(parts.first ?? ""), plusIsSpace: false)
        self.init(method: method, path: path, rawQuery: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: body)
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether this is a watch request (`?watch=true` or `?watch=1`).
    public var isWatch: Bool { method == "GET" && (query["watch"] == "true" || query["watch"] == "1") }

    static func parseQuery(_ raw: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in raw.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(String(kv[0]), plusIsSpace: true)
            if result[key] == nil {
                result[key] = kv.count > 1 ? percentDecode(String(kv[1]), plusIsSpace: true) : ""
            }
        }
        return result
    }

    /// `%XX` decoding (and `+` as space in queries, as Go's `url.ParseQuery` does); malformed escapes stay as-is.
    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return text
        }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else if plusIsSpace && bytes[i] == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What the router answers.
enum APIResponse: Sendable {
    case json(status: Int, body: JSONValue, headers: [(name: String, value: String)])
    case text(status: Int, body: String)
    case watch(WatchSession)
    /// Close the connection without answering (fault injection).
    case closeConnection

    static func ok(_ body: JSONValue, status: Int = 200) -> APIResponse { .json(status: status, body: body, headers: []) }
    static func failure(_ error: KubernetesStatusError) -> APIResponse {
        .json(status: error.code, body: error.status, headers: [])
    }

    var status: Int {
        switch self {
        case .json(let status, _, _), .text(let status, _): return status
        case .watch: return 200
        case .closeConnection: return 0
        }
    }
}

/// An accepted watch: the store's stream for it and how the connection should pace it.
struct WatchSession: Sendable {
    var id: Int
    var stream: AsyncStream<WatchStreamItem>
    var allowBookmarks: Bool
    var timeout: Duration
}
