import AWSClients
import AWSCore
import AWSTesting
import SigV4
import Testing

struct EKSTokenTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date: Int64 = 1_440_938_160  // 2015-08-30T12:36:00Z

    static func decode(_ token: String) throws -> String {
        #expect(token.hasPrefix("k8s-aws-v1."))
        let payload = String(token.dropFirst("k8s-aws-v1.".count))
        #expect(!payload.contains("="))
        #expect(!payload.contains("+"))
        #expect(!payload.contains("/"))
        return String(decoding: try #require(base64URLDecode(payload)), as: UTF8.self)
    }

    /// The known-answer vector (botocore / aws-iam-authenticator, clock pinned).
    @Test func knownAnswer() throws {
        let token = STSClient.eksToken(clusterName: "my-cluster", region: "us-east-1", credentials: Self.credentials, date: Self.date)
        #expect(token.hasPrefix("k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUm"))
        #expect(try Self.decode(token)
            == "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=393dffdcf851beeb373f04f933b26ffa1d480490f11385a3dbd509617bb7cb79")
    }

    /// The verifier's checks (aws-iam-authenticator `Verify`): size, host, path, whitelisted query keys once each,
    /// Action, signed x-k8s-aws-id, 0 ≤ X-Amz-Expires ≤ 900.
    @Test func shapeWithSessionTokenFromTheClient() async throws {
        var credentials = Self.credentials
        credentials.sessionToken = "IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJH+/="
        let configuration = AWSClientConfiguration(
            region: "eu-west-1", credentialProvider: StaticCredentialProvider(credentials),
            transport: ScriptedTransport([ScriptedTransport.respond(500)]), wallClock: ManualWallClock(milliseconds: Self.date * 1000),
            endpoints: ["STS": "http://127.0.0.1:1"])
        let token = try await STSClient(configuration: configuration).eksToken(clusterName: "prod-cluster")
        #expect(token.utf8.count <= 4096)
        let url = try Self.decode(token)
        #expect(url.hasPrefix("https://sts.eu-west-1.amazonaws.com/?"))
        let query = url.split(separator: "?", maxSplits: 1)[1].split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let keys = query.map(\.0)
        #expect(Set(keys).count == keys.count)
        #expect(Set(keys) == [
            "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
            "X-Amz-Security-Token", "X-Amz-Signature",
        ])
        let values = Dictionary(uniqueKeysWithValues: query)
        #expect(values["Action"] == "GetCallerIdentity")
        #expect(values["X-Amz-Expires"] == "60")
        #expect(values["X-Amz-SignedHeaders"]?.removingPercentEncoding()?.split(separator: ";").contains("x-k8s-aws-id") == true)
        #expect(values["X-Amz-Credential"]?.removingPercentEncoding() == "AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request")
        #expect(values["X-Amz-Security-Token"]?.removingPercentEncoding() == credentials.sessionToken)
        #expect(values["X-Amz-Date"] == "20150830T123600Z")
    }

    @Test func base64URL() {
        #expect(STSClient.base64URLEncodedWithoutPadding([]) == "")
        #expect(STSClient.base64URLEncodedWithoutPadding(Array("f".utf8)) == "Zg")
        #expect(STSClient.base64URLEncodedWithoutPadding(Array("fo".utf8)) == "Zm8")
        #expect(STSClient.base64URLEncodedWithoutPadding(Array("foo".utf8)) == "Zm9v")
        #expect(STSClient.base64URLEncodedWithoutPadding([0xFB, 0xFF, 0xBF]) == "-_-_")
    }
}

func base64URLDecode(_ text: String) -> [UInt8]? {
    var table = [UInt8: UInt32]()
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() { table[c] = UInt32(i) }
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for c in text.utf8 {
        guard let v = table[c] else { return nil }
        buffer = buffer << 6 | v
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
        }
    }
    return out
}

extension String {
    func removingPercentEncoding() -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(utf8).makeIterator()
        while let b = iterator.next() {
            if b == UInt8(ascii: "%") {
                guard let h = iterator.next(), let l = iterator.next(), let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
