public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// An HTTP proxy on 127.0.0.1 in front of a target (moto): each request first takes the next queued fault, if any,
/// and otherwise is forwarded unchanged (the `Host` header too, so SigV4 signatures stay valid).
public final class FaultInjectingProxy: Sendable {
    public enum Fault: Sendable {
        /// Answer this instead of forwarding.
        case respond(LocalHTTPResponse)
        /// Wait, then forward (to trigger client timeouts).
        case delay(Duration)
    }

    /// A standing condition, applied to every request that has no queued fault.
    public enum Mode: Sendable, Equatable {
        /// Forward everything.
        case pass
        /// Answer `percent` of requests with ``throttlingJSON()``, spread deterministically (30 → 3 of every 10).
        case throttle(percent: Int)
        /// Answer everything with `503 ServiceUnavailableException`, as during a regional outage.
        case outage
    }

    final class State: Sendable {
        let faults = Mutex<[Fault]>([])
        let forwarded = Mutex(0)
        let mode = Mutex(Mode.pass)
        let modeRequests = Mutex(0)
        let faulted = Mutex(0)

        /// The fault the standing mode imposes on the next request, if any.
        func modeFault() -> Fault? {
            switch mode.withLock({ $0 }) {
            case .pass:
                return nil
            case .outage:
                return FaultInjectingProxy.serviceUnavailableJSON()
            case .throttle(let percent):
                let ordinal = modeRequests.withLock { count -> Int in
                    count += 1
                    return count
                }
                return ordinal % 10 < percent / 10 ? FaultInjectingProxy.throttlingJSON() : nil
            }
        }
    }

    public let server: LocalHTTPServer
    private let state: State

    private init(server: LocalHTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { server.endpoint }
    /// Requests received (faulted or forwarded).
    public var requestCount: Int { server.requests.count }
    /// Requests forwarded to the target.
    public var forwarded: Int { state.forwarded.withLock { $0 } }

    /// Sets the standing mode (queued faults still come first).
    public func setMode(_ mode: Mode) { state.mode.withLock { $0 = mode } }
    /// Requests answered with a fault instead of being forwarded.
    public var faulted: Int { state.faulted.withLock { $0 } }

    /// Queues faults for the next requests, in order.
    public func inject(_ newFaults: [Fault]) { state.faults.withLock { $0.append(contentsOf: newFaults) } }

    /// A 400 JSON throttling error as CloudWatch Logs sends it.
    public static func throttlingJSON() -> Fault {
        .respond(
            LocalHTTPResponse(
                status: 400, headers: [("Content-Type", "application/x-amz-json-1.1")],
                text: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#))
    }

    /// A 503 JSON `ServiceUnavailableException`, as CloudWatch Logs sends it.
    public static func serviceUnavailableJSON() -> Fault {
        .respond(
            LocalHTTPResponse(
                status: 503, headers: [("Content-Type", "application/x-amz-json-1.1")],
                text: #"{"__type":"ServiceUnavailableException","message":"injected outage"}"#))
    }

    /// A 503 with an XML body.
    public static func serviceUnavailableXML() -> Fault {
        .respond(
            LocalHTTPResponse(
                status: 503, headers: [("Content-Type", "text/xml")],
                text: "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>try later</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"))
    }

    public static func withProxy<T: Sendable>(
        target: String, client: HTTPClient = .shared, _ body: (FaultInjectingProxy) async throws -> T
    ) async throws -> T {
        let state = State()
        return try await LocalHTTPServer.withServer(handler: { request in
            let fault: Fault? = state.faults.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? state.modeFault()
            switch fault {
            case .respond(let response):
                state.faulted.withLock { $0 += 1 }
                return response
            case .delay(let duration): try? await Task.sleep(for: duration)
            case nil: break
            }
            state.forwarded.withLock { $0 += 1 }
            return await forward(request, to: target, client: client)
        }) { server in
            try await body(FaultInjectingProxy(server: server, state: state))
        }
    }

    static func forward(_ request: LocalHTTPRequest, to target: String, client: HTTPClient) async -> LocalHTTPResponse {
        var outgoing = HTTPClientRequest(url: target + request.uri)
        outgoing.method = HTTPMethod(rawValue: request.method)
        let hopByHop: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive"]
        for (name, value) in request.headers where !hopByHop.contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            outgoing.body = .bytes(request.body)
        }
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return LocalHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.filter { !hopByHop.contains($0.name.lowercased()) }.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView))
        } catch {
            return LocalHTTPResponse(status: 502, text: "proxy: \(error)")
        }
    }
}
