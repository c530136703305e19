import EMF
import EMFDelivery
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An event whose message is `{"id":<id>,"pad":"…"}`, padded to `size` bytes when given.
func makeEvent(
    _ id: Int, group: String = "/promwatch/test", stream: String = "node-1", timestamp: Int64, size: Int? = nil
) -> EMFLogEvent {
    var message = Array("{\"id\":\(id),\"pad\":\"".utf8)
    let target = max(size ?? 0, message.count + 2)
    message.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: target - message.count - 2))
    message.append(contentsOf: Array("\"}".utf8))
    return EMFLogEvent(logGroupName: group, logStreamName: stream, timestampMilliseconds: timestamp, message: message)
}

/// The `id` of an event made by ``makeEvent(_:group:stream:timestamp:size:)`` (or any message starting `{"id":N`).
func eventID(_ event: EMFLogEvent) -> Int {
    let prefix = Array("{\"id\":".utf8)
    guard event.message.starts(with: prefix) else { return -1 }
    var value = 0
    for byte in event.message.dropFirst(prefix.count) {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
}

struct Timeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` (real time) until it holds or `seconds` pass.
func eventually(
    _ what: String, within seconds: Double = 20, _ condition: @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(2))
    }
    if await condition() { return }
    throw Timeout(what: what)
}

/// Runs `sink` in a `ServiceGroup` while `body` runs, then shuts it down gracefully and waits for it to stop.
/// Returns `body`'s result and how long (virtual seconds on `clock`) the shutdown took.
func withRunningSink<R: Sendable>(
    _ sink: CloudWatchLogsEMFSink<FastClock>, clock: FastClock, logger: Logger,
    _ body: () async throws -> R
) async throws -> (result: R, shutdownSeconds: Double) {
    let group = ServiceGroup(services: [sink], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: R
        do {
            result = try await body()
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        let start = clock.elapsedSeconds
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return (result, clock.elapsedSeconds - start)
    }
}

/// A fresh directory under the system's temporary directory.
func makeTemporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("promwatch-spool-\(UUID().uuidString)", isDirectory: true).path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// The test suite's wall-clock origin (events are stamped close to it).
let wallOrigin: Int64 = 1_750_000_000_000

enum FileManagerProbe {
    static func list(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
    }

    static func truncate(_ path: String, by bytes: Int) throws {
        var info = stat()
        guard stat(path, &info) == 0, truncateFile(path, info.st_size - off_t(bytes)) == 0 else {
            throw Timeout(what: "truncate \(path)")
        }
    }
}

/// `truncate(2)` (the probe's own `truncate` shadows it inside the enum).
private func truncateFile(_ path: String, _ size: off_t) -> Int32 { truncate(path, size) }
