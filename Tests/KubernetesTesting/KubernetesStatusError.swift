public import JSON

/// A failure as the Kubernetes API server reports it: a `Status` object (`kind: Status`, `status: Failure`) with an
/// HTTP code, a machine-readable reason and a human-readable message.
///
/// The emulator's Swift API throws it, and the HTTP front end renders it as the response body, so a test sees the
/// same error either way. Messages follow the real server's wording (`pods "x" not found`, …).
public struct KubernetesStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `StatusReason` (`metav1.StatusReason`); extensible, compared by its raw value.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let notFound = Reason("NotFound")
        public static let alreadyExists = Reason("AlreadyExists")
        public static let conflict = Reason("Conflict")
        public static let invalid = Reason("Invalid")
        public static let gone = Reason("Gone")
        public static let expired = Reason("Expired")
        public static let badRequest = Reason("BadRequest")
        public static let forbidden = Reason("Forbidden")
        public static let unauthorized = Reason("Unauthorized")
        public static let methodNotAllowed = Reason("MethodNotAllowed")
        public static let unsupportedMediaType = Reason("UnsupportedMediaType")
        public static let tooManyRequests = Reason("TooManyRequests")
        public static let serviceUnavailable = Reason("ServiceUnavailable")
        public static let internalError = Reason("InternalError")
        public static let timeout = Reason("Timeout")
    }

    /// HTTP status code (`404`, `409`, …).
    public var code: Int
    /// Machine-readable reason; `nil` renders no `reason` field.
    public var reason: Reason?
    /// Human-readable message.
    public var message: String
    /// The `details` object (`name`, `group`, `kind`, `uid`, `causes`, `retryAfterSeconds`), `nil` for none.
    public var details: JSONValue?

    /// Creates an error.
    public init(code: Int, reason: Reason?, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason?.rawValue ?? "-"): \(message)" }

    /// The `Status` object as the API server sends it.
    public var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message),
        ]
        if let reason { status["reason"] = .string(reason.rawValue) }
        if let details { status["details"] = details }
        status["code"] = .integer(code)
        return status
    }

    /// Reads a `Status` object (for instance a watch `ERROR` event's object) back into an error; `nil` if `status`
    /// has no integer `code`.
    public init?(status: JSONValue) {
        guard let code = status["code"]?.intValue else { return nil }
        self.init(
            code: code, reason: status["reason"]?.stringValue.map(Reason.init),
            message: status["message"]?.stringValue ?? "", details: status["details"])
    }
}

extension KubernetesStatusError {
    static func details(name: String?, resource: GroupResource, uid: String? = nil) -> JSONValue {
        var details: JSONValue = .emptyObject
        if let name { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.resource)
        if let uid { details["uid"] = .string(uid) }
        return details
    }

    static func notFound(_ resource: GroupResource, _ name: String) -> KubernetesStatusError {
        KubernetesStatusError(
            code: 404, reason: .notFound, message: "\(resource.qualified) \"\(name)\" not found",
            details: details(name: name, resource: resource))
    }

    static func alreadyExists(_ resource: GroupResource, _ name: String) -> KubernetesStatusError {
        KubernetesStatusError(
            code: 409, reason: .alreadyExists, message: "\(resource.qualified) \"\(name)\" already exists",
            details: details(name: name, resource: resource))
    }

    static func conflict(_ resource: GroupResource, _ name: String, _ why: String) -> KubernetesStatusError {
        KubernetesStatusError(
            code: 409, reason: .conflict,
            message: "Operation cannot be fulfilled on \(resource.qualified) \"\(name)\": \(why)",
            details: details(name: name, resource: resource))
    }

    static func staleResourceVersion(_ resource: GroupResource, _ name: String) -> KubernetesStatusError {
        conflict(
            resource, name,
            "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// `Kind "name" is invalid: field: Type: detail`, with one cause per field error.
    static func invalid(
        kind: String, group: String, name: String, causes: [(field: String, reason: String, message: String)]
    ) -> KubernetesStatusError {
        let summary = causes.map { "\($0.field): \($0.message)" }
        let joined = summary.count == 1 ? summary[0] : "[" + summary.joined(separator: ", ") + "]"
        var details: JSONValue = ["name": .string(name)]
        if !group.isEmpty { details["group"] = .string(group) }
        details["kind"] = .string(kind)
        details["causes"] = .array(
            causes.map { ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)] })
        // The message names the qualified kind (`Deployment.apps`, `PatchOptions.meta.k8s.io`), as GroupKind.String().
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        return KubernetesStatusError(
            code: 422, reason: .invalid, message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)", details: details)
    }

    static func badRequest(_ message: String) -> KubernetesStatusError {
        KubernetesStatusError(code: 400, reason: .badRequest, message: message)
    }

    static func pageNotFound() -> KubernetesStatusError {
        KubernetesStatusError(
            code: 404, reason: .notFound, message: "the server could not find the requested resource",
            details: .emptyObject)
    }

    static func methodNotAllowed(_ method: String) -> KubernetesStatusError {
        KubernetesStatusError(
            code: 405, reason: .methodNotAllowed,
            message: "the server does not allow this method on the requested resource", details: .emptyObject)
    }

    static func expired(_ message: String) -> KubernetesStatusError {
        KubernetesStatusError(code: 410, reason: .expired, message: message)
    }

    static func internalError(_ message: String) -> KubernetesStatusError {
        KubernetesStatusError(
            code: 500, reason: .internalError, message: "Internal error occurred: \(message)",
            details: ["causes": [["message": .string(message)]]])
    }
}
