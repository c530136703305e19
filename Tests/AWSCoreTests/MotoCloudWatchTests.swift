import AWSClients
import AWSCore
import AWSTesting
import JSON
import Testing

extension MotoIntegrationTests {
    @Suite struct CloudWatch {
        func client() throws -> CloudWatchClient { try CloudWatchClient(configuration: MotoContext.moto.configuration()) }

        @Test func singleMetricAlarmRoundTrip() async throws {
            let cloudWatch = try client()
            let name = uniqueName("high-latency")
            let definition = MetricAlarmDefinition(
                alarmName: name, alarmDescription: "p99 latency <too> high & \"rising\"", actionsEnabled: true,
                okActions: ["arn:aws:sns:us-east-1:123456789012:ok"],
                alarmActions: ["arn:aws:sns:us-east-1:123456789012:page", "arn:aws:sns:us-east-1:123456789012:chat"],
                insufficientDataActions: ["arn:aws:sns:us-east-1:123456789012:nodata"],
                metricName: "Latency", namespace: "Promwatch/Test", statistic: .average,
                dimensions: [Dimension(name: "Service", value: "api"), Dimension(name: "Region", value: "eu-west-1")],
                period: 60, unit: .milliseconds, evaluationPeriods: 5, datapointsToAlarm: 3, threshold: 250.5,
                comparisonOperator: .greaterThanThreshold, treatMissingData: .notBreaching,
                tags: [Tag(key: "team", value: "obs"), Tag(key: "managed-by", value: "promwatch")])
            try await cloudWatch.putMetricAlarm(definition)

            let described = try await cloudWatch.describeAlarms(names: [name])
            let alarm = try #require(described.metricAlarms.first)
            #expect(described.metricAlarms.count == 1)
            var expected = definition
            expected.tags = []
            #expect(alarm.definition == expected)
            // moto starts alarms in OK (AWS: INSUFFICIENT_DATA).
            #expect(alarm.stateValue == .ok || alarm.stateValue == .insufficientData)
            let arn = try #require(alarm.alarmARN)
            #expect(arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\(name)")

            let tags = try await cloudWatch.listTagsForResource(arn: arn)
            #expect(Set(tags) == Set(definition.tags))
            try await cloudWatch.tagResource(arn: arn, tags: [Tag(key: "extra", value: "1")])
            try await cloudWatch.untagResource(arn: arn, keys: ["team"])
            let retagged = try await cloudWatch.listTagsForResource(arn: arn)
            #expect(Set(retagged) == [Tag(key: "managed-by", value: "promwatch"), Tag(key: "extra", value: "1")])

            try await cloudWatch.setAlarmState(name: name, state: .alarm, reason: "test", reasonData: #"{"version":"1.0"}"#)
            let afterSet = try await cloudWatch.describeAlarms(names: [name])
            #expect(afterSet.metricAlarms.first?.stateValue == .alarm)
            #expect(afterSet.metricAlarms.first?.stateReason == "test")

            let missing = try await #require(throws: AWSError.self) {
                try await cloudWatch.setAlarmState(name: uniqueName("nope"), state: .ok, reason: "x")
            }
            #expect(missing.serviceCode == "ResourceNotFound")

            try await cloudWatch.deleteAlarms(names: [name, uniqueName("unknown")])
            #expect(try await cloudWatch.describeAlarms(names: [name]).metricAlarms.isEmpty)
        }

        @Test func metricMathAlarmAndExtendedStatistic() async throws {
            let cloudWatch = try client()
            let prefix = uniqueName("math")
            let metrics = [
                MetricDataQuery(id: "e1", expression: "m1/m2*100", label: "Error rate", returnData: true),
                MetricDataQuery(
                    id: "m1",
                    metricStat: MetricStat(
                        metric: Metric(namespace: "Promwatch/Test", metricName: "Errors", dimensions: [Dimension(name: "Service", value: "api")]),
                        period: 300, stat: "Sum", unit: .count),
                    returnData: false),
                MetricDataQuery(
                    id: "m2",
                    metricStat: MetricStat(
                        metric: Metric(namespace: "Promwatch/Test", metricName: "Requests", dimensions: [Dimension(name: "Service", value: "api")]),
                        period: 300, stat: "Sum"),
                    returnData: false),
            ]
            let math = MetricAlarmDefinition(
                alarmName: prefix + "-ratio", actionsEnabled: true, evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 5,
                comparisonOperator: .greaterThanOrEqualToThreshold, treatMissingData: .missing, metrics: metrics)
            let percentile = MetricAlarmDefinition(
                alarmName: prefix + "-p99", actionsEnabled: false, metricName: "Latency", namespace: "Promwatch/Test", extendedStatistic: "p99",
                period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: .lessThanThreshold,
                evaluateLowSampleCountPercentile: "ignore")
            try await cloudWatch.putMetricAlarm(math)
            try await cloudWatch.putMetricAlarm(percentile)
            let described = try await cloudWatch.describeAlarms(prefix: prefix)
            let byName = Dictionary(uniqueKeysWithValues: described.metricAlarms.map { ($0.alarmName, $0.definition) })
            #expect(byName.count == 2)
            #expect(byName[math.alarmName] == math)
            #expect(byName[percentile.alarmName] == percentile)
            try await cloudWatch.deleteAlarms(names: [math.alarmName, percentile.alarmName])
        }

        @Test func describeAlarmsPaginates() async throws {
            let cloudWatch = try client()
            let prefix = uniqueName("page")
            for i in 0..<3 {
                try await cloudWatch.putMetricAlarm(
                    MetricAlarmDefinition(
                        alarmName: "\(prefix)-\(i)", metricName: "M", namespace: "N", statistic: .sum, period: 60,
                        evaluationPeriods: 1, threshold: 1, comparisonOperator: .greaterThanThreshold))
            }
            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await cloudWatch.describeAlarms(prefix: prefix, maxRecords: 2, nextToken: token)
                names += page.metricAlarms.map(\.alarmName)
                token = page.nextToken
                pages += 1
            } while token != nil && pages < 10
            #expect(names.sorted() == (0..<3).map { "\(prefix)-\($0)" })
            // AWS pages by MaxRecords; moto may return everything in one page.
            #expect(pages >= 1)
        }

        @Test func putAndGetMetricData() async throws {
            let cloudWatch = try client()
            let namespace = uniqueName("Promwatch/Data")
            let now = SystemWallClock().nowMilliseconds()
            let minute = now / 60_000 * 60_000
            let dims = [Dimension(name: "Service", value: "api")]
            try await cloudWatch.putMetricData(
                namespace: namespace,
                data: [
                    MetricDatum(metricName: "Requests", dimensions: dims, timestampMilliseconds: minute + 1000, value: 10, unit: .count),
                    MetricDatum(
                        metricName: "Requests", dimensions: dims, timestampMilliseconds: minute + 2000, values: [1, 2.5],
                        counts: [2, 1], unit: .count, storageResolution: 60),
                    MetricDatum(
                        metricName: "Latency", dimensions: dims, timestampMilliseconds: minute + 3000,
                        statisticValues: StatisticSet(sampleCount: 4, sum: 100, minimum: 5, maximum: 60), unit: .milliseconds,
                        storageResolution: 1),
                ])
            let query = MetricDataQuery(
                id: "m1",
                metricStat: MetricStat(metric: Metric(namespace: namespace, metricName: "Requests", dimensions: dims), period: 60, stat: "Sum"),
                label: "requests", returnData: true)
            let maxQuery = MetricDataQuery(
                id: "m2",
                metricStat: MetricStat(metric: Metric(namespace: namespace, metricName: "Latency", dimensions: dims), period: 60, stat: "Maximum"),
                returnData: true)
            let response = try await cloudWatch.getMetricData(
                queries: [query, maxQuery], startMilliseconds: minute - 60_000, endMilliseconds: minute + 120_000)
            let results = Dictionary(uniqueKeysWithValues: response.metricDataResults.map { ($0.id, $0) })
            let m1 = try #require(results["m1"])
            let sum: Double = m1.values.reduce(0, +)
            let expectedSum: Double = 10 + 1 * 2 + 2.5  // Value, plus Values weighted by Counts
            #expect(sum == expectedSum)
            #expect(m1.label == "requests")
            #expect(m1.statusCode == "Complete")
            #expect(m1.timestampsMilliseconds.count == m1.values.count)
            #expect(results["m2"]?.values == [60])

            // Value and Values together are refused.
            let invalid = try await #require(throws: AWSError.self) {
                try await cloudWatch.putMetricData(namespace: namespace, data: [MetricDatum(metricName: "X", value: 1, values: [1])])
            }
            #expect(invalid.serviceCode == "InvalidParameterValue")
        }
    }

    @Suite struct SNS {
        @Test func publishReachesAnHTTPSubscriber() async throws {
            let moto = try MotoContext.moto
            let sns = try SNSClient(configuration: moto.configuration())
            try await LocalHTTPServer.withServer(handler: { _ in LocalHTTPResponse(status: 200) }) { subscriber in
                let topic = try await sns.createTopic(name: uniqueName("alarms"))
                try await sns.subscribe(topicARN: topic, protocol: "http", endpoint: subscriber.endpoint + "/sns")
                let id = try await sns.publish(
                    topicARN: topic, message: #"{"AlarmName":"a & b <c>"}"#, subject: "ALARM: a",
                    attributes: ["severity": SNSMessageAttribute(stringValue: "page"), "count": SNSMessageAttribute(dataType: "Number", stringValue: "3")])
                #expect(!id.isEmpty)
                let delivered = try #require(subscriber.requests.last)
                #expect(delivered.path == "/sns")
                let body = try JSONValue(parsing: delivered.body)
                #expect(body["Message"]?.stringValue == #"{"AlarmName":"a & b <c>"}"#)
                #expect(body["Subject"]?.stringValue == "ALARM: a")
                #expect(body["MessageId"]?.stringValue == id)
                // moto 5.2.1 leaves MessageAttributes out of HTTP deliveries (boto3 sees the same); their encoding
                // is checked in SNSClientTests.
            }
        }

        @Test func publishToAMissingTopicIsNotFound() async throws {
            let moto = try MotoContext.moto
            let sns = try SNSClient(configuration: moto.configuration())
            let error = try await #require(throws: AWSError.self) {
                try await sns.publish(topicARN: "arn:aws:sns:us-east-1:123456789012:\(uniqueName("missing"))", message: "x")
            }
            #expect(error.serviceCode == "NotFound")
        }
    }
}
