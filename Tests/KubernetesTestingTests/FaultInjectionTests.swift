import JSON
import KubernetesTesting
import NIOHTTP1
import Testing

/// Fault injection for client tests, and the request log.
struct FaultInjectionTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"

    @Test func failNextRequestsMatchingAPredicate() async throws {
        try await withEmulator { emulator, client in
            emulator.failNextRequests(2, matching: RequestMatcher(method: "GET", pathPrefix: Self.cmPath), with: .tooManyRequests(retryAfterSeconds: 3))
            // Not matching: POST.
            #expect(try await client.post(Self.cmPath, configMap("a")).status == 201)
            let first = try await client.get(Self.cmPath + "/a")
            #expect(first.status == 429)
            #expect(first.headers.first(name: "Retry-After") == "3")
            #expect(first.error?.reason == .tooManyRequests)
            #expect(first.body[path: ["details", "retryAfterSeconds"]] == 3)
            #expect(try await client.get(Self.cmPath + "/a").status == 429)
            #expect(try await client.get(Self.cmPath + "/a").status == 200)

            emulator.failNextRequests(1, with: .internalError)
            let failed = try await client.get("/api/v1/namespaces")
            #expect(failed.status == 500)
            #expect(failed.error?.reason == .internalError)
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
    }

    @Test func closeConnectionFailure() async throws {
        try await withEmulator { emulator, client throws in
            emulator.failNextRequests(1, with: .closeConnection)
            await #expect(throws: (any Error).self) { _ = try await client.get(Self.cmPath) }
            #expect(try await client.get(Self.cmPath).status == 200)
        }
    }

    @Test func latencyDelaysButDoesNotFail() async throws {
        try await withEmulator { emulator, client throws in
            emulator.addLatency(.milliseconds(50), matching: RequestMatcher(method: "GET"))
            #expect(try await client.get(Self.cmPath).status == 200)
            emulator.clearFaults()
            #expect(try await client.get(Self.cmPath).status == 200)
        }
    }

    @Test func droppedWatchConnectionsFailMidStream() async throws {
        try await withEmulator { emulator, client in
            let rv = emulator.resourceVersion
            let result = try await watching(emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(rv)", until: { _ in false }) {
                try emulator.create(configMap("a"))
                try await eventually("event delivered") { emulator.requests.last?.responseStatus == 200 }
                #expect(emulator.dropWatchConnections() == 1)
            }
            guard case .failed = result.ending else {
                Issue.record("expected a failed stream, got \(result.ending)")
                return
            }
            #expect(result.events.count <= 1)
            #expect(emulator.activeWatchCount == 0)
        }
    }

    @Test func largeObjectsAndSplitChunksAreReassembled() async throws {
        try await withEmulator { emulator, client in
            let big = String(repeating: "x", count: 2 << 20)
            emulator.splitWatchEvents(maximumChunkSize: 64 << 10)
            let rv = emulator.resourceVersion
            let result = try await watching(emulator, client, Self.cmPath + "?watch=true&resourceVersion=\(rv)", until: { $0.count == 2 }) {
                var object = configMap("big")
                object[path: ["metadata", "annotations"]] = ["big": .string(big)]
                #expect(try await client.post(Self.cmPath, object).status == 201)
                try emulator.create(configMap("small"))
            }
            #expect(result.events.map { $0.object.name } == ["big", "small"])
            #expect(result.events[0].object[path: ["metadata", "annotations", "big"]]?.stringValue?.count == 2 << 20)
            #expect(result.bodyParts > 2)
        }
    }

    @Test func tinyChunksSplitEveryEvent() async throws {
        try await withEmulator { emulator, client in
            emulator.splitWatchEvents(maximumChunkSize: 7)
            try emulator.create(configMap("a"))
            let result = try await client.watch(Self.cmPath + "?watch=true") { $0.count == 1 }
            #expect(result.events.first?.object.name == "a")
            #expect(result.bodyParts > 10)
        }
    }

    @Test func requestLogRecordsRequestsAndStatuses() async throws {
        try await withEmulator { emulator, client in
            emulator.clearRequestLog()
            _ = try await client.post(Self.cmPath + "?fieldManager=me", configMap("a"))
            _ = try await client.get(Self.cmPath + "/missing")
            let log = emulator.requests
            #expect(log.map(\.method) == ["POST", "GET"])
            #expect(log[0].path == Self.cmPath)
            #expect(log[0].query["fieldManager"] == "me")
            #expect(log[0].header("content-type") == "application/json")
            #expect(try JSONValue(parsing: log[0].body).name == "a")
            #expect(log.map(\.responseStatus) == [201, 404])
        }
    }
}
