#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
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
