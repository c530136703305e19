/// A `log_group_name` / `log_stream_name` template such as `/promwatch/{ClusterName}/prometheus`.
///
/// Placeholders, resolved per event from the event's labels (after target labels, `ClusterName` and
/// `constant_labels` were merged in):
/// - `{JobName}`: label `job`, else the target's job name
/// - `{ClusterName}`: label `ClusterName` (set from `cluster_name` unless the sample has its own)
/// - `{Namespace}`: label `namespace` (the Kubernetes namespace)
/// - `{PodName}`: label `pod`
/// - `{Instance}`: label `instance`
///
/// A missing or empty value resolves to `undefined`, as in the CloudWatch agent. Substituted values are made
/// acceptable to CloudWatch Logs: in log group names every character outside `A-Z a-z 0-9 _ - / . #` becomes `_`;
/// in log stream names `:` and `*` become `_` (so `{Instance}` = `10.0.0.1:9100` gives `10.0.0.1_9100`). Results
/// are cut to 512 bytes. Literal text is checked by ``EMFConfiguration/validate()`` instead.
struct LogNameTemplate: Sendable, Equatable {
    enum Placeholder: String, Sendable, CaseIterable {
        case jobName = "JobName"
        case clusterName = "ClusterName"
        case namespace = "Namespace"
        case podName = "PodName"
        case instance = "Instance"

        var labelName: String {
            switch self {
            case .jobName: "job"
            case .clusterName: "ClusterName"
            case .namespace: "namespace"
            case .podName: "pod"
            case .instance: "instance"
            }
        }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    enum Kind: Sendable { case logGroup, logStream }

    var segments: [Segment]
    var kind: Kind

    struct ParseError: Error {
        var message: String
    }

    init(segments: [Segment], kind: Kind) {
        self.segments = segments
        self.kind = kind
    }

    init(parsing template: String, kind: Kind) throws(ParseError) {
        self.kind = kind
        var segments: [Segment] = []
        var literal = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ParseError(message: "unterminated placeholder '\(rest[open...])'")
            }
            let name = rest[rest.index(after: open)..<close]
            guard let placeholder = Placeholder(rawValue: String(name)) else {
                let known = Placeholder.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")
                throw ParseError(message: "unknown placeholder '{\(name)}'; known: \(known)")
            }
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
            segments.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    /// The literal text of the template (placeholders removed).
    var literalText: String {
        segments.reduce(into: "") { text, segment in
            if case .literal(let literal) = segment { text += literal }
        }
    }

    /// The template with placeholders resolved by `value(labelName)`.
    func resolve(jobName: String, label value: (String) -> String?) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let literal):
                result += literal
            case .placeholder(let placeholder):
                var resolved = value(placeholder.labelName) ?? ""
                if resolved.isEmpty, placeholder == .jobName { resolved = jobName }
                result += resolved.isEmpty ? "undefined" : sanitize(resolved)
            }
        }
        return Self.truncated(result, toUTF8Count: 512)
    }

    private func sanitize(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch kind {
            case .logGroup:
                scalars.append(Self.isLogGroupCharacter(scalar) ? scalar : "_")
            case .logStream:
                scalars.append(scalar == ":" || scalar == "*" ? "_" : scalar)
            }
        }
        return String(scalars)
    }

    static func isLogGroupCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "/", ".", "#": true
        default: false
        }
    }

    static func truncated(_ string: String, toUTF8Count limit: Int) -> String {
        guard string.utf8.count > limit else { return string }
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in string.unicodeScalars {
            count += UTF8.width(scalar)
            if count > limit { break }
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
