#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads configuration files (the only use of Foundation in this target).
enum TextFile {
    /// The UTF-8 text of the file at `path`, or a one-line reason it cannot be read.
    static func read(_ path: String) -> Result<String, ReadFailure> {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadFailure(reason: "no such file"))
        }
        if isDirectory { return .failure(ReadFailure(reason: "is a directory")) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failure(ReadFailure(reason: "cannot read it (\(error))"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ReadFailure(reason: "not valid UTF-8"))
        }
        return .success(text)
    }

    struct ReadFailure: Error {
        let reason: String
    }
}
