#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread working memory for the Pike VM when its working set exceeds what Swift places on the stack (about
/// 1 KB on Linux): allocated once per thread and grown on demand, so steady-state matching does not allocate.
///
/// Safe without locks because a buffer is only ever used by its own thread, and matching is synchronous (no
/// suspension point, so no other task can run on the thread meanwhile); a nested use falls back to a fresh
/// temporary allocation.
enum ThreadScratch {
    /// Bytes Swift's `withUnsafeTemporaryAllocation` keeps on the stack on every platform.
    static let stackLimitBytes = 1024

    private final class Buffer {
        var pointer: UnsafeMutablePointer<Int>
        var capacity: Int
        var inUse = false

        init(capacity: Int) {
            self.pointer = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        deinit { pointer.deallocate() }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Darwin)
        let status = pthread_key_create(&key) { raw in Unmanaged<Buffer>.fromOpaque(raw).release() }
        #else
        let status = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<Buffer>.fromOpaque(raw).release() }
        }
        #endif
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// Calls `body` with `capacity` Ints of uninitialised working memory (stack when small, else per thread).
    static func withInts<R>(_ capacity: Int, _ body: (UnsafeMutablePointer<Int>) -> R) -> R {
        if capacity * MemoryLayout<Int>.stride <= stackLimitBytes {
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: max(capacity, 1)) { temporary in
                // Force-unwrap: a temporary allocation of at least one element has a base address.
                body(temporary.baseAddress!)
            }
        }
        let buffer: Buffer
        if let raw = pthread_getspecific(key) {
            buffer = Unmanaged<Buffer>.fromOpaque(raw).takeUnretainedValue()
        } else {
            buffer = Buffer(capacity: max(capacity, 1024))
            pthread_setspecific(key, Unmanaged.passRetained(buffer).toOpaque())
        }
        if buffer.inUse {
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { temporary in
                body(temporary.baseAddress!)  // Force-unwrap: capacity > 0 here.
            }
        }
        if buffer.capacity < capacity {
            buffer.pointer.deallocate()
            buffer.capacity = max(capacity, buffer.capacity * 2)
            buffer.pointer = .allocate(capacity: buffer.capacity)
        }
        buffer.inUse = true
        defer { buffer.inUse = false }
        return body(buffer.pointer)
    }
}
