/// A metric dimension.
public struct Dimension: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A resource tag.
public struct Tag: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// `Statistic`: `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`.
public struct Statistic: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static let sampleCount: Statistic = "SampleCount"
    public static let average: Statistic = "Average"
    public static let sum: Statistic = "Sum"
    public static let minimum: Statistic = "Minimum"
    public static let maximum: Statistic = "Maximum"
}

/// `ComparisonOperator` of an alarm.
public struct ComparisonOperator: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static let greaterThanOrEqualToThreshold: ComparisonOperator = "GreaterThanOrEqualToThreshold"
    public static let greaterThanThreshold: ComparisonOperator = "GreaterThanThreshold"
    public static let lessThanThreshold: ComparisonOperator = "LessThanThreshold"
    public static let lessThanOrEqualToThreshold: ComparisonOperator = "LessThanOrEqualToThreshold"
    public static let lessThanLowerOrGreaterThanUpperThreshold: ComparisonOperator = "LessThanLowerOrGreaterThanUpperThreshold"
    public static let lessThanLowerThreshold: ComparisonOperator = "LessThanLowerThreshold"
    public static let greaterThanUpperThreshold: ComparisonOperator = "GreaterThanUpperThreshold"
}

/// `TreatMissingData`: `breaching`, `notBreaching`, `ignore`, `missing`.
public struct TreatMissingData: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static let breaching: TreatMissingData = "breaching"
    public static let notBreaching: TreatMissingData = "notBreaching"
    public static let ignore: TreatMissingData = "ignore"
    public static let missing: TreatMissingData = "missing"
}

/// Alarm state: `OK`, `ALARM`, `INSUFFICIENT_DATA`.
public struct AlarmState: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static let ok: AlarmState = "OK"
    public static let alarm: AlarmState = "ALARM"
    public static let insufficientData: AlarmState = "INSUFFICIENT_DATA"
}

/// A CloudWatch unit (`Seconds`, `Bytes`, `Count`, `Percent`, `None`, …).
public struct StandardUnit: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static let seconds: StandardUnit = "Seconds"
    public static let milliseconds: StandardUnit = "Milliseconds"
    public static let microseconds: StandardUnit = "Microseconds"
    public static let bytes: StandardUnit = "Bytes"
    public static let count: StandardUnit = "Count"
    public static let percent: StandardUnit = "Percent"
    public static let countPerSecond: StandardUnit = "Count/Second"
    public static let bytesPerSecond: StandardUnit = "Bytes/Second"
    public static let none: StandardUnit = "None"
}

/// A metric: namespace, name, dimensions.
public struct Metric: Sendable, Hashable {
    public var namespace: String
    public var metricName: String
    public var dimensions: [Dimension]
    public init(namespace: String, metricName: String, dimensions: [Dimension] = []) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
    }
}

/// A metric with a period and statistic (`Stat` accepts percentiles such as `p99`).
public struct MetricStat: Sendable, Hashable {
    public var metric: Metric
    public var period: Int
    public var stat: String
    public var unit: StandardUnit?
    public init(metric: Metric, period: Int, stat: String, unit: StandardUnit? = nil) {
        self.metric = metric
        self.period = period
        self.stat = stat
        self.unit = unit
    }
}

/// One entry of `Metrics` (alarms) or `MetricDataQueries` (GetMetricData): a metric stat or a math expression.
public struct MetricDataQuery: Sendable, Hashable {
    public var id: String
    public var metricStat: MetricStat?
    public var expression: String?
    public var label: String?
    public var returnData: Bool?
    public var period: Int?
    public var accountID: String?

    public init(
        id: String, metricStat: MetricStat? = nil, expression: String? = nil, label: String? = nil,
        returnData: Bool? = nil, period: Int? = nil, accountID: String? = nil
    ) {
        self.id = id
        self.metricStat = metricStat
        self.expression = expression
        self.label = label
        self.returnData = returnData
        self.period = period
        self.accountID = accountID
    }
}

/// Everything `PutMetricAlarm` takes: a single-metric alarm (`namespace`/`metricName`/`statistic`…) or a
/// metric-math alarm (`metrics`).
public struct MetricAlarmDefinition: Sendable, Hashable {
    public var alarmName: String
    public var alarmDescription: String?
    public var actionsEnabled: Bool?
    public var okActions: [String]
    public var alarmActions: [String]
    public var insufficientDataActions: [String]
    public var metricName: String?
    public var namespace: String?
    public var statistic: Statistic?
    public var extendedStatistic: String?
    public var dimensions: [Dimension]
    public var period: Int?
    public var unit: StandardUnit?
    public var evaluationPeriods: Int
    public var datapointsToAlarm: Int?
    public var threshold: Double?
    public var comparisonOperator: ComparisonOperator
    public var treatMissingData: TreatMissingData?
    public var evaluateLowSampleCountPercentile: String?
    public var metrics: [MetricDataQuery]
    public var thresholdMetricID: String?
    /// Sent with `PutMetricAlarm` only; `DescribeAlarms` doesn't return tags (use `listTagsForResource`).
    public var tags: [Tag]

    public init(
        alarmName: String, alarmDescription: String? = nil, actionsEnabled: Bool? = nil, okActions: [String] = [],
        alarmActions: [String] = [], insufficientDataActions: [String] = [], metricName: String? = nil,
        namespace: String? = nil, statistic: Statistic? = nil, extendedStatistic: String? = nil,
        dimensions: [Dimension] = [], period: Int? = nil, unit: StandardUnit? = nil, evaluationPeriods: Int,
        datapointsToAlarm: Int? = nil, threshold: Double? = nil, comparisonOperator: ComparisonOperator,
        treatMissingData: TreatMissingData? = nil, evaluateLowSampleCountPercentile: String? = nil,
        metrics: [MetricDataQuery] = [], thresholdMetricID: String? = nil, tags: [Tag] = []
    ) {
        self.alarmName = alarmName
        self.alarmDescription = alarmDescription
        self.actionsEnabled = actionsEnabled
        self.okActions = okActions
        self.alarmActions = alarmActions
        self.insufficientDataActions = insufficientDataActions
        self.metricName = metricName
        self.namespace = namespace
        self.statistic = statistic
        self.extendedStatistic = extendedStatistic
        self.dimensions = dimensions
        self.period = period
        self.unit = unit
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = datapointsToAlarm
        self.threshold = threshold
        self.comparisonOperator = comparisonOperator
        self.treatMissingData = treatMissingData
        self.evaluateLowSampleCountPercentile = evaluateLowSampleCountPercentile
        self.metrics = metrics
        self.thresholdMetricID = thresholdMetricID
        self.tags = tags
    }
}

/// An alarm as `DescribeAlarms` returns it.
public struct MetricAlarm: Sendable, Hashable {
    /// The configuration (``MetricAlarmDefinition/tags`` is always empty here).
    public var definition: MetricAlarmDefinition
    public var alarmARN: String?
    public var stateValue: AlarmState?
    public var stateReason: String?
    public var stateReasonData: String?
    public var stateUpdatedTimestampMilliseconds: Int64?
    public var alarmConfigurationUpdatedTimestampMilliseconds: Int64?

    public var alarmName: String { definition.alarmName }
}

public struct DescribeAlarmsResponse: Sendable, Hashable {
    public var metricAlarms: [MetricAlarm]
    public var nextToken: String?
}

/// Pre-aggregated values of one datum.
public struct StatisticSet: Sendable, Hashable {
    public var sampleCount: Double
    public var sum: Double
    public var minimum: Double
    public var maximum: Double
    public init(sampleCount: Double, sum: Double, minimum: Double, maximum: Double) {
        self.sampleCount = sampleCount
        self.sum = sum
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// One `PutMetricData` datum: `value`, or `values` (+ `counts`), or `statisticValues`.
public struct MetricDatum: Sendable, Hashable {
    public var metricName: String
    public var dimensions: [Dimension]
    public var timestampMilliseconds: Int64?
    public var value: Double?
    public var values: [Double]
    public var counts: [Double]
    public var statisticValues: StatisticSet?
    public var unit: StandardUnit?
    /// 1 (high resolution) or 60.
    public var storageResolution: Int?

    public init(
        metricName: String, dimensions: [Dimension] = [], timestampMilliseconds: Int64? = nil, value: Double? = nil,
        values: [Double] = [], counts: [Double] = [], statisticValues: StatisticSet? = nil, unit: StandardUnit? = nil,
        storageResolution: Int? = nil
    ) {
        self.metricName = metricName
        self.dimensions = dimensions
        self.timestampMilliseconds = timestampMilliseconds
        self.value = value
        self.values = values
        self.counts = counts
        self.statisticValues = statisticValues
        self.unit = unit
        self.storageResolution = storageResolution
    }
}

public struct MetricDataResult: Sendable, Hashable {
    public var id: String
    public var label: String?
    public var timestampsMilliseconds: [Int64]
    public var values: [Double]
    /// `Complete`, `PartialData`, `InternalError`, `Forbidden`.
    public var statusCode: String?
}

public struct GetMetricDataResponse: Sendable, Hashable {
    public var metricDataResults: [MetricDataResult]
    public var nextToken: String?
    /// `(code, value)` messages from the service.
    public var messages: [String]
}
