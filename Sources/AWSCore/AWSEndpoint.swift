/// An AWS service as far as endpoints and signing are concerned.
public struct AWSService: Sendable, Hashable {
    /// The hostname prefix: `logs` in `logs.eu-west-1.amazonaws.com`.
    public var endpointPrefix: String
    /// The SigV4 signing name (credential scope): `logs`, `monitoring`, `sns`, `sts`.
    public var signingName: String
    /// The suffix of `AWS_ENDPOINT_URL_<ID>`: `CLOUDWATCH_LOGS`, `CLOUDWATCH`, `SNS`, `STS`.
    public var environmentID: String
    /// Global services (IAM) are signed for `us-east-1` and live at `<prefix>.amazonaws.com`.
    public var isGlobal: Bool

    public init(endpointPrefix: String, signingName: String, environmentID: String, isGlobal: Bool = false) {
        self.endpointPrefix = endpointPrefix
        self.signingName = signingName
        self.environmentID = environmentID
        self.isGlobal = isGlobal
    }

    public static let cloudWatchLogs = AWSService(endpointPrefix: "logs", signingName: "logs", environmentID: "CLOUDWATCH_LOGS")
    public static let cloudWatch = AWSService(endpointPrefix: "monitoring", signingName: "monitoring", environmentID: "CLOUDWATCH")
    public static let sns = AWSService(endpointPrefix: "sns", signingName: "sns", environmentID: "SNS")
    public static let sts = AWSService(endpointPrefix: "sts", signingName: "sts", environmentID: "STS")
    public static let iam = AWSService(endpointPrefix: "iam", signingName: "iam", environmentID: "IAM", isGlobal: true)
}

/// A parsed endpoint URL: `scheme://host[:port][/basePath]`.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    /// The host without brackets (`::1` for `[::1]`).
    public var host: String
    public var port: Int?
    /// A path prefix without trailing slash, usually empty.
    public var basePath: String

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `http://127.0.0.1:5000`, `https://logs.eu-west-1.amazonaws.com`, `http://[::1]:8080/prefix`.
    /// - Throws: ``AWSError`` with code `.invalidConfiguration`.
    public init(url: String) throws(AWSError) {
        func bad(_ why: String) -> AWSError { AWSError(.invalidConfiguration, "bad endpoint URL \"\(url)\": \(why)") }
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("http://") {
            scheme = "http"
        } else if lowered.hasPrefix("https://") {
            scheme = "https"
        } else {
            throw bad("scheme must be http or https")
        }
        var rest = url.dropFirst(scheme.count + 3)
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if rest.contains("?") || rest.contains("#") || path.contains("?") || path.contains("#") {
            throw bad("query or fragment not allowed")
        }
        if rest.contains("@") { throw bad("user info not allowed") }
        var host: Substring
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("unterminated IPv6 address") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw bad("bad port") }
                port = p
            } else if !after.isEmpty {
                throw bad("junk after IPv6 address")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { throw bad("bad port") }
            port = p
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw bad("no host") }
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: scheme, host: String(host), port: port, basePath: path)
    }

    var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// The `Host` header as sent (and signed): host plus the port when it is not the scheme's default.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        if let port, port != defaultPort { return "\(bracketed):\(port)" }
        return bracketed
    }

    /// `scheme://host[:port]basePath`.
    public var description: String { "\(scheme)://\(hostHeader)\(basePath)" }

    /// The full URL for `path` (raw, `/`-prefixed) and an already-encoded query string.
    public func url(path: String, encodedQuery: String = "") -> String {
        var url = description + Self.encodePath(path)
        if !encodedQuery.isEmpty { url += "?" + encodedQuery }
        return url
    }

    /// The path as sent (each segment RFC 3986-encoded, slashes kept).
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            AWSQueryParameters.percentEncode(String($0))
        }.joined(separator: "/")
    }

    /// The default endpoint `https://<prefix>.<region>.<dnsSuffix>` (global services: `https://<prefix>.amazonaws.com`).
    public static func `default`(for service: AWSService, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if service.isGlobal {
            return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(suffix)")
        }
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)")
    }

    /// The endpoint for `service`: explicit configuration, else `AWS_ENDPOINT_URL_<ID>`, else `AWS_ENDPOINT_URL`,
    /// else the default. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables the environment variables.
    /// - Throws: ``AWSError`` `.invalidConfiguration` for an unparsable URL.
    public static func resolve(
        service: AWSService, region: String, explicit: String? = nil, environment: [String: String] = [:]
    ) throws(AWSError) -> AWSEndpoint {
        if let explicit, !explicit.isEmpty { return try AWSEndpoint(url: explicit) }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            if let url = environment["AWS_ENDPOINT_URL_\(service.environmentID)"], !url.isEmpty {
                return try AWSEndpoint(url: url)
            }
            if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty { return try AWSEndpoint(url: url) }
        }
        return .default(for: service, region: region)
    }
}

/// Region resolution, as the AWS SDKs do it.
public enum AWSRegion {
    /// `explicit`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` in the config file.
    public static func resolve(
        explicit: String? = nil, environment: [String: String], profileFiles: AWSProfileFiles? = nil
    ) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let region = environment["AWS_REGION"], !region.isEmpty { return region }
        if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        let files = profileFiles ?? AWSProfileFiles(environment: environment)
        if let region = files.profile()?["region"], !region.isEmpty { return region }
        return nil
    }
}
