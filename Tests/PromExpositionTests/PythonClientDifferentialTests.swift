import Foundation  // Process, JSON, temporary files (tests only)
import PromwatchTestSupport
import Testing

@testable import PromExposition

/// Differential test against Python's prometheus_client (0.16.0, Debian bookworm's version; installed by
/// `scripts/install-python-deps.sh`): every text capture in shared/corpus/exposition and
/// ``generatedCount`` random expositions from ``ExpositionGenerator`` (fixed seed) are parsed by promwatch and by
/// `prometheus_client.parser.text_string_to_metric_families` (OpenMetrics captures by
/// `prometheus_client.openmetrics.parser.text_string_to_metric_families`) in one `python3` run, and the families,
/// samples, labels, values (bit patterns, so NaN payloads count) and timestamps are compared.
///
/// Representation differences that are not disagreements are normalised first:
/// - the Python text parser names a counter family without `_total` and its samples with it (its internal
///   OpenMetrics model); promwatch keeps text 0.0.4's names (family = TYPE name, samples as written);
/// - `untyped` is `unknown` in Python; a missing HELP is `""`;
/// - Python yields every sample of a family without metadata as a family of its own; promwatch groups consecutive
///   samples of one name. Adjacent families with the same name, type, HELP and UNIT are merged on both sides;
/// - Python's text timestamps are float seconds (`ms / 1000`), compared with promwatch's milliseconds divided the
///   same way; OpenMetrics timestamps are compared in milliseconds (rounded toward negative infinity).
///
/// Where the parsers disagree by design (``divergences``, after the table in prometheus-formats.md §1.7), the input
/// is checked to still disagree (so the list cannot go stale) and skipped. promwatch follows Prometheus and
/// prometheus/common expfmt there; Python's parser is laxer.
///
/// Needs `python3` with prometheus_client on PATH; a missing one fails with a clear message, never a silent pass.
struct PythonClientDifferentialTests {
    static let generatedCount = 500
    static let seed: UInt64 = 0x5EED_0016

    struct Input {
        var id: String
        var format: ExpositionFormat
        var bytes: [UInt8]
        /// Why promwatch and Python disagree on this input by design; `nil` = they must agree.
        var divergence: String?
    }

    /// Inputs on which the two parsers disagree on purpose, with the reason promwatch does what it does.
    static let divergences: [(id: String, text: String, reason: String)] = [
        (
            "duplicate-label", "a{b=\"c\",b=\"d\"} 1\n",
            "promwatch rejects a repeated label name (expfmt and Prometheus do); Python keeps the last value"
        ),
        (
            "value-out-of-range", "a 1e999\n",
            "promwatch rejects values beyond Double's range (Go ParseFloat's ErrRange); Python makes them +Inf"
        ),
        (
            "underscore-in-value", "a 1_000\n",
            "promwatch rejects `_` in numbers (Go ParseFloat, Prometheus); Python's float() accepts it"
        ),
        (
            "extra-token", "a 1 2 3\n",
            "promwatch rejects text after the timestamp (expfmt: \"spurious string after timestamp\"); Python takes the last token"
        ),
        (
            "float-timestamp", "a 1 1.5\n",
            "promwatch requires an integer timestamp in milliseconds (expfmt, Prometheus); Python accepts a float"
        ),
        (
            "bare-histogram-sample", "# TYPE h histogram\nh_count 1\nh 3\n",
            "promwatch keeps a bare histogram sample in its family, leniently (role value); Python starts an untyped family"
        ),
        (
            "type-after-samples", "# TYPE a gauge\na 1\n# TYPE a counter\na 2\n",
            "promwatch starts a new family at metadata after samples; Python retypes the whole family"
        ),
        (
            "help-trailing-blanks", "# HELP a some text  \na 1\n",
            "promwatch keeps HELP text to the end of the line (as Prometheus's lexer does); Python strips the line"
        ),
    ]

    static func corpusInputs() throws -> [Input] {
        var inputs: [Input] = []
        let live = [
            "node-exporter.text.txt", "node-exporter.accept-openmetrics.txt", "prometheus.text.txt",
            "prometheus.accept-openmetrics.txt", "prometheus-federate.text.txt", "pushgateway.text.txt",
            "pushgateway.accept-openmetrics.txt", "pushgateway.push-input.txt", "python-client.text.txt",
        ]
        for file in live {
            inputs.append(
                Input(id: "live/\(file)", format: .text, bytes: try TestPaths.corpusFile("exposition/live/\(file)"))
            )
        }
        inputs.append(
            Input(
                id: "live/python-client.openmetrics.txt",
                format: .openMetrics,
                bytes: try TestPaths.corpusFile("exposition/live/python-client.openmetrics.txt")
            )
        )
        for file in [
            "alltypes.237mfs.prom.txt", "alltypes.237mfs.nometa.prom.txt", "promtestdata.txt",
            "promtestdata.nometa.txt",
        ] {
            inputs.append(
                Input(
                    id: "prometheus-textparse/\(file)",
                    format: .text,
                    bytes: try TestPaths.corpusFile("exposition/prometheus-textparse/\(file)")
                )
            )
        }
        for file in ["alltypes.5mfs.om.txt", "1histogram.om.txt"] {
            inputs.append(
                Input(
                    id: "prometheus-textparse/\(file)",
                    format: .openMetrics,
                    bytes: try TestPaths.corpusFile("exposition/prometheus-textparse/\(file)")
                )
            )
        }
        inputs[inputs.count - 2].divergence =
            "its histogram has a negative _sum (the Go client writes them): promwatch's scrape validation "
            + "(.standard, like Prometheus's scrape parser) accepts it, Python's OpenMetrics parser rejects it as "
            + "promwatch's .strict validation does (checked below)"
        return inputs
    }

    static func generatedInputs() -> [Input] {
        var generator = ExpositionGenerator(seed: seed)
        return (0..<generatedCount).map { index in
            Input(id: "generated/\(index)", format: .text, bytes: Array(generator.exposition().utf8))
        }
    }

    @Test func agreesWithPrometheusClient() throws {
        let corpus = try Self.corpusInputs()
        #expect(corpus.count == 16)
        let generated = Self.generatedInputs()
        let documented = Self.divergences.map {
            Input(id: "divergence/\($0.id)", format: .text, bytes: Array($0.text.utf8), divergence: $0.reason)
        }
        let inputs = corpus + generated + documented
        let results = try PrometheusClient.parse(inputs)

        var comparedSamples = 0
        var skipped: [String] = []
        for (input, python) in zip(inputs, results) {
            if input.format == .openMetrics {
                // Python's OpenMetrics parser checks the spec's semantic rules, as promwatch's strict validation does.
                var statistics = ExpositionStatistics()
                let strictAccepts =
                    (try? ExpositionParser.parse(
                        input.bytes,
                        format: .openMetrics,
                        validation: .strict,
                        into: &statistics
                    ))
                    != nil
                #expect(strictAccepts == python.ok, "\(input.id): strict validation disagrees with Python's acceptance")
            }
            let ours = Self.promwatch(input)
            let verdict = Self.compare(ours: ours, python: python)
            if let reason = input.divergence {
                #expect(verdict != nil, "\(input.id) is listed as a divergence (\(reason)) but the parsers agree")
                skipped.append(input.id)
                continue
            }
            if let verdict {
                Issue.record(
                    "\(input.id): \(verdict)\n--- input ---\n\(String(decoding: input.bytes.prefix(2000), as: UTF8.self))"
                )
            }
            comparedSamples += ours.families?.reduce(0) { $0 + $1.samples.count } ?? 0
        }
        // The corpus and the generator reach far enough to mean something.
        #expect(comparedSamples > 10_000)
        #expect(skipped.count == Self.divergences.count + 1)
        // Every generated input is valid for both; a generator that produced mostly errors would compare little.
        let generatedFailures = zip(inputs, results).filter { $0.0.id.hasPrefix("generated/") && !$0.1.ok }
        #expect(generatedFailures.isEmpty, "\(generatedFailures.prefix(3).map { "\($0.0.id): \($0.1.error ?? "")" })")
    }

    // MARK: promwatch's side

    /// promwatch's parse in the shape the Python script reports.
    static func promwatch(_ input: Input) -> PrometheusClient.Result {
        var recorder = Recorder()
        do {
            try AnyExpositionParser.parse(input.bytes, format: input.format, into: &recorder)
        } catch {
            return PrometheusClient.Result(id: input.id, ok: false, error: error.description, families: nil)
        }
        let openMetrics = input.format == .openMetrics
        var families: [PrometheusClient.Family] = []
        var types: [MetricType] = []
        for event in recorder.events {
            switch event {
            case .family(let family):
                families.append(
                    PrometheusClient.Family(
                        name: family.name,
                        type: family.type == .untyped ? "unknown" : family.type.exposedName,
                        help: family.help ?? "",
                        unit: family.unit ?? "",
                        samples: []
                    )
                )
                types.append(family.type)
            case .sample(let sample):
                let timestamp = sample.timestamp.map { milliseconds in
                    openMetrics ? "ms:\(milliseconds)" : "s:" + hex((Double(milliseconds) / 1000).bitPattern)
                }
                families[families.count - 1].samples.append(
                    PrometheusClient.Sample(
                        name: sample.name,
                        labels: sample.labels.map { [$0.name, $0.value] },
                        value: hex(sample.valueBits),
                        timestamp: timestamp
                    )
                )
            }
        }
        // Python's text parser names counters the OpenMetrics way.
        if !openMetrics {
            for index in families.indices where types[index] == .counter {
                if families[index].name.hasSuffix("_total") {
                    families[index].name.removeLast(6)
                } else {
                    for k in families[index].samples.indices { families[index].samples[k].name += "_total" }
                }
            }
        }
        return PrometheusClient.Result(id: input.id, ok: true, error: nil, families: families)
    }

    /// `nil` when both agree, else what differs first.
    static func compare(ours: PrometheusClient.Result, python: PrometheusClient.Result) -> String? {
        switch (ours.ok, python.ok) {
        case (false, false): return nil
        case (true, false): return "promwatch accepts, Python rejects: \(python.error ?? "")"
        case (false, true): return "promwatch rejects (\(ours.error ?? "")), Python accepts"
        case (true, true): break
        }
        let a = merged(ours.families ?? [])
        let b = merged(python.families ?? [])
        for (index, (x, y)) in zip(a, b).enumerated() {
            if x.name != y.name || x.type != y.type || x.help != y.help || x.unit != y.unit {
                return "family \(index): promwatch \(x.header), Python \(y.header)"
            }
            for (k, (s, t)) in zip(x.samples, y.samples).enumerated() where s != t {
                return "family \(x.name) sample \(k): promwatch \(s), Python \(t)"
            }
            if x.samples.count != y.samples.count {
                return "family \(x.name): promwatch \(x.samples.count) samples, Python \(y.samples.count)"
            }
        }
        if a.count != b.count {
            return
                "promwatch \(a.count) families, Python \(b.count): next \(a.count > b.count ? a[b.count].header : b[a.count].header)"
        }
        return nil
    }

    /// Adjacent families with the same metadata as one.
    static func merged(_ families: [PrometheusClient.Family]) -> [PrometheusClient.Family] {
        var out: [PrometheusClient.Family] = []
        for family in families {
            if let last = out.last, last.name == family.name, last.type == family.type, last.help == family.help,
                last.unit == family.unit
            {
                out[out.count - 1].samples += family.samples
            } else {
                out.append(family)
            }
        }
        return out
    }

    static func hex(_ bits: UInt64) -> String {
        let digits = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// prometheus_client's parsers run over many inputs in one `python3` process.
enum PrometheusClient {
    struct Family: Codable, Equatable {
        var name: String
        var type: String
        var help: String
        var unit: String
        var samples: [Sample]

        var header: String { "\(name) \(type) help=\(help.debugDescription) unit=\(unit.debugDescription)" }
    }

    struct Sample: Codable, Equatable, CustomStringConvertible {
        var name: String
        var labels: [[String]]
        /// The value's IEEE 754 bits, 16 hex digits.
        var value: String
        /// `s:<bits of float seconds>` (text) or `ms:<milliseconds>` (OpenMetrics).
        var timestamp: String?

        var description: String {
            let pairs = labels.map { "\($0[0])=\($0[1].debugDescription)" }.joined(separator: ",")
            let number = UInt64(value, radix: 16).map { Double(bitPattern: $0) }.map { "\($0)" } ?? value
            return "\(name){\(pairs)} \(number) [\(value)] \(timestamp ?? "-")"
        }
    }

    struct Result: Codable {
        var id: String
        var ok: Bool
        var error: String?
        var families: [Family]?
    }

    struct Output: Codable {
        var version: String
        var results: [Result]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let script = #"""
        import json, math, struct, sys
        try:
            from importlib.metadata import version
            from prometheus_client.parser import text_string_to_metric_families as parse_text
            from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
        except ImportError as error:
            sys.stderr.write("python3 cannot import prometheus_client (%s): run scripts/install-python-deps.sh\n" % error)
            sys.exit(3)

        def bits(value):
            return "%016x" % struct.unpack("<Q", struct.pack("<d", float(value)))[0]

        def timestamp(ts, openmetrics):
            if ts is None:
                return None
            if not openmetrics:
                return "s:" + bits(ts)
            if hasattr(ts, "sec"):
                return "ms:%d" % ((ts.sec * 10**9 + ts.nsec) // 10**6)
            return "ms:%d" % math.floor(ts * 1000)

        results = []
        for item in json.load(open(sys.argv[1])):
            openmetrics = item["format"] == "openmetrics"
            try:
                text = open(item["path"], "rb").read().decode("utf-8")
                families = []
                for family in (parse_openmetrics if openmetrics else parse_text)(text):
                    families.append({
                        "name": family.name, "type": family.type, "help": family.documentation, "unit": family.unit,
                        "samples": [
                            {"name": s.name, "labels": [[k, v] for k, v in s.labels.items()], "value": bits(s.value),
                             "timestamp": timestamp(s.timestamp, openmetrics)}
                            for s in family.samples],
                    })
                results.append({"id": item["id"], "ok": True, "families": families})
            except Exception as error:
                results.append({"id": item["id"], "ok": False, "error": "%s: %s" % (type(error).__name__, error)})
        json.dump({"version": version("prometheus-client"), "results": results}, sys.stdout)
        """#

    /// Parses every input with prometheus_client; results in input order.
    static func parse(_ inputs: [PythonClientDifferentialTests.Input]) throws -> [Result] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promwatch-prometheus-client-\(UUID().uuidString)",
            isDirectory: true
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var manifest: [[String: String]] = []
        for (index, input) in inputs.enumerated() {
            let url = directory.appendingPathComponent("input-\(index).txt")
            try Data(input.bytes).write(to: url)
            manifest.append([
                "id": input.id, "path": url.path, "format": input.format == .openMetrics ? "openmetrics" : "text",
            ])
        }
        let scriptURL = directory.appendingPathComponent("parse.py")
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        try Data(script.utf8).write(to: scriptURL)
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        guard let python = RealProcess.locate("python3", extraDirectories: ["/usr/local/bin", "/usr/bin"]) else {
            throw Failure(
                description: "python3 is not on PATH: the differential test needs python3 with prometheus_client"
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, manifestURL.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(python) parse.py exited \(process.terminationStatus): \(stderr)")
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(contentsOf: stdoutURL))
        guard output.results.count == inputs.count else {
            throw Failure(
                description: "prometheus_client returned \(output.results.count) results for \(inputs.count) inputs"
            )
        }
        // The divergences and the normalisation above were worked out against this version.
        guard output.version == "0.16.0" else {
            throw Failure(
                description: "prometheus_client \(output.version) found; this test expects 0.16.0 "
                    + "(scripts/install-python-deps.sh installs it)"
            )
        }
        return output.results
    }
}
