import JSON
import KubernetesTesting
import Testing

/// The `status` and `scale` subresources ("Spec and Status" in the API conventions; the Scale subresource).
struct SubresourceTests {
    static let deployPath = "/apis/apps/v1/namespaces/default/deployments"
    static let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
        "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "d", "tier": "web"]]],
        "status": ["replicas": 99],
    ]

    @Test func createIgnoresStatusAndMainWritesCannotChangeIt() async throws {
        try await withEmulator { _, client in
            let created = try await client.post(Self.deployPath, Self.deployment)
            #expect(created.body["status"] == nil)
            var body = created.body
            body["status"] = ["replicas": 5]
            body[path: ["spec", "replicas"]] = 3
            let updated = try await client.put(Self.deployPath + "/d", body)
            #expect(updated.body["status"] == nil)
            #expect(updated.body[path: ["spec", "replicas"]] == 3)
            let patched = try await client.patch(Self.deployPath + "/d", ["status": ["replicas": 7]])
            #expect(patched.body["status"] == nil)
            #expect(patched.body.resourceVersion == updated.body.resourceVersion)
        }
    }

    @Test func statusWritesChangeOnlyStatus() async throws {
        try await withEmulator { _, client in
            let created = try await client.post(Self.deployPath, Self.deployment).body
            var body = created
            body["status"] = ["replicas": 2, "readyReplicas": 1]
            body[path: ["spec", "replicas"]] = 10
            body[path: ["metadata", "labels"]] = ["ignored": "yes"]
            let updated = try await client.put(Self.deployPath + "/d/status", body)
            #expect(updated.status == 200)
            #expect(updated.body["status"] == ["replicas": 2, "readyReplicas": 1])
            #expect(updated.body[path: ["spec", "replicas"]] == 2)
            #expect(updated.body[path: ["metadata", "labels"]] == nil)
            #expect(updated.body[path: ["metadata", "generation"]] == 1)

            // Stale status write conflicts too.
            let stale = try await client.put(Self.deployPath + "/d/status", body)
            #expect(stale.status == 409)

            let patched = try await client.patch(Self.deployPath + "/d/status", ["status": ["readyReplicas": 2]])
            #expect(patched.body["status"] == ["replicas": 2, "readyReplicas": 2])
            let get = try await client.get(Self.deployPath + "/d/status")
            #expect(get.body == patched.body)

            // ConfigMaps have no status subresource.
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/x/status").status == 404)
        }
    }

    @Test func podStatusPhaseAndFieldSelector() async throws {
        try await withEmulator { _, client in
            let created = try await client.post(
                "/api/v1/namespaces/default/pods",
                ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "status": ["phase": "Running"]])
            #expect(created.body[path: ["status", "phase"]] == "Pending")
            _ = try await client.patch("/api/v1/namespaces/default/pods/p/status", ["status": ["phase": "Running"]])
            let running = try await client.get("/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning")
            #expect(running.body["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func scaleSubresourceOfADeployment() async throws {
        try await withEmulator { emulator, client in
            _ = try await client.post(Self.deployPath, Self.deployment)
            try emulator.modify(.deployments, namespace: "default", name: "d") { $0["status"] = ["replicas": 2] }
            let scale = try await client.get(Self.deployPath + "/d/scale")
            #expect(scale.status == 200)
            #expect(scale.body["kind"] == "Scale")
            #expect(scale.body["apiVersion"] == "autoscaling/v1")
            #expect(scale.body[path: ["spec", "replicas"]] == 2)
            #expect(scale.body[path: ["status", "replicas"]] == 2)
            #expect(scale.body[path: ["status", "selector"]] == "app=d,tier=web")
            #expect(scale.body[path: ["metadata", "name"]] == "d")

            var desired = scale.body
            desired[path: ["spec", "replicas"]] = 4
            let updated = try await client.put(Self.deployPath + "/d/scale", desired)
            #expect(updated.status == 200)
            #expect(updated.body[path: ["spec", "replicas"]] == 4)
            let parent = try #require(emulator.get(.deployments, namespace: "default", name: "d"))
            #expect(parent[path: ["spec", "replicas"]] == 4)
            #expect(parent[path: ["metadata", "generation"]] == 2)
            #expect(updated.body.resourceVersion == parent.resourceVersion)

            // The old Scale's resourceVersion is stale now.
            let stale = try await client.put(Self.deployPath + "/d/scale", desired)
            #expect(stale.status == 409)
            #expect(stale.body["message"]?.stringValue?.hasPrefix(#"Operation cannot be fulfilled on deployments.apps "d""#) == true)

            let patched = try await client.patch(Self.deployPath + "/d/scale", ["spec": ["replicas": 6]])
            #expect(patched.body[path: ["spec", "replicas"]] == 6)
            #expect(emulator.get(.deployments, namespace: "default", name: "d")?[path: ["spec", "replicas"]] == 6)

            let negative = try await client.patch(Self.deployPath + "/d/scale", ["spec": ["replicas": -1]])
            #expect(negative.status == 422)
            #expect(try await client.get("/apis/apps/v1/namespaces/default/daemonsets/x/scale").status == 404)
        }
    }
}
