import AWSTesting
import EMF
import Foundation
import Logging
import PromwatchTestSupport
import Testing

/// The agent delivering EMF to CloudWatch Logs (moto, signature checking on) through faults: the events read
/// back with GetLogEvents must be exactly the events the agent handed to delivery — none lost, none twice.
@Suite(.serialized)
struct CloudWatchDeliveryTests {
    static func yaml(nodePort: Int, endpoint: String, delivery: String = "") -> String {
        """
        server:
          listen_address: 127.0.0.1:0
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: node
            static_configs:
              - targets: [127.0.0.1:\(nodePort)]
        aws:
          endpoints:
            logs: \(endpoint)
        emf:
          output: cloudwatch
          metric_namespace: PromWatch/DeliveryTest
          log_group_name: /promwatch/it/{JobName}
          log_stream_name: "{Instance}"
          initial_value: keep
          metric_declaration:
            - source_labels: [job]
              label_matcher: "^node$"
              dimensions: [[instance, cpu, mode]]
              metric_selectors: ["^node_cpu_seconds_total$"]
            - dimensions: [[instance]]
              metric_selectors: ["^node_load1$", "^up$"]
          cloudwatch:
            flush_interval: 1s
            shutdown_timeout: 3s
        \(delivery)
        """
    }

    /// Sorted messages, to compare what was sent with what is stored as multisets.
    static func messages(_ events: [EMFLogEvent]) -> [String] {
        events.map(\.messageString).sorted()
    }

    @Test func deliversEverythingTheAgentSent() async throws {
        try await withMotoServer { moto in
            try await withNodeExporter { nodePort in
                let tap = EventTap()
                let (logger, logs) = RecordingLogHandler.logger()
                try await runAgent(
                    yaml: Self.yaml(nodePort: nodePort, endpoint: moto.endpoint),
                    environment: awsEnvironment(moto),
                    logger: logger,
                    tap: tap
                ) {
                    _ = try await eventually(timeout: .seconds(20)) {
                        Set(tap.all.map(\.timestampMilliseconds)).count >= 3
                    }
                }
                let sent = tap.all
                #expect(Set(sent.map(\.timestampMilliseconds)).count >= 3, "three scrapes converted")
                let stored = try await storedMessages(moto, for: sent).sorted()
                #expect(stored.count == sent.count)
                #expect(stored == Self.messages(sent), "GetLogEvents returns exactly what the agent sent")
                #expect(Set(sent.map(\.logGroupName)) == ["/promwatch/it/node"])
                #expect(logs.contains("Created log group"))
            }
        }
    }

    /// Label values that JSON must escape (quotes, backslashes, a newline) and non-ASCII text reach CloudWatch Logs
    /// intact: the agent writes CloudWatch-bound documents pre-escaped as JSON string content, and what moto stores
    /// (after checking the request's signature over those bytes) is exactly the documents, with the values as scraped.
    @Test func escapedDocumentsArriveAsTheDocuments() async throws {
        let exposition = #"""
            # TYPE tricky_value gauge
            tricky_value{path="C:\\temp\\x",quote="say \"hi\"",lines="a\nb",text="ünï 🚀"} 7
            """# + "\n"
        try await withMotoServer { moto in
            try await LocalHTTPServer.withServer(handler: { _ in
                LocalHTTPResponse(headers: [("Content-Type", "text/plain; version=0.0.4")], text: exposition)
            }) { target in
                let yaml = """
                    server:
                      listen_address: 127.0.0.1:0
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: tricky
                        static_configs:
                          - targets: [127.0.0.1:\(target.port)]
                    aws:
                      endpoints:
                        logs: \(moto.endpoint)
                    emf:
                      output: cloudwatch
                      metric_namespace: PromWatch/EscapeTest
                      log_group_name: /promwatch/it/{JobName}
                      log_stream_name: "{Instance}"
                      metric_declaration:
                        - dimensions: [[instance, quote]]
                          metric_selectors: ["^tricky_value$"]
                      cloudwatch:
                        flush_interval: 1s
                        shutdown_timeout: 3s
                    """
                let tap = EventTap()
                let (logger, _) = RecordingLogHandler.logger()
                try await runAgent(yaml: yaml, environment: awsEnvironment(moto), logger: logger, tap: tap) {
                    _ = try await eventually(timeout: .seconds(20)) {
                        tap.all.contains { $0.messageString.contains("tricky_value") }
                    }
                }
                let sent = tap.all.filter { $0.messageString.contains("tricky_value") }
                #expect(!sent.isEmpty)
                #expect(sent.allSatisfy { $0.messageEncoding == .jsonStringContent }, "converted for CloudWatch")
                let stored = try await storedMessages(moto, for: sent).filter { $0.contains("tricky_value") }
                #expect(stored.sorted() == Self.messages(sent), "GetLogEvents returns exactly the documents")
                for message in stored {
                    let object = try #require(
                        try JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any]
                    )
                    #expect(object["path"] as? String == #"C:\temp\x"#)
                    #expect(object["quote"] as? String == #"say "hi""#)
                    #expect(object["lines"] as? String == "a\nb")
                    #expect(object["text"] as? String == "ünï 🚀")
                    #expect(object["tricky_value"] as? Double == 7)
                }
            }
        }
    }

    @Test func throttlingLosesNothing() async throws {
        try await withMotoServer { moto in
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                proxy.setMode(.throttle(percent: 30))
                try await withNodeExporter { nodePort in
                    let tap = EventTap()
                    let (logger, _) = RecordingLogHandler.logger()
                    try await runAgent(
                        yaml: Self.yaml(nodePort: nodePort, endpoint: proxy.endpoint),
                        environment: awsEnvironment(moto),
                        logger: logger,
                        tap: tap
                    ) {
                        try await Task.sleep(for: .seconds(5))
                    }
                    let sent = tap.all
                    #expect(proxy.faulted > 0, "throttling was injected")
                    let stored = try await storedMessages(moto, for: sent).sorted()
                    #expect(stored == Self.messages(sent), "\(stored.count) stored, \(sent.count) sent")
                }
            }
        }
    }

    /// A 60 s outage with an agent restart in the middle: the first agent spools what it could not send, the
    /// second delivers it once the service is back, with its own events, each exactly once.
    @Test func outageAndRestartWithSpoolLoseAndDuplicateNothing() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-spool-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await withMotoServer { moto in
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                try await withNodeExporter { nodePort in
                    let delivery = "    spool_directory: \(spool)\n"
                    let yaml = Self.yaml(nodePort: nodePort, endpoint: proxy.endpoint, delivery: delivery)
                    proxy.setMode(.outage)
                    let first = EventTap()
                    let (firstLogger, firstLogs) = RecordingLogHandler.logger()
                    try await runAgent(yaml: yaml, environment: awsEnvironment(moto), logger: firstLogger, tap: first) {
                        try await Task.sleep(for: .seconds(30))
                    }
                    #expect(firstLogs.contains("CloudWatch Logs delivery is failing"))
                    #expect(try await storedMessages(moto, for: first.all).isEmpty, "nothing got through the outage")

                    let second = EventTap()
                    let (secondLogger, secondLogs) = RecordingLogHandler.logger()
                    try await runAgent(yaml: yaml, environment: awsEnvironment(moto), logger: secondLogger, tap: second)
                    {
                        try await Task.sleep(for: .seconds(30))
                        proxy.setMode(.pass)
                        let expected = first.all.count
                        _ = try await eventually(timeout: .seconds(30)) {
                            try await storedMessages(moto, for: first.all).count >= expected + second.all.count / 2
                        }
                    }
                    #expect(secondLogs.contains("CloudWatch Logs delivery recovered"))
                    let sent = first.all + second.all
                    let stored = try await storedMessages(moto, for: sent).sorted()
                    #expect(stored.count == sent.count, "\(stored.count) stored, \(sent.count) sent")
                    #expect(stored == Self.messages(sent), "no loss, no duplicates across the restart")
                }
            }
        }
    }

    @Test func exceedingTheSpoolBudgetDropsTheOldestAndSaysSo() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-spool-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: spool) }
        try await withMotoServer { moto in
            try await FaultInjectingProxy.withProxy(target: moto.endpoint) { proxy in
                try await withNodeExporter { nodePort in
                    let delivery = """
                            spool_directory: \(spool)
                            spool_bytes: 64KiB
                            buffer_bytes: 64KiB
                            write_wait_timeout: 0s

                        """
                    let yaml = Self.yaml(nodePort: nodePort, endpoint: proxy.endpoint, delivery: delivery)
                    proxy.setMode(.outage)
                    let tap = EventTap()
                    let (logger, logs) = RecordingLogHandler.logger()
                    try await runAgent(yaml: yaml, environment: awsEnvironment(moto), logger: logger, tap: tap) {
                        _ = try await eventually(timeout: .seconds(40)) { logs.contains("Spool over budget") }
                        proxy.setMode(.pass)
                        try await Task.sleep(for: .seconds(4))
                    }
                    #expect(logs.contains("Spool over budget"), "drops are reported")
                    let sent = Self.messages(tap.all)
                    let stored = try await storedMessages(moto, for: tap.all).sorted()
                    #expect(stored.count < sent.count, "the budget was exceeded, so some events were dropped")
                    #expect(Set(stored).isSubset(of: Set(sent)))
                    #expect(Set(stored).count == stored.count, "nothing delivered twice")
                }
            }
        }
    }
}
