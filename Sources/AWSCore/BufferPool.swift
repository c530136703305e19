import Synchronization

/// A few idle buffers for large request bodies, to be reused. A freshly allocated buffer of hundreds of kilobytes
/// costs a page fault (and a page cleared) per 4 KiB whenever the allocator has handed that memory back to the
/// kernel, which it does after every large free; a reused one costs nothing.
///
/// Buffers are values: one given back while something else still holds it is copied on its next write, so reuse
/// is only ever a saving, never shared state.
public final class BufferPool<Buffer: Sendable>: Sendable {
    private let idle = Mutex<[Buffer]>([])
    private let maximumIdle: Int

    /// Keeps at most `maximumIdle` buffers (as many as requests usually run at once).
    public init(maximumIdle: Int) {
        self.maximumIdle = maximumIdle
    }

    /// An idle buffer, or `nil` when none is left.
    public func take() -> Buffer? {
        idle.withLock { $0.popLast() }
    }

    /// Keeps `buffer` for a later ``take()`` unless enough are idle already.
    public func give(_ buffer: Buffer) {
        idle.withLock { idle in
            if idle.count < maximumIdle { idle.append(buffer) }
        }
    }

    /// How many buffers are idle.
    public var idleCount: Int { idle.withLock { $0.count } }
}
