import AsyncHTTPClient
import Foundation
import JSON
import KubernetesTesting
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// A minimal Kubernetes REST client for the emulator tests: raw HTTP through AsyncHTTPClient, JSON bodies, and watch
/// streams read line by line (lines may span HTTP chunks).
struct TestClient {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: JSONValue

        /// The `Status` object of an error response.
        var error: KubernetesStatusError? { KubernetesStatusError(status: body) }
    }

    /// How a watch read ended.
    enum WatchEnding: Equatable {
        /// The server ended the chunked response properly.
        case serverClosed
        /// The reader stopped after getting what it wanted.
        case readerStopped
        /// The connection failed mid-response.
        case failed(String)
    }

    struct WatchResult {
        var status: Int
        var events: [WatchEvent]
        var ending: WatchEnding
        /// How many body parts (HTTP chunks, as AsyncHTTPClient delivered them) carried the events.
        var bodyParts: Int
    }

    let http: HTTPClient
    let baseURL: String
    var token: String?

    func request(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, rawBody: [UInt8]? = nil,
        contentType: String = "application/json", headers extra: [(String, String)] = []
    ) async throws -> Response {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "emulator-tests/1.0")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let bytes = rawBody ?? body?.serializedBytes {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Array(bytes.readableBytesView)
        let json = data.isEmpty ? JSONValue.null : ((try? JSONValue(parsing: data)) ?? .string(String(decoding: data, as: UTF8.self)))
        return Response(status: Int(response.status.code), headers: response.headers, body: json)
    }

    func get(_ path: String) async throws -> Response { try await request(.GET, path) }
    func post(_ path: String, _ body: JSONValue) async throws -> Response { try await request(.POST, path, body: body) }
    func put(_ path: String, _ body: JSONValue) async throws -> Response { try await request(.PUT, path, body: body) }
    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Response {
        try await request(.DELETE, path, body: body)
    }
    func patch(_ path: String, _ body: JSONValue, type: String = "application/merge-patch+json") async throws -> Response {
        try await request(.PATCH, path, body: body, contentType: type)
    }

    /// Opens a watch and reads events until `stop` says so or the server ends the stream.
    func watch(
        _ path: String, until stop: @escaping ([WatchEvent]) -> Bool = { _ in false }
    ) async throws -> WatchResult {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .GET
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http.execute(request, timeout: .seconds(120))
        var events: [WatchEvent] = []
        var pending: [UInt8] = []
        var parts = 0
        do {
            for try await buffer in response.body {
                parts += 1
                pending.append(contentsOf: buffer.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    let json = try JSONValue(parsing: line)
                    events.append(WatchEvent(type: json["type"]?.stringValue ?? "", object: json["object"] ?? .null))
                    if stop(events) {
                        return WatchResult(status: Int(response.status.code), events: events, ending: .readerStopped, bodyParts: parts)
                    }
                }
            }
        } catch {
            return WatchResult(status: Int(response.status.code), events: events, ending: .failed("\(error)"), bodyParts: parts)
        }
        return WatchResult(status: Int(response.status.code), events: events, ending: .serverClosed, bodyParts: parts)
    }
}

/// Starts an emulator and an HTTP client trusting its CA (if TLS), runs `body`, shuts both down.
func withEmulator<T: Sendable>(
    _ configuration: KubernetesAPIEmulator.Configuration = .init(),
    _ body: (KubernetesAPIEmulator, TestClient) async throws -> T
) async throws -> T {
    try await KubernetesAPIEmulator.withEmulator(configuration: configuration) { emulator in
        var clientConfiguration = HTTPClient.Configuration()
        if let ca = configuration.tls?.caCertificatePEM {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            clientConfiguration.tlsConfiguration = tls
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let client = TestClient(http: http, baseURL: emulator.baseURL, token: configuration.bearerTokens?.sorted().first)
        do {
            let result = try await body(emulator, client)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// Polls `condition` until it holds (a liveness bound, not a timing assertion).
func eventually(
    _ what: String = "condition", sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}

/// Runs a watch in a child task, waits until the emulator has registered it, runs `actions`, and returns what the
/// watch read.
func watching(
    _ emulator: KubernetesAPIEmulator, _ client: TestClient, _ path: String,
    until stop: @escaping @Sendable ([WatchEvent]) -> Bool, actions: () async throws -> Void
) async throws -> TestClient.WatchResult {
    let before = emulator.activeWatchCount
    return try await withThrowingTaskGroup(of: TestClient.WatchResult.self) { group in
        group.addTask { try await client.watch(path, until: stop) }
        try await eventually("watch registered") { emulator.activeWatchCount > before }
        try await actions()
        // Force-unwrap: exactly one child task was added.
        return try await group.next()!
    }
}

extension TestClient: Sendable {}

/// A namespaced ConfigMap.
func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: JSONValue = ["k": "v"]) -> JSONValue {
    var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty {
        metadata["labels"] = .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data]
}

extension JSONValue {
    var resourceVersion: Int? { self[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } }
    var name: String? { self[path: ["metadata", "name"]]?.stringValue }
}
