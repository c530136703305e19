import Foundation
import PromwatchTestSupport
import SigV4

/// One case of the aws-c-auth SigV4 test suite (`shared/corpus/sigv4/v4/<name>/`), parsed.
struct SuiteCase: CustomStringConvertible, Sendable {
    let name: String
    let directory: URL
    let request: ParsedRequest
    let credentials: AWSCredentials
    let region: String
    let service: String
    let date: Int64
    let expiresInSeconds: Int
    let normalize: Bool
    let signBody: Bool
    let omitSessionToken: Bool

    var description: String { name }

    static let suiteDirectory = TestPaths.corpus.appendingPathComponent("sigv4/v4", isDirectory: true)

    /// Every case folder, sorted by name.
    static func allNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: suiteDirectory.path)
            .filter { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(
                    atPath: suiteDirectory.appendingPathComponent(name).path,
                    isDirectory: &isDirectory
                )
                    && isDirectory.boolValue
            }
            .sorted()
    }

    init(name: String) throws {
        self.name = name
        directory = Self.suiteDirectory.appendingPathComponent(name, isDirectory: true)
        request = try ParsedRequest(
            text: try String(contentsOf: directory.appendingPathComponent("request.txt"), encoding: .utf8)
        )
        let context = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("context.json"))
        )
        guard let context = context as? [String: Any], let credentials = context["credentials"] as? [String: Any],
            let accessKey = credentials["access_key_id"] as? String,
            let secretKey = credentials["secret_access_key"] as? String,
            let region = context["region"] as? String, let service = context["service"] as? String,
            let timestamp = context["timestamp"] as? String
        else { throw SuiteError("\(name): unexpected context.json") }
        self.credentials = AWSCredentials(
            accessKeyID: accessKey,
            secretAccessKey: secretKey,
            sessionToken: credentials["token"] as? String
        )
        self.region = region
        self.service = service
        self.date = try Self.parseTimestamp(timestamp)
        expiresInSeconds = context["expiration_in_seconds"] as? Int ?? 3600
        normalize = context["normalize"] as? Bool ?? true
        signBody = context["sign_body"] as? Bool ?? false
        omitSessionToken = context["omit_session_token"] as? Bool ?? false
    }

    func expected(_ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }

    var signer: AWSSigner {
        AWSSigner(
            credentials: credentials,
            region: region,
            service: service,
            normalizePath: normalize,
            omitSessionTokenFromSignature: omitSessionToken
        )
    }

    /// The request as promwatch would describe it. The request line carries the path as sent on the wire (the suite's
    /// signer encodes it once more), so `pathIsPercentEncoded` is true; query parameters are percent-decoded.
    var signableRequest: SignableRequest {
        SignableRequest(
            method: request.method,
            host: request.host,
            path: request.path,
            query: request.query.map { (name: percentDecoded($0.name), value: percentDecoded($0.value)) },
            headers: request.headers.filter { $0.name.lowercased() != "host" },
            pathIsPercentEncoded: true
        )
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` → seconds since the epoch (days-from-civil, independent of the signer's formatter).
    static func parseTimestamp(_ text: String) throws -> Int64 {
        let digits = text.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int64($0) }
        guard digits.count == 6 else { throw SuiteError("bad timestamp \(text)") }
        return daysFromCivil(year: digits[0], month: digits[1], day: digits[2]) * 86_400 + digits[3] * 3600
            + digits[4] * 60 + digits[5]
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

struct SuiteError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An HTTP/1.1 request in the suite's text form: request line, `Name:value` headers (obs-fold continuation lines
/// start with whitespace), a blank line, the body. LF line ends.
struct ParsedRequest: Sendable {
    var method: String
    /// The path as written in the request line (before `?`).
    var path: String
    /// Query items as written (still percent-encoded where the file encodes them).
    var query: [(name: String, value: String)]
    /// Headers in order; folded values keep their line breaks.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var host: String { headers.first { $0.name.lowercased() == "host" }?.value ?? "" }

    init(text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { throw SuiteError("empty request") }
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "),
            firstSpace < lastSpace
        else { throw SuiteError("bad request line \(requestLine)") }
        method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        if let questionMark = target.firstIndex(of: "?") {
            path = String(target[..<questionMark])
            query = target[target.index(after: questionMark)...].split(separator: "&").map { pair in
                if let equals = pair.firstIndex(of: "=") {
                    return (name: String(pair[..<equals]), value: String(pair[pair.index(after: equals)...]))
                }
                return (name: String(pair), value: "")
            }
        } else {
            path = target
            query = []
        }
        headers = []
        while !lines.isEmpty {
            let line = lines.removeFirst()
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { throw SuiteError("continuation without a header") }
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw SuiteError("bad header line \(line)") }
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        body = Array(lines.joined(separator: "\n").utf8)
    }
}

/// `%XX` → byte (no `+` handling: SigV4 never uses it).
func percentDecoded(_ text: String) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
        if byte == UInt8(ascii: "%"), utf8.count >= 2,
            let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Query items of a URL or request target, percent-decoded.
func decodedQueryItems(_ query: Substring) -> [String] {
    query.split(separator: "&").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return percentDecoded(String(parts[0])) + "=" + percentDecoded(parts.count > 1 ? String(parts[1]) : "")
    }
}
