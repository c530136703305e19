import EMF
import EMFDelivery
import Synchronization

/// An in-process CloudWatch Logs: keeps groups, streams and accepted events, checks every PutLogEvents against the
/// service's limits, and injects faults.
final class FakeCloudWatchLogs: CloudWatchLogsWriting {
    enum Call: Sendable, Equatable {
        case createLogGroup(String)
        case createLogStream(String, String)
        case putRetentionPolicy(String, Int)
        case putLogEvents(String, String, events: Int)
    }

    /// Decides whether call number `index` (0-based, over all calls) fails, and how.
    typealias Fault = @Sendable (_ call: Call, _ index: Int) -> LogsWriteError?

    private struct State {
        var groups: Set<String> = []
        var streams: Set<String> = []
        var accepted: [EMFLogEvent] = []
        var successful: [[EMFLogEvent]] = []
        var calls: [Call] = []
        var violations: [String] = []
        var fault: Fault?
        var invalidMarker: [UInt8]?
    }

    private let state = Mutex(State())
    /// When true, PutLogEvents needs the group and stream to exist (as the service does).
    let requireResources: Bool

    init(requireResources: Bool = false, groups: [String] = [], fault: Fault? = nil) {
        self.requireResources = requireResources
        state.withLock {
            $0.groups = Set(groups)
            $0.fault = fault
        }
    }

    func setFault(_ fault: Fault?) { state.withLock { $0.fault = fault } }
    /// Events whose message contains `marker` make PutLogEvents fail with InvalidParameterException.
    func setInvalidMarker(_ marker: String?) { state.withLock { $0.invalidMarker = marker.map { Array($0.utf8) } } }

    var accepted: [EMFLogEvent] { state.withLock { $0.accepted } }
    var acceptedMessages: [String] { accepted.map(\.messageString) }
    var calls: [Call] { state.withLock { $0.calls } }
    var violations: [String] { state.withLock { $0.violations } }
    var groups: Set<String> { state.withLock { $0.groups } }
    var putCalls: Int {
        calls.reduce(0) { count, call in
            if case .putLogEvents = call { return count + 1 }
            return count
        }
    }
    var successfulPuts: [[EMFLogEvent]] { state.withLock { $0.successful } }

    private func begin(_ call: Call) -> LogsWriteError? {
        state.withLock { state in
            let index = state.calls.count
            state.calls.append(call)
            return state.fault?(call, index)
        }
    }

    func createLogGroup(_ logGroupName: String) async throws(LogsWriteError) {
        if let error = begin(.createLogGroup(logGroupName)) { throw error }
        let created = state.withLock { $0.groups.insert(logGroupName).inserted }
        if !created { throw .alreadyExists("The specified log group already exists") }
    }

    func createLogStream(group logGroupName: String, stream logStreamName: String) async throws(LogsWriteError) {
        if let error = begin(.createLogStream(logGroupName, logStreamName)) { throw error }
        let result = state.withLock { state -> LogsWriteError? in
            guard state.groups.contains(logGroupName) else { return .resourceNotFound("The specified log group does not exist.") }
            return state.streams.insert(logGroupName + "\u{0}" + logStreamName).inserted
                ? nil : .alreadyExists("The specified log stream already exists")
        }
        if let result { throw result }
    }

    func putRetentionPolicy(group logGroupName: String, days retentionInDays: Int) async throws(LogsWriteError) {
        if let error = begin(.putRetentionPolicy(logGroupName, retentionInDays)) { throw error }
    }

    func putLogEvents(
        group logGroupName: String, stream logStreamName: String, events: [EMFLogEvent]
    ) async throws(LogsWriteError) -> PutLogEventsOutcome {
        if let error = begin(.putLogEvents(logGroupName, logStreamName, events: events.count)) { throw error }
        let result = state.withLock { state -> LogsWriteError? in
            if requireResources {
                guard state.groups.contains(logGroupName) else { return .resourceNotFound("The specified log group does not exist.") }
                guard state.streams.contains(logGroupName + "\u{0}" + logStreamName) else {
                    return .resourceNotFound("The specified log stream does not exist.")
                }
            }
            if let marker = state.invalidMarker,
                events.contains(where: { $0.messageString.contains(String(decoding: marker, as: UTF8.self)) })
            {
                return .invalidParameter("Log event too large or malformed")
            }
            // The service's limits (reference §2.3).
            if events.isEmpty || events.count > 10_000 { state.violations.append("event count \(events.count)") }
            let bytes = events.reduce(0) { $0 + $1.message.count + 26 }
            if bytes > 1_048_576 { state.violations.append("batch bytes \(bytes)") }
            if zip(events, events.dropFirst()).contains(where: { $0.timestampMilliseconds > $1.timestampMilliseconds }) {
                state.violations.append("not chronological")
            }
            if let first = events.first, let last = events.last,
                last.timestampMilliseconds - first.timestampMilliseconds >= 24 * 3_600_000
            {
                state.violations.append("span over 24 h")
            }
            if events.contains(where: { $0.logGroupName != logGroupName || $0.logStreamName != logStreamName }) {
                state.violations.append("mixed streams")
            }
            state.accepted.append(contentsOf: events)
            state.successful.append(events)
            return nil
        }
        if let result { throw result }
        return .accepted
    }
}
