/// Where EMF log events go. Implementations must be safe to call from every scrape loop at once.
public protocol EMFEventSink: Sendable {
    /// Hands over the events of one scrape.
    func write(_ events: [EMFLogEvent]) async
    /// Delivers anything buffered; called on shutdown.
    func flush() async
}
