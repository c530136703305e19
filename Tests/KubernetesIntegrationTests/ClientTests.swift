import Foundation
import JSON
import Kubernetes
import KubernetesTesting
import PromwatchTestSupport
import Testing

/// The client against the emulator (or a real cluster with `PROMWATCH_E2E_KUBECONFIG`): every verb, conflicts,
/// pagination, finalizers, subresources, watch.
@Suite(.timeLimit(.minutes(2))) struct ClientTests {
    @Test func createGetUpdateDeleteWithConflicts() async throws {
        try await TestCluster.run { cluster in
            let client = cluster.client
            let created = try await client.create(configMap("settings", namespace: cluster.namespace, data: ["a": "1"]))
            let version = try #require(created.metadata.resourceVersion)
            #expect(created.metadata.uid != nil)

            // Creating the same name again: 409 AlreadyExists.
            let duplicate = await #expect(throws: KubernetesError.self) {
                try await client.create(configMap("settings", namespace: cluster.namespace))
            }
            #expect(duplicate?.code == .alreadyExists)

            var changed = created
            changed.data = ["a": "2"]
            let updated = try await client.update(changed)
            #expect(updated.data == ["a": "2"])
            #expect(updated.metadata.resourceVersion != version)

            // An update from the stale copy: 409 Conflict.
            var stale = created
            stale.data = ["a": "3"]
            let conflict = await #expect(throws: KubernetesError.self) { try await client.update(stale) }
            #expect(conflict?.code == .conflict)
            #expect(
                try await client.get(ConfigMap.self, name: "settings", namespace: cluster.namespace).data == ["a": "2"]
            )

            // Delete with a stale resourceVersion precondition: 409; then for real.
            let precondition = await #expect(throws: KubernetesError.self) {
                try await client.delete(
                    ConfigMap.self,
                    name: "settings",
                    namespace: cluster.namespace,
                    preconditions: .init(resourceVersion: version)
                )
            }
            #expect(precondition?.code == .conflict)
            try await client.delete(ConfigMap.self, name: "settings", namespace: cluster.namespace)
            let missing = await #expect(throws: KubernetesError.self) {
                try await client.get(ConfigMap.self, name: "settings", namespace: cluster.namespace)
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func listPagesWithContinueAndSelectors() async throws {
        try await TestCluster.run { cluster in
            for index in 0..<25 {
                var map = configMap("page-\(index)", namespace: cluster.namespace)
                map.metadata.labels = ["parity": index.isMultiple(of: 2) ? "even" : "odd"]
                _ = try await cluster.client.create(map)
            }
            let page = try await cluster.client.list(
                ConfigMap.self,
                namespace: cluster.namespace,
                options: .init(labelSelector: "parity in (even,odd)", limit: 10)
            )
            #expect(page.items.count == 10)
            #expect(page.metadata.continue?.isEmpty == false)
            let all = try await cluster.client.listAll(
                ConfigMap.self,
                namespace: cluster.namespace,
                options: .init(labelSelector: "parity in (even,odd)", limit: 10)
            )
            #expect(Set(all.items.compactMap(\.metadata.name)).count == 25)
            let even = try await cluster.client.listAll(
                ConfigMap.self,
                namespace: cluster.namespace,
                options: .init(labelSelector: "parity=even")
            )
            #expect(even.items.count == 13)
            let named = try await cluster.client.list(
                ConfigMap.self,
                namespace: cluster.namespace,
                options: .init(fieldSelector: "metadata.name=page-7")
            )
            #expect(named.items.map(\.metadata.name) == ["page-7"])
        }
    }

    @Test func mergeJSONAndApplyPatches() async throws {
        try await TestCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(
                configMap("patched", namespace: cluster.namespace, data: ["keep": "1", "drop": "2"])
            )
            let merged = try await client.patch(
                ConfigMap.self,
                name: "patched",
                namespace: cluster.namespace,
                .merge(["data": .object(["drop": .null, "new": .string("3")])])
            )
            #expect(merged.data == ["keep": "1", "new": "3"])
            let patched = try await client.patch(
                ConfigMap.self,
                name: "patched",
                namespace: cluster.namespace,
                .json([.object(["op": .string("replace"), "path": .string("/data/keep"), "value": .string("one")])])
            )
            #expect(patched.data?["keep"] == "one")
            // A failing `test` operation: 422 Invalid, nothing changed.
            let failed = await #expect(throws: KubernetesError.self) {
                try await client.patch(
                    ConfigMap.self,
                    name: "patched",
                    namespace: cluster.namespace,
                    .json([.object(["op": .string("test"), "path": .string("/data/keep"), "value": .string("other")])])
                )
            }
            #expect(failed?.code == .invalid)
            let applied = try await client.patch(
                ConfigMap.self,
                name: "applied",
                namespace: cluster.namespace,
                .apply([
                    "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                    "metadata": .object(["name": .string("applied"), "namespace": .string(cluster.namespace)]),
                    "data": .object(["x": .string("y")]),
                ]),
                fieldManager: "promwatch-test"
            )
            #expect(applied.data == ["x": "y"])
            #expect(applied.metadata.managedFields != nil)
            let needsManager = await #expect(throws: KubernetesError.self) {
                try await client.patch(
                    ConfigMap.self,
                    name: "applied",
                    namespace: cluster.namespace,
                    .apply(["data": .object([:])])
                )
            }
            #expect(needsManager?.code == .invalid)
        }
    }

    @Test func finalizersHoldADeletedObjectUntilRemoved() async throws {
        try await TestCluster.run { cluster in
            let client = cluster.client
            _ = try await client.create(
                configMap("held", namespace: cluster.namespace, finalizers: ["promwatch.io/test"])
            )
            try await client.delete(ConfigMap.self, name: "held", namespace: cluster.namespace)
            let terminating = try await client.get(ConfigMap.self, name: "held", namespace: cluster.namespace)
            #expect(terminating.metadata.deletionTimestamp != nil)
            _ = try await client.patch(
                ConfigMap.self,
                name: "held",
                namespace: cluster.namespace,
                .merge(["metadata": .object(["finalizers": .null])])
            )
            try await TestCluster.eventually("the object to go") {
                do {
                    _ = try await client.get(ConfigMap.self, name: "held", namespace: cluster.namespace)
                    return false
                } catch let error as KubernetesError where error.code == .notFound {
                    return true
                }
            }
        }
    }

    @Test func scaleSubresourceSetsDeploymentReplicas() async throws {
        try await TestCluster.run { cluster in
            let deployments = ResourceType(
                group: "apps",
                version: "v1",
                plural: "deployments",
                kind: "Deployment",
                namespaced: true
            )
            let labels: JSONValue = .object(["app": .string("web")])
            let deployment = UnstructuredObject(json: [
                "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
                "metadata": .object(["name": .string("web"), "namespace": .string(cluster.namespace)]),
                "spec": .object([
                    "replicas": .integer(1), "selector": .object(["matchLabels": labels]),
                    "template": .object([
                        "metadata": .object(["labels": labels]),
                        "spec": .object([
                            "containers": .array([.object(["name": .string("web"), "image": .string("nginx")])])
                        ]),
                    ]),
                ]),
            ])
            _ = try await cluster.client.create(deployments, deployment, namespace: cluster.namespace)
            let scale = try await cluster.client.getScale(deployments, name: "web", namespace: cluster.namespace)
            #expect(scale.spec.replicas == 1)
            let scaled = try await cluster.client.setScale(
                deployments,
                name: "web",
                namespace: cluster.namespace,
                replicas: 4,
                resourceVersion: scale.metadata.resourceVersion
            )
            #expect(scaled.spec.replicas == 4)
            let stored = try await cluster.client.get(
                deployments,
                name: "web",
                namespace: cluster.namespace,
                as: UnstructuredObject.self
            )
            #expect(stored.spec?["replicas"] == .integer(4))
            // The old resourceVersion is stale now.
            let stale = await #expect(throws: KubernetesError.self) {
                try await cluster.client.setScale(
                    deployments,
                    name: "web",
                    namespace: cluster.namespace,
                    replicas: 2,
                    resourceVersion: scale.metadata.resourceVersion
                )
            }
            #expect(stale?.code == .conflict)
        }
    }

    @Test func watchReplaysChangesAfterAVersionInOrder() async throws {
        try await TestCluster.run { cluster in
            let client = cluster.client
            let start = try await client.list(ConfigMap.self, namespace: cluster.namespace).metadata.resourceVersion
            _ = try await client.create(configMap("w", namespace: cluster.namespace, data: ["v": "1"]))
            _ = try await client.patch(
                ConfigMap.self,
                name: "w",
                namespace: cluster.namespace,
                .merge(["data": .object(["v": .string("2")])])
            )
            try await client.delete(ConfigMap.self, name: "w", namespace: cluster.namespace)
            var seen: [String] = []
            struct Done: Error {}
            do {
                try await client.watch(
                    ConfigMap.self,
                    namespace: cluster.namespace,
                    options: .init(resourceVersion: start, timeoutSeconds: 30)
                ) { event in
                    switch event {
                    case .added(let map): seen.append("added \(map.data?["v"] ?? "")")
                    case .modified(let map): seen.append("modified \(map.data?["v"] ?? "")")
                    case .deleted: seen.append("deleted")
                    case .bookmark: break
                    }
                    if seen.count == 3 { throw Done() }
                }
            } catch is Done {}
            #expect(seen == ["added 1", "modified 2", "deleted"])
        }
    }
}

/// What only the emulator can stage: expired versions, dropped connections, chunked and very large events,
/// token rotation.
@Suite(.timeLimit(.minutes(2)), .disabled(if: TestCluster.e2eKubeconfig != nil, "needs the emulator's fault injection"))
struct ClientFaultTests {
    @Test func aCompactedVersionIsGone() async throws {
        try await TestCluster.run { cluster in
            let start = try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace).metadata
                .resourceVersion
            _ = try await cluster.client.create(configMap("a", namespace: cluster.namespace))
            _ = try await cluster.client.create(configMap("b", namespace: cluster.namespace))
            try #require(cluster.emulator).compactHistory()
            let error = await #expect(throws: KubernetesError.self) {
                try await cluster.client.watch(
                    ConfigMap.self,
                    namespace: cluster.namespace,
                    options: .init(resourceVersion: start, timeoutSeconds: 30)
                ) { _ in }
            }
            #expect(error?.code == .gone)
        }
    }

    @Test func eventsSplitIntoTinyChunksAndAVeryLargeEventArriveWhole() async throws {
        try await TestCluster.run { cluster in
            let emulator = try #require(cluster.emulator)
            let start = try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace).metadata
                .resourceVersion
            emulator.splitWatchEvents(maximumChunkSize: 1009)  // 1- to 7-byte splits: WatchDecodingTests
            let big = String(repeating: "x", count: 2 << 20)
            _ = try await cluster.client.create(configMap("big", namespace: cluster.namespace, data: ["blob": big]))
            _ = try await cluster.client.create(configMap("small", namespace: cluster.namespace, data: ["v": "1"]))
            var names: [String] = []
            var blobSize = 0
            struct Done: Error {}
            do {
                try await cluster.client.watch(
                    ConfigMap.self,
                    namespace: cluster.namespace,
                    options: .init(resourceVersion: start, timeoutSeconds: 30)
                ) { event in
                    if case .added(let map) = event {
                        names.append(map.metadata.name ?? "")
                        blobSize = max(blobSize, map.data?["blob"]?.count ?? 0)
                    }
                    if names.count == 2 { throw Done() }
                }
            } catch is Done {}
            #expect(names == ["big", "small"])
            #expect(blobSize == 2 << 20)
        }
    }

    @Test func aRotatedTokenIsPickedUpAfterA401() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-token-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenFile = folder.appendingPathComponent("token").path
        try writeFileAtomically("token-1", to: tokenFile)
        try await TestCluster.run(
            emulatorConfiguration: .init(bearerTokens: ["token-1"]),
            credentials: .tokenFile(tokenFile)
        ) { cluster in
            _ = try await cluster.client.create(configMap("before", namespace: cluster.namespace))
            // The kubelet rotates the token: the server now accepts only the new one.
            try writeFileAtomically("token-2", to: tokenFile)
            try #require(cluster.emulator).setAcceptedTokens(["token-2"])
            _ = try await cluster.client.create(configMap("after", namespace: cluster.namespace))
            // A wrong token is still refused, with the server's Status.
            try writeFileAtomically("wrong", to: tokenFile)
            try #require(cluster.emulator).setAcceptedTokens(["token-3"])
            let error = await #expect(throws: KubernetesError.self) {
                try await cluster.client.get(ConfigMap.self, name: "after", namespace: cluster.namespace)
            }
            #expect(error?.code == .unauthorized)
        }
    }

    @Test func anExecPluginsTokenIsSent() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-exec-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("get-token").path
        try """
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-plugin"}}'
        """.write(toFile: script, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        try await TestCluster.run(
            emulatorConfiguration: .init(bearerTokens: ["from-plugin"]),
            credentials: .exec(ExecCredentialPlugin(command: script))
        ) { cluster in
            let list = try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace)
            #expect(list.items.isEmpty)
        }
    }

    @Test func serverErrorsAndThrottlingAreTypedAndRetryable() async throws {
        try await TestCluster.run { cluster in
            let emulator = try #require(cluster.emulator)
            emulator.failNextRequests(1, with: .internalError)
            let serverError = await #expect(throws: KubernetesError.self) {
                try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace)
            }
            #expect(serverError?.code == .serverError)
            #expect(serverError?.isRetryable == true)
            emulator.failNextRequests(1, with: .tooManyRequests(retryAfterSeconds: 3))
            let throttled = await #expect(throws: KubernetesError.self) {
                try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace)
            }
            #expect(throttled?.code == .tooManyRequests)
            #expect(throttled?.retryAfterSeconds == 3)
            _ = try await cluster.client.list(ConfigMap.self, namespace: cluster.namespace)
        }
    }
}
