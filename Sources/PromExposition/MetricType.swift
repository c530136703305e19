/// The type of a metric family, as declared by `# TYPE` (or implied when absent).
///
/// Text 0.0.4 knows `counter`, `gauge`, `histogram`, `summary` and `untyped`; OpenMetrics 1.0 adds `info`,
/// `stateset`, `gaugehistogram` and `unknown` (and has no `untyped`).
public enum MetricType: UInt8, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    /// Text 0.0.4's `untyped`, also the type of a family without `# TYPE` in text 0.0.4.
    case untyped
    /// OpenMetrics' `unknown`, also the type of a family without `# TYPE` in OpenMetrics.
    case unknown
    case info
    case stateset
    case gaugeHistogram

    /// The spelling used in `# TYPE` lines.
    public var exposedName: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        case .summary: "summary"
        case .untyped: "untyped"
        case .unknown: "unknown"
        case .info: "info"
        case .stateset: "stateset"
        case .gaugeHistogram: "gaugehistogram"
        }
    }
}

/// What one sample line is within its family.
public enum SampleRole: UInt8, Sendable, Hashable {
    /// The value of a gauge, untyped/unknown, info (`_info`) or stateset sample.
    case value
    /// A counter's cumulative value: `x_total` in OpenMetrics, `x` (or `x_total` under `# TYPE x_total counter`) in text.
    case total
    /// `x_created`: the creation time (seconds since the epoch) of a counter, histogram or summary series.
    case created
    /// `x_bucket{le="…"}` of a histogram or gauge histogram.
    case bucket
    /// `x_count` of a histogram or summary.
    case count
    /// `x_sum` of a histogram or summary.
    case sum
    /// `x{quantile="…"}` of a summary.
    case quantile
    /// `x_gcount` of a gauge histogram.
    case gcount
    /// `x_gsum` of a gauge histogram.
    case gsum
}

/// The exposition formats promwatch parses.
public enum ExpositionFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`), lenient where Prometheus's scrape parser is.
    case text
    /// OpenMetrics 1.0 text (`application/openmetrics-text`), strict.
    case openMetrics
    /// Protobuf-delimited `io.prometheus.client.MetricFamily` messages
    /// (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`), parsed by
    /// ``ProtobufExpositionParser``. ``ExpositionParser`` handles only the text formats: use
    /// ``AnyExpositionParser`` to parse any format.
    case protobuf

    /// Chooses the parser for a scrape response's `Content-Type`, as Prometheus 2.42 does:
    /// `application/openmetrics-text` selects OpenMetrics; `application/vnd.google.protobuf` with
    /// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited` selects protobuf (checking the parameters
    /// as prometheus/common's `expfmt.ResponseFormat` does; other protobuf encodings are not supported); anything
    /// else, including a missing or unparsable header, selects text 0.0.4.
    public init(contentType: String?) {
        guard var contentType else {
            self = .text
            return
        }
        // Every scrape asks this: the media type is compared on the header's bytes, without building strings.
        let mediaType = contentType.withUTF8 { bytes -> KnownMediaType? in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = bytes.startIndex
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            let media = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if Self.equalsIgnoringASCIICase(media, "application/openmetrics-text") { return .openMetrics }
            if Self.equalsIgnoringASCIICase(media, "application/vnd.google.protobuf") { return .protobuf }
            return nil
        }
        switch mediaType {
        case .openMetrics:
            self = .openMetrics
        case .protobuf:
            let parts = contentType.split(separator: ";", omittingEmptySubsequences: false).dropFirst()
            var proto: String?
            var encoding: String?
            for parameter in parts {
                guard let equals = parameter.firstIndex(of: "=") else { continue }
                let key = parameter[..<equals].trimmingCharacters(in: " \t").lowercased()
                var value = parameter[parameter.index(after: equals)...].trimmingCharacters(in: " \t")
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                if key == "proto" { proto = value }
                if key == "encoding" { encoding = value }
            }
            self = proto == "io.prometheus.client.MetricFamily" && encoding == "delimited" ? .protobuf : .text
        case nil:
            self = .text
        }
    }

    private enum KnownMediaType {
        case openMetrics, protobuf
    }

    /// Whether `bytes` spell `lowercase` (all lowercase ASCII) in any ASCII case.
    private static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool
    {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                if folded != expected[index] { return false }
            }
            return true
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.unicodeScalars.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.unicodeScalars.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
