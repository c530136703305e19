import Logging
import Synchronization

/// Keeps every log message in memory so tests can assert what an operator would see.
struct RecordingLogHandler: LogHandler {
    final class Store: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String, metadata: String)]>([])

        func contains(level: Logger.Level? = nil, _ text: String) -> Bool {
            entries.withLock { entries in
                entries.contains { (level == nil || $0.level == level) && ($0.message.contains(text) || $0.metadata.contains(text)) }
            }
        }

        func count(_ text: String) -> Int {
            entries.withLock { $0.filter { $0.message.contains(text) }.count }
        }

        var all: [String] { entries.withLock { $0.map { "\($0.level) \($0.message) \($0.metadata)" } } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.entries.withLock { $0.append((event.level, "\(event.message)", rendered)) }
    }

    /// A logger writing into a new store.
    static func logger(level: Logger.Level = .info) -> (Logger, Store) {
        let store = Store()
        var logger = Logger(label: "test") { _ in RecordingLogHandler(store: store) }
        logger.logLevel = level
        return (logger, store)
    }
}
