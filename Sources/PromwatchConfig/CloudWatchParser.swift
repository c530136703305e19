import EMFDelivery
import Yams

/// The `emf.cloudwatch` and `aws` sections.
enum CloudWatchParser {
    /// `emf.cloudwatch`, checked with ``LogsDeliveryConfiguration/validate()``.
    static func delivery(_ emfValue: YAMLValue?, source: SourceFile) throws(ConfigError) -> LogsDeliveryConfiguration {
        var delivery = LogsDeliveryConfiguration()
        guard let emfValue else { return delivery }
        guard case .mapping = emfValue.node else { return delivery }
        guard let value = try emfValue.mapping(Schemas.emf)["cloudwatch"] else { return delivery }
        let mapping = try value.mapping(Schemas.cloudWatchLogs)
        if let bytes = mapping["buffer_bytes"] { delivery.bufferBytes = try bytes.byteSize() }
        if let directory = mapping["spool_directory"] { delivery.spoolDirectory = source.resolve(try directory.string()) }
        if let bytes = mapping["spool_bytes"] { delivery.spoolBytes = try bytes.byteSize() }
        if let interval = mapping["flush_interval"] { delivery.flushInterval = try interval.duration() }
        if let days = mapping["retention_in_days"] { delivery.retentionInDays = try days.int() }
        if let timeout = mapping["shutdown_timeout"] { delivery.shutdownTimeout = try timeout.duration() }
        if let bytes = mapping["max_batch_bytes"] { delivery.maxBatchBytes = try bytes.byteSize() }
        if let create = mapping["create_groups"] { delivery.createGroups = try create.bool() }
        if let wait = mapping["write_wait_timeout"] { delivery.writeWaitTimeout = try wait.duration() }
        // Problems come back as "key: message"; point at that key when it is present.
        if let problem = delivery.validate().first {
            let key = problem.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            let at = mapping[key] ?? value
            throw at.error(.invalidValue, problem)
        }
        return delivery
    }

    /// `aws`.
    static func aws(_ value: YAMLValue?) throws(ConfigError) -> AWSConfiguration {
        var aws = AWSConfiguration()
        guard let value else { return aws }
        let mapping = try value.mapping(Schemas.aws)
        if let region = mapping["region"] { aws.region = try region.string() }
        if let profile = mapping["profile"] { aws.profile = try profile.string() }
        if let endpoints = mapping["endpoints"] {
            for entry in try endpoints.userEntries() {
                guard AWSConfiguration.endpointServices.contains(entry.key) else {
                    throw entry.value.error(
                        .invalidValue,
                        "unknown service \"\(entry.key)\" (expected one of \(AWSConfiguration.endpointServices.joined(separator: ", ")))")
                }
                let url = try entry.value.string()
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw entry.value.error(.invalidValue, "endpoint \"\(url)\" must be an http:// or https:// URL")
                }
                aws.endpoints[entry.key] = url
            }
        }
        if let attempts = mapping["max_attempts"] {
            aws.maxAttempts = try attempts.int()
            guard (1...20).contains(aws.maxAttempts) else {
                throw attempts.error(.invalidValue, "max_attempts must be between 1 and 20")
            }
        }
        return aws
    }
}
