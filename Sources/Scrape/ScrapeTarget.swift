public import PromwatchConfig

/// A label pair attached to a target (`job`, `instance`, static labels; discovery metadata later).
public struct TargetLabel: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One endpoint to scrape, with everything its scrape loop needs.
///
/// Discovery produces targets; the ``ScrapeManager`` starts a loop per distinct ``id`` and keeps loops of
/// unchanged targets running when a new target set arrives.
public struct ScrapeTarget: Sendable, Hashable {
    /// The scrape job this target belongs to (its `job_name`).
    public var job: ScrapeConfiguration
    /// `host:port`.
    public var address: String
    /// Target labels, sorted by name: `job`, `instance` and the static (or discovered) labels. Labels starting
    /// with `__` are not target labels (Prometheus drops them after relabeling); see ``init(job:address:extraLabels:)``.
    public var labels: [TargetLabel]
    /// The path scraped: the job's `metrics_path`, or the target's `__metrics_path__` label.
    public var metricsPath: String
    /// `__param_<name>` labels: each replaces the first value of URL parameter `name` (or adds it).
    public var paramOverrides: [String: String]
    /// `http` or `https`: the job's `scheme`, or the target's `__scheme__` label.
    public var scheme: Scheme

    /// Labels named `__metrics_path__` and `__param_<name>` set the scraped path and URL parameters as in
    /// Prometheus; they and every other label starting with `__` (`__address__` comes from the target list) are
    /// not kept as target labels.
    public init(job: ScrapeConfiguration, address: String, extraLabels: [String: String] = [:]) {
        self.job = job
        self.address = address
        var merged: [String: String] = [:]
        var metricsPath = job.metricsPath
        var paramOverrides: [String: String] = [:]
        var scheme = job.scheme
        for (name, value) in extraLabels {
            if name.hasPrefix("__") {
                if name == "__scheme__", let chosen = Scheme(rawValue: value) {
                    scheme = chosen
                } else if name == "__metrics_path__" {
                    metricsPath = value
                } else if name.hasPrefix("__param_") {
                    paramOverrides[String(name.dropFirst("__param_".count))] = value
                }
            } else {
                merged[name] = value
            }
        }
        if merged["job"] == nil { merged["job"] = job.jobName }
        if merged["instance"] == nil { merged["instance"] = address }
        self.labels = merged.map { TargetLabel(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
        self.metricsPath = metricsPath
        self.paramOverrides = paramOverrides
        self.scheme = scheme
    }

    /// The job name.
    public var jobName: String { job.jobName }

    /// The value of the `instance` label.
    public var instance: String { labels.first { $0.name == "instance" }?.value ?? address }

    /// The URL scraped: `scheme://address/metrics_path?params`.
    public var url: String { "\(scheme.rawValue)://\(address)\(requestTarget)" }

    /// The path and query of ``url``: what an HTTP/1.1 request line names.
    public var requestTarget: String {
        var url = metricsPath
        var params = job.params
        for (key, value) in paramOverrides {
            if params[key, default: []].isEmpty { params[key] = [value] } else { params[key]![0] = value }
        }
        let query = params.keys.sorted().flatMap { key in
            params[key, default: []].map { "\(percentEncode(key))=\(percentEncode($0))" }
        }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        return url
    }

    /// Host and port of ``address`` (80 or 443 by ``scheme`` when it has none); `nil` when it does not parse.
    var endpoint: (host: String, port: Int)? {
        let defaultPort = scheme == .https ? 443 : 80
        var host = Substring(address)
        var port = Substring("")
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
        } else if let colon = host.firstIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
            if port.contains(":") { return nil }
        }
        guard !host.isEmpty else { return nil }
        if port.isEmpty { return (String(host), defaultPort) }
        guard port.allSatisfy(\.isASCII), let number = Int(port), (1...65_535).contains(number) else { return nil }
        return (String(host), number)
    }

    /// Identity of the scrape loop: job, URL (two jobs may scrape one URL) and labels, so a target whose labels
    /// change (a pod relabelled) gets a loop with the new labels, as in Prometheus.
    public var id: String {
        "\(job.jobName)|\(url)|" + labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
    }

    /// A stable 64-bit hash of ``id`` (FNV-1a), used to spread scrape start times over the interval.
    public var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

private func percentEncode(_ string: String) -> String {
    var out = ""
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
        }
    }
    return out
}
