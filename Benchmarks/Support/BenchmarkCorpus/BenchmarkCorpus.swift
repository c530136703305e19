#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `$PROMWATCH_CORPUS`, else `shared/corpus` beside the repository (this file is
/// `Benchmarks/Support/BenchmarkCorpus/BenchmarkCorpus.swift` in it).
public func corpusDirectory() -> String {
    if let corpus = getenv("PROMWATCH_CORPUS") { return String(cString: corpus) }
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(5)  // file, target folder, Support, Benchmarks, repository
    return parts.joined(separator: "/") + "/shared/corpus"
}

/// The bytes of the corpus file at `path` (relative to ``corpusDirectory()``), or `nil` when it cannot be read.
public func readCorpusFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(corpusDirectory() + "/" + path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

/// The node exporter capture (`exposition/live/node-exporter.text.txt`); stops the run when it is missing.
public func nodeExporterCapture() -> [UInt8] {
    let path = "exposition/live/node-exporter.text.txt"
    guard let bytes = readCorpusFile(path) else {
        fatalError("cannot read \(corpusDirectory())/\(path); set PROMWATCH_CORPUS")
    }
    return bytes
}
