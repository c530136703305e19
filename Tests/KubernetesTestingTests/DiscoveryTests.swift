import JSON
import KubernetesTesting
import Testing

/// Legacy discovery documents, enough for kubectl-style RESTMapper building.
struct DiscoveryTests {
    @Test func coreGroupDiscovery() async throws {
        try await withEmulator { emulator, client in
            let api = try await client.get("/api")
            #expect(api.body["kind"] == "APIVersions")
            #expect(api.body["versions"] == ["v1"])

            let v1 = try await client.get("/api/v1")
            #expect(v1.body["kind"] == "APIResourceList")
            #expect(v1.body["groupVersion"] == "v1")
            let resources = try #require(v1.body["resources"]?.arrayValue)
            let names = Set(resources.compactMap { $0["name"]?.stringValue })
            for expected in ["namespaces", "pods", "pods/status", "services", "endpoints", "nodes", "configmaps", "secrets", "events", "serviceaccounts"] {
                #expect(names.contains(expected), "\(expected)")
            }
            let pods = try #require(resources.first { $0["name"] == "pods" })
            #expect(pods["namespaced"] == true)
            #expect(pods["kind"] == "Pod")
            #expect(pods["verbs"]?.arrayValue?.contains("watch") == true)
            #expect(resources.first { $0["name"] == "nodes" }?["namespaced"] == false)
            _ = emulator
        }
    }

    @Test func namedGroupDiscovery() async throws {
        try await withEmulator { _, client in
            let groups = try await client.get("/apis")
            #expect(groups.body["kind"] == "APIGroupList")
            let names = Set((groups.body["groups"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(names.isSuperset(of: ["apps", "coordination.k8s.io", "discovery.k8s.io", "apiextensions.k8s.io"]))

            let apps = try await client.get("/apis/apps")
            #expect(apps.body["preferredVersion"] == ["groupVersion": "apps/v1", "version": "v1"])

            let appsV1 = try await client.get("/apis/apps/v1")
            let resources = appsV1.body["resources"]?.arrayValue ?? []
            let scale = try #require(resources.first { $0["name"] == "deployments/scale" })
            #expect(scale["kind"] == "Scale")
            #expect(scale["group"] == "autoscaling")
            let resourceNames = Set(resources.compactMap { $0["name"]?.stringValue })
            #expect(resourceNames.isSuperset(of: ["deployments", "statefulsets", "replicasets", "daemonsets", "deployments/status"]))

            #expect(try await client.get("/apis/apps/v2").status == 404)
            #expect(try await client.get("/version").body["major"] == "1")
        }
    }
}
