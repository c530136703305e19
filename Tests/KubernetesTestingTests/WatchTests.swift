import JSON
import KubernetesTesting
import Testing

/// WATCH ("Efficient detection of changes", "Watch bookmarks", "410 Gone responses" in the API concepts).
struct WatchTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"

    @Test func watchFromResourceVersionReplaysExactlyTheLaterChanges() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("before"))
            let from = emulator.resourceVersion
            try emulator.create(configMap("a"))
            try emulator.modify(.configMaps, namespace: "default", name: "a") { $0["data"] = ["k": "2"] }
            try emulator.create(configMap("elsewhere", namespace: "kube-system"))
            try emulator.delete(.configMaps, namespace: "default", name: "before")
            let result = try await client.watch(Self.cmPath + "?watch=true&resourceVersion=\(from)") { $0.count == 3 }
            #expect(result.status == 200)
            #expect(result.events.map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
            #expect(result.events.map { $0.object.name } == ["a", "a", "before"])
            #expect(result.events.map { $0.object["kind"] } == ["ConfigMap", "ConfigMap", "ConfigMap"])
            let rvs = result.events.compactMap { $0.object.resourceVersion }
            #expect(rvs == rvs.sorted() && rvs.allSatisfy { $0 > from })
            // The DELETED event carries the deletion revision.
            #expect(rvs.last == emulator.resourceVersion)
        }
    }

    @Test func watchWithoutResourceVersionStartsWithSyntheticAddedEvents() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            try emulator.create(configMap("b"))
            let result = try await watching(emulator, client, Self.cmPath + "?watch=1", until: { $0.count == 3 }) {
                try emulator.create(configMap("c"))
            }
            #expect(result.events.map(\.type) == ["ADDED", "ADDED", "ADDED"])
            #expect(result.events.map { $0.object.name } == ["a", "b", "c"])
        }
    }

    @Test func sendInitialEventsEndsWithAnnotatedBookmark() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            let result = try await client.watch(
                Self.cmPath + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
            ) { $0.count == 2 }
            #expect(result.events.map(\.type) == ["ADDED", "BOOKMARK"])
            #expect(result.events[1].object[path: ["metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
        }
    }

    @Test func compactedResourceVersionGetsErrorEvent410AndTheStreamEnds() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            let old = emulator.resourceVersion
            try emulator.create(configMap("b"))
            try emulator.create(configMap("c"))
            emulator.compactHistory()
            let result = try await client.watch(Self.cmPath + "?watch=true&resourceVersion=\(old)")
            #expect(result.status == 200)
            #expect(result.ending == .serverClosed)
            #expect(result.events.count == 1)
            let event = try #require(result.events.first)
            #expect(event.type == "ERROR")
            #expect(event.object["kind"] == "Status")
            #expect(event.object["code"] == 410)
            #expect(event.object["reason"] == "Expired")
            #expect(event.object["message"]?.stringValue?.hasPrefix("too old resource version: \(old)") == true)

            // The current revision is still watchable.
            let current = emulator.resourceVersion
            let fine = try await watching(emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(current)", until: { $0.count == 1 }) {
                try emulator.create(configMap("d"))
            }
            #expect(fine.events.map(\.type) == ["ADDED"])
        }
    }

    @Test func bookmarksArePeriodicAndCarryTheCurrentResourceVersion() async throws {
        try await withEmulator(.init(bookmarkInterval: .milliseconds(20))) { emulator, client in
            try emulator.create(configMap("a"))
            let rv = emulator.resourceVersion
            let result = try await client.watch(Self.cmPath + "?watch=true&resourceVersion=\(rv)&allowWatchBookmarks=true") {
                $0.count >= 2
            }
            #expect(result.events.map(\.type) == ["BOOKMARK", "BOOKMARK"])
            let bookmark = result.events[0].object
            #expect(bookmark["kind"] == "ConfigMap")
            #expect(bookmark["apiVersion"] == "v1")
            #expect(bookmark[path: ["metadata", "resourceVersion"]] == .string(String(rv)))
            #expect(bookmark["data"] == nil)
        }
    }

    @Test func timeoutEndsTheStreamCleanlyAfterAFinalBookmark() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            let rv = emulator.resourceVersion
            let result = try await client.watch(
                Self.cmPath + "?watch=true&resourceVersion=\(rv)&allowWatchBookmarks=true&timeoutSeconds=1")
            #expect(result.ending == .serverClosed)
            #expect(result.events.map(\.type) == ["BOOKMARK"])
            #expect(emulator.activeWatchCount == 0)

            let plain = try await client.watch(Self.cmPath + "?watch=true&resourceVersion=\(rv)&timeoutSeconds=1")
            #expect(plain.ending == .serverClosed)
            #expect(plain.events.isEmpty)
        }
    }

    @Test func selectorsApplyToWatchWithAddedAndDeletedTransitions() async throws {
        try await withEmulator { emulator, client in
            let rv = emulator.resourceVersion
            let result = try await watching(
                emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(rv)&labelSelector=app%3Dweb",
                until: { $0.count == 4 }
            ) {
                try emulator.create(configMap("other", labels: ["app": "db"]))
                try emulator.create(configMap("a", labels: ["app": "web"]))
                try emulator.modify(.configMaps, namespace: "default", name: "a") { $0["data"] = ["k": "2"] }
                // Leaving the selector is seen as DELETED, entering it as ADDED (as the watch cache does).
                try emulator.modify(.configMaps, namespace: "default", name: "a") { $0[path: ["metadata", "labels", "app"]] = "db" }
                try emulator.modify(.configMaps, namespace: "default", name: "other") { $0[path: ["metadata", "labels", "app"]] = "web" }
            }
            #expect(result.events.map(\.type) == ["ADDED", "MODIFIED", "DELETED", "ADDED"])
            #expect(result.events.map { $0.object.name } == ["a", "a", "a", "other"])
            #expect(result.events[2].object[path: ["metadata", "labels", "app"]] == "db")
        }
    }

    @Test func fieldSelectorWatchOnASingleObject() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a"))
            try emulator.create(configMap("b"))
            let rv = emulator.resourceVersion
            let result = try await watching(
                emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(rv)&fieldSelector=metadata.name%3Db",
                until: { $0.count == 1 }
            ) {
                try emulator.modify(.configMaps, namespace: "default", name: "a") { $0["data"] = ["k": "x"] }
                try emulator.modify(.configMaps, namespace: "default", name: "b") { $0["data"] = ["k": "x"] }
            }
            #expect(result.events.map { $0.object.name } == ["b"])
        }
    }

    @Test func concurrentWritersAreSeenInResourceVersionOrderWithoutLoss() async throws {
        try await withEmulator { emulator, client in
            let writers = 4
            let perWriter = 25
            let rv = emulator.resourceVersion
            let result = try await watching(
                emulator, client, "/api/v1/configmaps?watch=true&resourceVersion=\(rv)",
                until: { $0.count == writers * perWriter * 2 }
            ) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<writers {
                        group.addTask {
                            for i in 0..<perWriter {
                                let name = "w\(w)-\(i)"
                                let created = try await client.post(Self.cmPath, configMap(name))
                                #expect(created.status == 201)
                                var updated = created.body
                                updated["data"] = ["k": "updated"]
                                #expect(try await client.put(Self.cmPath + "/\(name)", updated).status == 200)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let rvs = result.events.compactMap { $0.object.resourceVersion }
            #expect(rvs.count == writers * perWriter * 2)
            #expect(rvs == Array(rv + 1...rv + writers * perWriter * 2))
            #expect(result.events.filter { $0.type == "ADDED" }.count == writers * perWriter)
        }
    }

    @Test func watchOnAnObjectPathIsNotAllowedButListWatchOnClusterScopedWorks() async throws {
        try await withEmulator { emulator, client in
            let rv = emulator.resourceVersion
            let result = try await watching(emulator, client, "/api/v1/nodes?watch=true&resourceVersion=\(rv)", until: { $0.count == 1 }) {
                try emulator.create(["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            }
            #expect(result.events.first?.object.name == "n1")
            #expect(result.events.first?.object[path: ["metadata", "namespace"]] == nil)
        }
    }
}
