import EMF
import EMFDelivery
import PromwatchConfig
import Testing

struct CloudWatchConfigTests {
    @Test func deliveryAndAWSSectionsParse() throws {
        let configuration = try parse(
            """
            emf:
              output: cloudwatch
              metric_declaration:
                - dimensions: [[job]]
                  metric_selectors: ["^up$"]
              cloudwatch:
                buffer_bytes: 8MiB
                spool_directory: /var/spool/promwatch
                spool_bytes: 100MiB
                flush_interval: 2s
                retention_in_days: 14
                shutdown_timeout: 20s
                create_groups: false
            aws:
              region: eu-central-1
              profile: monitoring
              endpoints:
                logs: http://127.0.0.1:5123
                sts: http://127.0.0.1:5123
              max_attempts: 5
            """)
        #expect(configuration.emf.output == .cloudwatch)
        let delivery = configuration.cloudWatchLogs
        #expect(delivery.bufferBytes == 8 << 20)
        #expect(delivery.spoolDirectory == "/var/spool/promwatch")
        #expect(delivery.spoolBytes == 100 << 20)
        #expect(delivery.flushInterval == .seconds(2))
        #expect(delivery.retentionInDays == 14)
        #expect(delivery.shutdownTimeout == .seconds(20))
        #expect(delivery.createGroups == false)
        #expect(configuration.aws == AWSConfiguration(
            region: "eu-central-1", profile: "monitoring",
            endpoints: ["logs": "http://127.0.0.1:5123", "sts": "http://127.0.0.1:5123"], maxAttempts: 5))
    }

    @Test func defaultsWithoutTheSections() throws {
        let configuration = try parse("emf:\n  output: stdout\n")
        #expect(configuration.cloudWatchLogs == LogsDeliveryConfiguration())
        #expect(configuration.aws == AWSConfiguration())
    }

    @Test func invalidRetentionPointsAtItsKey() {
        let error = parseError(
            """
            emf:
              cloudwatch:
                retention_in_days: 8
            """)
        #expect(error?.line == 3)
        #expect(error?.message.contains("retention_in_days") == true)
    }

    @Test func unknownDeliveryKeyIsAnError() {
        let error = parseError("emf:\n  cloudwatch:\n    spool_dir: /tmp\n")
        #expect(error?.keyPath == "emf.cloudwatch.spool_dir")
        #expect(error?.message.contains("unknown key") == true)
    }

    @Test func unknownEndpointServiceIsAnError() {
        let error = parseError("aws:\n  endpoints:\n    s3: http://127.0.0.1:1\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("unknown service") == true)
    }

    @Test func endpointMustBeAURL() {
        let error = parseError("aws:\n  endpoints:\n    logs: 127.0.0.1:5123\n")
        #expect(error?.message.contains("http://") == true)
    }
}
