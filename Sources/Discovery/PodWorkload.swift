public import Kubernetes

/// The workload that owns a pod, for EMF dimensions: like the CloudWatch agent's `pod_controller_name`, but resolved
/// to the workload a user names (a Deployment rather than its current ReplicaSet).
///
/// Derived from the pod alone (no API calls), by these rules:
/// 1. The pod's controller is its owner reference with `controller: true`; a pod without one (a bare or static pod)
///    has no workload.
/// 2. A `ReplicaSet` controller named `<deployment>-<hash>`, where the pod's `pod-template-hash` label equals
///    `<hash>` and `<deployment>` is not empty, gives `Deployment`/`<deployment>` (the Deployment controller names its
///    ReplicaSets so and stamps the hash on their pods). Any other `ReplicaSet` gives `ReplicaSet`/`<name>`.
/// 3. A `Job` controller named `<cronjob>-<digits>`, with at least ``minimumCronJobSuffixDigits`` digits and a
///    non-empty `<cronjob>`, gives `CronJob`/`<cronjob>` when CronJob inference is on (the CronJob controller names
///    its Jobs `<cronjob>-<scheduled time in minutes since the epoch>`, 8 digits today). Other Jobs give
///    `Job`/`<name>`.
/// 4. Any other controller (`DaemonSet`, `StatefulSet`, a custom resource, …) gives its own kind and name.
///
/// Caveats: a hand-made Job named like `nightly-20240101` is taken for a CronJob's (turn inference off if that
/// matters); a ReplicaSet managed by something other than a Deployment but following the same naming and label
/// convention (Argo Rollouts) is reported as a Deployment.
public struct PodWorkload: Sendable, Hashable {
    /// The workload kind: `Deployment`, `ReplicaSet`, `DaemonSet`, `StatefulSet`, `CronJob`, `Job`, or the
    /// controller's kind.
    public var kind: String
    /// The workload name.
    public var name: String

    /// Creates a workload value.
    ///
    /// - Parameters:
    ///   - kind: The workload kind.
    ///   - name: The workload name.
    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The fewest digits a Job-name suffix needs to be taken for a CronJob's scheduled time.
    public static let minimumCronJobSuffixDigits = 8

    /// The workload owning `pod`, by the rules in the type's documentation.
    ///
    /// - Parameters:
    ///   - pod: The pod.
    ///   - inferCronJob: Whether a Job named `<cronjob>-<digits>` is reported as its CronJob (default `true`).
    /// - Returns: The workload, or `nil` for a pod without a controller.
    public static func of(_ pod: Pod, inferCronJob: Bool = true) -> PodWorkload? {
        guard let controller = pod.metadata.controller, !controller.name.isEmpty else { return nil }
        switch controller.kind {
        case "ReplicaSet":
            if let hash = pod.metadata.labels?["pod-template-hash"], !hash.isEmpty,
                let deployment = prefix(of: controller.name, beforeSuffix: hash)
            {
                return PodWorkload(kind: "Deployment", name: deployment)
            }
        case "Job":
            if inferCronJob, let cronJob = cronJobName(fromJobName: controller.name) {
                return PodWorkload(kind: "CronJob", name: cronJob)
            }
        default:
            break
        }
        return PodWorkload(kind: controller.kind, name: controller.name)
    }

    /// `<prefix>` of `<prefix>-<suffix>`, if `name` ends so and `<prefix>` is not empty.
    static func prefix(of name: String, beforeSuffix suffix: String) -> String? {
        let tail = "-" + suffix
        guard name.hasSuffix(tail), name.count > tail.count else { return nil }
        return String(name.dropLast(tail.count))
    }

    /// The CronJob name of a Job named `<cronjob>-<digits>` (at least ``minimumCronJobSuffixDigits`` digits).
    static func cronJobName(fromJobName name: String) -> String? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let digits = name[name.index(after: dash)...]
        guard digits.count >= minimumCronJobSuffixDigits, digits.allSatisfy({ ("0"..."9").contains($0) }),
            dash > name.startIndex
        else { return nil }
        return String(name[..<dash])
    }
}

/// Selectors for the DaemonSet mode, where each agent watches only the pods of its own node.
public enum NodeLocalSelectors {
    /// The field selector for the pods scheduled on `nodeName`: `spec.nodeName=<node>`, for list and watch calls.
    ///
    /// The value is escaped as `k8s.io/apimachinery/pkg/fields.EscapeValue` does (`\`, `,` and `=` get a
    /// backslash), although node names (DNS subdomains) never contain those characters.
    ///
    /// - Parameter nodeName: The node's name, typically from the downward API (`spec.nodeName` → `NODE_NAME`).
    /// - Returns: The field selector.
    public static func pods(onNode nodeName: String) -> String {
        var escaped = ""
        for character in nodeName {
            if character == "\\" || character == "," || character == "=" { escaped.append("\\") }
            escaped.append(character)
        }
        return "spec.nodeName=" + escaped
    }
}
