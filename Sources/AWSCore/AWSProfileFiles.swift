#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared `credentials` and `config` files (INI), read the way the AWS CLI and SDKs read them.
///
/// Paths: `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`) and `AWS_CONFIG_FILE` (default
/// `~/.aws/config`); profile: explicit, else `AWS_PROFILE`, else `default`. In the config file, profiles are
/// `[profile name]` (and `[default]`); in the credentials file, `[name]`. The credentials file wins per key.
public struct AWSProfileFiles: Sendable {
    public var credentialsPath: String?
    public var configPath: String?
    /// The selected profile name.
    public var profileName: String

    public init(credentialsPath: String?, configPath: String?, profileName: String = "default") {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.profileName = profileName
    }

    /// Paths and profile from the environment (`HOME` for the defaults).
    public init(environment: [String: String], profileName: String? = nil) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home.map { "\($0)/.aws/credentials" }
        configPath = environment["AWS_CONFIG_FILE"] ?? home.map { "\($0)/.aws/config" }
        self.profileName = profileName ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The merged key/values of `name` (default: the selected profile), or `nil` if neither file has it.
    public func profile(_ name: String? = nil) -> [String: String]? {
        let name = name ?? profileName
        var merged: [String: String]?
        if let configPath, let text = Self.readFile(configPath) {
            let sections = Self.parseINI(text)
            let section = sections["profile \(name)"] ?? (name == "default" ? sections["default"] : nil)
            if let section { merged = section }
        }
        if let credentialsPath, let text = Self.readFile(credentialsPath) {
            if let section = Self.parseINI(text)[name] {
                merged = (merged ?? [:]).merging(section) { _, fromCredentials in fromCredentials }
            }
        }
        return merged
    }

    /// Parses INI text into sections of lower-cased keys. Comment lines start with `#` or `;`; indented lines
    /// (nested settings such as `s3 =` blocks) are ignored; section names are trimmed and whitespace-collapsed.
    public static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if let first = rawLine.first, first == " " || first == "\t" { continue }  // nested sub-setting
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = line[line.index(after: line.startIndex)..<close].split(whereSeparator: { $0 == " " || $0 == "\t" })
                    .joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces.lowercased()
            var value = line[line.index(after: equals)...].trimmingSpaces
            // Inline comments need whitespace before the marker (" #", " ;").
            var previous: Character = "x"
            for index in value.indices {
                let c = value[index]
                if (c == "#" || c == ";") && (previous == " " || previous == "\t") {
                    value = value[..<index].trimmingSpaces
                    break
                }
                previous = c
            }
            sections[section]?[key] = String(value)
        }
        return sections
    }

    /// The file's contents as UTF-8, or `nil` if it can't be read.
    static func readFile(_ path: String) -> String? {
        readFileBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The bytes of a (small) file, at most `limit` of them, or `nil` if it can't be opened. Reads to the end of
/// the file rather than to its reported size, so `/proc` files (size 0) read whole.
public func readFileBytes(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    while result.count < limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        result.append(contentsOf: chunk[0..<n])
    }
    return result
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let s = Substring(self)
        guard let start = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = s.lastIndex(where: { !$0.isWhitespace })!  // exists: start exists
        return s[start...end]
    }
}
