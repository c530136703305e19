import Kubernetes

extension KubernetesTargets {
    /// Prometheus's `strutil.SanitizeLabelName`: every character outside `[a-zA-Z0-9_]` becomes `_`.
    ///
    /// One `_` per Unicode scalar (Go's regexp replaces per rune), so `app.kubernetes.io/name` becomes
    /// `app_kubernetes_io_name` and `é` becomes a single `_`. Like Prometheus, this does not fix a leading digit:
    /// use it only on names that get a valid prefix.
    ///
    /// - Parameter name: A Kubernetes label or annotation key, a node address type, …
    /// - Returns: The sanitized name.
    public static func sanitizeLabelName(_ name: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": result.append(scalar)
            default: result.append("_")
            }
        }
        return String(result)
    }

    /// Go's `net.JoinHostPort`: `host:port`, with the host in brackets when it contains a colon (IPv6 literals).
    ///
    /// - Parameters:
    ///   - host: A host name or an IPv4/IPv6 literal.
    ///   - port: The port, already formatted.
    /// - Returns: `host:port` or `[host]:port`.
    public static func joinHostPort(_ host: String, _ port: String) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// The `__meta_kubernetes_*` label names, as Prometheus's Kubernetes SD defines them.
enum MetaLabel {
    static let prefix = "__meta_kubernetes_"
    static let address = "__address__"
    static let instance = "instance"
    static let presentValue = "true"

    static let namespace = prefix + "namespace"

    static let podIP = prefix + "pod_ip"
    static let podContainerName = prefix + "pod_container_name"
    static let podContainerID = prefix + "pod_container_id"
    static let podContainerImage = prefix + "pod_container_image"
    static let podContainerPortName = prefix + "pod_container_port_name"
    static let podContainerPortNumber = prefix + "pod_container_port_number"
    static let podContainerPortProtocol = prefix + "pod_container_port_protocol"
    static let podContainerInit = prefix + "pod_container_init"
    static let podReady = prefix + "pod_ready"
    static let podPhase = prefix + "pod_phase"
    static let podNodeName = prefix + "pod_node_name"
    static let podHostIP = prefix + "pod_host_ip"
    static let podUID = prefix + "pod_uid"
    static let podControllerKind = prefix + "pod_controller_kind"
    static let podControllerName = prefix + "pod_controller_name"

    static let servicePortName = prefix + "service_port_name"
    static let servicePortNumber = prefix + "service_port_number"
    static let servicePortProtocol = prefix + "service_port_protocol"
    static let serviceClusterIP = prefix + "service_cluster_ip"
    static let serviceLoadBalancerIP = prefix + "service_loadbalancer_ip"
    static let serviceExternalName = prefix + "service_external_name"
    static let serviceType = prefix + "service_type"

    static let nodeProviderID = prefix + "node_provider_id"
    static let nodeAddressPrefix = prefix + "node_address_"

    static let endpointNodeName = prefix + "endpoint_node_name"
    static let endpointHostname = prefix + "endpoint_hostname"
    static let endpointReady = prefix + "endpoint_ready"
    static let endpointPortName = prefix + "endpoint_port_name"
    static let endpointPortProtocol = prefix + "endpoint_port_protocol"
    static let endpointAddressTargetKind = prefix + "endpoint_address_target_kind"
    static let endpointAddressTargetName = prefix + "endpoint_address_target_name"

    static let endpointSliceAddressType = prefix + "endpointslice_address_type"
    static let endpointSlicePortName = prefix + "endpointslice_port_name"
    static let endpointSlicePortProtocol = prefix + "endpointslice_port_protocol"
    static let endpointSlicePort = prefix + "endpointslice_port"
    static let endpointSlicePortAppProtocol = prefix + "endpointslice_port_app_protocol"
    static let endpointSliceConditionsReady = prefix + "endpointslice_endpoint_conditions_ready"
    static let endpointSliceConditionsServing = prefix + "endpointslice_endpoint_conditions_serving"
    static let endpointSliceConditionsTerminating = prefix + "endpointslice_endpoint_conditions_terminating"
    static let endpointSliceEndpointZone = prefix + "endpointslice_endpoint_zone"
    static let endpointSliceEndpointHostname = prefix + "endpointslice_endpoint_hostname"
    static let endpointSliceEndpointNodeName = prefix + "endpointslice_endpoint_node_name"
    static let endpointSliceAddressTargetKind = prefix + "endpointslice_address_target_kind"
    static let endpointSliceAddressTargetName = prefix + "endpointslice_address_target_name"
}

extension Dictionary where Key == String, Value == String {
    /// Prometheus's `LabelSet.Merge`: `other`'s values win.
    func overlaid(with other: [String: String]) -> [String: String] {
        merging(other) { _, new in new }
    }

    /// Prometheus's `addObjectMetaLabels`: `<role>_name`, and `<role>_label_<k>`, `<role>_labelpresent_<k>`,
    /// `<role>_annotation_<k>`, `<role>_annotationpresent_<k>` with sanitized keys.
    mutating func addObjectMetaLabels(_ metadata: ObjectMeta, role: String) {
        let rolePrefix = MetaLabel.prefix + role
        self[rolePrefix + "_name"] = metadata.name ?? ""
        for (key, value) in metadata.labels ?? [:] {
            let name = KubernetesTargets.sanitizeLabelName(key)
            self[rolePrefix + "_label_" + name] = value
            self[rolePrefix + "_labelpresent_" + name] = MetaLabel.presentValue
        }
        for (key, value) in metadata.annotations ?? [:] {
            let name = KubernetesTargets.sanitizeLabelName(key)
            self[rolePrefix + "_annotation_" + name] = value
            self[rolePrefix + "_annotationpresent_" + name] = MetaLabel.presentValue
        }
    }
}
