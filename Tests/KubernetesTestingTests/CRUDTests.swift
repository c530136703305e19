import JSON
import KubernetesTesting
import Testing

/// CREATE/GET/PUT/DELETE and resourceVersion semantics (API concepts: "Resource versions", "Efficient detection of
/// changes"; API conventions: "Concurrency Control and Consistency", "Metadata").
struct CRUDTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"

    @Test func createAssignsServerFieldsAndGetReturnsTheObject() async throws {
        try await withEmulator { emulator, client in
            let created = try await client.post(Self.cmPath, configMap("a"))
            #expect(created.status == 201)
            #expect(created.body["kind"] == "ConfigMap")
            #expect(created.body["apiVersion"] == "v1")
            let metadata = try #require(created.body["metadata"])
            #expect(metadata["uid"]?.stringValue?.count == 36)
            #expect(metadata["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(metadata["generation"] == 1)
            #expect(created.body.resourceVersion == emulator.resourceVersion)
            // The create recorded an Update entry for the User-Agent-derived manager.
            #expect(metadata["managedFields"]?[0]?["manager"] == "emulator-tests")

            let fetched = try await client.get(Self.cmPath + "/a")
            #expect(fetched.status == 200)
            #expect(fetched.body == created.body)
        }
    }

    @Test func getMissingIs404WithKubernetesMessage() async throws {
        try await withEmulator { _, client in
            let pod = try await client.get("/api/v1/namespaces/default/pods/x")
            #expect(pod.status == 404)
            #expect(pod.body["kind"] == "Status")
            #expect(pod.body["status"] == "Failure")
            #expect(pod.body["reason"] == "NotFound")
            #expect(pod.body["message"] == #"pods "x" not found"#)
            #expect(pod.body["details"] == ["name": "x", "kind": "pods"])
            #expect(pod.body["code"] == 404)

            let lease = try await client.get("/apis/coordination.k8s.io/v1/namespaces/default/leases/l")
            #expect(lease.body["message"] == #"leases.coordination.k8s.io "l" not found"#)
            #expect(lease.body["details"]?["group"] == "coordination.k8s.io")

            let unknown = try await client.get("/apis/example.com/v1/widgets")
            #expect(unknown.status == 404)
            #expect(unknown.body["message"] == "the server could not find the requested resource")
        }
    }

    @Test func createExistingIs409AlreadyExists() async throws {
        try await withEmulator { _, client in
            _ = try await client.post(Self.cmPath, configMap("a"))
            let again = try await client.post(Self.cmPath, configMap("a"))
            #expect(again.status == 409)
            #expect(again.error?.reason == .alreadyExists)
            #expect(again.body["message"] == #"configmaps "a" already exists"#)
        }
    }

    @Test func generateNameAndMissingName() async throws {
        try await withEmulator { _, client in
            var object = configMap("")
            object[path: ["metadata", "name"]] = nil
            object[path: ["metadata", "generateName"]] = "gen-"
            let created = try await client.post(Self.cmPath, object)
            #expect(created.status == 201)
            let name = try #require(created.body.name)
            #expect(name.hasPrefix("gen-") && name.count == 9)

            object[path: ["metadata", "generateName"]] = nil
            let invalid = try await client.post(Self.cmPath, object)
            #expect(invalid.status == 422)
            #expect(invalid.error?.reason == .invalid)
            #expect(invalid.body["message"] == #"ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required"#)
        }
    }

    @Test func namespaceMismatchIs400() async throws {
        try await withEmulator { _, client in
            let response = try await client.post(Self.cmPath, configMap("a", namespace: "other"))
            #expect(response.status == 400)
            #expect(response.error?.reason == .badRequest)
        }
    }

    @Test func resourceVersionIsGlobalAndMonotonic() async throws {
        try await withEmulator { emulator, client in
            var seen: [Int] = []
            for i in 0..<3 {
                seen.append(try #require(try await client.post(Self.cmPath, configMap("cm\(i)")).body.resourceVersion))
                let lease: JSONValue = [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": .string("l\(i)")],
                ]
                seen.append(
                    try #require(
                        try await client.post("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease).body
                            .resourceVersion))
            }
            var updated = try await client.get(Self.cmPath + "/cm0").body
            updated["data"] = ["k": "changed"]
            seen.append(try #require(try await client.put(Self.cmPath + "/cm0", updated).body.resourceVersion))
            #expect(seen == seen.sorted() && Set(seen).count == seen.count)
            let list = try await client.get(Self.cmPath)
            #expect(list.body[path: ["metadata", "resourceVersion"]] == .string(String(emulator.resourceVersion)))
            #expect(emulator.resourceVersion == seen.last)
        }
    }

    @Test func staleUpdateIs409ConflictAndUnconditionalUpdateSucceeds() async throws {
        try await withEmulator { _, client in
            let path = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
            let created = try await client.post(
                path,
                ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "x"], "spec": ["holderIdentity": "a"]])
            var first = created.body
            first[path: ["spec", "holderIdentity"]] = "b"
            let ok = try await client.put(path + "/x", first)
            #expect(ok.status == 200)
            #expect(ok.body.resourceVersion! > created.body.resourceVersion!)

            var stale = created.body
            stale[path: ["spec", "holderIdentity"]] = "c"
            let conflict = try await client.put(path + "/x", stale)
            #expect(conflict.status == 409)
            #expect(conflict.error?.reason == .conflict)
            #expect(
                conflict.body["message"]
                    == #"Operation cannot be fulfilled on leases.coordination.k8s.io "x": the object has been modified; please apply your changes to the latest version and try again"#)

            stale[path: ["metadata", "resourceVersion"]] = nil
            let unconditional = try await client.put(path + "/x", stale)
            #expect(unconditional.status == 200)
            #expect(unconditional.body[path: ["spec", "holderIdentity"]] == "c")
        }
    }

    @Test func putMissingIs404AndNameMismatchIs400() async throws {
        try await withEmulator { _, client in
            #expect(try await client.put(Self.cmPath + "/nope", configMap("nope")).status == 404)
            _ = try await client.post(Self.cmPath, configMap("a"))
            let mismatch = try await client.put(Self.cmPath + "/a", configMap("b"))
            #expect(mismatch.status == 400)
        }
    }

    @Test func generationMovesOnSpecChangesOnly() async throws {
        try await withEmulator { _, client in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            let deployment: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "d"]]],
            ]
            var current = try await client.post(path, deployment).body
            #expect(current[path: ["metadata", "generation"]] == 1)
            current[path: ["metadata", "labels"]] = ["team": "x"]
            current = try await client.put(path + "/d", current).body
            #expect(current[path: ["metadata", "generation"]] == 1)
            current[path: ["spec", "replicas"]] = 3
            current = try await client.put(path + "/d", current).body
            #expect(current[path: ["metadata", "generation"]] == 2)
            current["status"] = ["replicas": 3]
            current = try await client.put(path + "/d/status", current).body
            #expect(current[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func noOpUpdateKeepsResourceVersion() async throws {
        try await withEmulator { emulator, client in
            let created = try await client.post(Self.cmPath, configMap("a")).body
            let before = emulator.resourceVersion
            let same = try await client.put(Self.cmPath + "/a", created)
            #expect(same.status == 200)
            #expect(same.body.resourceVersion == created.resourceVersion)
            #expect(emulator.resourceVersion == before)
        }
    }

    @Test func deleteWithPreconditionsAndStatusResponse() async throws {
        try await withEmulator { emulator, client in
            let created = try await client.post(Self.cmPath, configMap("a")).body
            let wrongUID = try await client.delete(
                Self.cmPath + "/a", ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "nope"]])
            #expect(wrongUID.status == 409)
            #expect(wrongUID.body["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") == true)
            let wrongRV = try await client.delete(Self.cmPath + "/a", ["preconditions": ["resourceVersion": "1"]])
            #expect(wrongRV.status == 409)

            let deleted = try await client.delete(
                Self.cmPath + "/a?propagationPolicy=Background",
                ["preconditions": ["uid": created[path: ["metadata", "uid"]]!]])
            #expect(deleted.status == 200)
            #expect(deleted.body["kind"] == "Status")
            #expect(deleted.body["status"] == "Success")
            #expect(emulator.get(.configMaps, namespace: "default", name: "a") == nil)
            #expect(try await client.delete(Self.cmPath + "/a").status == 404)

            // Pods answer with the deleted object.
            _ = try await client.post(
                "/api/v1/namespaces/default/pods", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"]])
            let pod = try await client.delete("/api/v1/namespaces/default/pods/p")
            #expect(pod.body["kind"] == "Pod")
        }
    }

    @Test func swiftAPISeedsAndInspectsState() async throws {
        try await withEmulator { emulator, client in
            let pod = try emulator.create([
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "default"],
                "spec": ["nodeName": "n1"], "status": ["phase": "Running"],
            ])
            #expect(pod.resourceVersion == emulator.resourceVersion)
            // The seeding API keeps the status it was given.
            let fetched = try await client.get("/api/v1/namespaces/default/pods/p")
            #expect(fetched.body[path: ["status", "phase"]] == "Running")

            try emulator.modify(.pods, namespace: "default", name: "p") { $0[path: ["metadata", "labels"]] = ["a": "b"] }
            #expect(emulator.get(.pods, namespace: "default", name: "p")?[path: ["metadata", "labels", "a"]] == "b")
            #expect(emulator.list(.pods).count == 1)

            var stale = pod
            stale[path: ["spec", "nodeName"]] = "n2"
            #expect(throws: KubernetesStatusError.self) { try emulator.update(stale) }
            #expect(throws: KubernetesStatusError.self) { try emulator.create(pod) }
            try emulator.delete(.pods, namespace: "default", name: "p")
            #expect(emulator.list(.pods).isEmpty)
        }
    }

    @Test func namespaceDeletionRemovesItsObjects() async throws {
        try await withEmulator { emulator, client in
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", configMap("a", namespace: "tmp"))
            #expect(try await client.get("/api/v1/namespaces/tmp").body[path: ["status", "phase"]] == "Active")
            _ = try await client.delete("/api/v1/namespaces/tmp")
            #expect(emulator.list(.configMaps, namespace: "tmp").isEmpty)
        }
    }
}
