import Testing

@testable import Kubernetes

struct WatchDecodingTests {
    static let stream = """
        {"type":"ADDED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"5"},"spec":{"nodeName":"n1","containers":[{"name":"c"}]}}}
        {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"9"}}}
        {"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"10","annotations":{"big":"\(String(repeating: "x", count: 5000))"}}}}
        {"type":"DELETED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"11"}}}

        """

    func events(splitEvery size: Int) throws -> [String] {
        var splitter = WatchLineSplitter(maximumLineBytes: 1 << 20)
        var lines: [[UInt8]] = []
        let bytes = Array(Self.stream.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            try splitter.append(bytes[offset..<end]) { lines.append(Array($0)) }
            offset = end
        }
        #expect(splitter.remainder == nil)
        return try lines.map { line in
            switch try WatchEventDecoder.decode(line, of: Pod.self, resource: Pod.resourceType) {
            case .added(let pod): "added \(pod.metadata.name!) \(pod.metadata.resourceVersion!) \(pod.spec?.nodeName ?? "-")"
            case .modified(let pod): "modified \(pod.metadata.name!) \(pod.metadata.resourceVersion!) \(pod.metadata.annotations?["big"]?.count ?? 0)"
            case .deleted(let pod): "deleted \(pod.metadata.name!) \(pod.metadata.resourceVersion!)"
            case .bookmark(let version): "bookmark \(version)"
            }
        }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096, 1 << 20])
    func eventsAreTheSameWhateverTheChunking(chunkSize: Int) throws {
        #expect(try events(splitEvery: chunkSize) == ["added a 5 n1", "bookmark 9", "modified a 10 5000", "deleted a 11"])
    }

    @Test func anOverlongLineIsRefused() {
        var splitter = WatchLineSplitter(maximumLineBytes: 10)
        #expect(throws: WatchLineSplitter.LineTooLong.self) {
            try splitter.append(Array("0123456789ABCDEF".utf8)) { _ in }
        }
    }

    @Test func anErrorEventWithStatus410IsGone() throws {
        let line = Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (10)","reason":"Expired","code":410}}"#.utf8)
        let error = #expect(throws: KubernetesError.self) {
            _ = try WatchEventDecoder.decode(line, of: Pod.self, resource: Pod.resourceType)
        }
        #expect(error?.code == .gone)
        #expect(error?.message == "too old resource version: 5 (10)")
    }

    @Test func anUnknownEventTypeIsAnError() {
        let line = Array(#"{"type":"SURPRISE","object":{"metadata":{"name":"a"}}}"#.utf8)
        #expect(throws: KubernetesError.self) {
            _ = try WatchEventDecoder.decode(line, of: Pod.self, resource: Pod.resourceType)
        }
    }
}

struct StatusDecodingTests {
    @Test(arguments: [
        (404, "NotFound", KubernetesError.Code.notFound),
        (409, "AlreadyExists", .alreadyExists),
        (409, "Conflict", .conflict),
        (410, "Expired", .gone),
        (401, "Unauthorized", .unauthorized),
        (403, "Forbidden", .forbidden),
        (422, "Invalid", .invalid),
        (429, "TooManyRequests", .tooManyRequests),
        (500, "InternalError", .serverError),
        (400, "BadRequest", .badRequest),
    ])
    func statusBodiesBecomeTypedErrors(status: Int, reason: String, code: KubernetesError.Code) {
        let body = Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"x\" something","reason":"\#(reason)","code":\#(status),"details":{"name":"x","kind":"pods","retryAfterSeconds":3}}"#.utf8)
        let error = KubernetesError.fromResponse(status: status, body: body, retryAfter: nil)
        #expect(error.code == code)
        #expect(error.message == #"pods "x" something"#)
        #expect(error.reason == reason)
        #expect(error.httpStatus == status)
        #expect(error.retryAfterSeconds == 3)
        #expect(error.isRetryable == [.serverError, .tooManyRequests].contains(code))
    }

    @Test func aBodyThatIsNotAStatusStillGivesTheStatusCode() {
        let error = KubernetesError.fromResponse(status: 503, body: Array("upstream down".utf8), retryAfter: "7")
        #expect(error.code == .serverError)
        #expect(error.message == "upstream down")
        #expect(error.retryAfterSeconds == 7)
    }
}

struct ResourcePathTests {
    @Test func pathsOfCoreGroupAndClusterScopedResources() {
        #expect(Pod.resourceType.collectionPath(namespace: "ns") == "/api/v1/namespaces/ns/pods")
        #expect(Pod.resourceType.collectionPath(namespace: nil) == "/api/v1/pods")
        #expect(Node.resourceType.collectionPath(namespace: "ignored") == "/api/v1/nodes")
        #expect(Lease.resourceType.objectPath(name: "l", namespace: "kube-system") == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l")
        let deployments = ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
        #expect(deployments.objectPath(name: "web", namespace: "prod", subresource: "scale") == "/apis/apps/v1/namespaces/prod/deployments/web/scale")
        #expect("\(Lease.resourceType)" == "leases.coordination.k8s.io")
    }

    @Test func queryComponentsArePercentEncoded() {
        #expect(percentEncode("app in (a,b),!canary") == "app%20in%20%28a%2Cb%29%2C%21canary")
        #expect(percentEncode("spec.nodeName=node-1") == "spec.nodeName%3Dnode-1")
    }
}
