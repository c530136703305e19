internal import Crypto

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as headers or as a presigned URL.
///
/// Pure: the caller passes the time (`date`, seconds since the Unix epoch, UTC), so tests pin it and the agent takes it
/// from an injected wall clock. The signing key (four HMACs) is derived once per secret, day, region and service and
/// kept in a small process-wide cache, so steady-state signing is one SHA-256 of the canonical request plus one HMAC
/// (and the body hash).
///
/// Stages, public for tests and debugging: ``canonicalRequest(for:payloadHash:date:includeContentHashHeader:)``
/// → ``stringToSign(canonicalRequest:date:)`` → ``signature(stringToSign:date:)``.
public struct AWSSigner: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    /// Remove `.`/`..` segments and duplicate slashes from the path before signing (every service but S3).
    public let normalizePath: Bool
    /// Add the session token after signing, unsigned (the suite's `omit_session_token`; a few services want it).
    public let omitSessionTokenFromSignature: Bool

    /// - Parameters:
    ///   - credentials: The keys (and session token) to sign with.
    ///   - region: The signing region, e.g. `us-east-1`.
    ///   - service: The signing name, e.g. `logs`, `monitoring`, `sts`.
    ///   - normalizePath: Normalise the path (`true` for every service but S3).
    ///   - omitSessionTokenFromSignature: Send the session token without signing it (default `false`: signed).
    public init(
        credentials: AWSCredentials,
        region: String,
        service: String,
        normalizePath: Bool = true,
        omitSessionTokenFromSignature: Bool = false
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizePath = normalizePath
        self.omitSessionTokenFromSignature = omitSessionTokenFromSignature
    }

    // MARK: - Header signing

    /// The headers that sign `request`: `X-Amz-Date`, `X-Amz-Security-Token` (when the credentials have a token),
    /// `X-Amz-Content-Sha256` (only when `includeContentHashHeader`), `Authorization`, in that order.
    ///
    /// - Parameters:
    ///   - request: The request as it will be sent (without these headers).
    ///   - body: The body, hashed in place.
    ///   - date: Seconds since the Unix epoch (UTC).
    ///   - includeContentHashHeader: Also send and sign `X-Amz-Content-Sha256` (S3 and a few others require it).
    /// - Returns: Headers to add to the request.
    public func signatureHeaders(
        for request: SignableRequest,
        body: UnsafeRawBufferPointer,
        date: Int64,
        includeContentHashHeader: Bool = false
    ) -> [(name: String, value: String)] {
        var payloadHash: [UInt8] = []
        payloadHash.reserveCapacity(64)
        var hasher = SHA256()
        hasher.update(bufferPointer: body)
        SigV4.appendHex(hasher.finalize(), into: &payloadHash)
        return signatureHeaders(
            for: request,
            payloadHashBytes: payloadHash,
            date: date,
            includeContentHashHeader: includeContentHashHeader
        )
    }

    /// ``signatureHeaders(for:body:date:includeContentHashHeader:)`` for a body in an array.
    public func signatureHeaders(
        for request: SignableRequest,
        body: [UInt8],
        date: Int64,
        includeContentHashHeader: Bool = false
    ) -> [(name: String, value: String)] {
        body.withUnsafeBytes {
            signatureHeaders(for: request, body: $0, date: date, includeContentHashHeader: includeContentHashHeader)
        }
    }

    /// ``signatureHeaders(for:body:date:includeContentHashHeader:)`` with a payload hash computed elsewhere (hex
    /// SHA-256 of the body) or ``SigV4/unsignedPayload``.
    public func signatureHeaders(
        for request: SignableRequest,
        payloadHash: String,
        date: Int64,
        includeContentHashHeader: Bool = false
    ) -> [(name: String, value: String)] {
        signatureHeaders(
            for: request,
            payloadHashBytes: Array(payloadHash.utf8),
            date: date,
            includeContentHashHeader: includeContentHashHeader
        )
    }

    private func signatureHeaders(
        for request: SignableRequest,
        payloadHashBytes: [UInt8],
        date: Int64,
        includeContentHashHeader: Bool
    ) -> [(name: String, value: String)] {
        var amzDate: [UInt8] = []
        amzDate.reserveCapacity(16)
        SigV4.appendAMZDate(date, into: &amzDate)
        let key = signingKey(date: date, amzDate: amzDate)
        let token = credentials.sessionToken

        var buffer: [UInt8] = []
        buffer.reserveCapacity(estimatedCapacity(request, token: token))
        let signedHeaders = appendCanonicalRequest(
            request,
            payloadHash: payloadHashBytes,
            amzDate: amzDate,
            mode: .headers(
                signedToken: omitSessionTokenFromSignature ? nil : token,
                contentHash: includeContentHashHeader
            ),
            into: &buffer
        )
        let signatureStart = appendSignature(
            canonicalRequestEnd: buffer.count,
            amzDate: amzDate,
            key: key,
            into: &buffer
        )
        let signatureEnd = buffer.count

        // Authorization, built after the signature in the same buffer.
        let authorizationStart = buffer.count
        buffer.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        buffer.append(contentsOf: credentials.accessKeyID.utf8)
        buffer.append(UInt8(ascii: "/"))
        buffer.append(contentsOf: key.scope)
        buffer.append(contentsOf: ", SignedHeaders=".utf8)
        buffer.append(contentsOf: buffer[signedHeaders])
        buffer.append(contentsOf: ", Signature=".utf8)
        buffer.append(contentsOf: buffer[signatureStart..<signatureEnd])

        var result: [(name: String, value: String)] = []
        result.reserveCapacity(4)
        result.append((name: "X-Amz-Date", value: String(decoding: amzDate, as: UTF8.self)))
        if let token { result.append((name: "X-Amz-Security-Token", value: token)) }
        if includeContentHashHeader {
            result.append((name: "X-Amz-Content-Sha256", value: String(decoding: payloadHashBytes, as: UTF8.self)))
        }
        result.append((name: "Authorization", value: String(decoding: buffer[authorizationStart...], as: UTF8.self)))
        return result
    }

    // MARK: - Presigned URLs

    /// A presigned URL for `request`: `scheme://host/path?<query>&X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Date=…
    /// &X-Amz-Expires=…&X-Amz-SignedHeaders=…[&X-Amz-Security-Token=…]&X-Amz-Signature=…` (botocore's order).
    ///
    /// The request's headers are signed too (e.g. `x-k8s-aws-id` for an EKS token) and must be sent with the URL.
    /// The payload is the empty body.
    /// - Parameters:
    ///   - request: The request (its query parameters come first in the URL, in the given order).
    ///   - scheme: `https` or `http`.
    ///   - expiresInSeconds: `X-Amz-Expires` (AWS accepts 1…604800).
    ///   - date: Seconds since the Unix epoch (UTC).
    /// - Returns: The URL, percent-encoded.
    public func presignedURL(
        for request: SignableRequest,
        scheme: String = "https",
        expiresInSeconds: Int,
        date: Int64
    ) -> String {
        presignedURL(
            for: request,
            payloadHash: SigV4.emptyPayloadHash,
            scheme: scheme,
            expiresInSeconds: expiresInSeconds,
            date: date
        )
    }

    /// ``presignedURL(for:scheme:expiresInSeconds:date:)`` for a request whose body has hex SHA-256 `payloadHash`
    /// (or ``SigV4/unsignedPayload``).
    public func presignedURL(
        for request: SignableRequest,
        payloadHash: String,
        scheme: String = "https",
        expiresInSeconds: Int,
        date: Int64
    ) -> String {
        var amzDate: [UInt8] = []
        SigV4.appendAMZDate(date, into: &amzDate)
        let key = signingKey(date: date, amzDate: amzDate)
        let authQuery = presignQuery(request, key: key, amzDate: amzDate, expiresInSeconds: expiresInSeconds)

        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        _ = appendCanonicalRequest(
            request,
            payloadHash: Array(payloadHash.utf8),
            amzDate: amzDate,
            mode: .query(authQuery.signed),
            into: &buffer
        )
        let signatureStart = appendSignature(
            canonicalRequestEnd: buffer.count,
            amzDate: amzDate,
            key: key,
            into: &buffer
        )
        let signature = buffer[signatureStart...]

        var url: [UInt8] = []
        url.reserveCapacity(512)
        url.append(contentsOf: scheme.utf8)
        url.append(contentsOf: "://".utf8)
        url.append(contentsOf: request.host.utf8)
        if request.path.isEmpty {
            url.append(UInt8(ascii: "/"))
        } else if request.pathIsPercentEncoded {
            url.append(contentsOf: request.path.utf8)
        } else {
            SigV4.appendURIEncoded(request.path.utf8, encodeSlash: false, into: &url)
        }
        var separator = UInt8(ascii: "?")
        for (name, value) in request.query + authQuery.ordered {
            url.append(separator)
            separator = UInt8(ascii: "&")
            SigV4.appendURIEncoded(name.utf8, encodeSlash: true, into: &url)
            url.append(UInt8(ascii: "="))
            SigV4.appendURIEncoded(value.utf8, encodeSlash: true, into: &url)
        }
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: signature)
        return String(decoding: url, as: UTF8.self)
    }

    /// The canonical request of a presigned URL (its query carries the `X-Amz-*` parameters but the signature).
    public func presignedCanonicalRequest(
        for request: SignableRequest,
        payloadHash: String = SigV4.emptyPayloadHash,
        expiresInSeconds: Int,
        date: Int64
    ) -> String {
        var amzDate: [UInt8] = []
        SigV4.appendAMZDate(date, into: &amzDate)
        let key = signingKey(date: date, amzDate: amzDate)
        let authQuery = presignQuery(request, key: key, amzDate: amzDate, expiresInSeconds: expiresInSeconds)
        var buffer: [UInt8] = []
        _ = appendCanonicalRequest(
            request,
            payloadHash: Array(payloadHash.utf8),
            amzDate: amzDate,
            mode: .query(authQuery.signed),
            into: &buffer
        )
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The `X-Amz-*` query parameters of a presigned URL: all of them in URL order, and the ones that are signed.
    private func presignQuery(
        _ request: SignableRequest,
        key: SigningKey,
        amzDate: [UInt8],
        expiresInSeconds: Int
    ) -> (ordered: [(name: String, value: String)], signed: [(name: String, value: String)]) {
        var credential = credentials.accessKeyID
        credential += "/"
        credential += String(decoding: key.scope, as: UTF8.self)
        var ordered: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", SigV4.algorithm),
            ("X-Amz-Credential", credential),
            ("X-Amz-Date", String(decoding: amzDate, as: UTF8.self)),
            ("X-Amz-Expires", String(expiresInSeconds)),
            ("X-Amz-SignedHeaders", signedHeaderNames(request, mode: .query([]))),
        ]
        var signed = ordered
        if let token = credentials.sessionToken {
            ordered.append(("X-Amz-Security-Token", token))
            if !omitSessionTokenFromSignature { signed.append(("X-Amz-Security-Token", token)) }
        }
        return (ordered, signed)
    }

    // MARK: - Stages

    /// The canonical request for header signing: with `host`, `x-amz-date`, `x-amz-security-token` (when the
    /// credentials have one and it is signed) and, when `includeContentHashHeader`, `x-amz-content-sha256`.
    ///
    /// - Parameters:
    ///   - request: The request as it will be sent.
    ///   - payloadHash: Hex SHA-256 of the body (``SigV4/hexSHA256(_:)``) or ``SigV4/unsignedPayload``.
    ///   - date: Seconds since the Unix epoch (UTC).
    ///   - includeContentHashHeader: Sign `x-amz-content-sha256: <payloadHash>` too.
    public func canonicalRequest(
        for request: SignableRequest,
        payloadHash: String,
        date: Int64,
        includeContentHashHeader: Bool = false
    ) -> String {
        var amzDate: [UInt8] = []
        SigV4.appendAMZDate(date, into: &amzDate)
        var buffer: [UInt8] = []
        _ = appendCanonicalRequest(
            request,
            payloadHash: Array(payloadHash.utf8),
            amzDate: amzDate,
            mode: .headers(
                signedToken: omitSessionTokenFromSignature ? nil : credentials.sessionToken,
                contentHash: includeContentHashHeader
            ),
            into: &buffer
        )
        return String(decoding: buffer, as: UTF8.self)
    }

    /// `AWS4-HMAC-SHA256\n<amz date>\n<yyyyMMdd>/<region>/<service>/aws4_request\n<hex SHA-256 of the canonical request>`
    public func stringToSign(canonicalRequest: String, date: Int64) -> String {
        var amzDate: [UInt8] = []
        SigV4.appendAMZDate(date, into: &amzDate)
        var buffer = Array(canonicalRequest.utf8)
        let start = appendStringToSign(
            canonicalRequestEnd: buffer.count,
            amzDate: amzDate,
            scope: scope(amzDate: amzDate),
            into: &buffer
        )
        return String(decoding: buffer[start...], as: UTF8.self)
    }

    /// The lower-case hex HMAC-SHA256 of `stringToSign` with the signing key for `date`'s day.
    public func signature(stringToSign: String, date: Int64) -> String {
        var amzDate: [UInt8] = []
        SigV4.appendAMZDate(date, into: &amzDate)
        let key = signingKey(date: date, amzDate: amzDate)
        var stringToSign = stringToSign
        return stringToSign.withUTF8 { utf8 in
            key.hmac.authenticate(UnsafeRawBufferPointer(utf8)) { SigV4.hexString($0) }
        }
    }

    // MARK: - Internals

    enum Mode {
        /// Header signing: `x-amz-date` is a signed header, so may be the token and the content hash.
        case headers(signedToken: String?, contentHash: Bool)
        /// Query signing: these (raw) parameters are added to the request's query.
        case query([(name: String, value: String)])
    }

    /// Room for the canonical request, string to sign and `Authorization` value, so the buffer grows at most once.
    private func estimatedCapacity(_ request: SignableRequest, token: String?) -> Int {
        var capacity = 640 + request.host.utf8.count + 3 * request.path.utf8.count + 2 * (token?.utf8.count ?? 0)
        for header in request.headers { capacity += 2 * header.name.utf8.count + header.value.utf8.count + 2 }
        for item in request.query { capacity += 3 * (item.name.utf8.count + item.value.utf8.count) + 2 }
        return capacity
    }

    private func signingKey(date: Int64, amzDate: [UInt8]) -> SigningKey {
        SigningKeyCache.shared.key(
            secretAccessKey: credentials.secretAccessKey,
            day: SigV4.daysSinceEpoch(date),
            dayString: { String(decoding: amzDate.prefix(8), as: UTF8.self) },
            region: region,
            service: service
        )
    }

    private func scope(amzDate: [UInt8]) -> [UInt8] {
        var scope = Array(amzDate.prefix(8))
        scope.append(UInt8(ascii: "/"))
        scope.append(contentsOf: region.utf8)
        scope.append(UInt8(ascii: "/"))
        scope.append(contentsOf: service.utf8)
        scope.append(contentsOf: "/aws4_request".utf8)
        return scope
    }

    /// Appends the string to sign for the canonical request in `buffer[0..<canonicalRequestEnd]`; returns where it
    /// starts.
    private func appendStringToSign(
        canonicalRequestEnd: Int,
        amzDate: [UInt8],
        scope: [UInt8],
        into buffer: inout [UInt8]
    ) -> Int {
        var hasher = SHA256()
        buffer.withUnsafeBytes {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<canonicalRequestEnd]))
        }
        let digest = hasher.finalize()
        let start = buffer.count
        buffer.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        buffer.append(contentsOf: amzDate)
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: scope)
        buffer.append(UInt8(ascii: "\n"))
        SigV4.appendHex(digest, into: &buffer)
        return start
    }

    /// Appends the string to sign and then the hex signature; returns where the signature starts.
    private func appendSignature(
        canonicalRequestEnd: Int,
        amzDate: [UInt8],
        key: SigningKey,
        into buffer: inout [UInt8]
    ) -> Int {
        let stringToSignStart = appendStringToSign(
            canonicalRequestEnd: canonicalRequestEnd,
            amzDate: amzDate,
            scope: key.scope,
            into: &buffer
        )
        let stringToSignEnd = buffer.count
        // Hex of the MAC, appended after the string to sign (64 bytes, kept within capacity where possible).
        let mac: (UInt64, UInt64, UInt64, UInt64) = buffer.withUnsafeBytes { bytes in
            key.hmac.authenticate(UnsafeRawBufferPointer(rebasing: bytes[stringToSignStart..<stringToSignEnd])) {
                $0.loadUnaligned(as: (UInt64, UInt64, UInt64, UInt64).self)
            }
        }
        let signatureStart = buffer.count
        withUnsafeBytes(of: mac) { SigV4.appendHex($0, into: &buffer) }
        return signatureStart
    }
}
