import Benchmark
import SigV4

/// Signing promwatch's hottest AWS request: CloudWatch Logs `PutLogEvents` (JSON 1.1, EMF), with a session token as on
/// EKS/ECS/Lambda. The signer is made once; the date is fixed, so after the first iteration the signing key comes from
/// the cache (steady state).
let benchmarks: @Sendable () -> Void = {
    let credentials = AWSCredentials(
        accessKeyID: "ASIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        sessionToken: String(repeating: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD", count: 12)
    )
    let signer = AWSSigner(credentials: credentials, region: "us-east-1", service: "logs")
    let request = SignableRequest(
        method: "POST",
        host: "logs.us-east-1.amazonaws.com",
        headers: [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "Logs_20140328.PutLogEvents"),
            ("x-amzn-logs-format", "json/emf"),
            ("User-Agent", "promwatch/0.1"),
        ]
    )
    let date: Int64 = 1_795_938_226  // 2026-11-29T07:43:46Z

    let smallBody = putLogEventsBody(approximateBytes: 1_024)
    let largeBody = putLogEventsBody(approximateBytes: 200 * 1_024)
    let smallBodyHash = SigV4.hexSHA256(smallBody)

    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    let largeConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    Benchmark("PutLogEvents sign, 1 KB body (incl. hashing)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(signer.signatureHeaders(for: request, body: smallBody, date: date))
        }
    }

    Benchmark("PutLogEvents sign, 200 KB body (incl. hashing)", configuration: largeConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(signer.signatureHeaders(for: request, body: largeBody, date: date))
        }
    }

    Benchmark("PutLogEvents sign, payload hash given (no body hashing)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(signer.signatureHeaders(for: request, payloadHash: smallBodyHash, date: date))
        }
    }

    Benchmark("SHA-256 of a 200 KB body (for reference)", configuration: largeConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(largeBody.withUnsafeBytes { SigV4.hexSHA256($0) })
        }
    }

    Benchmark("New signer per request, 1 KB body", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let signer = AWSSigner(credentials: credentials, region: "us-east-1", service: "logs")
            blackHole(signer.signatureHeaders(for: request, body: smallBody, date: date))
        }
    }
}

/// A PutLogEvents JSON body of EMF events, about `approximateBytes` long.
func putLogEventsBody(approximateBytes: Int) -> [UInt8] {
    var body = Array(#"{"logGroupName":"/promwatch/metrics","logStreamName":"node-exporter-1","logEvents":["#.utf8)
    var index = 0
    while body.count < approximateBytes - 64 {
        if index > 0 { body.append(UInt8(ascii: ",")) }
        let message =
            #"{\"_aws\":{\"Timestamp\":1795938226000,\"CloudWatchMetrics\":[{\"Namespace\":\"promwatch\","#
            + #"\"Dimensions\":[[\"job\",\"instance\"]],\"Metrics\":[{\"Name\":\"node_cpu_seconds_total\","#
            + #"\"Unit\":\"Seconds\"}]}]},\"job\":\"node\",\"instance\":\"10.0.0.\#(index % 250):9100\","#
            + #"\"node_cpu_seconds_total\":\#(Double(index) * 1.25)}"#
        body.append(contentsOf: #"{"timestamp":\#(1_795_938_226_000 + index),"message":""#.utf8)
        body.append(contentsOf: message.utf8)
        body.append(contentsOf: #""}"#.utf8)
        index += 1
    }
    body.append(contentsOf: "]}".utf8)
    return body
}
