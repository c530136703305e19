public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Errors from starting or waiting for a real program in tests.
public struct RealProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A real program (node exporter, prometheus, promwatch itself) started for a test on 127.0.0.1 and stopped
/// when the test ends. Standard output and error go to files so a failing test can show them.
public final class RealProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before `run()` and afterwards only read or signalled.
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL
    public let name: String

    /// Starts `executable` with `arguments` in `workingDirectory` (default: the repository root).
    public init(
        _ executable: String, _ arguments: [String], name: String? = nil, workingDirectory: URL? = nil,
        environment: [String: String]? = nil
    ) throws {
        self.name = name ?? URL(fileURLWithPath: executable).lastPathComponent
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-test-\(self.name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutURL = scratch.appendingPathComponent("stdout")
        stderrURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory ?? TestPaths.repositoryRoot
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The program's standard output so far.
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    /// The program's standard error so far.
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits up to `grace` for the exit, then SIGKILL. Returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + grace
            while process.isRunning && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Finds an executable on PATH or at one of the usual Debian locations.
    public static func locate(_ name: String, extraDirectories: [String] = ["/usr/bin", "/usr/sbin"]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + extraDirectories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Ports for real programs in tests.
public enum TestPorts {
    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func free() throws -> Int {
        let (fd, port) = try bindLoopbackEphemeral()
        close(fd)
        return port
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    public static func waitUntilListening(_ port: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if canConnect(port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RealProcessError("nothing listening on 127.0.0.1:\(port) after \(timeout)")
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A TCP socket bound to 127.0.0.1 on a port the kernel picks, and that port.
    static func bindLoopbackEphemeral() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RealProcessError("socket() failed") }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw RealProcessError("bind() failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections into its backlog and never answers: a hanging target.
public final class SilentListener: @unchecked Sendable {
    // @unchecked: the descriptor is written once in init and closed once in close()/deinit.
    private var fd: Int32
    public let port: Int

    public init() throws {
        let (fd, port) = try TestPorts.bindLoopbackEphemeral()
        guard listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw RealProcessError("listen() failed")
        }
        self.fd = fd
        self.port = port
    }

    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
