import Discovery
import Kubernetes
import Testing

struct PodWorkloadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var owner: (kind: String, name: String)?
        var templateHash: String?
        var inferCronJob = true
        var expected: PodWorkload?

        var testDescription: String {
            "\(owner.map { "\($0.kind)/\($0.name)" } ?? "no owner"), hash \(templateHash ?? "-") → "
                + (expected.map { "\($0.kind)/\($0.name)" } ?? "nil")
        }
    }

    static let cases: [Case] = [
        Case(
            owner: ("ReplicaSet", "web-7d4b9c8f6d"),
            templateHash: "7d4b9c8f6d",
            expected: .init(kind: "Deployment", name: "web")
        ),
        Case(
            owner: ("ReplicaSet", "api-server-v2-5f6b7c"),
            templateHash: "5f6b7c",
            expected: .init(kind: "Deployment", name: "api-server-v2")
        ),
        // No hash label, a different hash, or nothing before the hash: a standalone ReplicaSet.
        Case(
            owner: ("ReplicaSet", "web-7d4b9c8f6d"),
            templateHash: nil,
            expected: .init(kind: "ReplicaSet", name: "web-7d4b9c8f6d")
        ),
        Case(
            owner: ("ReplicaSet", "web-7d4b9c8f6d"),
            templateHash: "abc",
            expected: .init(kind: "ReplicaSet", name: "web-7d4b9c8f6d")
        ),
        Case(owner: ("ReplicaSet", "-abc"), templateHash: "abc", expected: .init(kind: "ReplicaSet", name: "-abc")),
        Case(owner: ("DaemonSet", "fluent-bit"), expected: .init(kind: "DaemonSet", name: "fluent-bit")),
        Case(owner: ("StatefulSet", "kafka"), templateHash: "x", expected: .init(kind: "StatefulSet", name: "kafka")),
        Case(owner: ("Job", "backup-29123456"), expected: .init(kind: "CronJob", name: "backup")),
        Case(owner: ("Job", "db-backup-nightly-29123456"), expected: .init(kind: "CronJob", name: "db-backup-nightly")),
        Case(
            owner: ("Job", "backup-29123456"),
            inferCronJob: false,
            expected: .init(kind: "Job", name: "backup-29123456")
        ),
        // Too few digits, not digits, or no prefix: a plain Job.
        Case(owner: ("Job", "migrate-2"), expected: .init(kind: "Job", name: "migrate-2")),
        Case(owner: ("Job", "migrate-x9123456"), expected: .init(kind: "Job", name: "migrate-x9123456")),
        Case(owner: ("Job", "-29123456"), expected: .init(kind: "Job", name: "-29123456")),
        Case(owner: ("Job", "29123456"), expected: .init(kind: "Job", name: "29123456")),
        Case(owner: ("Rollout", "canary"), expected: .init(kind: "Rollout", name: "canary")),
        Case(owner: nil, expected: nil),
    ]

    @Test(arguments: cases)
    func workload(_ testCase: Case) {
        var pod = makePod()
        pod.metadata.labels = testCase.templateHash.map { ["pod-template-hash": $0] }
        pod.metadata.ownerReferences = testCase.owner.map { [controllerRef(kind: $0.kind, name: $0.name)] }
        #expect(PodWorkload.of(pod, inferCronJob: testCase.inferCronJob) == testCase.expected)
    }

    @Test func onlyTheControllerOwnerCounts() {
        var pod = makePod()
        pod.metadata.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "cm", uid: "1", controller: false),
            OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "2", controller: nil),
        ]
        #expect(PodWorkload.of(pod) == nil)
        pod.metadata.ownerReferences?.append(controllerRef(kind: "StatefulSet", name: "db"))
        #expect(PodWorkload.of(pod) == PodWorkload(kind: "StatefulSet", name: "db"))
    }

    @Test(arguments: [
        ("ip-10-0-1-23.eu-west-1.compute.internal", "spec.nodeName=ip-10-0-1-23.eu-west-1.compute.internal"),
        ("node-1", "spec.nodeName=node-1"),
        ("a,b=c\\d", "spec.nodeName=a\\,b\\=c\\\\d"),
    ])
    func podsOnNodeFieldSelector(_ nodeName: String, _ expected: String) {
        #expect(NodeLocalSelectors.pods(onNode: nodeName) == expected)
    }
}

struct LabelHelperTests {
    @Test(arguments: [
        ("test/label", "test_label"),
        ("app.kubernetes.io/name", "app_kubernetes_io_name"),
        ("kubernetes.io/service-name", "kubernetes_io_service_name"),
        ("Already_Valid_09", "Already_Valid_09"),
        ("ünïcode", "_n_code"),
        ("", ""),
    ])
    func sanitize(_ name: String, _ expected: String) {
        #expect(KubernetesTargets.sanitizeLabelName(name) == expected)
    }

    @Test(arguments: [
        ("1.2.3.4", "9000", "1.2.3.4:9000"),
        ("2001:db8::1", "80", "[2001:db8::1]:80"),
        ("testservice.default.svc", "30900", "testservice.default.svc:30900"),
    ])
    func joinHostPort(_ host: String, _ port: String, _ expected: String) {
        #expect(KubernetesTargets.joinHostPort(host, port) == expected)
    }
}
