/// Where EMF log events go. Implementations must be safe to call from every scrape loop at once.
public protocol EMFEventSink: Sendable {
    /// Hands over the events of one scrape.
    func write(_ events: [EMFLogEvent]) async
    /// Hands over the events of one scrape together with their messages as one text, each message followed by a
    /// newline, in order (as ``EMFConverter`` gives them). By default the text is ignored.
    func write(_ events: [EMFLogEvent], lines: ArraySlice<UInt8>) async
    /// Delivers anything buffered; called on shutdown.
    func flush() async
}

extension EMFEventSink {
    public func write(_ events: [EMFLogEvent], lines: ArraySlice<UInt8>) async {
        await write(events)
    }
}
