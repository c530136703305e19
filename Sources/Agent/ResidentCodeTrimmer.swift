import AWSCore
public import Logging
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Releases the pages of code and read-only data the agent no longer runs, once it has settled and then now and
/// then, so its resident memory is what it uses rather than what it touched once.
///
/// Why: starting touches code that never runs again (configuration and YAML parsing, discovery set-up, TLS
/// handshakes), and the kernel maps file pages in blocks around every fault, so a long-running agent keeps about
/// 20 MB of its own binary and the Swift runtime libraries resident without using them. Dropping those mappings'
/// pages is safe: they are clean copies of files, and a page that is needed again is mapped back from the page
/// cache on its next use. Mappings that hold private changes (relocated data, a debugger's breakpoints) are
/// never touched.
public struct ResidentCodeTrimmer: Service {
    /// One pass's result.
    public struct Report: Sendable, Equatable {
        public var regions: Int
        public var bytes: Int

        public init(regions: Int, bytes: Int) {
            self.regions = regions
            self.bytes = bytes
        }
    }

    let firstAfter: Duration
    let every: Duration
    let clock: any Clock<Duration>
    let trim: @Sendable () -> Report
    let logger: Logger

    /// - Parameters:
    ///   - firstAfter: how long after start the first pass runs (the agent's first scrapes have run by then).
    ///   - every: how often later passes run.
    ///   - trim: one pass; ``trimProcess()`` by default.
    public init(
        firstAfter: Duration,
        every: Duration = .seconds(600),
        clock: any Clock<Duration> = ContinuousClock(),
        trim: @escaping @Sendable () -> Report = { ResidentCodeTrimmer.trimProcess() },
        logger: Logger
    ) {
        self.firstAfter = firstAfter
        self.every = every
        self.clock = clock
        self.trim = trim
        self.logger = logger
    }

    /// The first pass for scrape intervals up to `longestInterval`: two rounds of scrapes, but not before 15 s nor
    /// later than 2 minutes.
    public static func firstPassDelay(longestInterval: Duration) -> Duration {
        min(max(longestInterval * 2, .seconds(15)), .seconds(120))
    }

    public func run() async throws {
        var delay = firstAfter
        while true {
            do {
                let wait = delay
                try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: wait) }
            } catch {
                return  // shutting down
            }
            let report = trim()
            logger.debug(
                "released resident code pages",
                metadata: ["regions": "\(report.regions)", "kib": "\(report.bytes >> 10)"]
            )
            delay = every
        }
    }

    /// One pass over this process: drops the pages of every mapping ``droppableRegions(smaps:)`` selects.
    public static func trimProcess() -> Report {
        // Not `String(contentsOfFile:)`: it stops at the size `stat` reports, which is 0 for `/proc` files.
        guard let bytes = readFileBytes("/proc/self/smaps", limit: 64 << 20) else {
            return Report(regions: 0, bytes: 0)
        }
        let smaps = String(decoding: bytes, as: UTF8.self)
        var report = Report(regions: 0, bytes: 0)
        #if canImport(Glibc)
        for region in droppableRegions(smaps: smaps) {
            guard let start = UnsafeMutableRawPointer(bitPattern: region.lowerBound) else { continue }
            if madvise(start, Int(region.upperBound - region.lowerBound), MADV_DONTNEED) == 0 {
                report.regions += 1
                report.bytes += Int(region.upperBound - region.lowerBound)
            }
        }
        #endif
        return report
    }

    /// The address ranges of `smaps` (the text of `/proc/<pid>/smaps`) whose pages can be dropped: private,
    /// read-only mappings of a file (code and constants) without a single privately changed page.
    public static func droppableRegions(smaps: String) -> [Range<UInt>] {
        var regions: [Range<UInt>] = []
        var candidate: Range<UInt>?
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            // Field lines are `Name:  value`; anything else starts a mapping.
            if !line.prefix(while: { $0 != " " }).hasSuffix(":") {
                candidate = mappingHeader(line)
                continue
            }
            guard let current = candidate, line.hasPrefix("Anonymous:") else { continue }
            let kilobytes = line.dropFirst("Anonymous:".count).split(separator: " ").first.flatMap { Int($0) }
            if kilobytes == 0 { regions.append(current) }
            candidate = nil
        }
        return regions
    }

    /// The range of a header line `start-end perms offset dev inode path` if the mapping is a private, read-only
    /// mapping of a file; `nil` for any other mapping.
    private static func mappingHeader(_ line: Substring) -> Range<UInt>? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6 else { return nil }
        let permissions = fields[1]
        guard permissions.count == 4, permissions.hasPrefix("r"), !permissions.contains("w"),
            permissions.hasSuffix("p")
        else { return nil }
        let path = fields[5].drop(while: { $0 == " " })
        guard path.hasPrefix("/"), !path.hasSuffix(" (deleted)") else { return nil }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
            start < end
        else { return nil }
        return start..<end
    }
}
