/// The canonical request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
///
/// ```
/// METHOD
/// /canonical/path
/// canonical=query&string=
/// name:trimmed value
/// …
///
/// signed;header;names
/// payload hash
/// ```
extension AWSSigner {
    /// One header as it goes into the canonical request.
    struct CanonicalHeader {
        /// Lower-cased name.
        var name: String
        /// Value as given; trimmed and whitespace-collapsed when written.
        var value: String
        /// Position among the request's headers, so duplicates keep their order.
        var position: Int
        /// The first 8 bytes of `name`, big-endian: orders most names without a string comparison.
        var prefixKey: UInt64

        init(name: String, value: String, position: Int) {
            self.name = name
            self.value = value
            self.position = position
            var key: UInt64 = 0
            var count = 0
            for byte in name.utf8.prefix(8) {
                key = key << 8 | UInt64(byte)
                count += 1
            }
            self.prefixKey = count == 8 ? key : key << UInt64(8 * (8 - count))
        }

        /// Byte order of names (then request order), as SigV4 sorts them.
        static func precedes(_ a: CanonicalHeader, _ b: CanonicalHeader) -> Bool {
            if a.prefixKey != b.prefixKey { return a.prefixKey < b.prefixKey }
            if a.name == b.name { return a.position < b.position }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// Appends the canonical request to `out`; returns the range of the signed-headers list within `out`.
    func appendCanonicalRequest(
        _ request: SignableRequest,
        payloadHash: [UInt8],
        amzDate: [UInt8],
        mode: Mode,
        into out: inout [UInt8]
    ) -> Range<Int> {
        // Method.
        out.append(contentsOf: request.method.utf8)
        out.append(UInt8(ascii: "\n"))

        // Path.
        appendCanonicalPath(request, into: &out)
        out.append(UInt8(ascii: "\n"))

        // Query.
        switch mode {
        case .headers:
            Self.appendCanonicalQuery(request.query, into: &out)
        case .query(let extra):
            Self.appendCanonicalQuery(request.query + extra, into: &out)
        }
        out.append(UInt8(ascii: "\n"))

        // Headers.
        let headers = canonicalHeaders(request, payloadHash: payloadHash, amzDate: amzDate, mode: mode)
        for (i, header) in headers.enumerated() {
            if i > 0 && headers[i - 1].name == header.name {
                out.append(UInt8(ascii: ","))
            } else {
                if i > 0 { out.append(UInt8(ascii: "\n")) }
                out.append(contentsOf: header.name.utf8)
                out.append(UInt8(ascii: ":"))
            }
            Self.appendTrimmedValue(header.value, into: &out)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(UInt8(ascii: "\n"))

        // Signed headers.
        let signedStart = out.count
        Self.appendSignedHeaderNames(headers, into: &out)
        let signedEnd = out.count
        out.append(UInt8(ascii: "\n"))

        // Payload hash.
        out.append(contentsOf: payloadHash)
        return signedStart..<signedEnd
    }

    /// `host;x-amz-date;…`: the names that `mode` signs.
    func signedHeaderNames(_ request: SignableRequest, mode: Mode) -> String {
        var out: [UInt8] = []
        Self.appendSignedHeaderNames(
            canonicalHeaders(request, payloadHash: [], amzDate: [], mode: mode),
            into: &out
        )
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendSignedHeaderNames(_ headers: [CanonicalHeader], into out: inout [UInt8]) {
        for (i, header) in headers.enumerated() where i == 0 || headers[i - 1].name != header.name {
            if i > 0 { out.append(UInt8(ascii: ";")) }
            out.append(contentsOf: header.name.utf8)
        }
    }

    /// The signed headers, sorted by name (duplicates in request order).
    private func canonicalHeaders(
        _ request: SignableRequest,
        payloadHash: [UInt8],
        amzDate: [UInt8],
        mode: Mode
    ) -> [CanonicalHeader] {
        var signedToken: String? = nil
        var contentHash = false
        var isHeaderMode = false
        if case .headers(let token, let hash) = mode {
            signedToken = token
            contentHash = hash
            isHeaderMode = true
        }
        // The signer owns the token header whenever the credentials carry a token (signed or added after signing).
        let ownsToken = credentials.sessionToken != nil

        var headers: [CanonicalHeader] = []
        headers.reserveCapacity(request.headers.count + 4)
        for (position, header) in request.headers.enumerated() {
            let name = Self.lowercasedASCII(header.name)
            switch Self.classify(name) {
            case .excluded:
                continue
            case .securityToken where ownsToken:
                continue
            case .contentHash where contentHash:
                continue
            default:
                headers.append(CanonicalHeader(name: name, value: header.value, position: position))
            }
        }
        let end = request.headers.count
        headers.append(CanonicalHeader(name: "host", value: request.host, position: end))
        if isHeaderMode {
            headers.append(
                CanonicalHeader(name: "x-amz-date", value: String(decoding: amzDate, as: UTF8.self), position: end)
            )
        }
        if let signedToken {
            headers.append(CanonicalHeader(name: "x-amz-security-token", value: signedToken, position: end))
        }
        if contentHash {
            headers.append(
                CanonicalHeader(
                    name: "x-amz-content-sha256",
                    value: String(decoding: payloadHash, as: UTF8.self),
                    position: end
                )
            )
        }
        headers.sort(by: CanonicalHeader.precedes)
        return headers
    }

    enum HeaderClass {
        case signed, excluded, securityToken, contentHash
    }

    /// Whether a (lower-cased) request header is signed: `authorization`, `host` and `x-amz-date` are the signer's;
    /// the rest of the excluded names are botocore's `SIGNED_HEADERS_BLACKLIST` (hop-by-hop or rewritten on the way).
    /// Switches on the length first, so a typical header costs at most a few comparisons.
    @inline(__always)
    static func classify(_ name: String) -> HeaderClass {
        switch name.utf8.count {
        case 2: return name == "te" ? .excluded : .signed
        case 4: return name == "host" ? .excluded : .signed
        case 6: return name == "expect" ? .excluded : .signed
        case 7: return name == "trailer" || name == "upgrade" ? .excluded : .signed
        case 10:
            return name == "x-amz-date" || name == "user-agent" || name == "connection" || name == "keep-alive"
                ? .excluded : .signed
        case 13: return name == "authorization" ? .excluded : .signed
        case 15: return name == "x-amzn-trace-id" ? .excluded : .signed
        case 17: return name == "transfer-encoding" ? .excluded : .signed
        case 18: return name == "proxy-authenticate" ? .excluded : .signed
        case 19: return name == "proxy-authorization" ? .excluded : .signed
        case 20:
            if name == "x-amz-security-token" { return .securityToken }
            if name == "x-amz-content-sha256" { return .contentHash }
            return .signed
        default: return .signed
        }
    }

    /// The path, normalised when ``normalizePath`` (RFC 3986 dot segments and duplicate slashes, as botocore's
    /// `remove_dot_segments`), then percent-encoded: twice for a raw path, once for one already encoded.
    private func appendCanonicalPath(_ request: SignableRequest, into out: inout [UInt8]) {
        let path = request.path.utf8
        let twice = !request.pathIsPercentEncoded
        if path.isEmpty || (path.count == 1 && path.first == UInt8(ascii: "/")) {
            out.append(UInt8(ascii: "/"))
            return
        }
        guard normalizePath else {
            SigV4.appendURIEncoded(path, encodeSlash: false, twice: twice, into: &out)
            return
        }
        var segments: [Substring.UTF8View] = []
        for segment in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual(".".utf8) { continue }
            if segment.elementsEqual("..".utf8) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        if path.first == UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        for (i, segment) in segments.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "/")) }
            SigV4.appendURIEncoded(segment, encodeSlash: true, twice: twice, into: &out)
        }
        if path.last == UInt8(ascii: "/") && !segments.isEmpty { out.append(UInt8(ascii: "/")) }
    }

    /// `name=value&…` with names and values percent-encoded (RFC 3986), sorted by encoded name, then value.
    private static func appendCanonicalQuery(_ query: [(name: String, value: String)], into out: inout [UInt8]) {
        if query.isEmpty { return }
        var encoded = query.map {
            (name: SigV4.uriEncode($0.name, encodeSlash: true), value: SigV4.uriEncode($0.value, encodeSlash: true))
        }
        encoded.sort { a, b in
            if a.name == b.name { return a.value.utf8.lexicographicallyPrecedes(b.value.utf8) }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        for (i, parameter) in encoded.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: parameter.name.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: parameter.value.utf8)
        }
    }

    /// Appends `value` without leading and trailing whitespace and with inner whitespace runs (including the line
    /// breaks of folded values) collapsed to one space, as botocore's `' '.join(value.split())` on ASCII whitespace.
    @inline(__always)
    private static func appendTrimmedValue(_ value: String, into out: inout [UInt8]) {
        let appended: Void? = value.utf8.withContiguousStorageIfAvailable { appendTrimmed($0, into: &out) }
        if appended == nil {
            appendTrimmed(Array(value.utf8), into: &out)
        }
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x1C...0x20: return true
        default: return false
        }
    }

    private static func appendTrimmed(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Fast path, the usual case: no whitespace but single inner spaces, so the value goes in as it is.
        var clean = true
        var afterSpace = true  // a leading space is not clean
        // Eight bytes at a time while none of them is ≤ 0x20 (Mycroft's "has less than" test): tokens and other long
        // values skip the byte loop almost entirely.
        var start = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while start + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            if (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080 != 0 { break }
            afterSpace = false
            start += 8
        }
        for byte in UnsafeBufferPointer(rebasing: bytes[start...]) {
            if byte > 0x20 {
                afterSpace = false
            } else if byte == UInt8(ascii: " ") {
                if afterSpace {
                    clean = false
                    break
                }
                afterSpace = true
            } else if isWhitespace(byte) {
                clean = false
                break
            } else {
                afterSpace = false
            }
        }
        if clean && (bytes.isEmpty || !afterSpace) {
            out.append(contentsOf: bytes)
            return
        }
        var pendingSpace = false
        var started = false
        for byte in bytes {
            if isWhitespace(byte) {
                pendingSpace = started
            } else {
                if pendingSpace {
                    out.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                out.append(byte)
                started = true
            }
        }
    }

    private static func appendTrimmed(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendTrimmed($0, into: &out) }
    }

    /// ASCII lower-casing that returns `name` itself when it has no upper-case letter.
    @inline(__always)
    static func lowercasedASCII(_ name: String) -> String {
        let utf8 = name.utf8
        guard utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return name }
        return String(unsafeUninitializedCapacity: utf8.count) { buffer in
            var i = 0
            for byte in utf8 {
                buffer[i] = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
                i += 1
            }
            return i
        }
    }
}
