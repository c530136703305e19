public import EMF
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes each event as one line (one JSON document) to a file descriptor — standard output by default — so
/// stdout stays pure EMF while the agent's own logs go to standard error.
public final class FileDescriptorEMFSink: EMFEventSink {
    private let fileDescriptor: Int32
    /// The line buffer, reused between writes; the lock also keeps lines from different loops from interleaving.
    private let buffer = Mutex<[UInt8]>([])

    public init(fileDescriptor: Int32 = 1) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(_ events: [EMFLogEvent]) async {
        guard !events.isEmpty else { return }
        buffer.withLock { buffer in
            // One buffer and one write(2) for the whole batch; sized once so appending never regrows it. The
            // events are read in place: copying one out would retain and release its references.
            events.withUnsafeBufferPointer { events in
                var total = 0
                for i in events.indices { total += events[i].message.count + 1 }
                buffer.removeAll(keepingCapacity: true)
                buffer.reserveCapacity(total)
                for i in events.indices {
                    if events[i].messageEncoding == .document {
                        events[i].message.withUnsafeBytes { buffer.append(contentsOf: $0) }
                    } else {
                        buffer.append(contentsOf: events[i].document)
                    }
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
            buffer.withUnsafeBytes { writeAll($0) }
            // A buffer sized for an unusually large batch is not kept for ever.
            if buffer.capacity > 4 << 20 { buffer = [] }
        }
    }

    /// The lines are the events' messages, newline-terminated, already in one buffer: written as they are (when
    /// the messages are documents).
    public func write(_ events: [EMFLogEvent], lines: ArraySlice<UInt8>) async {
        guard !lines.isEmpty else { return }
        guard events.allSatisfy({ $0.messageEncoding == .document }) else { return await write(events) }
        // The lock keeps lines from different loops from interleaving.
        buffer.withLock { _ in lines.withUnsafeBytes { writeAll($0) } }
    }

    public func flush() async {}

    private func writeAll(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return  // EPIPE and the like: nothing useful left to do with these lines.
            }
            offset += written
        }
    }
}

/// Keeps events in memory; for tests and for `promwatch agent --once`-style inspection.
public final class InMemoryEMFSink: EMFEventSink {
    private let events = Mutex<[EMFLogEvent]>([])

    public init() {}

    public func write(_ events: [EMFLogEvent]) async {
        self.events.withLock { $0.append(contentsOf: events) }
    }

    public func flush() async {}

    /// Every event written so far.
    public var written: [EMFLogEvent] { events.withLock { $0 } }
}
