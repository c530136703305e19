import Foundation
import SigV4
import Testing

/// The 38 aws-c-auth SigV4 cases (`shared/corpus/sigv4/v4`): header signing and presigned-URL (query) signing, each
/// stage compared byte for byte.
///
/// How the suite maps onto promwatch's API:
/// * the request line is the path as sent, so `pathIsPercentEncoded: true` (the signer encodes it once more);
/// * `normalize: false` (the 7 `-unnormalized` cases) → `AWSSigner(normalizePath: false)`;
/// * `sign_body: true` → `includeContentHashHeader: true` (header signing only; query signing never adds it);
/// * `omit_session_token: true` → `AWSSigner(omitSessionTokenFromSignature: true)`: the token is sent but not signed;
/// * query signing of a body (`post-x-www-form-urlencoded*`) → `presignedURL(for:payloadHash:…)`.
@Suite("aws-c-auth SigV4 suite")
struct SuiteTests {
    /// Cases not expected to pass, with the reason. None: all 38 pass.
    static let excluded: [String: String] = [:]

    static let caseNames: [String] = (try? SuiteCase.allNames()) ?? []

    @Test func suiteIsComplete() throws {
        #expect(Self.caseNames.count == 38, "expected 38 cases in \(SuiteCase.suiteDirectory.path)")
    }

    @Test(arguments: caseNames)
    func headerSigning(name: String) throws {
        if let reason = Self.excluded[name] {
            withKnownIssue(Comment(rawValue: reason)) { try checkHeaderSigning(name) }
        } else {
            try checkHeaderSigning(name)
        }
    }

    @Test(arguments: caseNames)
    func querySigning(name: String) throws {
        if let reason = Self.excluded[name] {
            withKnownIssue(Comment(rawValue: reason)) { try checkQuerySigning(name) }
        } else {
            try checkQuerySigning(name)
        }
    }

    private func checkHeaderSigning(_ name: String) throws {
        let testCase = try SuiteCase(name: name)
        let signer = testCase.signer
        let request = testCase.signableRequest
        let payloadHash = SigV4.hexSHA256(testCase.request.body)

        let canonical = signer.canonicalRequest(
            for: request,
            payloadHash: payloadHash,
            date: testCase.date,
            includeContentHashHeader: testCase.signBody
        )
        #expect(canonical == (try testCase.expected("header-canonical-request.txt")), "\(name): canonical request")
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: testCase.date)
        #expect(stringToSign == (try testCase.expected("header-string-to-sign.txt")), "\(name): string to sign")
        let signature = signer.signature(stringToSign: stringToSign, date: testCase.date)
        #expect(signature == (try testCase.expected("header-signature.txt")), "\(name): signature")

        // The one-call path gives the same, and the signed request has exactly the original headers plus ours.
        let added = signer.signatureHeaders(
            for: request,
            body: testCase.request.body,
            date: testCase.date,
            includeContentHashHeader: testCase.signBody
        )
        let signed = try ParsedRequest(text: try testCase.expected("header-signed-request.txt"))
        let expectedAuthorization = signed.headers.first { $0.name.lowercased() == "authorization" }?.value
        let authorization = added.first { $0.name == "Authorization" }?.value
        #expect(authorization == expectedAuthorization, "\(name): Authorization")
        #expect(authorization?.hasSuffix("Signature=\(signature)") == true)

        func normalized(_ headers: [(name: String, value: String)]) -> [String] {
            headers.map { $0.name.lowercased() + ":" + $0.value }.sorted()
        }
        #expect(normalized(testCase.request.headers + added) == normalized(signed.headers), "\(name): signed headers")
        #expect(signed.body == testCase.request.body)
    }

    private func checkQuerySigning(_ name: String) throws {
        let testCase = try SuiteCase(name: name)
        let signer = testCase.signer
        let request = testCase.signableRequest
        let payloadHash = SigV4.hexSHA256(testCase.request.body)

        let canonical = signer.presignedCanonicalRequest(
            for: request,
            payloadHash: payloadHash,
            expiresInSeconds: testCase.expiresInSeconds,
            date: testCase.date
        )
        #expect(canonical == (try testCase.expected("query-canonical-request.txt")), "\(name): canonical request")
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: testCase.date)
        #expect(stringToSign == (try testCase.expected("query-string-to-sign.txt")), "\(name): string to sign")
        let signature = signer.signature(stringToSign: stringToSign, date: testCase.date)
        #expect(signature == (try testCase.expected("query-signature.txt")), "\(name): signature")

        // The URL: same decoded path and the same query items as the suite's signed request line (the order of the
        // X-Amz-* items differs: promwatch follows botocore's).
        let url = signer.presignedURL(
            for: request,
            payloadHash: payloadHash,
            expiresInSeconds: testCase.expiresInSeconds,
            date: testCase.date
        )
        let prefix = "https://" + testCase.request.host
        #expect(url.hasPrefix(prefix))
        let target = url.dropFirst(prefix.count)
        let questionMark = try #require(target.firstIndex(of: "?"))
        let signed = try ParsedRequest(text: try testCase.expected("query-signed-request.txt"))
        #expect(percentDecoded(String(target[..<questionMark])) == percentDecoded(signed.path), "\(name): path")
        let expectedItems = signed.query.map { percentDecoded($0.name) + "=" + percentDecoded($0.value) }
        #expect(
            decodedQueryItems(target[target.index(after: questionMark)...]).sorted() == expectedItems.sorted(),
            "\(name): query items"
        )
        #expect(url.hasSuffix("&X-Amz-Signature=\(signature)"))
    }
}
