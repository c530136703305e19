import Agent
import DemoExporter
import EMF
import JSON
import Logging
import Prometheus
import PromwatchConfig
import Scrape
import ServiceLifecycle
import Synchronization
import Testing

import struct KubernetesTesting.GroupResource
import class KubernetesTesting.KubernetesAPIEmulator

/// DaemonSet mode end to end: pods in the API emulator whose IP is 127.0.0.1 and whose ports are real in-process
/// exporters; the agent with `--node-name node-1` scrapes only node-1's annotated pods, and follows pods as they
/// come and go.
@Suite(.timeLimit(.minutes(2))) struct DaemonSetDiscoveryTests {
    static func pod(_ name: String, node: String, port: Int, scrape: Bool = true) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": "shop", "uid": .string("uid-\(name)"),
                "labels": ["app": "web", "pod-template-hash": "7d9f8c6b5d"],
                "annotations": ["prometheus.io/scrape": .string(scrape ? "true" : "false"), "prometheus.io/port": .string("\(port)")],
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f8c6b5d", "uid": "rs", "controller": true]],
            ],
            "spec": ["nodeName": .string(node), "containers": [["name": "app", "ports": [["containerPort": .integer(port)]]]]],
            "status": ["phase": "Running", "podIP": "127.0.0.1", "hostIP": "127.0.0.1"],
        ]
    }

    static func agentYAML(apiServer: String) -> String {
        """
        server:
          listen_address: 127.0.0.1:0
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: kubernetes-pods
            kubernetes_sd_configs:
              - role: pod
                api_server: \(apiServer)
                namespaces:
                  names: [shop]
            relabel_configs:
              - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
                action: keep
                regex: "true"
              - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
                regex: ([^:]+)(?::\\d+)?;(\\d+)
                replacement: $1:$2
                target_label: __address__
              - source_labels: [__meta_kubernetes_pod_name]
                target_label: PodName
              - source_labels: [__meta_kubernetes_pod_controller_kind, __meta_kubernetes_pod_controller_name]
                regex: ReplicaSet;(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}
                target_label: pod_controller_name
        emf:
          metric_namespace: Test
          log_group_name: /test
          log_stream_name: "{JobName}"
          metric_declaration:
            - source_labels: [job]
              label_matcher: "^kubernetes-pods$"
              dimensions: [[PodName, pod_controller_name]]
              metric_selectors: ["^demo_http_requests_total$"]
        """
    }

    @Test func onlyThisNodesAnnotatedPodsAreScrapedAndTargetsFollowPods() async throws {
        let logger = Logger(label: "daemonset-test")
        let ports = Mutex<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { exporters in
            for _ in 0..<4 {
                let exporter = try DemoExporter(listenAddress: "127.0.0.1:0", logger: logger) { port in ports.withLock { $0.append(port) } }
                exporters.addTask { try await exporter.run() }
            }
            #expect(try await eventually(timeout: .seconds(20)) { ports.withLock { $0.count } == 4 })
            let port = ports.withLock { $0 }
            try await KubernetesAPIEmulator.withEmulator(configuration: .init(bookmarkInterval: .milliseconds(500), initialNamespaces: ["default", "shop"])) { emulator in
                _ = try emulator.create(Self.pod("web-7d9f8c6b5d-aaaaa", node: "node-1", port: port[0]))
                _ = try emulator.create(Self.pod("web-7d9f8c6b5d-bbbbb", node: "node-1", port: port[1]))
                _ = try emulator.create(Self.pod("web-7d9f8c6b5d-ccccc", node: "node-2", port: port[2]))
                _ = try emulator.create(Self.pod("web-7d9f8c6b5d-unann", node: "node-1", port: port[3], scrape: false))

                let configuration = try ConfigLoader.parse(yaml: Self.agentYAML(apiServer: emulator.baseURL), fileName: "agent.yaml", baseDirectory: nil)
                let tap = EventTap()
                var options = AgentOptions(sink: InMemoryEMFSink(), environment: [:], onEventsConverted: { tap.record($0) }, nodeName: "node-1")
                options.discoveryUpdateInterval = .milliseconds(200)
                let runtime = try buildAgent(configuration: configuration, registry: PrometheusCollectorRegistry(), logger: logger, options: options)
                let group = runtime.serviceGroup(logger: logger)
                @Sendable func scraped() -> Set<String> {
                    Set(runtime.health.snapshot().filter { $0.lastScrapeMilliseconds != nil }.map(\.instance))
                }
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    let first: Set = ["127.0.0.1:\(port[0])", "127.0.0.1:\(port[1])"]
                    #expect(try await eventually(timeout: .seconds(30)) { scraped() == first }, "scraped: \(scraped())")
                    // Events carry the pod and its Deployment as dimensions.
                    #expect(try await eventually(timeout: .seconds(10)) {
                        tap.all.contains { $0.messageString.contains(#""PodName":"web-7d9f8c6b5d-aaaaa""#) && $0.messageString.contains(#""pod_controller_name":"web""#) }
                    })
                    #expect(!tap.all.contains { $0.messageString.contains("ccccc") || $0.messageString.contains("unann") })

                    // A pod goes, another comes (on this node), one moves here from elsewhere.
                    _ = try emulator.delete(GroupResource(group: "", resource: "pods"), namespace: "shop", name: "web-7d9f8c6b5d-bbbbb")
                    _ = try emulator.create(Self.pod("web-7d9f8c6b5d-ddddd", node: "node-1", port: port[3]))
                    let second: Set = ["127.0.0.1:\(port[0])", "127.0.0.1:\(port[3])"]
                    #expect(try await eventually(timeout: .seconds(30)) { Set(runtime.health.snapshot().map(\.instance)) == second }, "targets: \(runtime.health.snapshot().map(\.instance))")
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            exporters.cancelAll()
        }
    }
}
