import AWSCore
import AWSTesting
import Logging
import PromwatchTestSupport
import Testing

struct TransportTests {
    let logger = Logger(label: "test")

    @Test(.timeLimit(.minutes(1))) func hangingServerTimesOut() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let error = try await #require(throws: AWSError.self) {
            try await AsyncHTTPClientTransport().send(
                AWSHTTPRequest(method: "POST", url: "http://127.0.0.1:\(listener.port)/", body: [1]),
                timeout: .milliseconds(300),
                logger: logger
            )
        }
        #expect(error.code == .timeout)
        #expect(error.isRetryable)
    }

    @Test func refusedConnectionIsATransportError() async throws {
        let port = try TestPorts.free()
        let error = try await #require(throws: AWSError.self) {
            try await AsyncHTTPClientTransport().send(
                AWSHTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/?secret=x"),
                timeout: .seconds(5),
                logger: logger
            )
        }
        #expect(error.code == .transport)
        #expect(error.isRetryable)
        #expect(!error.description.contains("secret=x"))  // presigned queries stay out of messages
    }

    /// One transport sends bodies of different sizes one after another and concurrently (its body buffers are
    /// reused): the server receives each exactly.
    @Test func successiveBodiesArriveExactly() async throws {
        try await LocalHTTPServer.withServer(handler: { request in
            LocalHTTPResponse(status: 200, body: request.body)
        }) { server in
            let transport = AsyncHTTPClientTransport()
            let sizes = [300_000, 10, 70_000, 0, 5, 300_000, 1]
            for (k, size) in sizes.enumerated() {
                let body = (0..<size).map { UInt8(ascii: "a") + UInt8(($0 + k) % 26) }
                let response = try await transport.send(
                    AWSHTTPRequest(method: "POST", url: server.endpoint + "/", body: body),
                    timeout: .seconds(60),
                    logger: logger
                )
                #expect(response.body == body, "body \(k) of \(size) bytes")
            }
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for k in 0..<6 {
                    group.addTask {
                        let body = [UInt8](repeating: UInt8(ascii: "a") + UInt8(k), count: 1_000 * (k + 1))
                        let response = try await transport.send(
                            AWSHTTPRequest(method: "POST", url: server.endpoint + "/", body: body),
                            timeout: .seconds(60),
                            logger: logger
                        )
                        return response.body == body
                    }
                }
                for try await matched in group { #expect(matched) }
            }
        }
    }

    @Test func responsesAreCollectedWhateverTheirContentType() async throws {
        try await LocalHTTPServer.withServer(handler: { request in
            LocalHTTPResponse(
                status: 404,
                headers: [("Content-Type", "text/html"), ("x-amzn-RequestId", "r")],
                text: "echo:\(request.bodyText)"
            )
        }) { server in
            let response = try await AsyncHTTPClientTransport().send(
                AWSHTTPRequest(
                    method: "POST",
                    url: server.endpoint + "/x",
                    headers: [("Host", "custom.example:9")],
                    body: Array("hi".utf8)
                ),
                timeout: .seconds(60),
                logger: logger
            )
            #expect(response.status == 404)
            #expect(String(decoding: response.body, as: UTF8.self) == "echo:hi")
            #expect(response.header("X-AMZN-REQUESTID") == "r")
            // The Host header we sign is the one sent.
            #expect(server.requests.first?.header("Host") == "custom.example:9")
        }
    }

    @Test func oversizedResponsesAreRefused() async throws {
        try await LocalHTTPServer.withServer(handler: { _ in
            LocalHTTPResponse(body: Array(repeating: 0x41, count: 10_000))
        }) { server in
            let error = try await #require(throws: AWSError.self) {
                try await AsyncHTTPClientTransport(maximumResponseBytes: 1000).send(
                    AWSHTTPRequest(method: "GET", url: server.endpoint),
                    timeout: .seconds(60),
                    logger: logger
                )
            }
            #expect(error.code == .invalidResponse)
        }
    }
}
