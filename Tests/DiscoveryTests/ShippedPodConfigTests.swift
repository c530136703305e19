import Discovery
import Yams
import Foundation
import Kubernetes
import PromwatchConfig
import PromwatchTestSupport
import Relabel
import Scrape
import Testing

/// `config/kubernetes-pods.yaml` applied to discovered pods: which are scraped, where, and with which labels.
struct ShippedPodConfigTests {
    static func job() throws -> ScrapeConfiguration {
        let path = TestPaths.repositoryRoot.appendingPathComponent("config/kubernetes-pods.yaml").path
        return try #require(try ConfigLoader.load(path: path).scrapeConfigs.first)
    }

    static func pod(
        annotations: [String: String], owner: OwnerReference? = nil, phase: String = "Running",
        labels: [String: String] = ["app": "web", "pod-template-hash": "6d4cf56db6"]
    ) -> Pod {
        Pod(
            metadata: ObjectMeta(
                name: "web-6d4cf56db6-x2x7q", namespace: "shop", labels: labels, annotations: annotations,
                ownerReferences: owner.map { [$0] }),
            spec: PodSpec(
                nodeName: "node-1",
                containers: [
                    Container(name: "app", ports: [ContainerPort(name: "http", containerPort: 8080)]),
                    Container(name: "sidecar", ports: [ContainerPort(name: "admin", containerPort: 9901)]),
                ]),
            status: PodStatus(phase: phase, podIP: "10.1.2.3", hostIP: "192.168.0.7"))
    }

    static let replicaSet = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-6d4cf56db6", uid: "u1", controller: true)

    func targets(_ pod: Pod) throws -> [ScrapeTarget] {
        let job = try Self.job()
        let relabeler = Relabeler(job.relabelConfigs)
        return KubernetesTargets.pod(pod).mergedTargets.compactMap { try? TargetLabeling.target(job: job, labels: $0, relabeler: relabeler) }
    }

    @Test func anAnnotatedDeploymentPodIsScrapedOnItsAnnotatedPortWithWorkloadLabels() throws {
        let pod = Self.pod(
            annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/stats"],
            owner: Self.replicaSet)
        let targets = try targets(pod)
        // Both container ports map to the annotated port: one target (deduplicated by id later) per container.
        #expect(Set(targets.map(\.url)) == ["http://10.1.2.3:8080/stats"])
        let labels = Dictionary(uniqueKeysWithValues: try #require(targets.first).labels.map { ($0.name, $0.value) })
        #expect(labels["Namespace"] == "shop")
        #expect(labels["PodName"] == "web-6d4cf56db6-x2x7q")
        #expect(labels["pod_controller_name"] == "web")
        #expect(labels["app"] == "web")
        #expect(labels["job"] == "kubernetes-pods")
        #expect(labels["instance"] == "10.1.2.3:8080")
        #expect(labels.keys.allSatisfy { !$0.hasPrefix("__") })
    }

    @Test func withoutAPortAnnotationEveryContainerPortIsATarget() throws {
        let targets = try targets(Self.pod(annotations: ["prometheus.io/scrape": "true", "prometheus.io/scheme": "https"]))
        #expect(targets.map(\.url).sorted() == ["https://10.1.2.3:8080/metrics", "https://10.1.2.3:9901/metrics"])
        #expect(targets.map { $0.labels.first { $0.name == "container" }?.value } .compactMap { $0 }.sorted() == ["app", "sidecar"])
    }

    @Test func aStatefulSetPodKeepsItsControllerName() throws {
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "u2", controller: true)
        let targets = try targets(Self.pod(annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "9187"], owner: owner, labels: ["app": "db"]))
        #expect(targets.first?.labels.first { $0.name == "pod_controller_name" }?.value == "db")
    }

    @Test(arguments: [
        (["prometheus.io/scrape": "false"], "Running"),
        ([:], "Running"),
        (["prometheus.io/scrape": "true"], "Succeeded"),
        (["prometheus.io/scrape": "true"], "Pending"),
    ])
    func podsThatDoNotAskOrDoNotRunAreNotScraped(annotations: [String: String], phase: String) throws {
        #expect(try targets(Self.pod(annotations: annotations, phase: phase)).isEmpty)
    }
}

/// `deploy/kubernetes/agent-daemonset.yaml`: least-privilege RBAC for pod discovery, and DaemonSet mode wired.
struct DaemonSetManifestTests {
    static func documents() throws -> [[String: Any]] {
        let path = TestPaths.repositoryRoot.appendingPathComponent("deploy/kubernetes/agent-daemonset.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    static func document(kind: String) throws -> [String: Any] {
        try #require(try documents().first { $0["kind"] as? String == kind }, "no \(kind)")
    }

    @Test func theClusterRoleOnlyReadsPods() throws {
        let role = try Self.document(kind: "ClusterRole")
        let rules = try #require(role["rules"] as? [[String: Any]])
        #expect(rules.count == 1)
        #expect(rules[0]["apiGroups"] as? [String] == [""])
        #expect(rules[0]["resources"] as? [String] == ["pods"])
        #expect(Set(rules[0]["verbs"] as? [String] ?? []) == ["get", "list", "watch"])
        // What the shipped configuration discovers is what the role allows.
        let job = try ShippedPodConfigTests.job()
        #expect(job.kubernetesSDConfigs.map(\.role) == [.pod])
    }

    @Test func theDaemonSetPassesItsNodeNameAndRunsUnprivileged() throws {
        let daemonSet = try Self.document(kind: "DaemonSet")
        let podSpec = try #require(((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(podSpec["serviceAccountName"] as? String == "promwatch-agent")
        let container = try #require((podSpec["containers"] as? [[String: Any]])?.first)
        let env = container["env"] as? [[String: Any]] ?? []
        let nodeName = env.first { $0["name"] as? String == "NODE_NAME" }
        let fieldPath = ((nodeName?["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String
        #expect(fieldPath == "spec.nodeName")
        let security = container["securityContext"] as? [String: Any]
        #expect(security?["allowPrivilegeEscalation"] as? Bool == false)
        #expect(security?["readOnlyRootFilesystem"] as? Bool == true)
        #expect((podSpec["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool == true)
        #expect((container["args"] as? [String])?.prefix(3) == ["agent", "--config", "/etc/promwatch/promwatch.yaml"])
    }
}
