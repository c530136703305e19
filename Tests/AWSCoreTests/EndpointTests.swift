import AWSClients
import AWSCore
import AWSTesting
import NIOCore
import Testing

struct EndpointTests {
    @Test func defaultsAndOverrides() throws {
        #expect(try AWSEndpoint.resolve(service: .cloudWatchLogs, region: "eu-west-1").description == "https://logs.eu-west-1.amazonaws.com")
        #expect(try AWSEndpoint.resolve(service: .cloudWatch, region: "us-east-1").description == "https://monitoring.us-east-1.amazonaws.com")
        #expect(try AWSEndpoint.resolve(service: .sns, region: "ap-south-1").description == "https://sns.ap-south-1.amazonaws.com")
        #expect(try AWSEndpoint.resolve(service: .sts, region: "cn-north-1").description == "https://sts.cn-north-1.amazonaws.com.cn")
        #expect(try AWSEndpoint.resolve(service: .iam, region: "eu-west-1").description == "https://iam.amazonaws.com")

        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://localhost:4566/",
        ]
        #expect(try AWSEndpoint.resolve(service: .cloudWatchLogs, region: "eu-west-1", environment: environment).description == "http://localhost:4566")
        #expect(try AWSEndpoint.resolve(service: .sns, region: "eu-west-1", environment: environment).description == "http://127.0.0.1:5000")
        let explicit = try AWSEndpoint.resolve(service: .sns, region: "eu-west-1", explicit: "https://sns.internal:8443", environment: environment)
        #expect(explicit.hostHeader == "sns.internal:8443")
        var ignoring = environment
        ignoring["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try AWSEndpoint.resolve(service: .sns, region: "eu-west-1", environment: ignoring).description == "https://sns.eu-west-1.amazonaws.com")
    }

    @Test func parsing() throws {
        let v6 = try AWSEndpoint(url: "http://[::1]:8080/base/")
        #expect(v6.host == "::1")
        #expect(v6.port == 8080)
        #expect(v6.hostHeader == "[::1]:8080")
        #expect(v6.basePath == "/base")
        #expect(try AWSEndpoint(url: "https://example.com:443").hostHeader == "example.com")
        #expect(try AWSEndpoint(url: "HTTP://Example.com:80").hostHeader == "Example.com")
        for bad in ["example.com", "ftp://x", "http://", "http://h:0", "http://h:99999", "http://h/?q", "http://u@h"] {
            #expect(throws: AWSError.self, "\(bad)") { try AWSEndpoint(url: bad) }
        }
    }

    @Test func regionResolution() {
        #expect(AWSRegion.resolve(explicit: "eu-north-1", environment: ["AWS_REGION": "x"]) == "eu-north-1")
        #expect(AWSRegion.resolve(environment: ["AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "x"]) == "eu-west-3")
        #expect(AWSRegion.resolve(environment: ["AWS_DEFAULT_REGION": "sa-east-1", "HOME": "/nonexistent"]) == "sa-east-1")
        #expect(AWSRegion.resolve(environment: ["HOME": "/nonexistent"]) == nil)
        #expect(throws: AWSError.self) { try AWSClientConfiguration.fromEnvironment(["HOME": "/nonexistent"]) }
    }

    @Test func clientConfigurationFromTheEnvironment() throws {
        let configuration = try AWSClientConfiguration.fromEnvironment([
            "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:1234", "HOME": "/nonexistent",
        ])
        #expect(configuration.region == "eu-west-1")
        #expect(try CloudWatchClient(configuration: configuration).client.endpoint.description == "http://127.0.0.1:1234")
        #expect(try CloudWatchLogsClient(configuration: configuration).client.endpoint.description == "https://logs.eu-west-1.amazonaws.com")
        #expect(try STSClient(configuration: configuration).client.signingRegion == "eu-west-1")
    }
}

struct TimestampTests {
    @Test func iso8601() {
        #expect(AWSTimestamp.iso8601(milliseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(AWSTimestamp.iso8601(milliseconds: 1_764_403_200_123) == "2025-11-29T08:00:00.123Z")
        #expect(AWSTimestamp.iso8601(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00Z")
        #expect(AWSTimestamp.parseISO8601("2025-11-29T08:00:00.123Z") == 1_764_403_200_123)
        #expect(AWSTimestamp.parseISO8601("2025-11-29T08:00:00Z") == 1_764_403_200_000)
        #expect(AWSTimestamp.parseISO8601("2025-11-29T10:00:00+02:00") == 1_764_403_200_000)
        #expect(AWSTimestamp.parseISO8601("2025-11-29T03:30:00-0430") == 1_764_403_200_000)
        #expect(AWSTimestamp.parseISO8601("2025-11-29T08:00:00.123456789Z") == 1_764_403_200_123)
        #expect(AWSTimestamp.parseISO8601("2025-11-29T08:00:00") == 1_764_403_200_000)
        for bad in ["", "2025-11-29", "2025-13-01T00:00:00Z", "2025-11-29T08:00:00Zjunk", "2025-11-29T08:00:00."] {
            #expect(AWSTimestamp.parseISO8601(bad) == nil, "\(bad)")
        }
        for ms in stride(from: Int64(-86_400_000), through: 4_102_444_800_000, by: 86_399_999) {
            #expect(AWSTimestamp.parseISO8601(AWSTimestamp.iso8601(milliseconds: ms)) == ms)
        }
    }

    @Test func httpDate() {
        #expect(AWSTimestamp.parseHTTPDate("Sat, 29 Nov 2025 08:00:00 GMT") == 1_764_403_200)
        #expect(AWSTimestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(AWSTimestamp.parseHTTPDate("garbage") == nil)
    }
}

struct QueryEncodingTests {
    @Test func formEncodingMatchesBotocore() {
        var p = AWSQueryParameters(action: "Publish", version: "2010-03-31")
        p.add("Message", "a b&c=d/é~*")
        p.add("Threshold", 2.5)
        p.add("Period", 60)
        p.add("Count", 3.0)
        p.add("Flag", true)
        p.add("Skipped", nil as String?)
        p.addList("AlarmNames", ["x", "y"])
        #expect(String(decoding: p.formEncoded, as: UTF8.self)
            == "Action=Publish&Version=2010-03-31&Message=a+b%26c%3Dd%2F%C3%A9~%2A&Threshold=2.5&Period=60&Count=3&Flag=true&AlarmNames.member.1=x&AlarmNames.member.2=y")
    }

    @Test func putMetricAlarmParameters() {
        let alarm = MetricAlarmDefinition(
            alarmName: "a", alarmActions: ["arn:1"], dimensions: [Dimension(name: "k", value: "v")], evaluationPeriods: 1,
            threshold: 1, comparisonOperator: .greaterThanThreshold,
            metrics: [
                MetricDataQuery(id: "e1", expression: "m1*2", returnData: true),
                MetricDataQuery(
                    id: "m1", metricStat: MetricStat(metric: Metric(namespace: "N", metricName: "M", dimensions: [Dimension(name: "d", value: "1")]), period: 60, stat: "p99"),
                    returnData: false),
            ], tags: [Tag(key: "t", value: "1")])
        let items = Dictionary(CloudWatchClient.putMetricAlarmParameters(alarm).items.map { ($0.name, $0.value) }) { a, _ in a }
        #expect(items["AlarmActions.member.1"] == "arn:1")
        #expect(items["Dimensions.member.1.Name"] == "k")
        #expect(items["Metrics.member.1.Expression"] == "m1*2")
        #expect(items["Metrics.member.2.MetricStat.Metric.Dimensions.member.1.Value"] == "1")
        #expect(items["Metrics.member.2.MetricStat.Stat"] == "p99")
        #expect(items["Metrics.member.2.ReturnData"] == "false")
        #expect(items["Tags.member.1.Key"] == "t")
        #expect(items["Threshold"] == "1")
    }

    @Test func putMetricDataParameters() {
        let datum = MetricDatum(
            metricName: "M", timestampMilliseconds: 1_764_403_200_000, values: [1, 2.5], counts: [3, 1],
            statisticValues: StatisticSet(sampleCount: 2, sum: 3, minimum: 1, maximum: 2), unit: .bytes, storageResolution: 1)
        let items = Dictionary(CloudWatchClient.putMetricDataParameters(namespace: "N", data: [datum]).items.map { ($0.name, $0.value) }) { a, _ in a }
        #expect(items["MetricData.member.1.Timestamp"] == "2025-11-29T08:00:00Z")
        #expect(items["MetricData.member.1.Values.member.2"] == "2.5")
        #expect(items["MetricData.member.1.Counts.member.1"] == "3")
        #expect(items["MetricData.member.1.StatisticValues.Maximum"] == "2")
        #expect(items["MetricData.member.1.StorageResolution"] == "1")
        #expect(items["MetricData.member.1.Unit"] == "Bytes")
    }

    @Test func snsPublishEncodesMessageAttributes() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.respond(200, "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>")
        ])
        let configuration = AWSClientConfiguration(
            region: "us-east-1", credentialProvider: StaticCredentialProvider(accessKeyID: "AKIA", secretAccessKey: "s"),
            transport: transport)
        let id = try await SNSClient(configuration: configuration).publish(
            topicARN: "arn:aws:sns:us-east-1:1:t", message: "hello", subject: "s",
            attributes: ["b": SNSMessageAttribute(dataType: "Number", stringValue: "3"), "a": SNSMessageAttribute(stringValue: "x")])
        #expect(id == "m-1")
        let body = String(buffer: try #require(transport.sent.first).body)
        #expect(body.hasSuffix(
            "&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=x&MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Number&MessageAttributes.entry.2.Value.StringValue=3"))
    }
}
