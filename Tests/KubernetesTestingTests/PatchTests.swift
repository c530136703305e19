import JSON
import KubernetesTesting
import NIOHTTP1
import Testing

/// PATCH in its four content types ("Patch operations" in the API concepts; server-side apply documentation for
/// field managers and conflicts).
struct PatchTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"
    static let deployPath = "/apis/apps/v1/namespaces/default/deployments"

    @Test func mergePatchAddsReplacesAndDeletes() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a", labels: ["x": "1"], data: ["keep": "1", "drop": "2"]))
            let patched = try await client.patch(
                Self.cmPath + "/a", ["metadata": ["labels": ["y": "2"]], "data": ["drop": nil, "new": "3"]])
            #expect(patched.status == 200)
            #expect(patched.body["data"] == ["keep": "1", "new": "3"])
            #expect(patched.body[path: ["metadata", "labels"]] == ["x": "1", "y": "2"])
        }
    }

    @Test func mergePatchWithStaleResourceVersionConflicts() async throws {
        try await withEmulator { emulator, client in
            let created = try emulator.create(configMap("a"))
            try emulator.modify(.configMaps, namespace: "default", name: "a") { $0["data"] = ["k": "other"] }
            let conflict = try await client.patch(
                Self.cmPath + "/a", ["metadata": ["resourceVersion": .string(String(created.resourceVersion!))], "data": ["k": "mine"]])
            #expect(conflict.status == 409)
            #expect(conflict.error?.reason == .conflict)
        }
    }

    @Test func jsonPatchWithTestOperation() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a", data: ["k": "v"]))
            let ok = try await client.patch(
                Self.cmPath + "/a",
                [["op": "test", "path": "/data/k", "value": "v"], ["op": "replace", "path": "/data/k", "value": "w"],
                 ["op": "add", "path": "/metadata/labels", "value": ["a": "b"]]],
                type: "application/json-patch+json")
            #expect(ok.status == 200)
            #expect(ok.body[path: ["data", "k"]] == "w")
            #expect(ok.body[path: ["metadata", "labels", "a"]] == "b")

            let failed = try await client.patch(
                Self.cmPath + "/a",
                [["op": "test", "path": "/data/k", "value": "v"], ["op": "replace", "path": "/data/k", "value": "x"]],
                type: "application/json-patch+json")
            #expect(failed.status == 422)
            #expect(failed.error?.reason == .invalid)
            #expect(emulator.get(.configMaps, namespace: "default", name: "a")?[path: ["data", "k"]] == "w")

            let malformed = try await client.patch(Self.cmPath + "/a", ["op": "nope"], type: "application/json-patch+json")
            #expect(malformed.status == 400)
        }
    }

    @Test func strategicMergePatchActsAsMergePatch() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a", data: ["k": "v"]))
            let patched = try await client.patch(
                Self.cmPath + "/a", ["data": ["k2": "v2"]], type: "application/strategic-merge-patch+json")
            #expect(patched.body["data"] == ["k": "v", "k2": "v2"])
        }
    }

    @Test func unknownPatchTypeIs415AndMissingObjectIs404() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            let unsupported = try await client.patch(Self.cmPath + "/a", ["data": [:]], type: "text/plain")
            #expect(unsupported.status == 415)
            #expect(try await client.patch(Self.cmPath + "/missing", ["data": [:]]).status == 404)
        }
    }

    static func applyPath(_ name: String, manager: String?, force: Bool = false) -> String {
        var path = deployPath + "/\(name)"
        var query: [String] = []
        if let manager { query.append("fieldManager=\(manager)") }
        if force { query.append("force=true") }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        return path
    }

    static func deployment(replicas: Int, labels: JSONValue = ["app": "d"]) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "labels": labels],
            "spec": ["replicas": .integer(replicas), "selector": ["matchLabels": ["app": "d"]]],
        ]
    }

    @Test func serverSideApplyCreatesAndRecordsManagedFields() async throws {
        try await withEmulator { _, client in
            let created = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            #expect(created.status == 200)
            #expect(created.body[path: ["spec", "replicas"]] == 2)
            let entries = try #require(created.body[path: ["metadata", "managedFields"]]?.arrayValue)
            #expect(entries.count == 1)
            #expect(entries[0]["manager"] == "alice")
            #expect(entries[0]["operation"] == "Apply")
            #expect(entries[0]["fieldsType"] == "FieldsV1")
            #expect(entries[0][path: ["fieldsV1", "f:spec", "f:replicas"]] == .emptyObject)
            #expect(entries[0][path: ["fieldsV1", "f:metadata", "f:labels", "f:app"]] == .emptyObject)
        }
    }

    @Test func serverSideApplyAcceptsYAML() async throws {
        try await withEmulator { _, client in
            let yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: y
                data:
                  count: "3"
                  enabled: "true"
                """
            let response = try await client.request(
                .PATCH, Self.cmPath + "/y?fieldManager=yaml", rawBody: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(response.status == 200)
            #expect(response.body["data"] == ["count": "3", "enabled": "true"])
        }
    }

    @Test func serverSideApplyRequiresFieldManager() async throws {
        try await withEmulator { _, client in
            let response = try await client.patch(
                Self.applyPath("d", manager: nil), Self.deployment(replicas: 1), type: "application/apply-patch+yaml")
            // The real API server rejects this as an invalid PatchOptions (422), with this message.
            #expect(response.status == 422)
            #expect(
                response.body["message"]
                    == #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#)
        }
    }

    @Test func serverSideApplyConflictsAndForce() async throws {
        try await withEmulator { emulator, client in
            _ = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            // Same value from another manager: shared ownership, no conflict.
            let shared = try await client.patch(
                Self.applyPath("d", manager: "bob"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            #expect(shared.status == 200)

            let conflict = try await client.patch(
                Self.applyPath("d", manager: "bob"), Self.deployment(replicas: 5), type: "application/apply-patch+yaml")
            #expect(conflict.status == 409)
            #expect(conflict.error?.reason == .conflict)
            #expect(conflict.body["message"] == #"Apply failed with 1 conflict: conflict with "alice" using apps/v1: .spec.replicas"#)
            #expect(conflict.body[path: ["details", "causes"]]?[0]?["reason"] == "FieldManagerConflict")
            #expect(emulator.get(.deployments, namespace: "default", name: "d")?[path: ["spec", "replicas"]] == 2)

            let forced = try await client.patch(
                Self.applyPath("d", manager: "bob", force: true), Self.deployment(replicas: 5),
                type: "application/apply-patch+yaml")
            #expect(forced.status == 200)
            #expect(forced.body[path: ["spec", "replicas"]] == 5)
            let alice = forced.body[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "alice" }
            #expect(alice?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)

            // alice now conflicts with bob.
            let back = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            #expect(back.status == 409)
        }
    }

    @Test func updateManagersTakeOwnershipAndConflictWithApply() async throws {
        try await withEmulator { _, client in
            _ = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            // A controller scales with a plain merge patch as manager "hpa".
            let scaled = try await client.patch(Self.deployPath + "/d?fieldManager=hpa", ["spec": ["replicas": 7]])
            #expect(scaled.status == 200)
            let managers = scaled.body[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
            #expect(managers == ["alice", "hpa"])
            let conflict = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            #expect(conflict.status == 409)
            #expect(conflict.body["message"]?.stringValue?.contains(#"conflict with "hpa""#) == true)
        }
    }

    @Test func serverSideApplyRemovesFieldsItStopsApplying() async throws {
        try await withEmulator { _, client in
            _ = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2, labels: ["app": "d", "extra": "x"]),
                type: "application/apply-patch+yaml")
            let updated = try await client.patch(
                Self.applyPath("d", manager: "alice"), Self.deployment(replicas: 2), type: "application/apply-patch+yaml")
            #expect(updated.body[path: ["metadata", "labels"]] == ["app": "d"])
        }
    }

    @Test func serverSideApplyIgnoresStatusOnTheMainResource() async throws {
        try await withEmulator { _, client in
            var body = Self.deployment(replicas: 1)
            body["status"] = ["replicas": 9]
            let created = try await client.patch(Self.applyPath("d", manager: "alice"), body, type: "application/apply-patch+yaml")
            #expect(created.body["status"] == nil)
        }
    }
}
