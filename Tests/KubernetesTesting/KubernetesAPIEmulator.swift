public import Foundation
public import JSON
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An in-process Kubernetes API server for tests: real HTTP on `127.0.0.1` (a kernel-chosen port), the Kubernetes
/// REST wire protocol (discovery, CRUD, PATCH, server-side apply, `status`/`scale`, LIST with selectors and
/// pagination, chunked WATCH with bookmarks and 410 Expired), resourceVersion semantics from one global revision
/// counter, finalizers, CRDs registered at runtime, optional bearer-token auth and TLS, and fault injection.
///
/// Start it scoped:
/// ```swift
/// try await KubernetesAPIEmulator.withEmulator { emulator in
///     try emulator.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "default"]])
///     // point a client at emulator.baseURL …
/// }
/// ```
/// The Swift API (``create(_:)``, ``get(_:namespace:name:)``, ``modify(_:namespace:name:_:)``, …) works on the same
/// store as HTTP, so its writes get resourceVersions and reach watchers; it stores objects as given (status
/// included), where HTTP writes follow the API server's strategies.
///
/// Fidelity notes (where the emulator knowingly differs from a real API server):
/// - No schema validation, defaulting or conversion beyond a few create strategies (pod phase `Pending`, workload
///   `spec.replicas` 1, service `clusterIP`, namespace phase, secret `stringData`). CRD versions share one stored
///   object; only `apiVersion` is rewritten per requested version.
/// - `application/strategic-merge-patch+json` is applied as a JSON merge patch (lists replaced, `$patch` directives
///   not interpreted).
/// - Server-side apply tracks ownership per leaf field (arrays are atomic): see ``JSONPatch`` and the internal
///   `ManagedFields` type. A missing `fieldManager` answers 422 Invalid, as the real server does.
/// - Watches with selectors follow the watch cache: an object entering the selector arrives as ADDED, one leaving
///   it as DELETED (with its new state).
/// - No garbage collector: `propagationPolicy` is accepted and ignored; namespace and CRD deletion cascade
///   directly. Pods are deleted immediately (no kubelet grace period). PUT never creates.
/// - A watch from a resourceVersion newer than the current one just waits (no "Too large resource version").
/// - `dryRun`, `fieldValidation`, Table output and protobuf are ignored; responses are always JSON.
public final class KubernetesAPIEmulator: Sendable {
    /// Emulator settings; all have defaults.
    public struct Configuration: Sendable {
        /// Accepted bearer tokens; `nil` disables authentication. Replace at runtime with ``setAcceptedTokens(_:)``.
        public var bearerTokens: Set<String>?
        /// Serve HTTPS with this identity instead of HTTP.
        public var tls: TLSIdentity?
        /// How many changes the event history keeps; a watch from (or a continue token at) an older revision gets
        /// 410 Expired. ``KubernetesAPIEmulator/compactHistory()`` compacts on demand.
        public var eventHistoryLimit: Int
        /// Interval of BOOKMARK events on watches with `allowWatchBookmarks=true` (the real server: about a minute).
        public var bookmarkInterval: Duration
        /// Server-side timeout of watches that send no `timeoutSeconds`.
        public var defaultWatchTimeout: Duration
        /// Namespaces created at start.
        public var initialNamespaces: [String]
        /// Resources to serve besides the built-ins (CRDs created over the API are added automatically).
        public var additionalResources: [ResourceDefinition]
        /// Largest accepted request body; larger ones get 413.
        public var maximumRequestBodySize: Int
        /// Wall clock for `creationTimestamp`, `deletionTimestamp` and managed-field times.
        public var clock: @Sendable () -> Date

        public init(
            bearerTokens: Set<String>? = nil, tls: TLSIdentity? = nil, eventHistoryLimit: Int = 10_000,
            bookmarkInterval: Duration = .seconds(60), defaultWatchTimeout: Duration = .seconds(1800),
            initialNamespaces: [String] = ["default", "kube-system", "kube-public", "kube-node-lease"],
            additionalResources: [ResourceDefinition] = [], maximumRequestBodySize: Int = 64 << 20,
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.bearerTokens = bearerTokens
            self.tls = tls
            self.eventHistoryLimit = eventHistoryLimit
            self.bookmarkInterval = bookmarkInterval
            self.defaultWatchTimeout = defaultWatchTimeout
            self.initialNamespaces = initialNamespaces
            self.additionalResources = additionalResources
            self.maximumRequestBodySize = maximumRequestBodySize
            self.clock = clock
        }
    }

    /// A PEM server certificate chain and key, plus the CA that signed it (for clients and kubeconfigs).
    public struct TLSIdentity: Sendable {
        public var certificateChainPEM: String
        public var privateKeyPEM: String
        /// The CA certificate clients should trust; used by ``KubernetesAPIEmulator/kubeconfig(namespace:)``.
        public var caCertificatePEM: String?

        public init(certificateChainPEM: String, privateKeyPEM: String, caCertificatePEM: String? = nil) {
            self.certificateChainPEM = certificateChainPEM
            self.privateKeyPEM = privateKeyPEM
            self.caCertificatePEM = caCertificatePEM
        }
    }

    /// The TCP port.
    public let port: Int
    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    public let baseURL: String
    public let configuration: Configuration

    let store: ClusterStore
    private let router: APIRouter
    private let tokens: Mutex<Set<String>?>
    private let faults = Mutex(FaultState())
    private let log = Mutex<[RecordedRequest]>([])
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    private init(port: Int, configuration: Configuration, store: ClusterStore) {
        self.port = port
        self.configuration = configuration
        self.store = store
        self.baseURL = "\(configuration.tls == nil ? "http" : "https")://127.0.0.1:\(port)"
        self.router = APIRouter(store: store, configuration: configuration, serverAddress: "127.0.0.1:\(port)")
        self.tokens = Mutex(configuration.bearerTokens)
    }

    // MARK: Lifecycle

    /// Starts an emulator, runs `body` with it, and stops it (closing open connections and watches) when `body`
    /// returns or throws.
    /// - Parameters:
    ///   - configuration: Emulator settings.
    ///   - body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or an error binding the socket or loading the TLS identity.
    public static func withEmulator<T: Sendable>(
        configuration: Configuration = Configuration(),
        _ body: (KubernetesAPIEmulator) async throws -> T
    ) async throws -> T {
        let sslContext: NIOSSLContext?
        if let tls = configuration.tls {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)
            let tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            sslContext = try NIOSSLContext(configuration: tlsConfiguration)
        } else {
            sslContext = nil
        }
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        guard let port = serverChannel.channel.localAddress?.port else {
            try? await serverChannel.channel.close()
            throw KubernetesStatusError.internalError("emulator socket has no port")
        }
        let store = ClusterStore(historyLimit: configuration.eventHistoryLimit, clock: configuration.clock)
        store.read { state in
            for definition in configuration.additionalResources {
                state.definitions[definition.groupResource] = definition
            }
        }
        let emulator = KubernetesAPIEmulator(port: port, configuration: configuration, store: store)
        for namespace in configuration.initialNamespaces {
            _ = try emulator.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await emulator.acceptLoop(serverChannel) }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(emulator))
            } catch {
                outcome = .failure(error)
            }
            try? await serverChannel.channel.close()
            store.finishAllWatchers()
            for connection in emulator.connections.withLock({ Array($0.values) }) { try? await connection.close() }
            group.cancelAll()
            try? await group.waitForAll()
            return try outcome.get()
        }
    }

    // MARK: Swift API: state

    /// The current revision (the resourceVersion of the latest write).
    public var resourceVersion: Int { store.read { $0.revision } }

    /// The oldest revision a watch can still start from; older ones get 410 Expired.
    public var compactedResourceVersion: Int { store.read { $0.compactedRevision } }

    /// Drops the whole event history, as etcd compaction does: every watch or continue token from an earlier
    /// revision then gets 410 Expired.
    public func compactHistory() {
        store.read { $0.compact(through: $0.revision) }
    }

    /// Drops the event history up to and including `revision`.
    public func compactHistory(through revision: Int) {
        store.read { $0.compact(through: revision) }
    }

    /// Serves an extra resource (like creating a CRD, without the CRD object).
    public func register(_ definition: ResourceDefinition) {
        store.read { $0.definitions[definition.groupResource] = definition }
    }

    /// The definition of a served resource.
    public func definition(for resource: GroupResource) -> ResourceDefinition? {
        store.read { $0.definitions[resource] }
    }

    /// Creates an object directly, with the resource found from its `apiVersion` and `kind`. Status is stored as
    /// given; resourceVersion, uid, creationTimestamp and generation are assigned as for an HTTP create.
    /// - Parameter object: The object (`metadata.namespace` defaults to `default` for namespaced kinds).
    /// - Returns: The stored object.
    /// - Throws: ``KubernetesStatusError`` (404 for an unknown kind, 409 AlreadyExists, 422).
    @discardableResult
    public func create(_ object: JSONValue) throws(KubernetesStatusError) -> JSONValue {
        let definition = try definition(of: object)
        let version = try version(of: object, definition)
        return try store.withState { state throws(KubernetesStatusError) in
            try state.create(definition, version: version, namespace: nil, body: object, options: .seed)
        }
    }

    /// The stored object, or `nil`.
    /// - Parameters:
    ///   - resource: Its resource.
    ///   - namespace: Its namespace (`nil` for cluster-scoped resources).
    ///   - name: Its name.
    public func get(_ resource: GroupResource, namespace: String? = nil, name: String) -> JSONValue? {
        store.read { $0.object(resource, ObjectKey(namespace: namespace ?? "", name: name)) }
    }

    /// The stored objects of a resource, sorted by namespace and name.
    /// - Parameters:
    ///   - resource: The resource.
    ///   - namespace: Only this namespace; `nil` for all.
    public func list(_ resource: GroupResource, namespace: String? = nil) -> [JSONValue] {
        store.read { state in
            let objects = state.objects[resource] ?? [:]
            return objects.keys.sorted().filter { namespace == nil || $0.namespace == namespace }.compactMap { objects[$0] }
        }
    }

    /// Replaces an object directly (status included). A `metadata.resourceVersion` in `object` is checked (409 on a
    /// mismatch); without one the update is unconditional. Finalizer rules apply.
    /// - Returns: The stored object (or the final state, if the update removed the last finalizer of an object
    ///   being deleted).
    /// - Throws: ``KubernetesStatusError``.
    @discardableResult
    public func update(_ object: JSONValue) throws(KubernetesStatusError) -> JSONValue {
        let definition = try definition(of: object)
        let version = try version(of: object, definition)
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = definition.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : ""
        return try store.withState { state throws(KubernetesStatusError) in
            try state.update(definition, version: version, key: ObjectKey(namespace: namespace, name: name), options: .seed) {
                _ in object
            }
        }
    }

    /// Atomically reads, changes and writes an object (no resourceVersion check).
    /// - Parameters:
    ///   - resource: Its resource.
    ///   - namespace: Its namespace (`nil` for cluster-scoped).
    ///   - name: Its name.
    ///   - change: Edits the object in place; runs inside the store lock, so keep it short and do not call the
    ///     emulator from it.
    /// - Returns: The stored object.
    /// - Throws: ``KubernetesStatusError`` (404 when absent).
    @discardableResult
    public func modify(
        _ resource: GroupResource, namespace: String? = nil, name: String, _ change: (inout JSONValue) -> Void
    ) throws(KubernetesStatusError) -> JSONValue {
        guard let definition = definition(for: resource) else { throw .pageNotFound() }
        return try store.withState { state throws(KubernetesStatusError) in
            try state.update(
                definition, version: definition.versions[0], key: ObjectKey(namespace: namespace ?? "", name: name),
                options: .seed
            ) { current in
                var object = current
                object[path: ["metadata", "resourceVersion"]] = nil
                change(&object)
                return object
            }
        }
    }

    /// Deletes an object directly, as an HTTP DELETE would (objects with finalizers only get `deletionTimestamp`).
    /// - Returns: The object after the call and whether it is gone.
    /// - Throws: ``KubernetesStatusError`` (404 when absent).
    @discardableResult
    public func delete(
        _ resource: GroupResource, namespace: String? = nil, name: String
    ) throws(KubernetesStatusError) -> (object: JSONValue, removed: Bool) {
        guard let definition = definition(for: resource) else { throw .pageNotFound() }
        return try store.withState { state throws(KubernetesStatusError) in
            try state.delete(
                definition, version: definition.versions[0], key: ObjectKey(namespace: namespace ?? "", name: name),
                preconditions: nil)
        }
    }

    private func definition(of object: JSONValue) throws(KubernetesStatusError) -> ResourceDefinition {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let definition = store.read({ $0.definition(apiVersion: apiVersion, kind: kind) }) else {
            throw KubernetesStatusError(
                code: 404, reason: .notFound, message: "no matches for kind \"\(kind)\" in version \"\(apiVersion)\"")
        }
        return definition
    }

    private func version(of object: JSONValue, _ definition: ResourceDefinition) throws(KubernetesStatusError) -> String {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        return String(apiVersion.split(separator: "/").last ?? "")
    }

    // MARK: Swift API: auth, faults, log

    /// Replaces the accepted bearer tokens (token rotation); `nil` disables authentication.
    public func setAcceptedTokens(_ tokens: Set<String>?) {
        self.tokens.withLock { $0 = tokens }
    }

    /// The accepted bearer tokens (`nil`: no authentication).
    public var acceptedTokens: Set<String>? { tokens.withLock { $0 } }

    /// Fails the next `count` requests that match `matcher` with `failure` (checked before authentication and
    /// routing; rules are consumed in the order they were added).
    public func failNextRequests(_ count: Int, matching matcher: RequestMatcher = .any, with failure: InjectedFailure) {
        guard count > 0 else { return }
        faults.withLock { $0.failures.append(.init(matcher: matcher, remaining: count, failure: failure)) }
    }

    /// Delays every matching request by `delay` before it is handled (the first matching rule wins;
    /// ``clearFaults()`` removes all).
    public func addLatency(_ delay: Duration, matching matcher: RequestMatcher = .any) {
        faults.withLock { $0.latencies.append(.init(matcher: matcher, delay: delay)) }
    }

    /// Sends each watch event line in HTTP chunks of at most `maximumChunkSize` bytes (`nil`: one chunk per event),
    /// so clients must reassemble lines across chunks.
    public func splitWatchEvents(maximumChunkSize: Int?) {
        faults.withLock { $0.watchChunkSize = maximumChunkSize.map { max(1, $0) } }
    }

    /// Removes all failure and latency rules and watch chunk splitting.
    public func clearFaults() {
        faults.withLock { $0 = FaultState() }
    }

    /// Drops every open watch connection now, without ending the chunked response (as a crashing API server or a
    /// load balancer would). Returns how many were dropped.
    @discardableResult
    public func dropWatchConnections() -> Int {
        store.abortAllWatchers()
    }

    /// Number of open watches.
    public var activeWatchCount: Int { store.read { $0.watchers.count } }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { log.withLock { $0 } }

    /// Empties the request log.
    public func clearRequestLog() {
        log.withLock { $0.removeAll() }
    }

    /// A kubeconfig YAML for this emulator (server, token if any, CA if the TLS identity names one), e.g. for
    /// `kubectl --kubeconfig`. Note that client-go sends bearer tokens only over HTTPS.
    public func kubeconfig(namespace: String = "default") -> String {
        var cluster = "    server: \(baseURL)\n"
        if let ca = configuration.tls?.caCertificatePEM {
            cluster += "    certificate-authority-data: \(Data(ca.utf8).base64EncodedString())\n"
        }
        var user = "  user: {}\n"
        if let token = acceptedTokens?.sorted().first { user = "  user:\n    token: \(token)\n" }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
            \(cluster)contexts:
            - name: emulator
              context:
                cluster: emulator
                user: emulator
                namespace: \(namespace)
            current-context: emulator
            users:
            - name: emulator
            \(user)
            """
    }

    // MARK: HTTP

    private func acceptLoop(
        _ serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    ) async {
        try? await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    let id = ObjectIdentifier(connection.channel)
                    connections.withLock { $0[id] = connection.channel }
                    group.addTask {
                        await self.serve(connection)
                        _ = self.connections.withLock { $0.removeValue(forKey: id) }
                    }
                }
            }
        }
    }

    /// Thrown to close a connection without finishing the response.
    private struct DropConnection: Error {}

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            var tooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                    tooLarge = false
                case .body(let buffer):
                    if body.count + buffer.readableBytes > configuration.maximumRequestBodySize {
                        tooLarge = true
                    } else {
                        body.append(contentsOf: buffer.readableBytesView)
                    }
                case .end:
                    guard let h = head else { continue }
                    head = nil
                    let request = RecordedRequest(
                        method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) },
                        body: body)
                    let response: APIResponse
                    let logIndex = log.withLock { log in
                        log.append(request)
                        return log.count - 1
                    }
                    if tooLarge {
                        response = .failure(
                            KubernetesStatusError(code: 413, reason: KubernetesStatusError.Reason("RequestEntityTooLarge"), message: "Request entity too large"))
                    } else {
                        response = await handle(request)
                    }
                    log.withLock { log in
                        if log.indices.contains(logIndex) { log[logIndex].responseStatus = response.status }
                    }
                    try await write(response, version: h.version, to: outbound, channel: channel)
                }
            }
        }
    }

    private func handle(_ request: RecordedRequest) async -> APIResponse {
        if let delay = faults.withLock({ $0.latency(for: request) }) {
            try? await Task.sleep(for: delay)
        }
        if let failure = faults.withLock({ $0.takeFailure(for: request) }) {
            return failure.response
        }
        if let accepted = tokens.withLock({ $0 }) {
            let header = request.header("Authorization") ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)).trimmingSpaces : ""
            guard accepted.contains(token) else {
                return .failure(KubernetesStatusError(code: 401, reason: .unauthorized, message: "Unauthorized"))
            }
        }
        return router.route(request)
    }

    private func write(
        _ response: APIResponse, version: HTTPVersion, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        channel: any Channel
    ) async throws {
        var headers = HTTPHeaders()
        let status: Int
        let bodyBytes: [UInt8]
        switch response {
        case .closeConnection:
            throw DropConnection()
        case .watch(let session):
            try await streamWatch(session, version: version, to: outbound, channel: channel)
            return
        case .json(let code, let body, let extra):
            status = code
            bodyBytes = body.serializedBytes
            headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in extra { headers.add(name: name, value: value) }
        case .text(let code, let body):
            status = code
            bodyBytes = Array(body.utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        headers.add(name: "Content-Length", value: String(bodyBytes.count))
        try await outbound.write(
            .head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)))
        if !bodyBytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bodyBytes)))) }
        try await outbound.write(.end(nil))
    }

    /// Streams a watch: one JSON object per line, each line its own HTTP chunk (or several, when chunk splitting is
    /// on); periodic and final bookmarks; ends with the terminating chunk on timeout, or drops the connection on
    /// ``dropWatchConnections()``.
    private func streamWatch(
        _ session: WatchSession, version: HTTPVersion, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        channel: any Channel
    ) async throws {
        let store = self.store
        defer { store.removeWatcher(session.id) }
        // A client that goes away ends the stream (nothing reads the socket while streaming, but NIO still sees EOF).
        channel.closeFuture.whenComplete { _ in store.finishWatcher(session.id, finalBookmark: false) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        try await outbound.write(.head(HTTPResponseHead(version: version, status: .ok, headers: headers)))
        let bookmarkInterval = configuration.bookmarkInterval
        let aborted = try await withThrowingTaskGroup(of: Void.self) { group -> Bool in
            group.addTask {
                try? await Task.sleep(for: session.timeout)
                store.finishWatcher(session.id, finalBookmark: session.allowBookmarks)
            }
            if session.allowBookmarks {
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: bookmarkInterval) } catch { return }
                        store.bookmark(session.id)
                    }
                }
            }
            defer { group.cancelAll() }
            for await item in session.stream {
                switch item {
                case .abort:
                    return true
                case .event(let event):
                    var line = event.json.serializedBytes
                    line.append(UInt8(ascii: "\n"))
                    let chunkSize = faults.withLock { $0.watchChunkSize } ?? line.count
                    var offset = 0
                    while offset < line.count {
                        let end = min(offset + chunkSize, line.count)
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: line[offset..<end]))))
                        offset = end
                    }
                }
            }
            return false
        }
        if aborted { throw DropConnection() }
        try await outbound.write(.end(nil))
    }
}
