import AWSCore
import Agent
import Foundation
import Logging
import PromExposition
import PromwatchTestSupport
import ServiceLifecycle
import Synchronization
import Testing

struct ResidentCodeTrimmerTests {
    /// A shortened `/proc/<pid>/smaps`: one mapping of every kind the trimmer must tell apart.
    static let smaps = """
        55e8d8000000-55e8d9598000 r-xp 00000000 fd:01 1001                       /usr/bin/promwatch
        Size:              22112 kB
        Rss:               12612 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me dw
        55e8d9598000-55e8d9643000 r--p 01598000 fd:01 1001                       /usr/bin/promwatch
        Size:                684 kB
        Anonymous:           684 kB
        VmFlags: rd mr mw me dw ac
        55e8d9643000-55e8d97db000 rw-p 01643000 fd:01 1001                       /usr/bin/promwatch
        Size:               1632 kB
        Anonymous:           172 kB
        55e8d97db000-55e8d9880000 rw-p 00000000 00:00 0
        Anonymous:           308 kB
        7f0000000000-7f0000100000 r--p 00000000 00:00 0
        Anonymous:             0 kB
        7f1000000000-7f1002571000 r-xp 00000000 fd:01 2002                       /opt/swift/usr/lib/swift/linux/lib_FoundationICU.so
        Size:              38340 kB
        Anonymous:             0 kB
        7f2000000000-7f2000053000 r--p 00000000 fd:01 3003                       /usr/lib/x86_64-linux-gnu/libc.so.6
        Anonymous:             0 kB
        7f3000000000-7f3000002000 r-xp 00000000 fd:01 4004                       /usr/lib/debugged.so
        Anonymous:             4 kB
        7f4000000000-7f4000001000 r--s 00000000 fd:01 5005                       /dev/shm/shared
        Anonymous:             0 kB
        7f5000000000-7f5000001000 r-xp 00000000 fd:01 6006                       /tmp/replaced.so (deleted)
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Anonymous:             0 kB
        ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
        Anonymous:             0 kB

        """

    @Test func onlyCleanPrivateReadOnlyFileMappingsAreDropped() {
        let regions = ResidentCodeTrimmer.droppableRegions(smaps: Self.smaps)
        #expect(
            regions == [
                0x55e8_d800_0000..<0x55e8_d959_8000,  // the binary's code
                0x7f10_0000_0000..<0x7f10_0257_1000,  // a library's code
                0x7f20_0000_0000..<0x7f20_0005_3000,  // a library's constants
            ]
        )
        // Not: relocated constants (changed privately), writable data, anonymous memory, a code page a debugger
        // changed, shared mappings, deleted files, the vDSO and vsyscall pages.
    }

    @Test func anUnreadableOrEmptyMapListDropsNothing() {
        #expect(ResidentCodeTrimmer.droppableRegions(smaps: "").isEmpty)
        #expect(ResidentCodeTrimmer.droppableRegions(smaps: "garbage\nAnonymous: 0 kB\n").isEmpty)
    }

    /// On this very process: the pages go, and the code they held runs again afterwards.
    @Test func trimmingThisProcessKeepsItRunning() throws {
        let smaps = String(decoding: try #require(readFileBytes("/proc/self/smaps", limit: 64 << 20)), as: UTF8.self)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let ownCode = smaps.split(separator: "\n").filter { $0.contains(" r-xp ") && $0.hasSuffix(executable) }
        #expect(!ownCode.isEmpty, "the test binary's code is mapped from \(executable)")
        let libraries = smaps.split(separator: "\n").filter { $0.contains(" r-xp ") && $0.hasSuffix("libswiftCore.so") }
        #expect(!libraries.isEmpty, "the Swift runtime is a shared library")
        let droppable = ResidentCodeTrimmer.droppableRegions(smaps: smaps)
        for mapping in ownCode + libraries {
            let bounds = mapping.prefix(while: { $0 != " " }).split(separator: "-").compactMap { UInt($0, radix: 16) }
            #expect(droppable.contains(bounds[0]..<bounds[1]), "\(mapping)")
        }

        let report = ResidentCodeTrimmer.trimProcess()
        #expect(report.regions > 0)
        #expect(report.bytes > 1 << 20, "the test binary alone has more than 1 MiB of code")

        var batch = SampleBatch()
        try ExpositionParser.parse(Array("# TYPE up gauge\nup{job=\"a\"} 1\n".utf8), format: .text, into: &batch)
        #expect(batch.samples.count == 1)
    }

    @Test func firstPassAfterTwoIntervalsWithinBounds() {
        #expect(ResidentCodeTrimmer.firstPassDelay(longestInterval: .seconds(10)) == .seconds(20))
        #expect(ResidentCodeTrimmer.firstPassDelay(longestInterval: .seconds(1)) == .seconds(15))
        #expect(ResidentCodeTrimmer.firstPassDelay(longestInterval: .seconds(300)) == .seconds(120))
    }

    /// The service runs its first pass after `firstAfter`, then every `every`, and stops on shutdown.
    @Test func passesRunOnScheduleAndStopAtShutdown() async throws {
        let clock = ManualClock()
        let passes = Mutex(0)
        let trimmer = ResidentCodeTrimmer(
            firstAfter: .seconds(20),
            every: .seconds(600),
            clock: clock,
            trim: {
                passes.withLock { $0 += 1 }
                return .init(regions: 1, bytes: 4096)
            },
            logger: Logger(label: "test")
        )
        let group = ServiceGroup(services: [trimmer], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await eventually(timeout: .seconds(15)) { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(19))
            #expect(passes.withLock { $0 } == 0)
            clock.advance(by: .seconds(1))
            #expect(
                try await eventually(timeout: .seconds(15)) { passes.withLock { $0 } == 1 && clock.sleeperCount == 1 }
            )
            clock.advance(by: .seconds(599))
            #expect(passes.withLock { $0 } == 1)
            clock.advance(by: .seconds(1))
            #expect(
                try await eventually(timeout: .seconds(15)) { passes.withLock { $0 } == 2 && clock.sleeperCount == 1 }
            )
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(passes.withLock { $0 } == 2)
    }
}
