import Foundation
import SigV4
import Testing

@Suite("SigV4 building blocks")
struct SigV4UnitTests {
    @Test(arguments: [
        (Int64(0), "19700101T000000Z"),
        (-1, "19691231T235959Z"),
        (-86_400, "19691231T000000Z"),
        (1_440_938_160, "20150830T123600Z"),
        (951_782_400, "20000229T000000Z"),  // leap day of a year divisible by 400
        (951_868_799, "20000229T235959Z"),
        (951_868_800, "20000301T000000Z"),
        (1_709_208_000, "20240229T120000Z"),
        (4_107_542_399, "21000228T235959Z"),  // 2100 is not a leap year
        (4_107_542_400, "21000301T000000Z"),
        (-2_203_891_200, "19000301T000000Z"),  // nor was 1900
        (253_402_300_799, "99991231T235959Z"),
        (1_795_938_226, "20261129T074346Z"),
        (1_835_481_599, "20280229T235959Z"),
        (2_147_483_648, "20380119T031408Z"),  // past Int32
    ])
    func amzDate(seconds: Int64, expected: String) {
        #expect(SigV4.amzDate(seconds) == expected)
    }

    /// Every day from 1900 to 2200 at a varying time of day, against Foundation's Gregorian calendar in UTC.
    @Test func amzDateAgreesWithFoundationCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        var mismatches = 0
        var step: Int64 = 0
        while seconds < 7_258_118_400 {  // 2200-01-01
            let c = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second],
                from: Date(timeIntervalSince1970: TimeInterval(seconds))
            )
            let expected =
                String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            if SigV4.amzDate(seconds) != expected {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(seconds): \(SigV4.amzDate(seconds)) != \(expected)") }
            }
            step = (step + 7_919) % 86_400
            seconds += 86_400 + (step % 2 == 0 ? 1 : -1) * (step / 4)
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [
        ("", true, ""),
        ("abcXYZ019-._~", true, "abcXYZ019-._~"),
        ("a b", true, "a%20b"),
        ("a+b", true, "a%2Bb"),
        ("a*b", true, "a%2Ab"),
        ("100%", true, "100%25"),
        ("a/b", true, "a%2Fb"),
        ("a/b", false, "a/b"),
        ("/a b/c~d/", false, "/a%20b/c~d/"),
        ("ሴ", true, "%E1%88%B4"),
        ("é", true, "%C3%A9"),  // precomposed U+00E9
        ("e\u{301}", true, "e%CC%81"),  // decomposed: encoded as given, no normalisation
        ("😀", true, "%F0%9F%98%80"),
        ("=&?#:@!$'()", true, "%3D%26%3F%23%3A%40%21%24%27%28%29"),
        ("\n\t", true, "%0A%09"),
    ])
    func uriEncode(input: String, encodeSlash: Bool, expected: String) {
        #expect(SigV4.uriEncode(input, encodeSlash: encodeSlash) == expected)
    }

    @Test func hexSHA256() {
        #expect(SigV4.hexSHA256([]) == SigV4.emptyPayloadHash)
        #expect(
            SigV4.hexSHA256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(
            SigV4.hexSHA256(big) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    )

    /// The suite's get-vanilla signature, derived through the cache before and after it has been churned.
    @Test func signingKeyCacheGivesTheSameSignatures() {
        let signer = AWSSigner(credentials: Self.credentials, region: "us-east-1", service: "service")
        let request = SignableRequest(method: "GET", host: "example.amazonaws.com")
        let first = signer.signatureHeaders(for: request, body: [], date: 1_440_938_160)
        // Many other keys through the cache (more than it holds), then the first again.
        for i in 0..<40 {
            let other = AWSSigner(
                credentials: AWSCredentials(accessKeyID: "AK\(i)", secretAccessKey: "secret\(i)"),
                region: i % 2 == 0 ? "us-east-1" : "eu-west-1",
                service: "service"
            )
            _ = other.signatureHeaders(for: request, body: [], date: 1_440_938_160 + Int64(i) * 86_400)
        }
        let again = AWSSigner(credentials: Self.credentials, region: "us-east-1", service: "service")
            .signatureHeaders(for: request, body: [], date: 1_440_938_160)
        #expect(first.map(\.value) == again.map(\.value))
        #expect(
            first.last?.value
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
        // Next day: another key, another scope.
        let nextDay = signer.signatureHeaders(for: request, body: [], date: 1_440_938_160 + 86_400)
        #expect(nextDay.last?.value.contains("/20150831/us-east-1/service/aws4_request") == true)
        #expect(nextDay.last?.value != first.last?.value)
    }

    @Test func headersAreAddedInOrderAndSignerOwnedHeadersAreReplaced() {
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN"),
            region: "us-east-1",
            service: "logs"
        )
        let request = SignableRequest(
            method: "POST",
            host: "logs.us-east-1.amazonaws.com",
            headers: [
                ("X-Amz-Date", "20000101T000000Z"), ("Authorization", "stale"), ("X-Amz-Security-Token", "OLD"),
                ("User-Agent", "promwatch"), ("Content-Type", "application/x-amz-json-1.1"),
            ]
        )
        let headers = signer.signatureHeaders(
            for: request,
            body: Array("{}".utf8),
            date: 1_795_938_226,
            includeContentHashHeader: true
        )
        #expect(headers.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "Authorization"])
        #expect(headers[0].value == "20261129T074346Z")
        #expect(headers[1].value == "TOKEN")
        #expect(headers[2].value == SigV4.hexSHA256(Array("{}".utf8)))
        #expect(
            headers[3].value.contains(
                "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"
            )
        )
        let canonical = signer.canonicalRequest(
            for: request,
            payloadHash: SigV4.hexSHA256(Array("{}".utf8)),
            date: 1_795_938_226,
            includeContentHashHeader: true
        )
        #expect(canonical.contains("x-amz-date:20261129T074346Z\nx-amz-security-token:TOKEN\n"))
        #expect(!canonical.contains("OLD") && !canonical.contains("stale") && !canonical.contains("user-agent"))
    }

    @Test func omittedSessionTokenIsSentButNotSigned() {
        let credentials = AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN")
        let request = SignableRequest(method: "GET", host: "example.amazonaws.com")
        let omitting = AWSSigner(
            credentials: credentials,
            region: "us-east-1",
            service: "s",
            omitSessionTokenFromSignature: true
        )
        let headers = omitting.signatureHeaders(for: request, body: [], date: 0)
        #expect(headers.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(headers[2].value.contains("SignedHeaders=host;x-amz-date,"))
        let url = omitting.presignedURL(for: request, expiresInSeconds: 60, date: 0)
        #expect(url.contains("X-Amz-SignedHeaders=host&X-Amz-Security-Token=TOKEN&X-Amz-Signature="))
    }

    @Test func pathNormalisationAndEncoding() {
        func canonicalPath(_ path: String, encoded: Bool = false, normalize: Bool = true) -> String {
            let signer = AWSSigner(
                credentials: Self.credentials,
                region: "us-east-1",
                service: "service",
                normalizePath: normalize
            )
            let canonical = signer.canonicalRequest(
                for: SignableRequest(method: "GET", host: "h", path: path, pathIsPercentEncoded: encoded),
                payloadHash: SigV4.emptyPayloadHash,
                date: 0
            )
            return String(canonical.split(separator: "\n", omittingEmptySubsequences: false)[1])
        }
        #expect(canonicalPath("") == "/")
        #expect(canonicalPath("/") == "/")
        #expect(canonicalPath("//a//b/./c/../d/") == "/a/b/d/")
        #expect(canonicalPath("/a/..") == "/")
        #expect(canonicalPath("/../a") == "/a")
        #expect(canonicalPath("/a/.") == "/a")
        // Raw paths are encoded twice (non-S3); already-encoded paths once more.
        #expect(canonicalPath("/functions/f:1/a b") == "/functions/f%253A1/a%2520b")
        #expect(canonicalPath("/functions/f%3A1", encoded: true) == "/functions/f%253A1")
        #expect(canonicalPath("/ሴ") == "/%25E1%2588%25B4")
        #expect(canonicalPath("//a/./b", normalize: false) == "//a/./b")
        #expect(canonicalPath("/a b", encoded: true, normalize: false) == "/a%20b")
    }
}

@Suite("Header value trimming")
struct HeaderValueTrimmingTests {
    /// botocore's `' '.join(value.split())` restricted to ASCII whitespace.
    static func reference(_ value: String) -> String {
        let whitespace: Set<UInt8> = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]
        let words = Array(value.utf8).split(whereSeparator: { whitespace.contains($0) })
        return words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    static let values: [String] = [
        "", " ", "a", " a", "a ", "a b", "a  b", "a\tb", "\ta\t", "value1\n  value2\n     value3",
        "\"a   b   c\"", "application/x-amz-json-1.1", "0123456789abcdef0123456789", "0123456789abcdef 0123456789",
        "0123456789abcdef  0123456789", "0123456789abcdef\t0123456789", "0123456789abcdef0123456789 ",
        "01234567 ", "01234567  89", "ünïcødé välüé with  spaces", "ሴሴሴሴሴሴ\u{1F}ሴ", "!!!!!!!!!!!!!!!!\u{0B}",
        String(repeating: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD", count: 12),
        String(repeating: "x", count: 63) + "  " + String(repeating: "y", count: 17),
    ]

    @Test(arguments: values)
    func trimmedLikeBotocore(value: String) {
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK"),
            region: "us-east-1",
            service: "s"
        )
        let canonical = signer.canonicalRequest(
            for: SignableRequest(method: "GET", host: "h", headers: [("x-test", value)]),
            payloadHash: SigV4.emptyPayloadHash,
            date: 0
        )
        let line = canonical.split(separator: "\n", omittingEmptySubsequences: false).first { $0.hasPrefix("x-test:") }
        #expect(line.map(String.init) == "x-test:" + Self.reference(value))
    }
}
