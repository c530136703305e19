public import AWSCore

/// CloudWatch over the query protocol (form POST `Action=…&Version=2010-08-01`, XML responses), signing name
/// `monitoring`. Works against AWS, moto and LocalStack alike.
public struct CloudWatchClient: Sendable {
    public let client: AWSServiceClient
    public static let version = "2010-08-01"

    /// - Throws: ``AWSError`` `.invalidConfiguration` for a bad endpoint URL.
    public init(configuration: AWSClientConfiguration) throws(AWSError) {
        client = try AWSServiceClient(service: .cloudWatch, configuration: configuration)
    }

    public init(client: AWSServiceClient) { self.client = client }

    func parameters(_ action: String) -> AWSQueryParameters { AWSQueryParameters(action: action, version: Self.version) }

    // MARK: Alarms

    /// `PutMetricAlarm`: creates or replaces an alarm.
    public func putMetricAlarm(_ alarm: MetricAlarmDefinition) async throws(AWSError) {
        _ = try await client.query(Self.putMetricAlarmParameters(alarm))
    }

    /// The query parameters of `PutMetricAlarm` (exposed for tests).
    public static func putMetricAlarmParameters(_ alarm: MetricAlarmDefinition) -> AWSQueryParameters {
        var p = AWSQueryParameters(action: "PutMetricAlarm", version: version)
        p.add("AlarmName", alarm.alarmName)
        p.add("AlarmDescription", alarm.alarmDescription)
        p.add("ActionsEnabled", alarm.actionsEnabled)
        p.addList("OKActions", alarm.okActions)
        p.addList("AlarmActions", alarm.alarmActions)
        p.addList("InsufficientDataActions", alarm.insufficientDataActions)
        p.add("MetricName", alarm.metricName)
        p.add("Namespace", alarm.namespace)
        p.add("Statistic", alarm.statistic?.rawValue)
        p.add("ExtendedStatistic", alarm.extendedStatistic)
        addDimensions(&p, "Dimensions", alarm.dimensions)
        p.add("Period", alarm.period)
        p.add("Unit", alarm.unit?.rawValue)
        p.add("EvaluationPeriods", alarm.evaluationPeriods)
        p.add("DatapointsToAlarm", alarm.datapointsToAlarm)
        p.add("Threshold", alarm.threshold)
        p.add("ComparisonOperator", alarm.comparisonOperator.rawValue)
        p.add("TreatMissingData", alarm.treatMissingData?.rawValue)
        p.add("EvaluateLowSampleCountPercentile", alarm.evaluateLowSampleCountPercentile)
        addQueries(&p, "Metrics", alarm.metrics)
        p.add("ThresholdMetricId", alarm.thresholdMetricID)
        addTags(&p, "Tags", alarm.tags)
        return p
    }

    static func addDimensions(_ p: inout AWSQueryParameters, _ name: String, _ dimensions: [Dimension]) {
        p.addList(name, dimensions) { p, prefix, d in
            p.add("\(prefix).Name", d.name)
            p.add("\(prefix).Value", d.value)
        }
    }

    static func addTags(_ p: inout AWSQueryParameters, _ name: String, _ tags: [Tag]) {
        p.addList(name, tags) { p, prefix, t in
            p.add("\(prefix).Key", t.key)
            p.add("\(prefix).Value", t.value)
        }
    }

    static func addQueries(_ p: inout AWSQueryParameters, _ name: String, _ queries: [MetricDataQuery]) {
        p.addList(name, queries) { p, prefix, q in
            p.add("\(prefix).Id", q.id)
            if let stat = q.metricStat {
                p.add("\(prefix).MetricStat.Metric.Namespace", stat.metric.namespace)
                p.add("\(prefix).MetricStat.Metric.MetricName", stat.metric.metricName)
                addDimensions(&p, "\(prefix).MetricStat.Metric.Dimensions", stat.metric.dimensions)
                p.add("\(prefix).MetricStat.Period", stat.period)
                p.add("\(prefix).MetricStat.Stat", stat.stat)
                p.add("\(prefix).MetricStat.Unit", stat.unit?.rawValue)
            }
            p.add("\(prefix).Expression", q.expression)
            p.add("\(prefix).Label", q.label)
            p.add("\(prefix).ReturnData", q.returnData)
            p.add("\(prefix).Period", q.period)
            p.add("\(prefix).AccountId", q.accountID)
        }
    }

    /// `DescribeAlarms` (metric alarms), one page. With no names and no prefix, all alarms.
    public func describeAlarms(
        names: [String] = [], prefix: String? = nil, stateValue: AlarmState? = nil, maxRecords: Int? = nil,
        nextToken: String? = nil
    ) async throws(AWSError) -> DescribeAlarmsResponse {
        var p = parameters("DescribeAlarms")
        p.addList("AlarmNames", names)
        p.add("AlarmNamePrefix", prefix)
        p.add("StateValue", stateValue?.rawValue)
        p.add("MaxRecords", maxRecords)
        p.add("NextToken", nextToken)
        let xml = try await client.query(p)
        guard let result = xml.first(named: "DescribeAlarmsResult") else {
            throw AWSError(.invalidResponse, "DescribeAlarms: no DescribeAlarmsResult")
        }
        return DescribeAlarmsResponse(
            metricAlarms: try result.members("MetricAlarms").map(Self.decodeAlarm),
            nextToken: result.string("NextToken").flatMap { $0.isEmpty ? nil : $0 })
    }

    static func decodeAlarm(_ e: AWSXML.Element) throws(AWSError) -> MetricAlarm {
        guard let name = e.string("AlarmName") else { throw AWSError(.invalidResponse, "DescribeAlarms: alarm without AlarmName") }
        let definition = MetricAlarmDefinition(
            alarmName: name,
            alarmDescription: e.string("AlarmDescription"),
            actionsEnabled: e.string("ActionsEnabled").map { $0 == "true" },
            okActions: e.members("OKActions").map(\.text),
            alarmActions: e.members("AlarmActions").map(\.text),
            insufficientDataActions: e.members("InsufficientDataActions").map(\.text),
            metricName: e.string("MetricName"),
            namespace: e.string("Namespace"),
            statistic: e.string("Statistic").map(Statistic.init(rawValue:)),
            extendedStatistic: e.string("ExtendedStatistic"),
            dimensions: decodeDimensions(e.members("Dimensions")),
            period: e.string("Period").flatMap { Int($0) },
            unit: e.string("Unit").map(StandardUnit.init(rawValue:)),
            evaluationPeriods: e.string("EvaluationPeriods").flatMap { Int($0) } ?? 0,
            datapointsToAlarm: e.string("DatapointsToAlarm").flatMap { Int($0) },
            threshold: e.string("Threshold").flatMap { Double($0) },
            comparisonOperator: ComparisonOperator(rawValue: e.string("ComparisonOperator") ?? ""),
            treatMissingData: e.string("TreatMissingData").map(TreatMissingData.init(rawValue:)),
            evaluateLowSampleCountPercentile: e.string("EvaluateLowSampleCountPercentile"),
            metrics: e.members("Metrics").map(decodeQuery),
            thresholdMetricID: e.string("ThresholdMetricId"))
        return MetricAlarm(
            definition: definition,
            alarmARN: e.string("AlarmArn"),
            stateValue: e.string("StateValue").map(AlarmState.init(rawValue:)),
            stateReason: e.string("StateReason"),
            stateReasonData: e.string("StateReasonData"),
            stateUpdatedTimestampMilliseconds: e.string("StateUpdatedTimestamp").flatMap(AWSTimestamp.parseISO8601),
            alarmConfigurationUpdatedTimestampMilliseconds: e.string("AlarmConfigurationUpdatedTimestamp").flatMap(
                AWSTimestamp.parseISO8601))
    }

    static func decodeDimensions(_ members: [AWSXML.Element]) -> [Dimension] {
        members.map { Dimension(name: $0.string("Name") ?? "", value: $0.string("Value") ?? "") }
    }

    static func decodeQuery(_ e: AWSXML.Element) -> MetricDataQuery {
        var stat: MetricStat?
        if let s = e.child("MetricStat") {
            stat = MetricStat(
                metric: Metric(
                    namespace: s.string("Metric", "Namespace") ?? "", metricName: s.string("Metric", "MetricName") ?? "",
                    dimensions: decodeDimensions(s.members("Metric", "Dimensions"))),
                period: s.string("Period").flatMap { Int($0) } ?? 0, stat: s.string("Stat") ?? "",
                unit: s.string("Unit").map(StandardUnit.init(rawValue:)))
        }
        return MetricDataQuery(
            id: e.string("Id") ?? "", metricStat: stat, expression: e.string("Expression"), label: e.string("Label"),
            returnData: e.string("ReturnData").map { $0 == "true" }, period: e.string("Period").flatMap { Int($0) },
            accountID: e.string("AccountId"))
    }

    /// `DeleteAlarms` (unknown names are ignored by the service).
    public func deleteAlarms(names: [String]) async throws(AWSError) {
        var p = parameters("DeleteAlarms")
        p.addList("AlarmNames", names)
        _ = try await client.query(p)
    }

    /// `SetAlarmState` (temporary, until the next evaluation).
    public func setAlarmState(
        name: String, state: AlarmState, reason: String, reasonData: String? = nil
    ) async throws(AWSError) {
        var p = parameters("SetAlarmState")
        p.add("AlarmName", name)
        p.add("StateValue", state.rawValue)
        p.add("StateReason", reason)
        p.add("StateReasonData", reasonData)
        _ = try await client.query(p)
    }

    // MARK: Tags

    public func tagResource(arn: String, tags: [Tag]) async throws(AWSError) {
        var p = parameters("TagResource")
        p.add("ResourceARN", arn)
        Self.addTags(&p, "Tags", tags)
        _ = try await client.query(p)
    }

    public func untagResource(arn: String, keys: [String]) async throws(AWSError) {
        var p = parameters("UntagResource")
        p.add("ResourceARN", arn)
        p.addList("TagKeys", keys)
        _ = try await client.query(p)
    }

    public func listTagsForResource(arn: String) async throws(AWSError) -> [Tag] {
        var p = parameters("ListTagsForResource")
        p.add("ResourceARN", arn)
        let xml = try await client.query(p)
        return (xml.first(named: "ListTagsForResourceResult")?.members("Tags") ?? []).map {
            Tag(key: $0.string("Key") ?? "", value: $0.string("Value") ?? "")
        }
    }

    // MARK: Metric data

    /// `PutMetricData` (≤ 1,000 data per call, ≤ 150 values per datum, 1 MB body: the caller batches).
    public func putMetricData(namespace: String, data: [MetricDatum]) async throws(AWSError) {
        _ = try await client.query(Self.putMetricDataParameters(namespace: namespace, data: data))
    }

    /// The query parameters of `PutMetricData` (exposed for tests).
    public static func putMetricDataParameters(namespace: String, data: [MetricDatum]) -> AWSQueryParameters {
        var p = AWSQueryParameters(action: "PutMetricData", version: version)
        p.add("Namespace", namespace)
        p.addList("MetricData", data) { p, prefix, d in
            p.add("\(prefix).MetricName", d.metricName)
            addDimensions(&p, "\(prefix).Dimensions", d.dimensions)
            p.addTimestamp("\(prefix).Timestamp", milliseconds: d.timestampMilliseconds)
            p.add("\(prefix).Value", d.value)
            p.addList("\(prefix).Values", d.values.map(AWSQueryParameters.formatDouble))
            p.addList("\(prefix).Counts", d.counts.map(AWSQueryParameters.formatDouble))
            if let s = d.statisticValues {
                p.add("\(prefix).StatisticValues.SampleCount", s.sampleCount)
                p.add("\(prefix).StatisticValues.Sum", s.sum)
                p.add("\(prefix).StatisticValues.Minimum", s.minimum)
                p.add("\(prefix).StatisticValues.Maximum", s.maximum)
            }
            p.add("\(prefix).Unit", d.unit?.rawValue)
            p.add("\(prefix).StorageResolution", d.storageResolution)
        }
        return p
    }

    /// `GetMetricData`, one page, over `[startMilliseconds, endMilliseconds)`.
    public func getMetricData(
        queries: [MetricDataQuery], startMilliseconds: Int64, endMilliseconds: Int64, nextToken: String? = nil,
        scanBy: String? = nil, maxDatapoints: Int? = nil
    ) async throws(AWSError) -> GetMetricDataResponse {
        var p = parameters("GetMetricData")
        Self.addQueries(&p, "MetricDataQueries", queries)
        p.addTimestamp("StartTime", milliseconds: startMilliseconds)
        p.addTimestamp("EndTime", milliseconds: endMilliseconds)
        p.add("NextToken", nextToken)
        p.add("ScanBy", scanBy)
        p.add("MaxDatapoints", maxDatapoints)
        let xml = try await client.query(p)
        guard let result = xml.first(named: "GetMetricDataResult") else {
            throw AWSError(.invalidResponse, "GetMetricData: no GetMetricDataResult")
        }
        let results = result.members("MetricDataResults").map { r in
            MetricDataResult(
                id: r.string("Id") ?? "", label: r.string("Label"),
                timestampsMilliseconds: r.members("Timestamps").compactMap { AWSTimestamp.parseISO8601($0.text) },
                values: r.members("Values").compactMap { Double($0.text) }, statusCode: r.string("StatusCode"))
        }
        return GetMetricDataResponse(
            metricDataResults: results, nextToken: result.string("NextToken").flatMap { $0.isEmpty ? nil : $0 },
            messages: result.members("Messages").map { "\($0.string("Code") ?? ""): \($0.string("Value") ?? "")" })
    }
}
