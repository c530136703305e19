import AWSClients
import AWSCore
import AWSTesting
import Agent
import EMF
import Foundation
import Logging
import Prometheus
import PromwatchConfig
import PromwatchTestSupport
import ServiceLifecycle
import SigV4
import Synchronization
import Testing

/// Runs Debian's node exporter on a free 127.0.0.1 port for the duration of `body`.
func withNodeExporter<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
    let path = try #require(
        RealProcess.locate("prometheus-node-exporter"), "Debian's prometheus-node-exporter is installed (make test-deps)")
    let port = try TestPorts.free()
    let exporter = try RealProcess(
        path, ["--web.listen-address=127.0.0.1:\(port)", "--no-collector.filesystem", "--no-collector.systemd"])
    do {
        try await TestPorts.waitUntilListening(port)
        let result = try await body(port)
        await exporter.stop()
        return result
    } catch {
        Issue.record("node exporter stderr: \(exporter.stderr.suffix(2000))")
        await exporter.stop()
        throw error
    }
}

/// Every EMF event the agent handed to its sink.
final class EventTap: Sendable {
    private let events = Mutex<[EMFLogEvent]>([])
    func record(_ new: [EMFLogEvent]) { events.withLock { $0.append(contentsOf: new) } }
    var all: [EMFLogEvent] { events.withLock { $0 } }
}

/// Builds the agent from `yaml` and runs it until `stop` returns, then shuts it down gracefully.
func runAgent(
    yaml: String, environment: [String: String], logger: Logger, tap: EventTap,
    until stop: @Sendable () async throws -> Void
) async throws {
    let configuration = try ConfigLoader.parse(yaml: yaml, fileName: "agent.yaml", baseDirectory: nil)
    let runtime = try buildAgent(
        configuration: configuration, registry: PrometheusCollectorRegistry(), logger: logger,
        options: AgentOptions(environment: environment, onEventsConverted: { tap.record($0) }))
    let group = runtime.serviceGroup(logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await stop()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// The environment an agent pod would have: static keys for moto's IAM user, a region, nothing else.
func awsEnvironment(_ moto: MotoServer) -> [String: String] {
    [
        "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID,
        "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
        "AWS_REGION": MotoServer.region,
        "AWS_CONFIG_FILE": "/nonexistent/promwatch-test-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/promwatch-test-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    ]
}

/// Every message stored in each (group, stream) the events name, read back with GetLogEvents; none for a group
/// or stream that does not exist.
func storedMessages(_ moto: MotoServer, for events: [EMFLogEvent]) async throws -> [String] {
    let logs = try CloudWatchLogsClient(configuration: moto.configuration())
    var messages: [String] = []
    let streams = Set(events.map { "\($0.logGroupName)\u{0}\($0.logStreamName)" })
    for key in streams.sorted() {
        let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        var token: String?
        while true {
            // A missing group or stream means nothing was delivered to it (yet).
            guard let page = try await logEventsPage(logs, group: parts[0], stream: parts[1], token: token) else { break }
            messages += page.events.map(\.message)
            guard let next = page.nextForwardToken, next != token, !page.events.isEmpty else { break }
            token = next
        }
    }
    return messages
}

/// One GetLogEvents page, or `nil` when the group or stream does not exist.
private func logEventsPage(
    _ logs: CloudWatchLogsClient, group: String, stream: String, token: String?
) async throws -> GetLogEventsResponse? {
    do {
        return try await logs.getLogEvents(group: group, stream: stream, startFromHead: true, nextToken: token)
    } catch {
        if error.serviceCode == "ResourceNotFoundException" { return nil }
        throw error
    }
}

/// Waits until `condition` holds, polling every 250 ms, for at most `timeout`.
func eventually(timeout: Duration, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(250))
    }
    return try await condition()
}
