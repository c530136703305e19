import Foundation
import JSON
import KubernetesTesting
import Testing

/// LIST: pagination ("Retrieving large results sets in chunks"), consistent snapshots, 410 on expired continue
/// tokens, label and field selectors.
struct ListTests {
    static let cmPath = "/api/v1/namespaces/default/configmaps"

    @Test func paginationWithContinueIsAConsistentSnapshot() async throws {
        try await withEmulator { emulator, client in
            for i in 0..<5 { try emulator.create(configMap("cm\(i)")) }
            let first = try await client.get(Self.cmPath + "?limit=2")
            #expect(first.status == 200)
            #expect(first.body["kind"] == "ConfigMapList")
            #expect(first.body["items"]?.arrayValue?.compactMap(\.name) == ["cm0", "cm1"])
            // Typed lists omit kind/apiVersion on items.
            #expect(first.body["items"]?[0]?["kind"] == nil)
            #expect(first.body[path: ["metadata", "remainingItemCount"]] == 3)
            let listRV = try #require(first.body[path: ["metadata", "resourceVersion"]]?.stringValue)
            let token = try #require(first.body[path: ["metadata", "continue"]]?.stringValue)

            // Changes after the first page are invisible to the rest of the paginated list.
            try emulator.modify(.configMaps, namespace: "default", name: "cm3") { $0["data"] = ["k": "new"] }
            try emulator.delete(.configMaps, namespace: "default", name: "cm4")
            try emulator.create(configMap("cm5"))

            let escaped = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let second = try await client.get(Self.cmPath + "?limit=2&continue=\(escaped)")
            #expect(second.body["items"]?.arrayValue?.compactMap(\.name) == ["cm2", "cm3"])
            #expect(second.body["items"]?[1]?[path: ["data", "k"]] == "v")
            #expect(second.body[path: ["metadata", "resourceVersion"]]?.stringValue == listRV)
            let token2 = try #require(second.body[path: ["metadata", "continue"]]?.stringValue)
            let third = try await client.get(
                Self.cmPath + "?limit=2&continue=\(token2.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(third.body["items"]?.arrayValue?.compactMap(\.name) == ["cm4"])
            #expect(third.body[path: ["metadata", "continue"]] == nil)

            // A fresh list sees the new state.
            let fresh = try await client.get(Self.cmPath)
            #expect(fresh.body["items"]?.arrayValue?.compactMap(\.name) == ["cm0", "cm1", "cm2", "cm3", "cm5"])
        }
    }

    @Test func expiredContinueTokenIs410() async throws {
        try await withEmulator { emulator, client in
            for i in 0..<3 { try emulator.create(configMap("cm\(i)")) }
            let first = try await client.get(Self.cmPath + "?limit=1")
            let token = try #require(first.body[path: ["metadata", "continue"]]?.stringValue)
            try emulator.create(configMap("later"))
            emulator.compactHistory()
            let expired = try await client.get(
                Self.cmPath + "?limit=1&continue=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(expired.status == 410)
            #expect(expired.error?.reason == .expired)
            #expect(expired.body["message"]?.stringValue?.hasPrefix("The provided continue parameter is too old") == true)

            #expect(try await client.get(Self.cmPath + "?limit=1&continue=garbage").status == 400)
        }
    }

    @Test func historyWindowCompactsAutomatically() async throws {
        try await withEmulator(.init(eventHistoryLimit: 3)) { emulator, client in
            for i in 0..<3 { try emulator.create(configMap("cm\(i)")) }
            let first = try await client.get(Self.cmPath + "?limit=1")
            let token = try #require(first.body[path: ["metadata", "continue"]]?.stringValue)
            for i in 0..<4 { try emulator.create(configMap("x\(i)")) }
            let expired = try await client.get(
                Self.cmPath + "?limit=1&continue=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(expired.status == 410)
        }
    }

    @Test func labelSelectors() async throws {
        try await withEmulator { emulator, client in
            try emulator.create(configMap("a", labels: ["app": "web", "env": "prod"]))
            try emulator.create(configMap("b", labels: ["app": "web", "env": "dev"]))
            try emulator.create(configMap("c", labels: ["app": "db"]))
            try emulator.create(configMap("d"))
            func names(_ selector: String) async throws -> [String] {
                let escaped = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.get(Self.cmPath + "?labelSelector=\(escaped)")
                #expect(response.status == 200, "\(selector): \(response.body)")
                return response.body["items"]?.arrayValue?.compactMap(\.name) ?? []
            }
            #expect(try await names("app=web") == ["a", "b"])
            #expect(try await names("app==web,env!=prod") == ["b"])
            #expect(try await names("env in (prod,dev)") == ["a", "b"])
            #expect(try await names("env notin (prod)") == ["b", "c", "d"])
            #expect(try await names("app") == ["a", "b", "c"])
            #expect(try await names("!app") == ["d"])

            let invalid = try await client.get(Self.cmPath + "?labelSelector=app%20in%20web")
            #expect(invalid.status == 400)
            #expect(invalid.error?.reason == .badRequest)
        }
    }

    @Test func fieldSelectorsAndAllNamespaces() async throws {
        try await withEmulator { emulator, client in
            func pod(_ name: String, _ namespace: String, node: String, phase: String) -> JSONValue {
                [
                    "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                    "spec": ["nodeName": .string(node)], "status": ["phase": .string(phase)],
                ]
            }
            try emulator.create(pod("p1", "default", node: "n1", phase: "Running"))
            try emulator.create(pod("p2", "default", node: "n2", phase: "Pending"))
            try emulator.create(pod("p3", "kube-system", node: "n1", phase: "Running"))
            func names(_ path: String) async throws -> [String] {
                let response = try await client.get(path)
                #expect(response.status == 200, "\(path): \(response.body)")
                return response.body["items"]?.arrayValue?.compactMap(\.name) ?? []
            }
            #expect(try await names("/api/v1/pods") == ["p1", "p2", "p3"])
            #expect(try await names("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1") == ["p1", "p3"])
            #expect(try await names("/api/v1/pods?fieldSelector=status.phase!%3DRunning") == ["p2"])
            #expect(try await names("/api/v1/pods?fieldSelector=metadata.namespace%3D%3Dkube-system") == ["p3"])
            #expect(try await names("/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp2") == ["p2"])
            let unsupported = try await client.get("/api/v1/pods?fieldSelector=spec.bogus%3Dx")
            #expect(unsupported.status == 400)
            #expect(unsupported.body["message"] == "field label not supported: spec.bogus")
            #expect(try await client.get("/api/v1/pods?fieldSelector=nonsense").status == 400)
        }
    }

    @Test func exactResourceVersionReadsThePast() async throws {
        try await withEmulator { emulator, client in
            let a = try emulator.create(configMap("a"))
            try emulator.create(configMap("b"))
            let past = try await client.get(Self.cmPath + "?resourceVersion=\(a.resourceVersion!)&resourceVersionMatch=Exact")
            #expect(past.body["items"]?.arrayValue?.compactMap(\.name) == ["a"])
        }
    }
}
