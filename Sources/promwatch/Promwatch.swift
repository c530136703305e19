import Agent
import ArgumentParser
import DemoExporter
import EMF
import Foundation
import Logging
import Metrics
import Prometheus
import PromExposition
import PromwatchConfig
import ServiceLifecycle
import UnixSignals

struct Promwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promwatch",
        abstract: "Scrapes Prometheus endpoints and delivers CloudWatch Embedded Metric Format (EMF).",
        version: promwatchVersion,
        subcommands: [
            AgentCommand.self, CheckCommand.self, ParseCommand.self, DemoExporterCommand.self, BenchParseCommand.self,
        ]
    )
}

/// Options every long-running subcommand shares.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format on standard error: text or json.")
    var logFormat: String = "text"

    func bootstrap() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown --log-level \(logLevel)")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("unknown --log-format \(logFormat) (text or json)")
        }
        bootstrapLogging(format: format, level: level)
        return Logger(label: "promwatch")
    }
}

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent: scrape targets, convert to EMF, write events (stdout: one JSON document per line)."
    )

    @Option(name: .shortAndLong, help: "Agent configuration file (YAML).")
    var config: String = "config/quickstart.yaml"

    @Option(
        help: ArgumentHelp(
            "DaemonSet mode: discover only the pods on this node (kubernetes_sd_configs). Default: $NODE_NAME.",
            valueName: "node"))
    var nodeName: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.bootstrap()
        let nodeName = self.nodeName ?? ProcessInfo.processInfo.environment["NODE_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration: AgentConfiguration
        do {
            configuration = try ConfigLoader.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let runtime = try buildAgent(
            configuration: configuration, registry: registry, logger: logger, options: AgentOptions(nodeName: nodeName))
        logger.info(
            "promwatch agent starting",
            metadata: ["config": "\(config)", "jobs": "\(configuration.scrapeConfigs.count)", "node": "\(nodeName ?? "-")"])
        try await runtime.serviceGroup(logger: logger).run()
        logger.info("promwatch agent stopped")
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate files without running anything.",
        subcommands: [CheckConfigCommand.self]
    )
}

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Validate an agent configuration file; exits non-zero with file:line:column and key on error."
    )

    @Argument(help: "Configuration file (YAML).")
    var file: String

    func run() throws {
        do {
            let configuration = try ConfigLoader.load(path: file)
            let targets = configuration.scrapeConfigs.reduce(0) { $0 + $1.staticConfigs.reduce(0) { $0 + $1.targets.count } }
            print(
                "\(file): valid (\(configuration.scrapeConfigs.count) scrape jobs, \(targets) static targets, "
                    + "\(configuration.emf.declarations.count) metric declarations)")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse an exposition file and print a one-line summary; exit 0 iff it is valid."
    )

    @Option(help: "Exposition format: text (Prometheus 0.0.4), openmetrics or protobuf (delimited MetricFamily).")
    var format: String = "text"

    @Flag(help: "Print nothing on success (the exit status tells).")
    var quiet = false

    @Argument(help: "File to parse, or - for standard input.")
    var file: String

    func run() throws {
        let expositionFormat: ExpositionFormat
        switch format {
        case "text": expositionFormat = .text
        case "openmetrics": expositionFormat = .openMetrics
        case "protobuf": return try runProtobuf()
        default: throw ValidationError("unknown --format \(format) (text, openmetrics or protobuf)")
        }
        // A file is read with one read(2) into one buffer and parsed where it lies; standard input is parsed
        // chunk by chunk as it arrives, in one reused buffer. No Data, no [UInt8] copy.
        var statistics = ExpositionStatistics()
        var parser = ExpositionParser(format: expositionFormat)
        do {
            if file == "-" {
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
                defer { chunk.deallocate() }
                while true {
                    let n = read(STDIN_FILENO, chunk.baseAddress!, chunk.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    try parser.parse(UnsafeRawBufferPointer(rebasing: chunk[0..<n]), into: &statistics)
                }
            } else {
                guard let bytes = FileBytes(path: file) else {
                    FileHandle.standardError.write(Data("\(file): cannot read file\n".utf8))
                    throw ExitCode(2)
                }
                defer { bytes.deallocate() }
                try parser.parse(bytes.buffer, into: &statistics)
            }
            try parser.finish(into: &statistics)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("\(file == "-" ? "<stdin>" : file): \(error)\n".utf8))
            throw ExitCode(1)
        }
        if !quiet {
            print("\(file == "-" ? "<stdin>" : file): valid \(format), families=\(statistics.families) samples=\(statistics.samples)")
        }
    }
}

struct DemoExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-exporter",
        abstract: "Serve a demo workload's metrics (request counter, in-flight gauge, latency histogram) on /metrics."
    )

    @Option(help: "Listen address host:port.")
    var listen: String = "127.0.0.1:9482"

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.bootstrap()
        let exporter = try DemoExporter(listenAddress: listen, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: exporter)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
