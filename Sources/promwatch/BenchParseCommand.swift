import ArgumentParser
import Foundation
import PromExposition

/// `promwatch bench-parse -file PATH -seconds N`: times the exposition parser the way the peer parser benchmark
/// (shared/bench/parsers: `parsebench`, `pyparse.py`, `run_peers.py`) times its parsers, and prints the same line:
///
///     parser=promwatch bytes=<n> samples=<per pass> passes=<n> MBps=<10^6 B/s> ns_per_sample=<ns>
///
/// The file is read into memory once; one untimed pass checks it and counts samples; then whole passes run over
/// the same bytes until N seconds have gone by. Each pass is a full parse (name, labels, value and timestamp of
/// every sample delivered to a consumer) with one parser and one consumer reused from pass to pass, as a scrape
/// loop reuses them (steady state: no allocation per sample). Options are single-dash, like the Go tool's.
struct BenchParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-parse",
        abstract: "Time the exposition parser on a file (the peer parser benchmark's protocol and output line)."
    )

    @Option(name: .customLong("file", withSingleDash: true), help: "Exposition file.")
    var file: String

    @Option(name: .customLong("seconds", withSingleDash: true), help: "How long to keep parsing.")
    var seconds: Double = 5

    @Option(
        name: .customLong("format", withSingleDash: true),
        help: "Exposition format: text (Prometheus 0.0.4) or openmetrics."
    )
    var format: String = "text"

    @Option(
        name: .customLong("consumer", withSingleDash: true),
        help: "count: a consumer that reads every field of every sample; batch: a reused SampleBatch (owned copy)."
    )
    var consumer: String = "count"

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("-seconds must be positive") }
        guard format == "text" || format == "openmetrics" else {
            throw ValidationError("-format must be text or openmetrics")
        }
        guard consumer == "count" || consumer == "batch" else {
            throw ValidationError("-consumer must be count or batch")
        }
    }

    func run() throws {
        guard let bytes = FileBytes(path: file) else {
            FileHandle.standardError.write(Data("bench-parse: \(file): cannot read file\n".utf8))
            throw ExitCode(1)
        }
        defer { bytes.deallocate() }
        let expositionFormat: ExpositionFormat = format == "openmetrics" ? .openMetrics : .text
        var parser = ExpositionParser(format: expositionFormat)
        let body = bytes.buffer
        let result: BenchResult
        do {
            if consumer == "batch" {
                var batch = SampleBatch()
                result = try timePasses(seconds: seconds) { () throws(ExpositionError) -> Int in
                    batch.removeAll()
                    parser.reset()
                    try parser.parse(body, into: &batch)
                    try parser.finish(into: &batch)
                    return batch.samples.count
                }
            } else {
                var counter = SampleCounter()
                result = try timePasses(seconds: seconds) { () throws(ExpositionError) -> Int in
                    counter.samples = 0
                    parser.reset()
                    try parser.parse(body, into: &counter)
                    try parser.finish(into: &counter)
                    return counter.samples
                }
                // Keeps the checksum (and so the reads of every field) alive.
                if counter.checksum == 0x5EED { FileHandle.standardError.write(Data("\n".utf8)) }
            }
        } catch {
            FileHandle.standardError.write(Data("bench-parse: \(file): \(error)\n".utf8))
            throw ExitCode(1)
        }
        let elapsed = Double(result.nanoseconds)
        let megabytesPerSecond = Double(body.count) * Double(result.passes) / (elapsed / 1e9) / 1e6
        let nanosecondsPerSample = result.samples > 0 ? elapsed / (Double(result.passes) * Double(result.samples)) : 0
        print(
            "parser=promwatch bytes=\(body.count) samples=\(result.samples) passes=\(result.passes) "
                + "MBps=\(String(format: "%.2f", megabytesPerSecond)) "
                + "ns_per_sample=\(String(format: "%.1f", nanosecondsPerSample))"
        )
    }
}

/// What a timed run measured.
private struct BenchResult {
    var samples: Int
    var passes: Int
    var nanoseconds: UInt64
}

/// One untimed pass (the sample count), then passes until `seconds` have gone by; every pass must count the same.
private func timePasses(
    seconds: Double,
    _ pass: () throws(ExpositionError) -> Int
) throws(ExpositionError) -> BenchResult {
    let samples = try pass()
    let limit = UInt64(seconds * 1e9)
    var passes = 0
    let start = monotonicNanoseconds()
    var elapsed: UInt64 = 0
    repeat {
        let n = try pass()
        precondition(n == samples, "pass \(passes): \(n) samples, want \(samples)")
        passes += 1
        elapsed = monotonicNanoseconds() - start
    } while elapsed < limit
    return BenchResult(samples: samples, passes: passes, nanoseconds: elapsed)
}

private func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Counts samples and folds every field of every sample into a checksum, so nothing the parser delivers goes
/// unread (as a real consumer would read it).
private struct SampleCounter: ExpositionConsumer {
    var samples = 0
    var checksum = 0

    mutating func familyStarted(_ family: FamilyView) {
        checksum &+= family.name.count &+ Int(family.type.rawValue)
    }

    mutating func consume(_ sample: SampleView) {
        samples += 1
        var sum = sample.name.count &+ sample.familyName.count &+ sample.seriesText.count &+ Int(sample.role.rawValue)
        for label in sample.labels { sum &+= label.name.count &+ label.value.count }
        sum &+= Int(truncatingIfNeeded: sample.value.bitPattern) &+ Int(sample.timestampMilliseconds ?? 0)
        checksum &+= sum
    }
}

/// A whole file read into one allocation with `read(2)`: no `Data`, no copy.
struct FileBytes {
    let buffer: UnsafeRawBufferPointer

    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The size by seeking, not fstat: `struct stat` is ambiguous here once NIO's C shims are in the module.
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0, lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        let size = Int(end)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(size, 1), alignment: 64)
        var filled = 0
        while filled < size {
            let n = read(fd, memory.baseAddress! + filled, size - filled)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                memory.deallocate()
                return nil
            }
            filled += n
        }
        buffer = UnsafeRawBufferPointer(rebasing: memory[0..<filled])
    }

    func deallocate() { buffer.deallocate() }
}
