/// How EMF events are delivered to CloudWatch Logs. Every member has a default; YAML keys in parentheses
/// (under the CloudWatch Logs sink's section; durations as YAML durations such as `5s`).
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `buffer_bytes` | int | 33554432 (32 MiB) | in-memory buffer between the pipeline and the sender, in bytes as CloudWatch counts them (message + 26); includes the batches being sent |
/// | `spool_directory` | path | none (off) | on-disk spool for what does not fit in memory and what is left at shutdown |
/// | `spool_bytes` | int | 1073741824 (1 GiB) | spool budget; beyond it the oldest segments are dropped (counted) |
/// | `flush_interval` | duration | 5s | the longest an event waits in memory before being sent; ≤ 5 s for high-resolution alarms |
/// | `retention_in_days` | int | none | retention set on log groups the agent creates (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653) |
/// | `shutdown_timeout` | duration | 10s | at SIGTERM, how long to keep sending before the rest goes to the spool (or is dropped, counted) |
/// | `max_batch_bytes` | int | 1048576 | PutLogEvents batch size, Σ (message + 26); at most the service's 1,048,576 |
/// | `create_groups` | bool | true | create missing log groups (streams are always created) |
/// | `write_wait_timeout` | duration | 1s | how long a scrape's `write` waits for buffer space before spilling to the spool (or dropping the oldest buffered data) |
public struct LogsDeliveryConfiguration: Sendable, Equatable {
    /// `buffer_bytes`: in-memory buffer, bytes. Default 32 MiB.
    public var bufferBytes: Int
    /// `spool_directory`: spool location; `nil` turns the spool off.
    public var spoolDirectory: String?
    /// `spool_bytes`: spool budget, bytes. Default 1 GiB.
    public var spoolBytes: Int
    /// `flush_interval`: longest wait of a buffered event. Default 5 s.
    public var flushInterval: Duration
    /// `retention_in_days`: retention for groups the agent creates; `nil` leaves the service default (never expire).
    public var retentionInDays: Int?
    /// `shutdown_timeout`: graceful-shutdown flush deadline. Default 10 s.
    public var shutdownTimeout: Duration
    /// `max_batch_bytes`: batch size limit. Default 1,048,576.
    public var maxBatchBytes: Int
    /// `create_groups`: create missing log groups. Default `true`.
    public var createGroups: Bool
    /// `write_wait_timeout`: back-pressure wait of `write` when the buffer is full. Default 1 s.
    public var writeWaitTimeout: Duration

    public init(
        bufferBytes: Int = 32 << 20,
        spoolDirectory: String? = nil,
        spoolBytes: Int = 1 << 30,
        flushInterval: Duration = .seconds(5),
        retentionInDays: Int? = nil,
        shutdownTimeout: Duration = .seconds(10),
        maxBatchBytes: Int = 1_048_576,
        createGroups: Bool = true,
        writeWaitTimeout: Duration = .seconds(1)
    ) {
        self.bufferBytes = bufferBytes
        self.spoolDirectory = spoolDirectory
        self.spoolBytes = spoolBytes
        self.flushInterval = flushInterval
        self.retentionInDays = retentionInDays
        self.shutdownTimeout = shutdownTimeout
        self.maxBatchBytes = maxBatchBytes
        self.createGroups = createGroups
        self.writeWaitTimeout = writeWaitTimeout
    }

    /// The retention values PutRetentionPolicy accepts (reference §2.6).
    public static let validRetentionDays: Set<Int> = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// Problems with this configuration, as `key: problem` strings; empty when valid.
    public func validate() -> [String] {
        var problems: [String] = []
        if bufferBytes < 64 << 10 { problems.append("buffer_bytes: must be at least 65536") }
        if spoolBytes < 64 << 10 { problems.append("spool_bytes: must be at least 65536") }
        if spoolDirectory?.isEmpty == true { problems.append("spool_directory: must not be empty") }
        if flushInterval <= .zero { problems.append("flush_interval: must be positive") }
        if shutdownTimeout < .zero { problems.append("shutdown_timeout: must not be negative") }
        if writeWaitTimeout < .zero { problems.append("write_wait_timeout: must not be negative") }
        if maxBatchBytes < 1024 || maxBatchBytes > 1_048_576 {
            problems.append("max_batch_bytes: must be between 1024 and 1048576")
        }
        if let days = retentionInDays, !Self.validRetentionDays.contains(days) {
            problems.append("retention_in_days: \(days) is not one of \(Self.validRetentionDays.sorted())")
        }
        return problems
    }
}
