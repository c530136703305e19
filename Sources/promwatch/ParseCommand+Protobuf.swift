import ArgumentParser
import Foundation
import PromExposition

extension ParseCommand {
    /// `promwatch parse --format protobuf FILE|-`: the body is read in 64 KiB chunks and parsed as it is read;
    /// exit 0 iff it is a valid protobuf-delimited exposition, else 1 with the byte offset of the message at fault
    /// on standard error (2 if the file cannot be read).
    func runProtobuf() throws {
        let name = file == "-" ? "<stdin>" : file
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                FileHandle.standardError.write(Data("\(file): cannot read file\n".utf8))
                throw ExitCode(2)
            }
            handle = opened
        }
        defer { if file != "-" { try? handle.close() } }
        var parser = ProtobufExpositionParser()
        var statistics = ExpositionStatistics()
        do {
            while true {
                let chunk = handle.readData(ofLength: 64 << 10)
                if chunk.isEmpty { break }
                // An untyped closure: Data.withUnsafeBytes rethrows, and Swift 6.3 crashes converting a
                // typed-throws closure for it.
                try chunk.withUnsafeBytes { bytes in try parser.parse(bytes, into: &statistics) }
            }
            try parser.finish(into: &statistics)
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            throw ExitCode(1)
        }
        if !quiet {
            var summary = "\(name): valid protobuf, families=\(statistics.families) samples=\(statistics.samples)"
            if parser.nativeHistogramsSkipped > 0 {
                summary += " native_histograms_skipped=\(parser.nativeHistogramsSkipped)"
            }
            print(summary)
        }
    }
}
