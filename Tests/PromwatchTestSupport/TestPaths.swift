#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where tests find the repository and the shared conformance corpus.
public enum TestPaths {
    /// The repository root: `PROMWATCH_REPO_ROOT`, else derived from this file's location.
    public static let repositoryRoot: URL = {
        if let root = ProcessInfo.processInfo.environment["PROMWATCH_REPO_ROOT"] {
            return URL(fileURLWithPath: root, isDirectory: true)
        }
        // Tests/PromwatchTestSupport/TestPaths.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// The shared corpus: `PROMWATCH_CORPUS`, else `../shared/corpus` beside the repository.
    public static let corpus: URL = {
        if let corpus = ProcessInfo.processInfo.environment["PROMWATCH_CORPUS"] {
            return URL(fileURLWithPath: corpus, isDirectory: true)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus", isDirectory: true)
    }()

    /// The bytes of a corpus file, e.g. `corpus("exposition/live/node-exporter.text.txt")`.
    public static func corpusFile(_ relativePath: String) throws -> [UInt8] {
        let data = try Data(contentsOf: corpus.appendingPathComponent(relativePath))
        return [UInt8](data)
    }

    /// The bytes of a file under the repository, e.g. `repositoryFile("config/quickstart.yaml")`.
    public static func repositoryFile(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent(relativePath)))
    }
}

/// Writes `text` to `path` atomically: into a temporary file beside it, then renamed over it, so a reader sees the
/// old contents or the new, never a part. (Foundation's own atomic writes leave a `TemporaryDirectory.*` behind in
/// the temporary directory on Linux.)
public func writeFileAtomically(_ text: String, to path: String) throws {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
    do {
        try renameFile(temporary, to: path)
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw error
    }
}

/// A failed `rename(2)`.
public struct RenameError: Error, CustomStringConvertible {
    public var destination: String
    public var errno: Int32
    public var description: String { "cannot rename a temporary file to \(destination): errno \(errno)" }
}

private func renameFile(_ source: String, to destination: String) throws {
    guard rename(source, destination) == 0 else { throw RenameError(destination: destination, errno: errno) }
}
