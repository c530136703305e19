import JSON
import KubernetesTesting
import NIOHTTP1
import Testing

/// Finalizers and graceful deletion ("Finalizers" and "Deletion" in the API conventions).
struct FinalizerTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"

    @Test func deleteWithFinalizersMarksAndLastFinalizerRemovalDeletes() async throws {
        try await withEmulator { emulator, client in
            var object = configMap("a")
            object[path: ["metadata", "finalizers"]] = ["example.com/cleanup", "example.com/other"]
            let created = try await client.post(Self.cmPath, object)
            let from = try #require(created.body.resourceVersion)

            let result = try await watching(
                emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(from)", until: { $0.count == 3 }
            ) {
                let deleted = try await client.delete(Self.cmPath + "/a")
                #expect(deleted.status == 200)
                #expect(deleted.body["kind"] == "ConfigMap")
                #expect(deleted.body[path: ["metadata", "deletionTimestamp"]] != nil)
                #expect(deleted.body[path: ["metadata", "deletionGracePeriodSeconds"]] == 0)

                // Still there; a second DELETE changes nothing.
                let again = try await client.delete(Self.cmPath + "/a")
                #expect(again.status == 200)
                #expect(again.body.resourceVersion == deleted.body.resourceVersion)

                // New finalizers are forbidden once deletion started.
                let add = try await client.patch(
                    Self.cmPath + "/a", ["metadata": ["finalizers": ["example.com/cleanup", "example.com/other", "new"]]])
                #expect(add.status == 422)
                #expect(add.error?.reason == .invalid)
                #expect(add.body["message"]?.stringValue?.contains("no new finalizers can be added if the object is being deleted") == true)

                let one = try await client.request(
                    .PATCH, Self.cmPath + "/a",
                    body: [["op": "remove", "path": "/metadata/finalizers/1"]], contentType: "application/json-patch+json")
                #expect(one.status == 200)
                #expect(emulator.get(.configMaps, namespace: "default", name: "a") != nil)

                var last = one.body
                last[path: ["metadata", "finalizers"]] = []
                let gone = try await client.put(Self.cmPath + "/a", last)
                #expect(gone.status == 200)
                #expect(emulator.get(.configMaps, namespace: "default", name: "a") == nil)
            }
            #expect(result.events.map(\.type) == ["MODIFIED", "MODIFIED", "DELETED"])
            #expect(try await client.get(Self.cmPath + "/a").status == 404)
        }
    }

    @Test func deletionTimestampBumpsGenerationAndIsImmutable() async throws {
        try await withEmulator { emulator, client in
            var object = configMap("a")
            object[path: ["metadata", "finalizers"]] = ["f"]
            try emulator.create(object)
            let marked = try await client.delete(Self.cmPath + "/a")
            #expect(marked.body[path: ["metadata", "generation"]] == 2)
            var attempt = marked.body
            attempt[path: ["metadata", "deletionTimestamp"]] = nil
            attempt["data"] = ["k": "changed"]
            let updated = try await client.put(Self.cmPath + "/a", attempt)
            #expect(updated.body[path: ["metadata", "deletionTimestamp"]] == marked.body[path: ["metadata", "deletionTimestamp"]])
        }
    }
}
