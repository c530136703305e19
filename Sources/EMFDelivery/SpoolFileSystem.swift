#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed spool file operation: the call, the path and `errno`'s text.
public struct SpoolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errorNumber: Int32

    public var description: String {
        "spool: \(operation) \(path): \(String(cString: strerror(errorNumber)))"
    }
}

/// Thin POSIX file calls for the spool (blocking; spool IO is small and happens off the scrape path except when
/// the buffer overflows). Every function retries `EINTR`.
enum SpoolFileSystem {
    static func makeDirectory(_ path: String) throws(SpoolError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw SpoolError(operation: "mkdir", path: prefix, errorNumber: errno)
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw SpoolError(operation: "stat", path: path, errorNumber: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw SpoolError(operation: "open", path: path, errorNumber: ENOTDIR) }
    }

    static func listDirectory(_ path: String) throws(SpoolError) -> [String] {
        guard let directory = opendir(path) else { throw SpoolError(operation: "opendir", path: path, errorNumber: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(SpoolError) -> Int32 {
        while true {
            let fd = Glibc_open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw SpoolError(operation: "open", path: path, errorNumber: errno) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SpoolError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)  // count > 0 ⇒ non-nil base
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolError(operation: "write", path: path, errorNumber: errno)
            }
            offset += written
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        let result: SpoolError? = bytes.withUnsafeBytes { buffer in
            do throws(SpoolError) {
                try writeAll(fd, buffer, path: path)
                return nil
            } catch {
                return error
            }
        }
        if let result { throw result }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    static func read(_ fd: Int32, count: Int, at offset: Int64, path: String) throws(SpoolError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while filled < count {
                let got = pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { return }
                filled += got
            }
        }
        if failure != 0 { throw SpoolError(operation: "read", path: path, errorNumber: failure) }
        if filled < count { buffer.removeLast(count - filled) }
        return buffer
    }

    static func sync(_ fd: Int32, path: String) throws(SpoolError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw SpoolError(operation: "fsync", path: path, errorNumber: errno) }
        }
    }

    static func syncDirectory(_ path: String) {
        guard let fd = try? open(path, flags: O_RDONLY | O_DIRECTORY) else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func fileSize(_ fd: Int32, path: String) throws(SpoolError) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SpoolError(operation: "fstat", path: path, errorNumber: errno) }
        return Int64(info.st_size)
    }

    static func truncate(_ fd: Int32, to size: Int64) -> Bool { ftruncate(fd, off_t(size)) == 0 }

    static func remove(_ path: String) { _ = unlink(path) }

    static func rename(_ from: String, _ to: String) throws(SpoolError) {
        guard Glibc_rename(from, to) == 0 else { throw SpoolError(operation: "rename", path: to, errorNumber: errno) }
    }

    static func close(_ fd: Int32) { _ = Glibc_close(fd) }
}

// Module-qualified aliases: the enum's own `open`, `rename` and `close` shadow the C functions inside it.
private func Glibc_open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func Glibc_rename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
