public import AWSCore
public import SigV4

/// The identity `GetCallerIdentity` reports.
public struct CallerIdentity: Sendable, Hashable {
    public var account: String
    public var arn: String
    public var userID: String
}

/// STS over the query protocol (`Version=2011-06-15`), signing name `sts`; plus the EKS authentication token.
public struct STSClient: Sendable {
    public let client: AWSServiceClient
    public static let version = "2011-06-15"

    public init(configuration: AWSClientConfiguration) throws(AWSError) {
        client = try AWSServiceClient(service: .sts, configuration: configuration)
    }

    public init(client: AWSServiceClient) { self.client = client }

    /// `GetCallerIdentity` (signed).
    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let xml = try await client.query(AWSQueryParameters(action: "GetCallerIdentity", version: Self.version))
        guard let result = xml.first(named: "GetCallerIdentityResult"), let arn = result.string("Arn") else {
            throw AWSError(.invalidResponse, "GetCallerIdentity: no Arn in the response")
        }
        return CallerIdentity(account: result.string("Account") ?? "", arn: arn, userID: result.string("UserId") ?? "")
    }

    /// `AssumeRoleWithWebIdentity` (unsigned: the web identity token is the credential).
    public func assumeRoleWithWebIdentity(
        roleARN: String, roleSessionName: String, webIdentityToken: String, durationSeconds: Int? = nil
    ) async throws(AWSError) -> AWSAssumedRole {
        try await AWSWebIdentity.assumeRole(
            client: client, roleARN: roleARN, roleSessionName: roleSessionName, webIdentityToken: webIdentityToken,
            durationSeconds: durationSeconds)
    }

    /// An EKS bearer token for `clusterName`, signed now (skew-corrected) with this client's credentials for the
    /// regional STS host `sts.<region>.amazonaws.com` (whatever endpoint override the client has: the EKS API server
    /// checks the host). Valid 15 minutes from now; cache it for 14.
    /// - Throws: ``AWSError`` `.invalidConfiguration` without a credential provider, or the provider's error.
    public func eksToken(clusterName: String, expiresIn: Int = 60) async throws(AWSError) -> String {
        guard let provider = client.configuration.credentialProvider else {
            throw AWSError(.invalidConfiguration, "an EKS token needs credentials")
        }
        let credentials = try await provider.credentials()
        return Self.eksToken(
            clusterName: clusterName, region: client.configuration.region, credentials: credentials,
            date: client.configuration.correctedNowMilliseconds() / 1000, expiresIn: expiresIn)
    }

    /// The EKS token recipe (aws-iam-authenticator, `aws eks get-token`): presign `GET
    /// https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` with the signed header
    /// `x-k8s-aws-id: <cluster>` and `X-Amz-Expires=<expiresIn>`, then `k8s-aws-v1.` + unpadded base64url of the URL.
    public static func eksToken(
        clusterName: String, region: String, credentials: AWSCredentials, date: Int64, expiresIn: Int = 60
    ) -> String {
        let host = "sts.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
        let request = SignableRequest(
            method: "GET", host: host, path: "/",
            query: [("Action", "GetCallerIdentity"), ("Version", version)],
            headers: [("x-k8s-aws-id", clusterName)])
        let url = AWSSigner(credentials: credentials, region: region, service: "sts")
            .presignedURL(for: request, expiresInSeconds: expiresIn, date: date)
        return "k8s-aws-v1." + base64URLEncodedWithoutPadding(Array(url.utf8))
    }

    /// RFC 4648 §5 base64url, no `=` padding.
    public static func base64URLEncodedWithoutPadding(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
