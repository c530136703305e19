import JSON

/// A resource's group and plural name (`deployments.apps`), the key objects are stored under: objects are shared by
/// all served versions of a resource, as in the real API server's storage.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    /// API group; `""` for the core group.
    public var group: String
    /// Plural resource name (`pods`).
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    /// `pods` for the core group, `leases.coordination.k8s.io` otherwise, as in API server messages.
    public var qualified: String { group.isEmpty ? resource : "\(resource).\(group)" }
    public var description: String { qualified }

    public static let namespaces = GroupResource(group: "", resource: "namespaces")
    public static let pods = GroupResource(group: "", resource: "pods")
    public static let services = GroupResource(group: "", resource: "services")
    public static let endpoints = GroupResource(group: "", resource: "endpoints")
    public static let nodes = GroupResource(group: "", resource: "nodes")
    public static let configMaps = GroupResource(group: "", resource: "configmaps")
    public static let secrets = GroupResource(group: "", resource: "secrets")
    public static let events = GroupResource(group: "", resource: "events")
    public static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    public static let endpointSlices = GroupResource(group: "discovery.k8s.io", resource: "endpointslices")
    public static let leases = GroupResource(group: "coordination.k8s.io", resource: "leases")
    public static let deployments = GroupResource(group: "apps", resource: "deployments")
    public static let statefulSets = GroupResource(group: "apps", resource: "statefulsets")
    public static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    public static let daemonSets = GroupResource(group: "apps", resource: "daemonsets")
    public static let customResourceDefinitions = GroupResource(
        group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
}

/// Everything the emulator needs to serve one resource: names for discovery, scope, subresources and which fields
/// field selectors may use.
public struct ResourceDefinition: Sendable, Hashable {
    /// The `scale` subresource of a resource: where the replica counts and selector live (JSON paths as in a CRD's
    /// `subresources.scale`, such as `.spec.replicas`).
    public struct ScaleSubresource: Sendable, Hashable {
        public var specReplicasPath: String
        public var statusReplicasPath: String
        public var labelSelectorPath: String?
        /// Whether the selector at `labelSelectorPath` is a `metav1.LabelSelector` object (built-in workloads) rather
        /// than an already serialized string (CRDs).
        public var selectorIsStructured: Bool

        public init(
            specReplicasPath: String = ".spec.replicas", statusReplicasPath: String = ".status.replicas",
            labelSelectorPath: String? = nil, selectorIsStructured: Bool = false
        ) {
            self.specReplicasPath = specReplicasPath
            self.statusReplicasPath = statusReplicasPath
            self.labelSelectorPath = labelSelectorPath
            self.selectorIsStructured = selectorIsStructured
        }
    }

    public var group: String
    /// Served versions; the first is the preferred one.
    public var versions: [String]
    /// Plural name.
    public var resource: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Whether `/status` exists; main-resource writes then ignore `.status`, and HTTP creates drop it.
    public var hasStatusSubresource: Bool
    public var scale: ScaleSubresource?
    /// Fields usable in `fieldSelector` besides `metadata.name` and `metadata.namespace`.
    public var selectableFields: [String]
    /// Whether a completed DELETE answers with the deleted object (pods, custom resources) rather than a
    /// `Status` of `Success` (most other built-ins).
    public var returnsDeletedObject: Bool
    /// Whether this is a CRD-defined resource (list items then keep `kind`/`apiVersion`, as unstructured lists do).
    public var isCustom: Bool

    public init(
        group: String, versions: [String], resource: String, singular: String? = nil, kind: String,
        listKind: String? = nil, namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
        hasStatusSubresource: Bool = false, scale: ScaleSubresource? = nil, selectableFields: [String] = [],
        returnsDeletedObject: Bool = false, isCustom: Bool = false
    ) {
        self.group = group
        self.versions = versions
        self.resource = resource
        self.singular = singular ?? kind.lowercased()
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatusSubresource = hasStatusSubresource
        self.scale = scale
        self.selectableFields = selectableFields
        self.returnsDeletedObject = returnsDeletedObject
        self.isCustom = isCustom
    }

    public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }

    /// `v1` or `apps/v1`.
    public func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The preferred `apiVersion`.
    public var preferredAPIVersion: String { apiVersion(versions[0]) }

    /// The resources every emulator starts with.
    public static let builtIns: [ResourceDefinition] = {
        let workloadScale = ScaleSubresource(labelSelectorPath: ".spec.selector", selectorIsStructured: true)
        return [
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "namespaces", kind: "Namespace", namespaced: false,
                shortNames: ["ns"], hasStatusSubresource: true, selectableFields: ["status.phase"]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "pods", kind: "Pod", namespaced: true, shortNames: ["po"],
                categories: ["all"], hasStatusSubresource: true,
                selectableFields: [
                    "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
                ],
                returnsDeletedObject: true),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "services", kind: "Service", namespaced: true,
                shortNames: ["svc"], categories: ["all"], hasStatusSubresource: true),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "endpoints", singular: "endpoints", kind: "Endpoints",
                namespaced: true, shortNames: ["ep"]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"],
                hasStatusSubresource: true, selectableFields: ["spec.unschedulable"]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "configmaps", kind: "ConfigMap", namespaced: true,
                shortNames: ["cm"]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "secrets", kind: "Secret", namespaced: true,
                selectableFields: ["type"]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"],
                selectableFields: [
                    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                    "reason", "reportingComponent", "source", "type",
                ]),
            ResourceDefinition(
                group: "", versions: ["v1"], resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true,
                shortNames: ["sa"]),
            ResourceDefinition(
                group: "discovery.k8s.io", versions: ["v1"], resource: "endpointslices", kind: "EndpointSlice",
                namespaced: true),
            ResourceDefinition(
                group: "coordination.k8s.io", versions: ["v1"], resource: "leases", kind: "Lease", namespaced: true),
            ResourceDefinition(
                group: "apps", versions: ["v1"], resource: "deployments", kind: "Deployment", namespaced: true,
                shortNames: ["deploy"], categories: ["all"], hasStatusSubresource: true, scale: workloadScale),
            ResourceDefinition(
                group: "apps", versions: ["v1"], resource: "statefulsets", kind: "StatefulSet", namespaced: true,
                shortNames: ["sts"], categories: ["all"], hasStatusSubresource: true, scale: workloadScale),
            ResourceDefinition(
                group: "apps", versions: ["v1"], resource: "replicasets", kind: "ReplicaSet", namespaced: true,
                shortNames: ["rs"], categories: ["all"], hasStatusSubresource: true, scale: workloadScale),
            ResourceDefinition(
                group: "apps", versions: ["v1"], resource: "daemonsets", kind: "DaemonSet", namespaced: true,
                shortNames: ["ds"], categories: ["all"], hasStatusSubresource: true),
            ResourceDefinition(
                group: "apiextensions.k8s.io", versions: ["v1"], resource: "customresourcedefinitions",
                kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"],
                hasStatusSubresource: true),
        ]
    }()

    /// Builds the definition a `CustomResourceDefinition` object declares.
    /// - Throws: ``KubernetesStatusError`` (422 Invalid) when required fields are missing or the name is not
    ///   `<plural>.<group>`.
    static func fromCRD(_ crd: JSONValue) throws(KubernetesStatusError) -> ResourceDefinition {
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        let spec = crd["spec"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"] ?? .emptyObject
        let plural = names["plural"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        var causes: [(field: String, reason: String, message: String)] = []
        if group.isEmpty { causes.append(("spec.group", "FieldValueRequired", "Required value")) }
        if plural.isEmpty { causes.append(("spec.names.plural", "FieldValueRequired", "Required value")) }
        if kind.isEmpty { causes.append(("spec.names.kind", "FieldValueRequired", "Required value")) }
        if !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            causes.append(
                ("metadata.name", "FieldValueInvalid",
                 "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group"))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        let served = versions.filter { $0["served"]?.boolValue ?? true }
        if versions.isEmpty { causes.append(("spec.versions", "FieldValueRequired", "Required value: must have exactly one version marked as storage version")) }
        guard causes.isEmpty else {
            throw .invalid(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: causes)
        }
        // Subresources are declared per version; the emulator takes them from the storage (or first) version.
        let storage = versions.first { $0["storage"]?.boolValue == true } ?? versions[0]
        let subresources = storage["subresources"] ?? spec["subresources"] ?? .emptyObject
        var scale: ScaleSubresource?
        if let scaleSpec = subresources["scale"] {
            scale = ScaleSubresource(
                specReplicasPath: scaleSpec["specReplicasPath"]?.stringValue ?? ".spec.replicas",
                statusReplicasPath: scaleSpec["statusReplicasPath"]?.stringValue ?? ".status.replicas",
                labelSelectorPath: scaleSpec["labelSelectorPath"]?.stringValue)
        }
        // Preferred version: the storage version first, then the other served ones in declaration order.
        var versionNames = served.compactMap { $0["name"]?.stringValue }
        if let storageName = storage["name"]?.stringValue, let i = versionNames.firstIndex(of: storageName) {
            versionNames.remove(at: i)
            versionNames.insert(storageName, at: 0)
        }
        return ResourceDefinition(
            group: group, versions: versionNames, resource: plural,
            singular: names["singular"]?.stringValue ?? kind.lowercased(), kind: kind,
            listKind: names["listKind"]?.stringValue ?? kind + "List",
            namespaced: (spec["scope"]?.stringValue ?? "Namespaced") == "Namespaced",
            shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
            categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
            hasStatusSubresource: subresources["status"] != nil, scale: scale, returnsDeletedObject: true,
            isCustom: true)
    }
}

extension String {
    /// `.spec.replicas` → `["spec", "replicas"]`.
    var jsonPathComponents: [String] { split(separator: ".").map(String.init) }
}
