import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as a ``LocalHTTPServer`` received it.
public struct LocalHTTPRequest: Sendable {
    public var method: String
    /// The request target as sent (`/latest/api/token?x=1`).
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The path without the query.
    public var path: String { uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A response for a ``LocalHTTPServer`` to send.
public struct LocalHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(_ text: String, status: Int = 200) -> LocalHTTPResponse {
        LocalHTTPResponse(status: status, headers: [("Content-Type", "application/json")], text: text)
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (a kernel-chosen port) for tests: every request goes to an async handler and
/// is recorded. Scoped: ``withServer(handler:_:)`` stops it (and closes kept-alive connections) when the body ends,
/// also when it throws.
public final class LocalHTTPServer: Sendable {
    public typealias Handler = @Sendable (LocalHTTPRequest) async -> LocalHTTPResponse

    public let port: Int
    private let handler: Handler
    private let recorded = Mutex<[LocalHTTPRequest]>([])
    private let connections = Mutex<[any Channel]>([])

    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [LocalHTTPRequest] { recorded.withLock { $0 } }

    private init(port: Int, handler: @escaping Handler) {
        self.port = port
        self.handler = handler
    }

    /// Starts a server, runs `body` with it, stops it.
    public static func withServer<T: Sendable>(
        handler: @escaping Handler, _ body: (LocalHTTPServer) async throws -> T
    ) async throws -> T {
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        guard let port = serverChannel.channel.localAddress?.port else {
            try? await serverChannel.channel.close()
            throw TestingError("local HTTP server has no port")
        }
        let server = LocalHTTPServer(port: port, handler: handler)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.acceptLoop(serverChannel) }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(server))
            } catch {
                outcome = .failure(error)
            }
            try? await serverChannel.channel.close()
            for connection in server.connections.withLock({ $0 }) { try? await connection.close() }
            group.cancelAll()
            try? await group.waitForAll()
            return try outcome.get()
        }
    }

    private func acceptLoop(
        _ serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    ) async {
        try? await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    connections.withLock { $0.append(connection.channel) }
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let h = head else { continue }
                    let request = LocalHTTPRequest(
                        method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) }, body: body)
                    recorded.withLock { $0.append(request) }
                    let response = await handler(request)
                    var headers = HTTPHeaders()
                    for (name, value) in response.headers where name.lowercased() != "content-length" {
                        headers.add(name: name, value: value)
                    }
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    try await outbound.write(
                        .head(HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)))
                    if !response.body.isEmpty {
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    }
                    try await outbound.write(.end(nil))
                    head = nil
                }
            }
        }
    }
}

/// An error in the test harness itself.
public struct TestingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
