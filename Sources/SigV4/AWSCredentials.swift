/// AWS credentials: long-lived keys, or temporary ones with a session token and an expiry.
///
/// `description` never shows the secret or the token, so credentials can't leak into logs by accident.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials expire, in milliseconds since the epoch; `nil` for long-lived keys.
    public var expirationMilliseconds: Int64?

    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expirationMilliseconds: Int64? = nil
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expirationMilliseconds = expirationMilliseconds
    }

    public var description: String {
        let token = sessionToken == nil ? "" : ", sessionToken: <redacted>"
        return "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(token))"
    }
}
