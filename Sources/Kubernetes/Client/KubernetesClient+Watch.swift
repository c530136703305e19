import NIOHTTP1
public import AsyncHTTPClient
import NIOCore

/// One change seen by a watch.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Nothing changed, but the watch has seen everything up to `resourceVersion`: resume from there.
    case bookmark(resourceVersion: String)
}

public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version (from a list or the last event); `nil` or `"0"` starts with the current state as
    /// `added` events.
    public var resourceVersion: String?
    /// The server ends the watch after this long (client-go picks 5–10 min at random, so watches of many clients
    /// don't expire together).
    public var timeoutSeconds: Int
    public var allowBookmarks: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil, timeoutSeconds: Int = Int.random(in: 300...600), allowBookmarks: Bool = true) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowBookmarks = allowBookmarks
    }
}

extension KubernetesClient {
    /// The longest watch event line accepted (objects are at most ~1.5 MiB in etcd; lists are not watched).
    public static let maximumWatchEventBytes = 64 * 1024 * 1024

    /// Watches `resource` and calls `onEvent` for each change, in order, until the server ends the stream
    /// (`timeoutSeconds`), which returns normally.
    ///
    /// - Throws: ``KubernetesError``: `.gone` when `resourceVersion` is too old (relist, then watch again), the
    ///   server's error, a broken connection (`.transport`); or what `onEvent` throws.
    public func watch<T: Decodable & Sendable>(
        _ resource: ResourceType, namespace: String?, options: WatchOptions = .init(), of type: T.Type = T.self,
        onEvent: (WatchEvent<T>) async throws -> Void
    ) async throws {
        var query: [(String, String)] = [("watch", "true")]
        if let labelSelector = options.labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector = options.fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
        if options.allowBookmarks { query.append(("allowWatchBookmarks", "true")) }
        query.append(("timeoutSeconds", String(options.timeoutSeconds)))
        let request = Request(method: .GET, path: resource.collectionPath(namespace: namespace), query: query)

        var refreshed = false
        while true {
            let token = try await tokens.token()
            let response: HTTPClientResponse
            do {
                // The server ends the stream at timeoutSeconds; the client deadline only catches a dead server.
                response = try await http.execute(makeHTTPRequest(request, token: token), deadline: .now() + .seconds(Int64(options.timeoutSeconds) + 30))
            } catch {
                throw KubernetesError(code: .transport, message: "watch \(resource): \(error)")
            }
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? []
                if status == 401, !refreshed, token != nil {
                    refreshed = true
                    tokens.invalidate()
                    continue
                }
                throw KubernetesError.fromResponse(status: status, body: body, retryAfter: response.headers.first(name: "Retry-After"))
            }
            var splitter = WatchLineSplitter(maximumLineBytes: Self.maximumWatchEventBytes)
            do {
                for try await chunk in response.body {
                    var lines: [[UInt8]] = []
                    try splitter.append(chunk.readableBytesView) { lines.append(Array($0)) }
                    for line in lines {
                        try await onEvent(try WatchEventDecoder.decode(line, of: T.self, resource: resource))
                    }
                }
            } catch let error as KubernetesError {
                throw error
            } catch let error as WatchLineSplitter.LineTooLong {
                throw KubernetesError(code: .decoding, message: "watch \(resource): an event is larger than \(error.limit) bytes")
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .cancelled {
                throw CancellationError()
            } catch where isTransportError(error) {
                throw KubernetesError(code: .transport, message: "watch \(resource) broke: \(error)")
            }
            if let rest = splitter.remainder, !rest.isEmpty {
                // A stream that ends mid-event was cut, not finished.
                throw KubernetesError(code: .transport, message: "watch \(resource) ended in the middle of an event")
            }
            return
        }
    }

    /// Errors of the HTTP body stream (not of `onEvent`, which propagate as they are).
    private func isTransportError(_ error: any Error) -> Bool {
        error is HTTPClientError || error is IOError || error is ChannelError
    }

    /// Typed watch of `T`'s resource.
    public func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: WatchOptions = .init(),
        onEvent: (WatchEvent<T>) async throws -> Void
    ) async throws {
        try await watch(T.resourceType, namespace: namespace, options: options, of: T.self, onEvent: onEvent)
    }
}

/// Cuts a byte stream into newline-terminated lines, whatever the chunking; a line may span many chunks.
public struct WatchLineSplitter: Sendable {
    public struct LineTooLong: Error, Sendable {
        public var limit: Int
    }

    private var pending: [UInt8] = []
    public let maximumLineBytes: Int

    public init(maximumLineBytes: Int) { self.maximumLineBytes = maximumLineBytes }

    /// Bytes of an unfinished line, `nil` when none.
    public var remainder: [UInt8]? { pending.isEmpty ? nil : pending }

    /// Adds `chunk` and calls `line` for each completed line (without its newline; blank lines skipped).
    public mutating func append(_ chunk: some Collection<UInt8>, line: (ArraySlice<UInt8>) throws -> Void) throws {
        var start = chunk.startIndex
        var index = start
        while index != chunk.endIndex {
            if chunk[index] == UInt8(ascii: "\n") {
                if pending.isEmpty {
                    let slice = ArraySlice(chunk[start..<index])
                    if !slice.isEmpty { try line(slice) }
                } else {
                    pending.append(contentsOf: chunk[start..<index])
                    let complete = pending[...]
                    pending = []
                    if !complete.isEmpty { try line(complete) }
                }
                start = chunk.index(after: index)
            }
            index = chunk.index(after: index)
        }
        pending.append(contentsOf: chunk[start..<chunk.endIndex])
        if pending.count > maximumLineBytes { throw LineTooLong(limit: maximumLineBytes) }
    }
}

/// Decodes one watch line `{"type": …, "object": …}`.
enum WatchEventDecoder {
    private struct Envelope<T: Decodable>: Decodable {
        var event: Decoded

        enum Decoded {
            case object(String, T)
            case bookmark(String)
            case error(Status)
        }

        enum CodingKeys: CodingKey { case type, object }

        private struct BookmarkObject: Decodable {
            struct Meta: Decodable { var resourceVersion: String? }
            var metadata: Meta?
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "BOOKMARK":
                let object = try container.decode(BookmarkObject.self, forKey: .object)
                event = .bookmark(object.metadata?.resourceVersion ?? "")
            case "ERROR":
                event = .error(try container.decode(Status.self, forKey: .object))
            default:
                event = .object(type, try container.decode(T.self, forKey: .object))
            }
        }
    }

    static func decode<T: Decodable & Sendable>(_ line: [UInt8], of type: T.Type, resource: ResourceType) throws(KubernetesError) -> WatchEvent<T> {
        let envelope: Envelope<T>
        do {
            envelope = try KubernetesJSON.decode(Envelope<T>.self, from: line)
        } catch {
            throw KubernetesError(code: .decoding, message: "watch \(resource): undecodable event: \(error)")
        }
        switch envelope.event {
        case .bookmark(let version): return .bookmark(resourceVersion: version)
        case .error(let status): throw KubernetesError.fromStatus(status)
        case .object("ADDED", let object): return .added(object)
        case .object("MODIFIED", let object): return .modified(object)
        case .object("DELETED", let object): return .deleted(object)
        case .object(let type, _): throw KubernetesError(code: .decoding, message: "watch \(resource): unknown event type \(type)")
        }
    }
}
