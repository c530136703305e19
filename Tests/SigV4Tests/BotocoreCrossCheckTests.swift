import Foundation
import SigV4
import Testing

/// promwatch's signer against botocore 1.43 (the signer moto itself verifies with) on the requests promwatch sends.
@Suite("botocore cross-check")
struct BotocoreCrossCheckTests {
    static let accessKey = "AKIAIOSFODNN7EXAMPLE"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token =
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token+with/slashes=="
    /// 2026-11-29T07:43:46Z, 2028-02-29T23:59:59Z (leap day, one second before midnight), 2015-08-30T12:36:00Z.
    static let dates: [Int64] = [1_795_938_226, 1_835_481_599, 1_440_938_160]

    static let putLogEventsBody = #"""
        {"logGroupName":"/promwatch/metrics","logStreamName":"node-1","logEvents":[{"timestamp":1795938226000,"message":"{\"_aws\":{\"Timestamp\":1795938226000,\"CloudWatchMetrics\":[{\"Namespace\":\"promwatch\",\"Dimensions\":[[\"job\"]],\"Metrics\":[{\"Name\":\"up\"}]}]},\"job\":\"node\",\"up\":1}"}]}
        """#

    static let putMetricAlarmBody =
        "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=promwatch%20high%20latency&Namespace=promwatch"
        + "&MetricName=latency&Statistic=Average&Period=60&EvaluationPeriods=3&Threshold=0.5"
        + "&ComparisonOperator=GreaterThanThreshold&Dimensions.member.1.Name=job&Dimensions.member.1.Value=api"
        + "&AlarmActions.member.1=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"

    /// Requests shaped like promwatch's, against AWS endpoints and against moto on a loopback port.
    static func headerCases() -> [Botocore.Case] {
        struct Shape {
            var name: String
            var method = "POST"
            var path = "/"
            var query: [[String]] = []
            var headers: [[String]]
            var body: String
            var service: String
            var awsHost: String
        }
        let shapes = [
            Shape(
                name: "logs-PutLogEvents",
                headers: [
                    ["Content-Type", "application/x-amz-json-1.1"], ["X-Amz-Target", "Logs_20140328.PutLogEvents"],
                    ["x-amzn-logs-format", "json/emf"], ["User-Agent", "promwatch/0.1 swift/6.3"],
                ],
                body: putLogEventsBody,
                service: "logs",
                awsHost: "logs.us-east-1.amazonaws.com"
            ),
            Shape(
                name: "monitoring-PutMetricAlarm-query",
                headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
                body: putMetricAlarmBody,
                service: "monitoring",
                awsHost: "monitoring.us-east-1.amazonaws.com"
            ),
            Shape(
                name: "monitoring-DescribeAlarms-json",
                headers: [
                    ["Content-Type", "application/x-amz-json-1.0"],
                    ["X-Amz-Target", "GraniteServiceVersion20100801.DescribeAlarms"], ["x-amzn-query-mode", "true"],
                ],
                body: #"{"AlarmNamePrefix":"promwatch-"}"#,
                service: "monitoring",
                awsHost: "monitoring.us-east-1.amazonaws.com"
            ),
            Shape(
                name: "sts-GetCallerIdentity",
                headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
                body: "Action=GetCallerIdentity&Version=2011-06-15",
                service: "sts",
                awsHost: "sts.amazonaws.com"
            ),
            Shape(
                name: "sns-Publish",
                headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
                body:
                    "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=hi%20there",
                service: "sns",
                awsHost: "sns.us-east-1.amazonaws.com"
            ),
            // rest-json with a raw path that needs encoding (double-encoded in the canonical request) and a query.
            Shape(
                name: "lambda-Invoke-qualified",
                path: "/2015-03-31/functions/my function:prod/invocations",
                query: [["Qualifier", "v 1/2"]],
                headers: [["Content-Type", "application/json"], ["X-Amz-Invocation-Type", "RequestResponse"]],
                body: #"{"ping":true}"#,
                service: "lambda",
                awsHost: "lambda.us-east-1.amazonaws.com"
            ),
            // GET with query parameters that need encoding; header value with inner whitespace to collapse.
            Shape(
                name: "monitoring-ListMetrics-get",
                method: "GET",
                query: [
                    ["Namespace", "AWS/EC2"], ["Action", "ListMetrics"], ["Version", "2010-08-01"], ["Empty", ""],
                ],
                headers: [["X-Custom-Note", "  two   spaces\tand a tab  "]],
                body: "",
                service: "monitoring",
                awsHost: "monitoring.eu-west-1.amazonaws.com"
            ),
        ]
        var cases: [Botocore.Case] = []
        for shape in shapes {
            for (scheme, host) in [("https", shape.awsHost), ("http", "127.0.0.1:5123")] {
                for token in [nil, token] {
                    for date in dates {
                        cases.append(
                            Botocore.Case(
                                name: "\(shape.name) \(host) token=\(token != nil) date=\(date)",
                                mode: "headers",
                                method: shape.method,
                                scheme: scheme,
                                host: host,
                                path: shape.path,
                                query: shape.query,
                                headers: shape.headers,
                                body: shape.body,
                                service: shape.service,
                                region: shape.awsHost.contains("eu-west-1") ? "eu-west-1" : "us-east-1",
                                accessKey: accessKey,
                                secretKey: secretKey,
                                token: token,
                                date: date,
                                expires: 0
                            )
                        )
                    }
                }
            }
        }
        return cases
    }

    /// EKS-token-shaped presigned STS GetCallerIdentity (signed `x-k8s-aws-id`, 60 s), and a plain presign.
    static func queryCases() -> [Botocore.Case] {
        var cases: [Botocore.Case] = []
        for (scheme, host) in [("https", "sts.us-east-1.amazonaws.com"), ("http", "127.0.0.1:5123")] {
            for token in [nil, token] {
                for date in dates {
                    cases.append(
                        Botocore.Case(
                            name: "eks-token \(host) token=\(token != nil) date=\(date)",
                            mode: "query",
                            method: "GET",
                            scheme: scheme,
                            host: host,
                            path: "/",
                            query: [["Action", "GetCallerIdentity"], ["Version", "2011-06-15"]],
                            headers: [["x-k8s-aws-id", "my-cluster"]],
                            body: "",
                            service: "sts",
                            region: "us-east-1",
                            accessKey: accessKey,
                            secretKey: secretKey,
                            token: token,
                            date: date,
                            expires: 60
                        )
                    )
                }
            }
        }
        cases.append(
            Botocore.Case(
                name: "presign-path-and-query",
                mode: "query",
                method: "GET",
                scheme: "https",
                host: "execute-api.eu-west-1.amazonaws.com",
                path: "/stage/a b/ሴ",
                query: [["q", "x/y z~"]],
                headers: [],
                body: "",
                service: "execute-api",
                region: "eu-west-1",
                accessKey: accessKey,
                secretKey: String(repeating: secretKey, count: 3),  // "AWS4" + secret > 64 bytes: HMAC hashes the key
                token: token,
                date: dates[0],
                expires: 900
            )
        )
        return cases
    }

    @Test func headerSigningMatchesBotocore() throws {
        let cases = Self.headerCases()
        let results = try Botocore.sign(cases)
        for (testCase, result) in zip(cases, results) {
            let ours = testCase.signer.signatureHeaders(
                for: testCase.request,
                body: Array(testCase.body.utf8),
                date: testCase.date
            )
            var expected = result.headers ?? [:]
            // botocore may spell header names differently; compare case-insensitively.
            expected = Dictionary(uniqueKeysWithValues: expected.map { ($0.key.lowercased(), $0.value) })
            let actual = Dictionary(uniqueKeysWithValues: ours.map { ($0.name.lowercased(), $0.value) })
            let canonical = testCase.signer.canonicalRequest(
                for: testCase.request,
                payloadHash: SigV4.hexSHA256(Array(testCase.body.utf8)),
                date: testCase.date
            )
            #expect(
                actual == expected,
                "\(testCase.name)\n--- promwatch canonical request:\n\(canonical)\n--- botocore:\n\(result.canonicalRequest)"
            )
            #expect(canonical == result.canonicalRequest, "\(testCase.name): canonical request")
        }
        #expect(results.count == 7 * 2 * 2 * 3)
    }

    @Test func presignedURLMatchesBotocore() throws {
        let cases = Self.queryCases()
        let results = try Botocore.sign(cases)
        for (testCase, result) in zip(cases, results) {
            let url = testCase.signer.presignedURL(
                for: testCase.request,
                scheme: testCase.scheme,
                expiresInSeconds: testCase.expires,
                date: testCase.date
            )
            let canonical = testCase.signer.presignedCanonicalRequest(
                for: testCase.request,
                expiresInSeconds: testCase.expires,
                date: testCase.date
            )
            #expect(
                url == result.url,
                "\(testCase.name)\n--- promwatch canonical request:\n\(canonical)\n--- botocore:\n\(result.canonicalRequest)"
            )
            #expect(canonical == result.canonicalRequest, "\(testCase.name): canonical request")
        }
    }
}
